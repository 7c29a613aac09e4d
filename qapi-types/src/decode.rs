//! Decoding with the member path in errors, leniently or strictly.
//!
//! serde errors cannot carry context added on the way out, so the path of a
//! failure is kept on the side: when a member (or list element) fails to
//! decode, the generated code's runtime records its name in a thread-local
//! list as the error travels outwards, at no cost while decoding succeeds.
//! [`deserialize`] clears the list before decoding and reads it after.
//! The mode lives in a thread-local flag for the same reason: one generated
//! impl serves both the lenient and the strict decoding.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{Deserialize, Deserializer};

/// How to treat what this build does not know.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Ignore unknown members; decode unknown enum values, union
    /// discriminators and events into their `Unknown` variants (a client
    /// talking to a newer QEMU).
    #[default]
    Lenient,
    /// Reject them (a server checking its input).
    Strict,
}

pub(crate) enum Segment {
    Member(&'static str),
    Key(String),
    Index(usize),
}

thread_local! {
    static ERROR_PATH: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Note that the error passing through was raised inside `segment`.
pub(crate) fn record<E>(segment: Segment, error: E) -> E {
    ERROR_PATH.with(|path| path.borrow_mut().push(segment));
    error
}

pub(crate) fn strict() -> bool {
    STRICT.with(Cell::get)
}

/// `a.b[2].c`, from segments recorded innermost first.
fn take_path() -> String {
    let segments = ERROR_PATH.with(|path| std::mem::take(&mut *path.borrow_mut()));
    let mut text = String::new();
    for segment in segments.iter().rev() {
        match segment {
            Segment::Member(name) => push_member(&mut text, name),
            Segment::Key(name) => push_member(&mut text, name),
            Segment::Index(index) => {
                use fmt::Write;
                let _ = write!(text, "[{index}]");
            }
        }
    }
    text
}

fn push_member(text: &mut String, name: &str) {
    if !text.is_empty() {
        text.push('.');
    }
    text.push_str(name);
}

/// Restores the previous mode when dropped (also on panic).
struct ModeGuard(bool);

impl Drop for ModeGuard {
    fn drop(&mut self) {
        STRICT.with(|s| s.set(self.0));
    }
}

/// An error of the underlying deserializer with the member path where it
/// happened (empty when it concerns the whole value).
#[derive(Debug)]
#[non_exhaustive]
pub struct PathError<E> {
    /// The member path, like `[1].inserted.image.format`; empty when the
    /// error concerns the whole value.
    pub path: String,
    /// The deserializer's error.
    pub error: E,
}

impl<E> PathError<E> {
    /// `error` at the member `path` (empty: the whole value).
    pub fn new(path: impl Into<String>, error: E) -> PathError<E> {
        PathError {
            path: path.into(),
            error,
        }
    }
}

/// An error about the whole value (an empty path).
impl<E> From<E> for PathError<E> {
    fn from(error: E) -> PathError<E> {
        PathError::new(String::new(), error)
    }
}

impl<E: fmt::Display> fmt::Display for PathError<E> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.path, self.error)
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for PathError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A JSON decoding error with its member path:
/// `inserted.image.format: unknown variant `qcow9`, expected one of ... at line 1 column 80`.
pub type DecodeError = PathError<serde_json::Error>;

/// Decode `T` from any serde deserializer in `mode`, recording the member
/// path of a failure.
pub fn deserialize<'de, T, D>(deserializer: D, mode: Mode) -> Result<T, PathError<D::Error>>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    deserialize_with(deserializer, mode, T::deserialize)
}

/// [`deserialize`] with the decoding function `decode` (e.g.
/// [`crate::Command::deserialize_returns`]).
pub fn deserialize_with<'de, T, D>(
    deserializer: D,
    mode: Mode,
    decode: impl FnOnce(D) -> Result<T, D::Error>,
) -> Result<T, PathError<D::Error>>
where
    D: Deserializer<'de>,
{
    let _guard = ModeGuard(STRICT.with(|s| s.replace(mode == Mode::Strict)));
    ERROR_PATH.with(|path| path.borrow_mut().clear());
    decode(deserializer).map_err(|error| PathError {
        path: take_path(),
        error,
    })
}

/// Decode `T` from JSON text.
pub fn from_str<'de, T: Deserialize<'de>>(text: &'de str, mode: Mode) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = deserialize(&mut deserializer, mode)?;
    end(deserializer)?;
    Ok(value)
}

/// Nothing but white space may follow the value.
pub(crate) fn end<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
) -> Result<(), DecodeError> {
    deserializer.end().map_err(|error| PathError {
        path: String::new(),
        error,
    })
}

/// Decode `T` from JSON bytes.
pub fn from_slice<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    mode: Mode,
) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = deserialize(&mut deserializer, mode)?;
    end(deserializer)?;
    Ok(value)
}

/// Decode `T` from a parsed JSON value (e.g. the `return` member of a
/// reply).
pub fn from_value<'de, T: Deserialize<'de>>(
    value: &'de serde_json::Value,
    mode: Mode,
) -> Result<T, DecodeError> {
    deserialize(value, mode)
}
