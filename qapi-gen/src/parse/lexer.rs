//! Tokens, from the pest grammar in `qapi.pest` (its parser generated
//! ahead of time into `grammar.rs`).

use pest::Parser;

use super::grammar::{QapiLexer, Rule};
use crate::diag::{FileId, Span};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    LBrace,
    RBrace,
    Colon,
    Comma,
    LBracket,
    RBracket,
    /// A string literal, possibly malformed (see [`decode_string`]).
    Str,
    True,
    False,
    Comment,
    Stray,
    Eof,
}

#[derive(Copy, Clone, Debug)]
pub(super) struct Token {
    pub kind: Tok,
    pub span: Span,
}

impl Token {
    pub(super) fn eof(file: FileId, at: usize) -> Token {
        Token {
            kind: Tok::Eof,
            span: Span::new(file, at, at),
        }
    }
}

/// Split a whole file into tokens; white space is dropped.  The grammar
/// matches any input and does not recurse, so this cannot fail.
pub(super) fn lex(src: &str, file: FileId) -> Vec<Token> {
    let mut pairs =
        QapiLexer::parse(Rule::tokens, src).expect("the token grammar accepts any input");
    let inner = pairs.next().expect("one `tokens` pair").into_inner();
    // A token per pair, but one per line of a run of comments.
    let lines = memchr::memchr_iter(b'\n', src.as_bytes()).count();
    let mut tokens = Vec::with_capacity(inner.len() + lines);
    // Walking the start and end events is cheaper than making `Pair`s.
    let mut start = 0;
    for event in inner.tokens() {
        match event {
            pest::Token::Start { pos, .. } => start = pos.pos(),
            pest::Token::End { rule, pos } => {
                let kind = match rule {
                    Rule::token => token_kind(src.as_bytes()[start]),
                    Rule::stray => Tok::Stray,
                    Rule::comments => {
                        push_comments(&mut tokens, file, src, start, pos.pos());
                        continue;
                    }
                    _ => continue,
                };
                tokens.push(Token {
                    kind,
                    span: Span::new(file, start, pos.pos()),
                });
            }
        }
    }
    tokens
}

/// One `Comment` token per line of a `comments` run, each line being
/// spaces then a comment.
fn push_comments(tokens: &mut Vec<Token>, file: FileId, src: &str, start: usize, end: usize) {
    let bytes = &src.as_bytes()[..end];
    let mut line_start = start;
    while line_start < end {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(end, |i| line_start + i);
        let indent = bytes[line_start..line_end]
            .iter()
            .take_while(|&&b| b == b' ')
            .count();
        if line_start + indent < line_end {
            tokens.push(Token {
                kind: Tok::Comment,
                span: Span::new(file, line_start + indent, line_end),
            });
        }
        line_start = line_end + 1;
    }
}

/// The kind of a `token` (see `qapi.pest`), told by its first byte.
fn token_kind(first: u8) -> Tok {
    match first {
        b'#' => Tok::Comment,
        b'\'' => Tok::Str,
        b'{' => Tok::LBrace,
        b'}' => Tok::RBrace,
        b':' => Tok::Colon,
        b',' => Tok::Comma,
        b'[' => Tok::LBracket,
        b']' => Tok::RBracket,
        b't' => Tok::True,
        _ => Tok::False,
    }
}

/// The value of a string token (quotes included), or QEMU's complaint
/// about it: only printable ASCII, and `\\` the only escape.
pub(super) fn decode_string(token: &str) -> Result<String, String> {
    let rest = &token[1..];
    // Most strings are plain printable characters up to the closing quote.
    let plain = rest
        .bytes()
        .position(|b| b == b'\\' || b == b'\'' || !(b' '..=b'~').contains(&b));
    match plain {
        Some(end) if rest.as_bytes()[end] == b'\'' => Ok(rest[..end].to_string()),
        _ => decode_escaped(rest),
    }
}

/// [`decode_string`] of a string with escapes or errors, without its
/// opening quote.
fn decode_escaped(mut rest: &str) -> Result<String, String> {
    let mut out = String::with_capacity(rest.len());
    loop {
        // Copy each run of plain printable characters at once.
        let plain = rest
            .bytes()
            .take_while(|&b| b != b'\\' && b != b'\'' && (b' '..=b'~').contains(&b))
            .count();
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let mut chars = rest.chars();
        match chars.next() {
            Some('\'') => return Ok(out),
            Some('\\') => match chars.next() {
                Some('\\') => {
                    out.push('\\');
                    rest = &rest[2..];
                }
                Some(ch) => return Err(format!("unknown escape \\{ch}")),
                None => break,
            },
            Some(_) => return Err("funny character in string".to_string()),
            None => break,
        }
    }
    Err("missing terminating \"'\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_text(src: &str) -> Vec<(Tok, &str)> {
        lex(src, FileId(0))
            .into_iter()
            .map(|t| (t.kind, &src[t.span.start as usize..t.span.end as usize]))
            .collect()
    }

    #[test]
    fn tokens_of_a_definition() {
        use Tok::*;
        assert_eq!(
            kinds_and_text("{ 'struct': 'S',\n  'data': [ true, false ] }\n"),
            [
                (LBrace, "{"),
                (Str, "'struct'"),
                (Colon, ":"),
                (Str, "'S'"),
                (Comma, ","),
                (Str, "'data'"),
                (Colon, ":"),
                (LBracket, "["),
                (True, "true"),
                (Comma, ","),
                (False, "false"),
                (RBracket, "]"),
                (RBrace, "}"),
            ]
        );
    }

    #[test]
    fn comment_runs_are_split_into_lines() {
        use Tok::*;
        assert_eq!(
            kinds_and_text("##\n# @S:\n\n   # indented\n##\n{}\n\t# after a tab\n"),
            [
                (Comment, "##"),
                (Comment, "# @S:"),
                (Comment, "# indented"),
                (Comment, "##"),
                (LBrace, "{"),
                (RBrace, "}"),
                (Comment, "# after a tab"),
            ]
        );
        // A comment ends at the end of its line, quotes and all.
        assert_eq!(
            kinds_and_text("{ # 'x' }\n}"),
            [(LBrace, "{"), (Comment, "# 'x' }"), (RBrace, "}")]
        );
    }

    #[test]
    fn malformed_input_becomes_tokens() {
        use Tok::*;
        // Unterminated strings stop at the end of the line.
        assert_eq!(kinds_and_text("'abc\n'd'"), [(Str, "'abc"), (Str, "'d'")]);
        // Stray text stops at structural, quote and white space characters.
        assert_eq!(
            kinds_and_text("trueish \"x\" a#b:\u{a0}1\u{1c}2"),
            [
                (True, "true"),
                (Stray, "ish"),
                (Stray, "\""),
                (Stray, "x"),
                (Stray, "\""),
                (Stray, "a#b"),
                (Colon, ":"),
                (Stray, "1"),
                (Stray, "2"),
            ]
        );
        assert_eq!(kinds_and_text(""), []);
        assert_eq!(kinds_and_text(" \u{2028}\u{b}\n"), []);
    }

    #[test]
    fn decoding_strings() {
        assert_eq!(decode_string("'a b~'"), Ok("a b~".to_string()));
        assert_eq!(decode_string("'a\\\\b'"), Ok("a\\b".to_string()));
        assert_eq!(decode_string("''"), Ok(String::new()));
        assert_eq!(
            decode_string("'a\\nb'"),
            Err("unknown escape \\n".to_string())
        );
        assert_eq!(
            decode_string("'\\é'"),
            Err("unknown escape \\é".to_string())
        );
        assert_eq!(
            decode_string("'a\tb'"),
            Err("funny character in string".to_string())
        );
        assert_eq!(
            decode_string("'é'"),
            Err("funny character in string".to_string())
        );
        assert_eq!(
            decode_string("'abc"),
            Err("missing terminating \"'\"".to_string())
        );
        assert_eq!(
            decode_string("'abc\\"),
            Err("missing terminating \"'\"".to_string())
        );
        // The escape is checked before the quote it would swallow.
        assert_eq!(
            decode_string("'a\\'"),
            Err("unknown escape \\'".to_string())
        );
    }
}
