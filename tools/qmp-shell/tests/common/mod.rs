//! A real terminal for the shell: a tmux session (on a tmux server of the
//! test's own), typed into with `send-keys` and read with `capture-pane`;
//! and the example QMP server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// A tmux session running one command, killed on drop.
pub struct Terminal {
    socket: String,
    session: String,
}

fn unique(prefix: &str) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

impl Terminal {
    /// Run `program args` in a new 200x50 terminal.  The pane stays after
    /// the program exits, with its exit status, for the failure messages.
    pub fn start(program: &Path, args: &[&str]) -> Terminal {
        let mut command_line = shell_quote(&program.display().to_string());
        for arg in args {
            command_line.push(' ');
            command_line.push_str(&shell_quote(arg));
        }
        command_line.push_str("; echo \"[exited: $?]\"; sleep 600");
        let terminal = Terminal {
            socket: unique("qapi-shell-test"),
            session: unique("shell"),
        };
        let output = terminal.tmux(&[
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            "-s",
            &terminal.session.clone(),
            &command_line,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        terminal
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}): run scripts/install-test-deps.sh"))
    }

    /// Type keys (tmux key names: `Tab`, `Enter`, `C-d`; other text is
    /// typed literally only when given with [`Terminal::type_text`]).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Type text literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Type a line and Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        self.keys(&["Enter"]);
    }

    /// Everything on the screen and in the scrollback, wrapped lines joined.
    pub fn screen(&self) -> String {
        let output = self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", &self.session]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Wait until the screen satisfies `test`; panic with the screen if it
    /// does not within the time limit.
    pub fn wait_until(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if test(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited {WAIT:?} for {what}; the terminal shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `text` is on the screen `count` times.
    pub fn wait_for_count(&self, text: &str, count: usize) -> String {
        self.wait_until(&format!("{count} × {text:?}"), |screen| {
            screen.matches(text).count() >= count
        })
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_count(text, 1)
    }

    /// Wait until the last non-empty line (the one being edited) is `line`
    /// (trailing spaces aside).
    pub fn wait_for_last_line(&self, line: &str) {
        self.wait_until(&format!("the last line {line:?}"), |screen| {
            screen
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|last| last.trim_end() == line.trim_end())
        });
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// The `qmp-shell` binary under test.
pub fn qmp_shell() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_qmp-shell"))
}

/// A history file of the test's own.
pub fn history_file() -> PathBuf {
    std::env::temp_dir().join(unique("qmp-shell-history"))
}

/// The example QMP server (`examples/qmp-server`), killed on drop.
pub struct DemoServer {
    child: Child,
    pub socket: PathBuf,
}

impl DemoServer {
    /// Build the server (another package: cargo makes no binary of it for
    /// this one's tests) and start it on a fresh socket.
    pub fn start() -> DemoServer {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        // The profile of the binary under test, so that the server lands
        // beside it.
        let release = qmp_shell()
            .parent()
            .is_some_and(|dir| dir.ends_with("release"));
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "qapi-example-qmp-server"])
            .args(release.then_some("--release"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("running cargo build for the example server");
        assert!(
            status.success(),
            "cargo build -p qapi-example-qmp-server failed"
        );
        // Beside this package's binary, in the same target directory.
        let program = qmp_shell().with_file_name("qmp-server");
        let socket = std::env::temp_dir().join(format!("{}.sock", unique("qmp-demo")));
        let child = Command::new(&program)
            .arg("--unix")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let server = DemoServer { child, socket };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.socket.exists() {
            assert!(
                Instant::now() < deadline,
                "the example server did not listen"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}
