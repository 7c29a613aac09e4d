//! What the live query tests (`live.rs`, `span_live.rs`) share: the
//! commands run without arguments, the client options, and the errors a
//! corpus recorded.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use qapi_types::qmp::tokio::Client as AsyncClient;
use qapi_types::qmp::{blocking, Error, Options};
use qapi_types::{Command, CommandVisitor, Mode};

/// The command `C` without arguments.
pub fn argless<C: Command>() -> C {
    serde_json::from_str("{}").unwrap_or_else(|e| panic!("{} needs arguments: {e}", C::NAME))
}

/// Strict decoding (nothing unknown may be ignored), and a timeout long
/// enough for a slow query on a loaded machine.
pub fn strict_options() -> Options {
    Options::new()
        .mode(Mode::Strict)
        .timeout(Some(Duration::from_secs(30)))
}

/// The argument-less queries that failed when the corpus in `corpus` was
/// recorded (its `summary.json`).
pub fn corpus_error_replies(corpus: &Path) -> BTreeSet<String> {
    let path = corpus.join("summary.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    summary["argless_query_error"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// Runs a command without arguments on a blocking client, for
/// `CommandVisitor`s over the bindings' commands.
pub struct BlockingRun<'a>(pub &'a mut blocking::Client);

impl CommandVisitor for BlockingRun<'_> {
    type Output = Result<(), Error>;
    fn visit<C: Command>(self) -> Result<(), Error> {
        self.0.execute(&argless::<C>()).map(drop)
    }
}

/// A command's reply on the async client, still to be awaited.
pub type Call<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + 'a>>;

/// Runs a command without arguments on the async client.
pub struct AsyncRun<'a>(pub &'a AsyncClient);

impl<'a> CommandVisitor for AsyncRun<'a> {
    type Output = Call<'a>;
    fn visit<C: Command>(self) -> Call<'a> {
        let client = self.0;
        Box::pin(async move { client.execute(&argless::<C>()).await.map(drop) })
    }
}
