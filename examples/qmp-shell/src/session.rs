//! The session: connect, learn the schema, then read lines (from the
//! terminal with rustyline, or from stdin in batch mode) and run them.
//! Events are printed as they arrive, by a task of their own.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qapi_types::qmp::tokio::{Client, Events};
use qapi_types::qmp::{wire::to_qemu_json, Error, Options};
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Editor, ExternalPrinter};
use serde_json::{json, Map, Value};
use tokio::runtime::Runtime;

use crate::check::check_command;
use crate::complete::ShellHelper;
use crate::help::{describe_command, list_commands};
use crate::input::{parse_line, Input};
use crate::schema::SchemaInfo;
use crate::Cli;

/// What running one line came to.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done,
    Failed,
    /// The connection is lost: stop.
    Disconnected,
}

struct Shell {
    runtime: Runtime,
    client: Client,
    schema: Option<Arc<SchemaInfo>>,
    pretty: bool,
    hmp: bool,
    check: bool,
}

/// Run the shell; `Ok(false)` when a command failed (batch mode) or the
/// connection was lost.
pub fn run(cli: &Cli, batch: bool) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    // A schema file is read first: its mistakes need no server.
    let file_schema = match &cli.schema {
        Some(path) => Some(
            SchemaInfo::from_file(path)
                .map_err(|e| format!("cannot load {}:\n{e}", path.display()))?,
        ),
        None => None,
    };
    let client = runtime
        .block_on(connect(&cli.server))
        .map_err(|e| format!("cannot connect to {}: {e}", cli.server))?;
    // Taken before any command, so that no event is missed.
    let events = client
        .events::<Value>()
        .ok_or("the events were taken already")?;
    let mut shell = Shell {
        runtime,
        client,
        schema: None,
        pretty: cli.pretty,
        hmp: cli.hmp,
        check: !cli.no_check,
    };
    let source = match (file_schema, &cli.schema) {
        (Some(schema), Some(path)) => {
            shell.schema = Some(Arc::new(schema));
            format!("from {}", path.display())
        }
        _ if cli.hmp => String::new(),
        _ => match shell.schema_from_server() {
            Ok(schema) => {
                shell.schema = Some(Arc::new(schema));
                "from query-qmp-schema".to_string()
            }
            Err(error) => {
                eprintln!("warning: no schema ({error}): arguments are not checked");
                String::new()
            }
        },
    };
    if batch {
        return Ok(shell.batch(events));
    }
    let version = &shell.client.greeting().version.qemu;
    println!(
        "Connected to QEMU {}.{}.{}",
        version.major, version.minor, version.micro
    );
    if let Some(schema) = &shell.schema {
        println!("Schema {source}: {}.", schema.summary());
        println!("`help` lists the commands, `help COMMAND` describes one; Tab completes.");
    }
    shell.interactive(events, cli.history.clone().or_else(default_history))
}

async fn connect(server: &str) -> Result<Client, Error> {
    let options = Options::new();
    if !Path::new(server).exists() {
        if let Some((host, port)) = server.rsplit_once(':') {
            if let Ok(port) = port.parse::<u16>() {
                let host = host.trim_start_matches('[').trim_end_matches(']');
                return Client::connect_tcp((host, port), &options).await;
            }
        }
    }
    Client::connect_unix(server, &options).await
}

/// `$XDG_STATE_HOME/qapi-qmp-shell/history`, else under
/// `~/.local/state`.
fn default_history() -> Option<PathBuf> {
    let state = match std::env::var_os("XDG_STATE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".local/state"),
    };
    Some(state.join("qapi-qmp-shell/history"))
}

/// JSON as QEMU's qmp-shell prints it: compact, or indented by 4 with
/// `-p`.
fn render(value: &Value, pretty: bool) -> String {
    if pretty {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        match serde::Serialize::serialize(value, &mut serializer) {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(_) => value.to_string(),
        }
    } else {
        to_qemu_json(value).unwrap_or_else(|_| value.to_string())
    }
}

/// Print the events as they arrive, with `print`; say when the connection
/// ends.
fn spawn_event_printer(
    shell: &Shell,
    mut events: Events<Value>,
    mut print: impl FnMut(String) + Send + 'static,
) {
    let pretty = shell.pretty;
    shell.runtime.spawn(async move {
        while let Some(event) = events.recv().await {
            match event {
                Ok(event) => print(render(&event, pretty)),
                Err(error) => print(format!("error: {error}")),
            }
        }
        print("qmp-shell: the connection is closed".to_string());
    });
}

impl Shell {
    fn schema_from_server(&self) -> Result<SchemaInfo, String> {
        let reply = self
            .runtime
            .block_on(
                self.client
                    .execute_raw("query-qmp-schema", &Map::new(), false),
            )
            .map_err(|e| e.to_string())?;
        let reply: Value = serde_json::from_str(&reply).map_err(|e| e.to_string())?;
        SchemaInfo::from_introspection(&reply)
    }

    fn interactive(self, events: Events<Value>, history: Option<PathBuf>) -> Result<bool, String> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .auto_add_history(true)
            .history_ignore_dups(true)
            .map_err(|e| e.to_string())?
            .build();
        let mut editor: Editor<ShellHelper, FileHistory> =
            Editor::with_config(config).map_err(|e| format!("cannot use the terminal: {e}"))?;
        editor.set_helper(Some(ShellHelper {
            schema: if self.hmp { None } else { self.schema.clone() },
        }));
        if let Some(path) = &history {
            // A missing history file is a first session.
            let _ = editor.load_history(path);
        }
        match editor.create_external_printer() {
            Ok(mut printer) => spawn_event_printer(&self, events, move |text| {
                let _ = printer.print(format!("{text}\n"));
            }),
            Err(_) => spawn_event_printer(&self, events, |text| println!("{text}")),
        }
        let prompt = if self.hmp { "(HMP) " } else { "(QEMU) " };
        let mut ok = true;
        loop {
            let line = match editor.readline(prompt) {
                Ok(line) => line,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(error) => return Err(format!("cannot read the terminal: {error}")),
            };
            if let Some(path) = &history {
                save_history(&mut editor, path);
            }
            if self.run_line(&line) == Outcome::Disconnected {
                ok = false;
                break;
            }
        }
        Ok(ok)
    }

    fn batch(self, events: Events<Value>) -> bool {
        spawn_event_printer(&self, events, |text| println!("{text}"));
        let mut ok = true;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else {
                eprintln!("qmp-shell: cannot read stdin");
                return false;
            };
            match self.run_line(&line) {
                Outcome::Done => {}
                Outcome::Failed => ok = false,
                Outcome::Disconnected => return false,
            }
            let _ = std::io::stdout().flush();
        }
        ok
    }

    fn run_line(&self, line: &str) -> Outcome {
        if self.hmp {
            return self.run_hmp(line);
        }
        let input = match parse_line(line) {
            Ok(input) => input,
            Err(error) => {
                eprintln!("error: {error}");
                return Outcome::Failed;
            }
        };
        match input {
            Input::Empty => Outcome::Done,
            Input::Help(command) => self.help(command.as_deref()),
            Input::Command {
                name,
                arguments,
                oob,
            } => {
                if let (true, Some(schema)) = (self.check, &self.schema) {
                    if let Err(error) = check_command(schema, &name, &arguments) {
                        eprintln!("error: {error} (not sent)");
                        return Outcome::Failed;
                    }
                }
                match self.execute(&name, &Value::Object(arguments), oob) {
                    Ok(returned) => {
                        println!("{}", render(&json!({ "return": returned }), self.pretty));
                        Outcome::Done
                    }
                    Err(outcome) => outcome,
                }
            }
        }
    }

    fn run_hmp(&self, line: &str) -> Outcome {
        if line.trim().is_empty() {
            return Outcome::Done;
        }
        let arguments = json!({ "command-line": line });
        match self.execute("human-monitor-command", &arguments, false) {
            Ok(Value::String(text)) => {
                print!("{}", text.replace("\r\n", "\n"));
                Outcome::Done
            }
            Ok(other) => {
                println!("{other}");
                Outcome::Done
            }
            Err(outcome) => outcome,
        }
    }

    /// Run a command; an error is printed here.
    fn execute(&self, name: &str, arguments: &Value, oob: bool) -> Result<Value, Outcome> {
        let result = self
            .runtime
            .block_on(self.client.execute_raw(name, arguments, oob));
        match result {
            Ok(text) => serde_json::from_str(&text).map_err(|error| {
                eprintln!("error: the reply is not JSON: {error}");
                Outcome::Failed
            }),
            Err(Error::Qmp(error)) => {
                eprintln!("error: {error}");
                Err(Outcome::Failed)
            }
            Err(error) if error.is_fatal() => {
                eprintln!("error: {error}");
                Err(Outcome::Disconnected)
            }
            Err(error) => {
                eprintln!("error: {error}");
                Err(Outcome::Failed)
            }
        }
    }

    fn help(&self, command: Option<&str>) -> Outcome {
        let Some(schema) = &self.schema else {
            eprintln!("error: no schema: help needs --schema or a server with query-qmp-schema");
            return Outcome::Failed;
        };
        match command {
            None => println!("{}", list_commands(schema)),
            Some(command) => match describe_command(schema, command) {
                Ok(text) => println!("{text}"),
                Err(error) => {
                    eprintln!("error: {error}");
                    return Outcome::Failed;
                }
            },
        }
        Outcome::Done
    }
}

fn save_history(editor: &mut Editor<ShellHelper, FileHistory>, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(error) = editor.save_history(path) {
        eprintln!(
            "warning: cannot save the history to {}: {error}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_render_as_qemu_prints_them() {
        let value = json!({"return": {"running": true, "status": "running"}});
        assert_eq!(
            render(&value, false),
            r#"{"return": {"running": true, "status": "running"}}"#
        );
        assert_eq!(
            render(&json!({"return": {}}), true),
            "{\n    \"return\": {}\n}"
        );
    }
}
