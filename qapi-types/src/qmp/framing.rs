//! Splitting a byte stream into QMP messages.
//!
//! QMP is a stream of JSON objects, not a line protocol: one read may hold
//! several messages, and one message may span many reads.  [`Framer`]
//! buffers the bytes and finds where each top-level object ends by
//! counting brackets outside strings, scanning each byte once however the
//! message is cut, so a large message arriving in small pieces costs
//! linear time.  It does not parse the JSON: a framed message still has to
//! be decoded, which reports any syntax error inside it.

use std::fmt;

/// Why the byte stream cannot be split into messages; the stream is
/// unusable afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FramingError {
    /// A message is longer than the limit given to [`Framer::new`].
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A byte that cannot start a message (only whitespace may separate
    /// the objects of the stream).
    Garbage {
        /// The byte.
        byte: u8,
    },
}

impl fmt::Display for FramingError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            FramingError::TooLarge { limit } => {
                write!(f, "message longer than the limit of {limit} bytes")
            }
            FramingError::Garbage { byte } if byte.is_ascii_graphic() => write!(
                f,
                "unexpected `{}` between messages (expected a JSON object)",
                *byte as char
            ),
            FramingError::Garbage { byte } => write!(
                f,
                "unexpected byte 0x{byte:02x} between messages (expected a JSON object)"
            ),
        }
    }
}

impl std::error::Error for FramingError {}

/// The buffer capacity kept between messages.
const KEEP_CAPACITY: usize = 1 << 20;

/// Buffers a byte stream and yields its messages, each the bytes of one
/// top-level JSON object.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// Start of the first message not yet returned.
    start: usize,
    /// Next byte to scan.
    pos: usize,
    /// Bracket nesting at `pos`; 0 between messages.
    depth: usize,
    /// The quote character of the string `pos` is in.  QEMU also accepts
    /// single-quoted strings, so a server framing its input must too.
    quote: Option<u8>,
    escaped: bool,
    /// Bytes are discarded up to and including this one (see
    /// [`Framer::resync`]).
    skip_until: Option<u8>,
    max_message: usize,
    failed: Option<FramingError>,
}

impl Framer {
    /// A framer refusing messages longer than `max_message` bytes, which
    /// bounds its buffer.
    pub fn new(max_message: usize) -> Framer {
        Framer {
            buf: Vec::new(),
            start: 0,
            pos: 0,
            depth: 0,
            quote: None,
            escaped: false,
            skip_until: None,
            max_message,
            failed: None,
        }
    }

    /// Start over after a fault: drop what is buffered, forget a framing
    /// error, and discard what comes up to and including the byte
    /// `sentinel`; messages are framed again after it.  QEMU's guest agent
    /// puts `0xFF` (never a byte of UTF-8 text) before its reply to
    /// `guest-sync-delimited`, so that a client can skip the stale and
    /// broken bytes before it.
    pub fn resync(&mut self, sentinel: u8) {
        self.buf.clear();
        self.start = 0;
        self.pos = 0;
        self.depth = 0;
        self.quote = None;
        self.escaped = false;
        self.skip_until = Some(sentinel);
        self.failed = None;
    }

    /// Whether bytes are being discarded up to a sentinel
    /// ([`Framer::resync`]).
    pub fn is_resyncing(&self) -> bool {
        self.skip_until.is_some()
    }

    /// Append bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start == self.buf.len() && self.buf.capacity() > KEEP_CAPACITY {
            // Do not keep the memory of a large message once it is read.
            self.buf = Vec::new();
            self.pos = 0;
            self.start = 0;
        } else if self.start > 0 {
            // Drop the messages already returned.
            self.buf.drain(..self.start);
            self.pos -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, if the buffer holds one.
    pub fn next_message(&mut self) -> Result<Option<&[u8]>, FramingError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match self.scan() {
            Ok(Some(end)) => {
                let message = self.start..end;
                self.start = end;
                Ok(Some(&self.buf[message]))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Whether the buffer holds the beginning of a message (the stream
    /// ended in the middle of one, if it ends now).
    pub fn has_partial(&self) -> bool {
        self.skip_until.is_none()
            && self.buf[self.start..]
                .iter()
                .any(|b| !b.is_ascii_whitespace())
    }

    /// Scan from `pos`; the end of the message that started at `start` if
    /// it is complete.
    fn scan(&mut self) -> Result<Option<usize>, FramingError> {
        if let Some(sentinel) = self.skip_until {
            let unread = &self.buf[self.pos..];
            match unread.iter().position(|&byte| byte == sentinel) {
                Some(index) => {
                    self.pos += index + 1;
                    self.skip_until = None;
                }
                None => self.pos = self.buf.len(),
            }
            self.start = self.pos;
        }
        while self.pos < self.buf.len() {
            let byte = self.buf[self.pos];
            self.pos += 1;
            if let Some(quote) = self.quote {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == quote {
                    self.quote = None;
                }
                continue;
            }
            if self.depth == 0 {
                match byte {
                    b'{' => self.depth = 1,
                    b' ' | b'\t' | b'\r' | b'\n' => self.start = self.pos,
                    _ => return Err(FramingError::Garbage { byte }),
                }
                continue;
            }
            match byte {
                b'"' | b'\'' => self.quote = Some(byte),
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Ok(Some(self.pos));
                    }
                }
                _ => {}
            }
        }
        if self.pos - self.start > self.max_message {
            return Err(FramingError::TooLarge {
                limit: self.max_message,
            });
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(framer: &mut Framer) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(message) = framer.next_message().unwrap() {
            out.push(String::from_utf8(message.to_vec()).unwrap());
        }
        out
    }

    #[test]
    fn several_messages_in_one_read() {
        let mut framer = Framer::new(1024);
        framer.push(b"{\"a\": 1}\r\n{\"b\": [1, {\"c\": 2}]}\n  {}");
        assert_eq!(
            messages(&mut framer),
            ["{\"a\": 1}", "{\"b\": [1, {\"c\": 2}]}", "{}"]
        );
        assert!(!framer.has_partial());
    }

    #[test]
    fn one_message_over_many_reads() {
        let text = br#"{"return": {"s": "a \"}\" b\\", 'q': '}\'', "n": [[]]}, "id": 1}"#;
        for cut in 1..text.len() {
            let mut framer = Framer::new(1024);
            let mut got = Vec::new();
            for piece in text.chunks(cut) {
                framer.push(piece);
                got.extend(messages(&mut framer));
            }
            assert_eq!(
                got,
                [String::from_utf8(text.to_vec()).unwrap()],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn partial_message_is_kept() {
        let mut framer = Framer::new(1024);
        framer.push(b"{\"a\": {");
        assert!(messages(&mut framer).is_empty());
        assert!(framer.has_partial());
    }

    #[test]
    fn garbage_between_messages() {
        let mut framer = Framer::new(1024);
        framer.push(b"{} hello");
        assert_eq!(framer.next_message().unwrap(), Some(&b"{}"[..]));
        let error = framer.next_message().unwrap_err();
        assert_eq!(error, FramingError::Garbage { byte: b'h' });
        assert_eq!(
            error.to_string(),
            "unexpected `h` between messages (expected a JSON object)"
        );
        // The stream stays failed.
        framer.push(b"{}");
        assert!(framer.next_message().is_err());
    }

    #[test]
    fn oversized_message() {
        let mut framer = Framer::new(100);
        framer.push(b"{\"a\": \"");
        for _ in 0..10 {
            framer.push(&[b'x'; 20]);
            if let Err(error) = framer.next_message() {
                assert_eq!(error, FramingError::TooLarge { limit: 100 });
                assert!(framer.buf.len() <= 100 + 20 + 7);
                return;
            }
        }
        panic!("no error");
    }

    #[test]
    fn returned_messages_are_dropped_from_the_buffer() {
        let mut framer = Framer::new(64);
        for _ in 0..1000 {
            framer.push(b"{\"event\": \"STOP\"}\n{\"ret");
            assert_eq!(messages(&mut framer).len(), 1);
            framer.push(b"urn\": {}}\n");
            assert_eq!(messages(&mut framer).len(), 1);
        }
        assert!(framer.buf.len() < 64);
    }

    #[test]
    fn resync_skips_to_the_sentinel() {
        let mut framer = Framer::new(1024);
        framer.push(b"{\"return\": 1} junk {\"ret");
        assert_eq!(
            framer.next_message().unwrap(),
            Some(&b"{\"return\": 1}"[..])
        );
        assert!(framer.next_message().is_err());
        framer.resync(0xFF);
        assert!(framer.is_resyncing());
        assert!(!framer.has_partial());
        // Stale bytes, cut anywhere, before the sentinel are dropped.
        framer.push(b"urn\": 7}\n{\"return\": ");
        assert_eq!(framer.next_message().unwrap(), None);
        framer.push(b"8}\xff{\"return\": 9");
        assert_eq!(framer.next_message().unwrap(), None);
        assert!(!framer.is_resyncing());
        assert!(framer.has_partial());
        framer.push(b"}\n");
        assert_eq!(
            framer.next_message().unwrap(),
            Some(&b"{\"return\": 9}"[..])
        );
    }
}
