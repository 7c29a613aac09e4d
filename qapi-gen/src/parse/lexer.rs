//! Tokens, from the pest grammar in `qapi.pest`.

use pest::Parser;
use pest_derive::Parser;

use crate::diag::{FileId, Span};

#[derive(Parser)]
#[grammar = "parse/qapi.pest"]
struct QapiLexer;

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
    pub fn eof(file: FileId, at: usize) -> Token {
        Token {
            kind: Tok::Eof,
            span: Span::new(file, at, at),
        }
    }
}

/// Split a whole file into tokens; white space is dropped.  The grammar
/// matches any input, so this cannot fail.
pub(super) fn lex(src: &str, file: FileId) -> Vec<Token> {
    let pairs = QapiLexer::parse(Rule::tokens, src).expect("the token grammar accepts any input");
    pairs
        .filter_map(|pair| {
            let kind = match pair.as_rule() {
                Rule::punct => match pair.as_str() {
                    "{" => Tok::LBrace,
                    "}" => Tok::RBrace,
                    ":" => Tok::Colon,
                    "," => Tok::Comma,
                    "[" => Tok::LBracket,
                    _ => Tok::RBracket,
                },
                Rule::string => Tok::Str,
                Rule::true_lit => Tok::True,
                Rule::false_lit => Tok::False,
                Rule::comment => Tok::Comment,
                Rule::stray => Tok::Stray,
                _ => return None,
            };
            let span = pair.as_span();
            Some(Token {
                kind,
                span: Span::new(file, span.start(), span.end()),
            })
        })
        .collect()
}

/// The value of a string token (quotes included), or QEMU's complaint
/// about it: only printable ASCII, and `\\` the only escape.
pub(super) fn decode_string(token: &str) -> Result<String, String> {
    let mut out = String::with_capacity(token.len());
    let mut escaped = false;
    for ch in token[1..].chars() {
        if escaped {
            if ch != '\\' {
                return Err(format!("unknown escape \\{ch}"));
            }
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
            continue;
        } else if ch == '\'' {
            return Ok(out);
        }
        if !(' '..='~').contains(&ch) {
            return Err("funny character in string".to_string());
        }
        out.push(ch);
    }
    Err("missing terminating \"'\"".to_string())
}
