//! QEMU's JSON input: lexer (`json-lexer.c`), streamer
//! (`json-streamer.c`) and parser (`json-parser.c`), ported so that a bad
//! request gets the error QEMU gives, and bad input is skipped the way
//! QEMU skips it.
//!
//! [`JsonStreamer::feed`] takes bytes as they arrive and yields one item
//! per top-level value: the value, or the error text.  After an error the
//! lexer skips ahead to a byte that may start a new value (a bracket, a
//! comma, a colon or a control character), so one bad line can produce
//! several errors, as with QEMU.
//!
//! Beyond RFC 8259, as QEMU: single-quoted strings, `\'` escapes, and the
//! modified UTF-8 encoding of U+0000 (`\xC0\x80`).

use super::qobject::{QDict, QObject};

/// QEMU's limits (`MAX_TOKEN_SIZE`, `MAX_TOKEN_COUNT`, `MAX_NESTING`).
pub const MAX_TOKEN_SIZE: usize = 64 << 20;
const MAX_TOKEN_COUNT: usize = 2 << 20;
const MAX_NESTING: i64 = 1 << 10;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Lex {
    Recovery,
    DqStringEscape,
    DqString,
    SqStringEscape,
    SqString,
    Zero,
    ExpDigits,
    ExpSign,
    ExpE,
    Mantissa,
    MantissaDigits,
    Digits,
    Sign,
    Keyword,
    Start,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum TokenType {
    LCurly,
    RCurly,
    LSquare,
    RSquare,
    Colon,
    Comma,
    Integer,
    Float,
    Keyword,
    String,
}

/// What the lexer table says for a state and a byte.
enum Next {
    /// Go to a state, the byte consumed.
    State(Lex),
    /// A token ends; `consumed` says whether the byte is part of it.
    Token(TokenType, bool),
    /// Back to the start; `consumed` is false after error recovery, where
    /// the byte starts the next token.
    Start(bool),
    /// The byte cannot continue: a lexical error (byte consumed).
    Error,
}

/// QEMU's `json_lexer[][]` table, as a function.
fn next(state: Lex, byte: u8) -> Next {
    use Lex::*;
    use Next::{Error as Err, State as S};
    let digit = byte.is_ascii_digit();
    match state {
        Recovery => match byte {
            b'\t' => S(Recovery),
            0x00..=0x1f | 0xfe | 0xff | b'[' | b']' | b'{' | b'}' | b':' | b',' => {
                Next::Start(false)
            }
            _ => S(Recovery),
        },
        DqStringEscape | SqStringEscape => match byte {
            0x20..=0xfd if state == DqStringEscape => S(DqString),
            0x20..=0xfd => S(SqString),
            _ => Err,
        },
        DqString | SqString => {
            let (quote, escape, same) = if state == DqString {
                (b'"', DqStringEscape, DqString)
            } else {
                (b'\'', SqStringEscape, SqString)
            };
            match byte {
                b'\\' => S(escape),
                _ if byte == quote => Next::Token(TokenType::String, true),
                0x20..=0xfd => S(same),
                _ => Err,
            }
        }
        Zero => match byte {
            b'0'..=b'9' => Err,
            b'.' => S(Mantissa),
            _ => Next::Token(TokenType::Integer, false),
        },
        ExpDigits => match byte {
            b'0'..=b'9' => S(ExpDigits),
            _ => Next::Token(TokenType::Float, false),
        },
        ExpSign => {
            if digit {
                S(ExpDigits)
            } else {
                Err
            }
        }
        ExpE => match byte {
            b'-' | b'+' => S(ExpSign),
            b'0'..=b'9' => S(ExpDigits),
            _ => Err,
        },
        MantissaDigits => match byte {
            b'0'..=b'9' => S(MantissaDigits),
            b'e' | b'E' => S(ExpE),
            _ => Next::Token(TokenType::Float, false),
        },
        Mantissa => {
            if digit {
                S(MantissaDigits)
            } else {
                Err
            }
        }
        Digits => match byte {
            b'0'..=b'9' => S(Digits),
            b'e' | b'E' => S(ExpE),
            b'.' => S(Mantissa),
            _ => Next::Token(TokenType::Integer, false),
        },
        Sign => match byte {
            b'0' => S(Zero),
            b'1'..=b'9' => S(Digits),
            _ => Err,
        },
        Keyword => match byte {
            b'a'..=b'z' => S(Keyword),
            _ => Next::Token(TokenType::Keyword, false),
        },
        Start => match byte {
            b'"' => S(DqString),
            b'\'' => S(SqString),
            b'0' => S(Zero),
            b'1'..=b'9' => S(Digits),
            b'-' => S(Sign),
            b'{' => Next::Token(TokenType::LCurly, true),
            b'}' => Next::Token(TokenType::RCurly, true),
            b'[' => Next::Token(TokenType::LSquare, true),
            b']' => Next::Token(TokenType::RSquare, true),
            b',' => Next::Token(TokenType::Comma, true),
            b':' => Next::Token(TokenType::Colon, true),
            b'a'..=b'z' => S(Keyword),
            b' ' | b'\t' | b'\r' | b'\n' => Next::Start(true),
            _ => Err,
        },
    }
}

/// A token: its kind and where its bytes are in the streamer's buffer.
#[derive(Copy, Clone)]
struct Token {
    kind: TokenType,
    start: usize,
    end: usize,
}

/// What the streamer hands on: a value, or the text of an error.
pub type Item = Result<QObject, String>;

/// Parse one JSON value (a whole text, not a stream) as QEMU does, object
/// members kept in order: the value, or QEMU's error message.
pub fn parse_value(text: &str) -> Result<QObject, String> {
    let mut values = Vec::new();
    let mut streamer = JsonStreamer::new(usize::MAX);
    streamer.feed(text.as_bytes(), &mut |item| values.push(item));
    // A number at the very end is complete only once something follows.
    streamer.feed(b"\n", &mut |item| values.push(item));
    let mut values = values.into_iter();
    match (values.next(), values.next()) {
        (Some(Ok(value)), None) => Ok(value),
        (Some(Err(message)), _) => Err(message),
        (None, _) => Err("no JSON value".to_string()),
        (Some(Ok(_)), Some(_)) => Err("more than one JSON value".to_string()),
    }
}

/// QEMU's JSON message parser: bytes in, top-level values (or errors) out.
pub struct JsonStreamer {
    state: Lex,
    /// The bytes of the current value's tokens, then of the token being
    /// read (from `token_start`).
    text: Vec<u8>,
    token_start: usize,
    tokens: Vec<Token>,
    braces: i64,
    brackets: i64,
    max_size: usize,
}

impl Default for JsonStreamer {
    fn default() -> Self {
        JsonStreamer::new(MAX_TOKEN_SIZE)
    }
}

impl JsonStreamer {
    /// A streamer refusing values whose tokens total more than `max_size`
    /// bytes (QEMU: 64 MiB), which bounds its memory.
    pub fn new(max_size: usize) -> JsonStreamer {
        JsonStreamer {
            state: Lex::Start,
            text: Vec::new(),
            token_start: 0,
            tokens: Vec::new(),
            braces: 0,
            brackets: 0,
            max_size,
        }
    }

    /// Take bytes read from the stream; `emit` gets every value or error
    /// completed by them, in order.
    pub fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Item)) {
        let mut rest = bytes;
        while let Some((&byte, after)) = rest.split_first() {
            // Runs that cannot end a token go in at once: the inside of a
            // string, whitespace between tokens.
            let run = match self.state {
                Lex::DqString | Lex::SqString => {
                    let quote = if self.state == Lex::DqString {
                        b'"'
                    } else {
                        b'\''
                    };
                    rest.iter()
                        .position(|&b| b == quote || b == b'\\' || !(0x20..=0xfd).contains(&b))
                        .unwrap_or(rest.len())
                }
                Lex::Start => rest
                    .iter()
                    .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .unwrap_or(rest.len()),
                _ => 0,
            };
            if run > 0 {
                if self.state != Lex::Start {
                    self.text.extend_from_slice(&rest[..run]);
                    self.check_token_size(emit);
                }
                rest = &rest[run..];
                continue;
            }
            self.feed_byte(byte, emit);
            rest = after;
        }
    }

    /// Whether a value has begun and not ended.
    pub fn has_partial(&self) -> bool {
        !self.tokens.is_empty() || !matches!(self.state, Lex::Start | Lex::Recovery)
    }

    fn feed_byte(&mut self, byte: u8, emit: &mut dyn FnMut(Item)) {
        loop {
            let (consumed, next_state) = match next(self.state, byte) {
                Next::State(state) => {
                    self.text.push(byte);
                    (true, state)
                }
                Next::Token(kind, consumed) => {
                    if consumed {
                        self.text.push(byte);
                    }
                    self.process(kind, emit);
                    (consumed, Lex::Start)
                }
                Next::Start(consumed) => {
                    self.text.truncate(self.token_start);
                    (consumed, Lex::Start)
                }
                Next::Error => {
                    self.text.push(byte);
                    let message = stray(&self.text[self.token_start..]);
                    self.error(message, emit);
                    (true, Lex::Recovery)
                }
            };
            self.state = next_state;
            if self.state == Lex::Recovery {
                self.text.truncate(self.token_start);
            }
            if consumed {
                break;
            }
        }
        self.check_token_size(emit);
    }

    fn check_token_size(&mut self, emit: &mut dyn FnMut(Item)) {
        if self.text.len() - self.token_start > self.max_size {
            // QEMU hands the oversized token on, where it exceeds the
            // streamer's limit.
            self.state = Lex::Start;
            self.error("JSON token size limit exceeded".to_string(), emit);
        }
    }

    fn error(&mut self, message: String, emit: &mut dyn FnMut(Item)) {
        self.reset();
        emit(Err(message));
    }

    fn reset(&mut self) {
        self.braces = 0;
        self.brackets = 0;
        self.tokens.clear();
        self.text.clear();
        self.token_start = 0;
    }

    /// `json_message_process_token()` for the token just read.
    fn process(&mut self, kind: TokenType, emit: &mut dyn FnMut(Item)) {
        match kind {
            TokenType::LCurly => self.braces += 1,
            TokenType::RCurly => self.braces -= 1,
            TokenType::LSquare => self.brackets += 1,
            TokenType::RSquare => self.brackets -= 1,
            _ => {}
        }
        // The bytes of the earlier tokens, this one's, and QEMU's count of
        // one more byte.
        if self.text.len() + 1 > self.max_size {
            return self.error("JSON token size limit exceeded".to_string(), emit);
        }
        if self.tokens.len() + 1 > MAX_TOKEN_COUNT {
            return self.error("JSON token count limit exceeded".to_string(), emit);
        }
        if self.brackets + self.braces > MAX_NESTING {
            return self.error("JSON nesting depth limit exceeded".to_string(), emit);
        }
        self.tokens.push(Token {
            kind,
            start: self.token_start,
            end: self.text.len(),
        });
        self.token_start = self.text.len();
        // Inside a value until the counts balance; a closing bracket or
        // brace too many ends it at once.
        if (self.braces > 0 || self.brackets > 0) && self.braces >= 0 && self.brackets >= 0 {
            return;
        }
        let item = parse(&self.tokens, &self.text);
        self.reset();
        emit(item);
    }
}

/// The error for a byte the lexer cannot take, with the token so far: as
/// QEMU formats it with `%s`, the text stops at a NUL byte.
fn stray(text: &[u8]) -> String {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    format!("JSON parse error, stray '{}'", qemu_lossy(&text[..end]))
}

/// Bytes as QEMU's JSON writer prints a C string: each invalid sequence
/// becomes U+FFFD.
pub(crate) fn qemu_lossy(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (cp, used) = mod_utf8_codepoint(rest);
        out.push(cp.and_then(char::from_u32).unwrap_or('\u{fffd}'));
        rest = &rest[used.max(1)..];
    }
    out
}

/// QEMU's `mod_utf8_codepoint()`: the code point at the start of `s` (at
/// most 6 bytes read) and the length of the sequence.
fn mod_utf8_codepoint(s: &[u8]) -> (Option<u32>, usize) {
    const MIN_CP: [u32; 5] = [0x80, 0x800, 0x10000, 0x200000, 0x4000000];
    let Some(&first) = s.first() else {
        return (None, 0);
    };
    if first == 0 {
        return (None, 0);
    }
    if first < 0x80 {
        return (Some(u32::from(first)), 1);
    }
    if first >= 0xfe || first & 0x40 == 0 {
        return (None, 1);
    }
    let len = first.leading_ones() as usize;
    let mut cp = u32::from(first) & ((0x80 >> len) - 1);
    for i in 1..len {
        let byte = if i < 6 {
            s.get(i).copied().unwrap_or(0)
        } else {
            0
        };
        if byte & 0xc0 != 0x80 {
            return (None, i);
        }
        cp = (cp << 6) | u32::from(byte & 0x3f);
    }
    let valid = is_valid_codepoint(cp) && (cp >= MIN_CP[len - 2] || (cp == 0 && len == 2));
    (valid.then_some(cp), len)
}

fn is_valid_codepoint(cp: u32) -> bool {
    cp <= 0x10ffff
        && !(0xfdd0..=0xfdef).contains(&cp)
        && cp & 0xfffe != 0xfffe
        && !(0xd800..=0xdfff).contains(&cp)
}

// ------------------------------------------------------------------ parser

/// The recursive-descent parser of `json-parser.c` over one value's tokens.
/// Nesting is bounded by the streamer (1024 levels).
struct Parser<'t> {
    tokens: &'t [Token],
    text: &'t [u8],
    pos: usize,
    error: Option<String>,
}

fn parse(tokens: &[Token], text: &[u8]) -> Item {
    let mut parser = Parser {
        tokens,
        text,
        pos: 0,
        error: None,
    };
    let value = parser.value();
    match (value, parser.error) {
        (_, Some(error)) => Err(error),
        (Some(value), None) => Ok(value),
        (None, None) => Err("JSON parse error, expecting value".to_string()),
    }
}

impl<'t> Parser<'t> {
    /// Keep the first error only, as QEMU.
    fn fail<T>(&mut self, message: &str) -> Option<T> {
        if self.error.is_none() {
            self.error = Some(format!("JSON parse error, {message}"));
        }
        None
    }

    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.pos)
    }

    fn pop(&mut self) -> Option<&'t Token> {
        let token = self.tokens.get(self.pos)?;
        self.pos += 1;
        Some(token)
    }

    fn text(&self, token: &Token) -> &'t [u8] {
        &self.text[token.start..token.end]
    }

    fn value(&mut self) -> Option<QObject> {
        let Some(token) = self.peek() else {
            return self.fail("premature EOI");
        };
        match token.kind {
            TokenType::LCurly => self.object(),
            TokenType::LSquare => self.array(),
            TokenType::Integer | TokenType::Float | TokenType::String => self.literal(),
            TokenType::Keyword => self.keyword(),
            _ => self.fail("expecting value"),
        }
    }

    fn object(&mut self) -> Option<QObject> {
        self.pop();
        let mut dict = QDict::new();
        let Some(peek) = self.peek() else {
            return self.fail("premature EOI");
        };
        if peek.kind == TokenType::RCurly {
            self.pop();
            return Some(QObject::Dict(dict));
        }
        self.pair(&mut dict)?;
        loop {
            let Some(token) = self.pop() else {
                return self.fail("premature EOI");
            };
            match token.kind {
                TokenType::RCurly => return Some(QObject::Dict(dict)),
                TokenType::Comma => self.pair(&mut dict)?,
                _ => return self.fail("expected separator in dict"),
            }
        }
    }

    fn pair(&mut self, dict: &mut QDict) -> Option<()> {
        if self.peek().is_none() {
            return self.fail("premature EOI");
        }
        let key = match self.value() {
            Some(QObject::Str(key)) => key,
            _ => return self.fail("key is not a string in object"),
        };
        let Some(token) = self.pop() else {
            return self.fail("premature EOI");
        };
        if token.kind != TokenType::Colon {
            return self.fail("missing : in object pair");
        }
        let Some(value) = self.value() else {
            return self.fail("Missing value in dict");
        };
        if dict.contains_key(&key) {
            return self.fail("duplicate key");
        }
        dict.insert(key, value);
        Some(())
    }

    fn array(&mut self) -> Option<QObject> {
        self.pop();
        let mut list = Vec::new();
        let Some(peek) = self.peek() else {
            return self.fail("premature EOI");
        };
        if peek.kind == TokenType::RSquare {
            self.pop();
            return Some(QObject::List(list));
        }
        let Some(first) = self.value() else {
            return self.fail("expecting value");
        };
        list.push(first);
        loop {
            let Some(token) = self.pop() else {
                return self.fail("premature EOI");
            };
            match token.kind {
                TokenType::RSquare => return Some(QObject::List(list)),
                TokenType::Comma => {
                    let Some(item) = self.value() else {
                        return self.fail("expecting value");
                    };
                    list.push(item);
                }
                _ => return self.fail("expected separator in list"),
            }
        }
    }

    fn keyword(&mut self) -> Option<QObject> {
        let token = self.pop()?;
        match self.text(token) {
            b"true" => Some(QObject::Bool(true)),
            b"false" => Some(QObject::Bool(false)),
            b"null" => Some(QObject::Null),
            text => {
                let message = format!("invalid keyword '{}'", qemu_lossy(text));
                self.fail(&message)
            }
        }
    }

    fn literal(&mut self) -> Option<QObject> {
        let token = self.pop()?;
        let bytes = self.text(token);
        // Integer and float tokens are ASCII.
        let text = std::str::from_utf8(bytes).unwrap_or("");
        match token.kind {
            TokenType::String => self.string(bytes),
            TokenType::Integer => {
                if let Ok(value) = text.parse::<i64>() {
                    Some(QObject::Int(value))
                } else if let (false, Ok(value)) = (text.starts_with('-'), text.parse::<u64>()) {
                    Some(QObject::Uint(value))
                } else {
                    Some(QObject::Double(text.parse().unwrap_or(0.0)))
                }
            }
            _ => Some(QObject::Double(text.parse().unwrap_or(0.0))),
        }
    }

    /// `parse_string()`: the token includes its quotes.
    fn string(&mut self, token: &[u8]) -> Option<QObject> {
        let quote = token[0];
        let mut out = String::with_capacity(token.len());
        let mut i = 1;
        while i < token.len() && token[i] != quote {
            if token[i] == b'\\' {
                let begin = i;
                i += 1;
                let escape = token.get(i).copied().unwrap_or(0);
                i += 1;
                let c = match escape {
                    b'"' => '"',
                    b'\'' => '\'',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let mut cp = hex4(token, i);
                        i += 4;
                        if (0xd800..=0xdbff).contains(&cp)
                            && token.get(i) == Some(&b'\\')
                            && token.get(i + 1) == Some(&b'u')
                        {
                            let trailing = hex4(token, i + 2);
                            if (0xdc00..=0xdfff).contains(&trailing) {
                                cp = (0x10000 + ((cp & 0x3ff) << 10)) | (trailing & 0x3ff);
                                i += 6;
                            } else {
                                cp = -1;
                            }
                        }
                        match u32::try_from(cp).ok().filter(|&cp| is_valid_codepoint(cp)) {
                            Some(cp) => char::from_u32(cp).unwrap_or('\u{fffd}'),
                            None => {
                                let end = i.min(token.len());
                                let message = format!(
                                    "{} is not a valid Unicode character",
                                    qemu_lossy(&token[begin..end])
                                );
                                return self.fail(&message);
                            }
                        }
                    }
                    _ => return self.fail("invalid escape sequence in string"),
                };
                out.push(c);
            } else if token[i] < 0x80 && token[i] != quote {
                // A run of plain ASCII.
                let run = token[i..]
                    .iter()
                    .position(|&b| b >= 0x80 || b == b'\\' || b == quote)
                    .unwrap_or(token.len() - i);
                out.push_str(std::str::from_utf8(&token[i..i + run]).unwrap_or(""));
                i += run;
            } else {
                let (cp, used) = mod_utf8_codepoint(&token[i..]);
                match cp.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return self.fail("invalid UTF-8 sequence in string"),
                }
                i += used;
            }
        }
        Some(QObject::Str(out))
    }
}

/// QEMU's `cvt4hex()`: four hex digits at `at`, or -1.
fn hex4(token: &[u8], at: usize) -> i64 {
    let mut cp = 0i64;
    for k in 0..4 {
        match token.get(at + k).and_then(|&b| (b as char).to_digit(16)) {
            Some(digit) => cp = (cp << 4) | i64::from(digit),
            None => return -1,
        }
    }
    cp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(input: &str) -> Vec<Item> {
        let mut out = Vec::new();
        JsonStreamer::default().feed(input.as_bytes(), &mut |item| out.push(item));
        out
    }

    fn errors(input: &str) -> Vec<String> {
        items(input)
            .into_iter()
            .map(|item| match item {
                Ok(value) => format!("ok {}", value.to_qemu_json()),
                Err(error) => error,
            })
            .collect()
    }

    #[test]
    fn values_and_qemu_extensions() {
        assert_eq!(
            errors(
                r#"{"a": [1, -2, 1.5, 18446744073709551615, 18446744073709551616, -9223372036854775809, true, null, 'it''s']} "#
            ),
            ["JSON parse error, expected separator in list"]
        );
        assert_eq!(
            errors(
                r#"{'a': [1, -2, 1.5, 18446744073709551615, 1e400, "\u00e9\ud83d\ude00\u0000", 'q"\'']}"#
            ),
            [
                r#"ok {"a": [1, -2, 1.5, 18446744073709551615, inf, "\u00E9\uD83D\uDE00\u0000", "q\"'"]}"#
            ]
        );
        let values = items("{\"a\": 18446744073709551616} [-9223372036854775809]");
        assert_eq!(
            values[0].as_ref().unwrap().as_dict().unwrap().get("a"),
            Some(&QObject::Double(18446744073709551616.0))
        );
        assert_eq!(
            values[1],
            Ok(QObject::List(vec![QObject::Double(-9223372036854775808.0)]))
        );
    }

    #[test]
    fn errors_as_qemu_reports_them() {
        for (input, expected) in [
            (
                r#"{"execute": "query-status" ]"#,
                &["JSON parse error, expected separator in dict"][..],
            ),
            (
                "hello world\n",
                &[
                    "JSON parse error, invalid keyword 'hello'",
                    "JSON parse error, invalid keyword 'world'",
                ],
            ),
            ("[1, 2, 3]", &["ok [1, 2, 3]"]),
            ("}", &["JSON parse error, expecting value"]),
            (r#"{"a": 1, "a": 2}"#, &["JSON parse error, duplicate key"]),
            (
                r#"{1: 2}"#,
                &["JSON parse error, key is not a string in object"],
            ),
            (
                r#"{"a" 2}"#,
                &["JSON parse error, missing : in object pair"],
            ),
            (r#"{"a": }"#, &["JSON parse error, expecting value"]),
            (
                r#"{"a": "\x"}"#,
                &["JSON parse error, invalid escape sequence in string"],
            ),
            (
                r#"{"a": "\uD800"}"#,
                &["JSON parse error, \\uD800 is not a valid Unicode character"],
            ),
            (
                r#"{"a": "\uFFFF"}"#,
                &["JSON parse error, \\uFFFF is not a valid Unicode character"],
            ),
            (
                "{\"a\": @}",
                &[
                    "JSON parse error, stray '@'",
                    "JSON parse error, expecting value",
                ],
            ),
            (
                "{\"a\": 01}",
                &[
                    "JSON parse error, stray '01'",
                    "JSON parse error, expecting value",
                ],
            ),
            ("\"abc\ndef\"", &["JSON parse error, stray '\"abc\n'"]),
        ] {
            assert_eq!(errors(input), expected, "{input}");
        }
        assert_eq!(
            errors("{\"a\": \"\u{fffe}\"}"),
            ["JSON parse error, invalid UTF-8 sequence in string"]
        );
    }

    #[test]
    fn a_value_split_anywhere_parses_the_same() {
        let text =
            br#"{"execute": "x", "arguments": {"s": "a \"}\" b", 'q': '}\''}, "id": [1, {}]}"#;
        for cut in 1..text.len() {
            let mut streamer = JsonStreamer::default();
            let mut out = Vec::new();
            for piece in text.chunks(cut) {
                streamer.feed(piece, &mut |item| out.push(item));
            }
            assert_eq!(out.len(), 1, "cut {cut}");
            assert!(out[0].is_ok(), "cut {cut}");
        }
    }

    #[test]
    fn limits() {
        let deep = "[".repeat(1100);
        assert_eq!(errors(&deep), ["JSON nesting depth limit exceeded"]);
        let mut streamer = JsonStreamer::new(100);
        let mut out = Vec::new();
        streamer.feed(
            format!("{{\"a\": \"{}\"}}", "x".repeat(200)).as_bytes(),
            &mut |i| out.push(i),
        );
        assert_eq!(out[0], Err("JSON token size limit exceeded".to_string()));
    }
}
