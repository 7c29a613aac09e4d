//! The session: connect, learn the schema, then read lines (from the
//! terminal with rustyline, or from stdin in batch mode) and run them.
//! Events are printed as they arrive, by a task of their own.

use std::fs::File;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qapi_types::qmp::tokio::{Client, Events};
use qapi_types::qmp::{wire::to_qemu_json, Error, Options, QmpError};
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Editor, ExternalPrinter};
use serde_json::{json, Map, Value};
use tokio::runtime::Runtime;

use crate::check::{check_action, check_command};
use crate::complete::ShellHelper;
use crate::help::{describe_command, list_commands};
use crate::input::{Input, LineReader};
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

/// What a command came to, when the connection held.
enum Reply {
    Return(Value),
    Error(QmpError),
    /// None came in time, and the command sends none when it succeeds.
    Nothing,
}

/// How long a command declared to send no reply on success is given to
/// answer with an error.
const NO_REPLY_GRACE: Duration = Duration::from_millis(500);

struct Shell {
    runtime: Runtime,
    client: Client,
    schema: Option<Arc<SchemaInfo>>,
    pretty: bool,
    hmp: bool,
    check: bool,
    verbose: bool,
    log: Option<File>,
    reader: LineReader,
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
    let log = match &cli.logfile {
        Some(path) => {
            Some(File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?)
        }
        None => None,
    };
    let client = runtime
        .block_on(connect(&cli.server, !cli.skip_negotiation))
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
        verbose: cli.verbose,
        log,
        reader: LineReader::default(),
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
    if cli.skip_negotiation {
        println!("Connected (no greeting awaited, no negotiation)");
    } else {
        let version = &shell.client.greeting().version.qemu;
        println!(
            "Connected to QEMU {}.{}.{}",
            version.major, version.minor, version.micro
        );
    }
    if let Some(schema) = &shell.schema {
        println!("Schema {source}: {}.", schema.summary());
        println!("`help` lists the commands, `help COMMAND` describes one; Tab completes.");
    }
    shell.interactive(events, cli.history.clone().or_else(default_history))
}

async fn connect(server: &str, negotiate: bool) -> Result<Client, Error> {
    // Without negotiation (`-N`, as QEMU's shell), no greeting is awaited
    // either: the guest agent sends none.
    let options = Options::new().greeting(negotiate).negotiate(negotiate);
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

/// A request as QEMU's qmp-shell prints it (`-v`), with the reply's
/// member when there is one (`-l`): `execute` (or `exec-oob`),
/// `arguments`, then `return` or `error`; with `-p` indented and sorted.
fn exchange_text(
    name: &str,
    arguments: &Value,
    oob: bool,
    reply: Option<(&str, Value)>,
    pretty: bool,
) -> String {
    let execute = if oob { "exec-oob" } else { "execute" };
    let mut members = vec![
        (execute, Value::String(name.to_string())),
        ("arguments", arguments.clone()),
    ];
    members.extend(reply);
    if pretty {
        let object = members
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect();
        return render(&Value::Object(object), true);
    }
    let members: Vec<String> = members
        .iter()
        .map(|(key, value)| format!("\"{key}\": {}", render(value, false)))
        .collect();
    format!("{{{}}}", members.join(", "))
}

/// Print the events as they arrive, with `print`; say when the connection
/// ends, then call `closed`.
fn spawn_event_printer(
    shell: &Shell,
    mut events: Events<Value>,
    mut print: impl FnMut(String) + Send + 'static,
    closed: impl FnOnce() + Send + 'static,
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
        // It may wait: not on the runtime's one worker.
        let _ = tokio::task::spawn_blocking(closed).await;
    });
}

/// End the process at once (status 1) when the connection is lost while
/// the editor waits for a line: rustyline has no way to make `readline`
/// return from another thread, so the terminal is put back as it was
/// before the editor took it (mode, bracketed paste) and the process
/// exits.  When a command is running, `busy`, the main thread sees the
/// loss itself and ends the session normally.
fn exit_when_idle(busy: Arc<AtomicBool>) -> impl FnOnce() + Send + 'static {
    let terminal = nix::sys::termios::tcgetattr(std::io::stdin()).ok();
    move || {
        // Let the editor print the messages it was handed.
        std::thread::sleep(Duration::from_millis(100));
        if busy.load(Ordering::SeqCst) {
            return;
        }
        if let Some(terminal) = terminal {
            let _ = nix::sys::termios::tcsetattr(
                std::io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                &terminal,
            );
        }
        let mut stdout = std::io::stdout();
        let _ = stdout.write_all(b"\x1b[?2004l\n");
        let _ = stdout.flush();
        std::process::exit(1);
    }
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

    fn interactive(
        mut self,
        events: Events<Value>,
        history: Option<PathBuf>,
    ) -> Result<bool, String> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .auto_add_history(true)
            .history_ignore_dups(true)
            .map_err(|e| e.to_string())?
            .build();
        let mut editor: Editor<ShellHelper, FileHistory> =
            Editor::with_config(config).map_err(|e| format!("cannot use the terminal: {e}"))?;
        let in_transaction = Arc::new(AtomicBool::new(false));
        editor.set_helper(Some(ShellHelper {
            schema: if self.hmp { None } else { self.schema.clone() },
            in_transaction: in_transaction.clone(),
        }));
        if let Some(path) = &history {
            // A missing history file is a first session.
            let _ = editor.load_history(path);
        }
        let busy = Arc::new(AtomicBool::new(false));
        let closed = exit_when_idle(busy.clone());
        match editor.create_external_printer() {
            Ok(mut printer) => spawn_event_printer(
                &self,
                events,
                move |text| {
                    let _ = printer.print(format!("{text}\n"));
                },
                closed,
            ),
            Err(_) => spawn_event_printer(&self, events, |text| println!("{text}"), closed),
        }
        let mut ok = true;
        loop {
            let prompt = if self.hmp {
                "(HMP) "
            } else if self.reader.in_transaction() {
                "TRANS> "
            } else {
                "(QEMU) "
            };
            let line = match editor.readline(prompt) {
                Ok(line) => line,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(error) => return Err(format!("cannot read the terminal: {error}")),
            };
            if let Some(path) = &history {
                save_history(&mut editor, path);
            }
            busy.store(true, Ordering::SeqCst);
            let outcome = self.run_line(&line);
            busy.store(false, Ordering::SeqCst);
            in_transaction.store(self.reader.in_transaction(), Ordering::Relaxed);
            if outcome == Outcome::Disconnected {
                ok = false;
                break;
            }
        }
        Ok(ok)
    }

    fn batch(mut self, events: Events<Value>) -> bool {
        spawn_event_printer(&self, events, |text| println!("{text}"), || {});
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
        if self.reader.in_transaction() {
            eprintln!("error: the input ends in a transaction: its actions are not sent");
            return false;
        }
        ok
    }

    fn run_line(&mut self, line: &str) -> Outcome {
        if self.hmp {
            return self.run_hmp(line);
        }
        let schema = self.schema.clone().filter(|_| self.check);
        let check = |action: &Map<String, Value>| match &schema {
            Some(schema) => check_action(schema, action),
            None => Ok(()),
        };
        let input = match self.reader.read(line, check) {
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
                if let Some(schema) = &schema {
                    if let Err(error) = check_command(schema, &name, &arguments) {
                        eprintln!("error: {error} (not sent)");
                        return Outcome::Failed;
                    }
                }
                self.run_command(&name, &Value::Object(arguments), oob)
            }
        }
    }

    /// Send a command, print its reply (echo and log it as asked).
    fn run_command(&mut self, name: &str, arguments: &Value, oob: bool) -> Outcome {
        if self.verbose {
            println!("{}", exchange_text(name, arguments, oob, None, self.pretty));
        }
        let reply = match self.send(name, arguments, oob) {
            Ok(reply) => reply,
            Err(outcome) => return outcome,
        };
        let (outcome, member) = match reply {
            Reply::Return(returned) => {
                println!("{}", render(&json!({ "return": returned }), self.pretty));
                (Outcome::Done, Some(("return", returned)))
            }
            Reply::Error(error) => {
                eprintln!("error: {error}");
                let error = json!({"class": error.class.to_string(), "desc": error.desc});
                (Outcome::Failed, Some(("error", error)))
            }
            Reply::Nothing => {
                eprintln!("(no reply: {name} sends none when it succeeds)");
                (Outcome::Done, None)
            }
        };
        if let (Some(log), Some(member)) = (&mut self.log, member) {
            let text = exchange_text(name, arguments, oob, Some(member), self.pretty);
            if let Err(error) = writeln!(log, "{text}").and_then(|()| log.flush()) {
                eprintln!("warning: cannot write the log: {error}");
            }
        }
        outcome
    }

    fn run_hmp(&self, line: &str) -> Outcome {
        if line.trim().is_empty() {
            return Outcome::Done;
        }
        let arguments = json!({ "command-line": line });
        match self.send("human-monitor-command", &arguments, false) {
            Ok(Reply::Return(Value::String(text))) => {
                print!("{}", text.replace("\r\n", "\n"));
                Outcome::Done
            }
            Ok(Reply::Return(other)) => {
                println!("{other}");
                Outcome::Done
            }
            Ok(Reply::Error(error)) => {
                eprintln!("error: {error}");
                Outcome::Failed
            }
            Ok(Reply::Nothing) => Outcome::Done,
            Err(outcome) => outcome,
        }
    }

    /// Send a command and wait for its reply, except for a command the
    /// schema file declares to send none on success: that one is given
    /// `NO_REPLY_GRACE` to fail.  A failure of the connection is printed
    /// here.
    fn send(&self, name: &str, arguments: &Value, oob: bool) -> Result<Reply, Outcome> {
        let call = self.client.execute_raw(name, arguments, oob);
        let no_reply = self
            .schema
            .as_ref()
            .is_some_and(|schema| schema.sends_no_reply(name));
        let result = if no_reply {
            match self
                .runtime
                .block_on(async { tokio::time::timeout(NO_REPLY_GRACE, call).await })
            {
                Ok(result) => result,
                Err(_) => return Ok(Reply::Nothing),
            }
        } else {
            self.runtime.block_on(call)
        };
        match result {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(value) => Ok(Reply::Return(value)),
                Err(error) => {
                    eprintln!("error: the reply is not JSON: {error}");
                    Err(Outcome::Failed)
                }
            },
            Err(Error::Qmp(error)) => Ok(Reply::Error(error)),
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
    fn requests_and_log_lines_print_as_in_qemu() {
        let arguments = json!({"id": "cd0", "force": true});
        assert_eq!(
            exchange_text("eject", &arguments, false, None, false),
            r#"{"execute": "eject", "arguments": {"force": true, "id": "cd0"}}"#
        );
        assert_eq!(
            exchange_text("stop", &json!({}), true, Some(("return", json!({}))), false),
            r#"{"exec-oob": "stop", "arguments": {}, "return": {}}"#
        );
        let error = json!({"class": "GenericError", "desc": "no"});
        assert_eq!(
            exchange_text("stop", &json!({}), false, Some(("error", error)), true),
            "{\n    \"arguments\": {},\n    \"error\": {\n        \"class\": \"GenericError\",\n        \"desc\": \"no\"\n    },\n    \"execute\": \"stop\"\n}"
        );
    }

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
