//! One line per step: `ok STEP: what was seen` or `FAIL STEP: why`.

use std::process::ExitCode;

/// A step's error: anything with a message.
pub type Failure = Box<dyn std::error::Error>;

/// What a step says when it passes.
pub type Outcome = Result<String, Failure>;

/// A step that failed without an error of a library.
pub fn failure(message: impl Into<String>) -> Failure {
    message.into().into()
}

#[derive(Default)]
pub struct Report {
    passed: usize,
    failed: usize,
}

impl Report {
    /// Run a step and print its line; the value it made, if it passed.
    pub fn step<T>(
        &mut self,
        name: &str,
        run: impl FnOnce() -> Result<(T, String), Failure>,
    ) -> Option<T> {
        match run() {
            Ok((value, seen)) => {
                println!("ok {name}: {seen}");
                self.passed += 1;
                Some(value)
            }
            Err(error) => {
                println!("FAIL {name}: {error}");
                self.failed += 1;
                None
            }
        }
    }

    /// A step that makes nothing.
    pub fn check(&mut self, name: &str, run: impl FnOnce() -> Outcome) {
        self.step(name, || run().map(|seen| ((), seen)));
    }

    /// A step that could not run because one before it failed.
    pub fn skip(&mut self, name: &str, because: &str) {
        println!("FAIL {name}: not run, {because}");
        self.failed += 1;
    }

    pub fn finish(self) -> ExitCode {
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
