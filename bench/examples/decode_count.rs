//! Decodes one part of the QMP corpus with our bindings of QEMU 10.0's
//! schema, REPEAT times, for an instruction counter:
//!
//! ```sh
//! cargo build --release --example decode_count
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/decode_count PART REPEAT
//! ```
//!
//! PART: `schema` (the `query-qmp-schema` reply), `replies` (every other
//! success reply), `events` (`events.jsonl`). The instructions of one pass
//! are those of REPEAT passes less those of 0 (reading the corpus), divided
//! by REPEAT. Unlike the `decode` bench's CPU time, the count does not move
//! with the machine's load, so two versions of the bindings compare exactly.
//! To count an older version, copy this file into its checkout: it needs
//! only `qapi_bench::corpus_replies` and `corpus_events`, and so repeats
//! the `decode` bench's few lines of reading a reply rather than sharing
//! them.

use qapi_types::{Command, CommandVisitor};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::hint::black_box;
use std::process::ExitCode;

#[allow(dead_code)]
mod qmp {
    include!(concat!(env!("OUT_DIR"), "/qmp10.rs"));
}

/// A success reply, `{"return": ..., "id": ...}`, as the `decode` bench reads it.
#[derive(Deserialize)]
struct Response<T> {
    #[serde(rename = "return")]
    _value: T,
}

type Decoder = fn(&str) -> Result<(), String>;

fn decode<T: DeserializeOwned>(text: &str) -> Result<(), String> {
    let value: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    black_box(value);
    Ok(())
}

struct OurReply;

impl CommandVisitor for OurReply {
    type Output = Decoder;
    fn visit<C: Command>(self) -> Decoder {
        decode::<Response<C::Returns>>
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (part, repeat) = match args.as_slice() {
        [part, repeat] => match repeat.parse::<usize>() {
            Ok(repeat) => (part.as_str(), repeat),
            Err(e) => {
                eprintln!("error: REPEAT `{repeat}`: {e}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: decode_count schema|replies|events REPEAT");
            return ExitCode::from(2);
        }
    };
    let messages: Vec<(Decoder, String)> = match part {
        "schema" | "replies" => qapi_bench::corpus_replies()
            .into_iter()
            .filter(|reply| (reply.command == "query-qmp-schema") == (part == "schema"))
            .map(|reply| {
                let decoder = qmp::commands::visit(&reply.command, OurReply)
                    .unwrap_or_else(|| panic!("no command {}", reply.command));
                (decoder, reply.raw)
            })
            .collect(),
        "events" => qapi_bench::corpus_events()
            .into_iter()
            .map(|line| (decode::<qmp::events::Event> as Decoder, line))
            .collect(),
        _ => {
            eprintln!("error: unknown PART `{part}` (schema, replies or events)");
            return ExitCode::from(2);
        }
    };
    for _ in 0..repeat {
        for (decoder, text) in &messages {
            if let Err(e) = decoder(black_box(text)) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{part}: {} messages, {repeat} passes", messages.len());
    ExitCode::SUCCESS
}
