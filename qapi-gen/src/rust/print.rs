//! A small layout printer for the tokens the emitter builds.
//!
//! `generate_file` used to re-parse the tokens with syn and print them with
//! prettyplease, which cost most of the generation time.  The emitter only
//! builds a small part of the language (items, impls, `match`, struct
//! literals, arrays, calls), so this prints the token trees directly with
//! the same layout: one item or statement per line, blocks indented by
//! four spaces, `#[doc]` attributes as `///` lines, and a bracketed list
//! that does not fit in the line width split one element per line.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

const WIDTH: usize = 89;
const INDENT: &str = "    ";

/// A token as the printer sees it: operators of several characters and
/// lifetimes joined, attributes recognized.
enum Tok {
    /// An identifier, literal or lifetime.
    Word(String),
    Op(&'static str),
    Group(Delimiter, Vec<Tok>),
    /// `#[doc = "..."]`: the text of the line.
    Doc(String),
    /// `#[...]`: the bracket's contents.
    Attr(Vec<Tok>),
}

/// `tokens` laid out as the text of a Rust file (without header).
pub(crate) fn print_file(tokens: TokenStream) -> String {
    let toks = lex(tokens);
    let mut printer = Printer {
        out: String::with_capacity(1 << 20),
        indent: 0,
        inline_brace: false,
        tail: 0,
        base_column: 0,
    };
    printer.block_contents(&toks);
    printer.out
}

fn lex(tokens: TokenStream) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Ident(ident) => out.push(Tok::Word(ident.to_string())),
            TokenTree::Literal(literal) => out.push(Tok::Word(literal.to_string())),
            TokenTree::Group(group) => {
                out.push(Tok::Group(group.delimiter(), lex(group.stream())));
            }
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                if c == '\'' {
                    // A lifetime: the quote and the identifier after it.
                    let name = match iter.next() {
                        Some(tree) => tree.to_string(),
                        None => String::new(),
                    };
                    out.push(Tok::Word(format!("'{name}")));
                    continue;
                }
                if c == '#' {
                    if let Some(TokenTree::Group(group)) = iter.peek() {
                        if group.delimiter() == Delimiter::Bracket {
                            let inner = lex(group.stream());
                            iter.next();
                            out.push(attribute(inner));
                            continue;
                        }
                    }
                }
                let joint = punct.spacing() == Spacing::Joint;
                let next = match iter.peek() {
                    Some(TokenTree::Punct(next)) if joint => Some(next.as_char()),
                    _ => None,
                };
                let two = match (c, next) {
                    (':', Some(':')) => Some("::"),
                    ('=', Some('>')) => Some("=>"),
                    ('-', Some('>')) => Some("->"),
                    ('.', Some('.')) => Some(".."),
                    _ => None,
                };
                if let Some(op) = two {
                    iter.next();
                    out.push(Tok::Op(op));
                } else {
                    out.push(Tok::Op(op_str(c)));
                }
            }
        }
    }
    out
}

/// `#[doc = "text"]` becomes a doc line; any other attribute stays one.
fn attribute(inner: Vec<Tok>) -> Tok {
    if let [Tok::Word(name), Tok::Op("="), Tok::Word(literal)] = inner.as_slice() {
        if name == "doc" && literal.starts_with('"') {
            return Tok::Doc(unescape(literal));
        }
    }
    Tok::Attr(inner)
}

fn op_str(c: char) -> &'static str {
    match c {
        ',' => ",",
        ';' => ";",
        ':' => ":",
        '.' => ".",
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '&' => "&",
        '*' => "*",
        '!' => "!",
        '?' => "?",
        '|' => "|",
        '+' => "+",
        '-' => "-",
        '#' => "#",
        '/' => "/",
        '%' => "%",
        '^' => "^",
        '@' => "@",
        '$' => "$",
        '~' => "~",
        _ => "?",
    }
}

/// The value of a string literal as proc_macro2 prints it.
fn unescape(literal: &str) -> String {
    let body = &literal[1..literal.len().saturating_sub(1).max(1)];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars
                    .by_ref()
                    .skip_while(|&c| c == '{')
                    .take_while(|&c| c != '}')
                    .collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "const", "dyn", "else", "enum", "fn", "for", "if", "impl", "in", "let", "match",
    "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "type", "unsafe",
    "use", "where", "while",
];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// What the last printed token was, for spacing.
#[derive(Clone, Copy, PartialEq)]
enum Prev<'a> {
    /// Start of a line or just after an opening delimiter.
    Start,
    Word(&'a str),
    Op(&'static str),
    /// A closing delimiter.
    Close,
}

struct Printer {
    out: String,
    indent: usize,
    /// The last brace group was printed on one line.
    inline_brace: bool,
    /// Estimated length of what follows the current token on its line.
    tail: usize,
    /// The column `out` starts at (a scratch printer's is the caller's).
    base_column: usize,
}

impl Printer {
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    fn column(&self) -> usize {
        match self.out.rfind('\n') {
            Some(i) => self.out.len() - i - 1,
            None => self.base_column + self.out.len(),
        }
    }

    /// A printer for what follows `open` characters at the current column.
    fn scratch(&self, open: usize) -> Printer {
        Printer {
            out: String::new(),
            indent: self.indent,
            inline_brace: false,
            tail: 0,
            base_column: self.column() + open,
        }
    }

    /// Drop trailing indentation before a line break or a closing brace.
    fn trim_line_end(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
    }

    /// The contents of a block (or the file): items and statements, one per
    /// line.  The caller has opened the line of the first one.
    fn block_contents(&mut self, toks: &[Tok]) {
        let mut prev = Prev::Start;
        let mut closure = false;
        let separators = separators(toks);
        for (i, tok) in toks.iter().enumerate() {
            match tok {
                Tok::Doc(text) => {
                    if prev != Prev::Start {
                        self.newline();
                    }
                    self.out.push_str("///");
                    if !text.is_empty() {
                        self.out.push_str(text);
                    }
                    self.newline();
                    prev = Prev::Start;
                }
                Tok::Attr(inner) => {
                    if prev != Prev::Start {
                        self.newline();
                    }
                    self.attr(inner);
                    self.newline();
                    prev = Prev::Start;
                }
                Tok::Op(op @ (";" | ",")) if separators[i] => {
                    self.out.push_str(op);
                    if i + 1 < toks.len() {
                        self.newline();
                    }
                    prev = Prev::Start;
                }
                _ => {
                    if let Tok::Group(..) = tok {
                        self.tail = tail(&toks[i + 1..]);
                    }
                    prev = self.token(tok, prev, &mut closure, i.checked_sub(2).map(|j| &toks[j]));
                    if let Tok::Group(Delimiter::Brace, _) = tok {
                        let ends = matches!(
                            toks.get(i + 1),
                            Some(Tok::Op(";" | "," | "." | "?" | ")")) | None
                        ) || matches!(toks.get(i + 1), Some(Tok::Word(w)) if w == "else");
                        if !ends && !self.inline_brace {
                            self.newline();
                            prev = Prev::Start;
                        }
                    }
                }
            }
        }
        self.trim_line_end();
    }

    fn attr(&mut self, inner: &[Tok]) {
        self.out.push_str("#[");
        self.inline(inner);
        self.out.push(']');
    }

    /// Tokens on one line (groups inside may still break).
    fn inline(&mut self, toks: &[Tok]) {
        let mut prev = Prev::Start;
        let mut closure = false;
        for (i, tok) in toks.iter().enumerate() {
            if let Tok::Group(..) = tok {
                self.tail = tail(&toks[i + 1..]);
            }
            prev = self.token(tok, prev, &mut closure, i.checked_sub(2).map(|j| &toks[j]));
        }
    }

    /// Print one token after `prev`, with the space before it; returns
    /// what it was.
    fn token<'t>(
        &mut self,
        tok: &'t Tok,
        prev: Prev<'t>,
        closure: &mut bool,
        before: Option<&Tok>,
    ) -> Prev<'t> {
        match tok {
            Tok::Word(word) => {
                let space = match prev {
                    Prev::Start => false,
                    Prev::Op(op) => !matches!(op, "::" | "." | "&" | "*" | "!" | "<"),
                    Prev::Word(_) | Prev::Close => true,
                } && !(prev == Prev::Op("|") && *closure);
                if space {
                    self.out.push(' ');
                }
                self.out.push_str(word);
                Prev::Word(word)
            }
            Tok::Op(op) => {
                let op: &'static str = op;
                let (space_before, next) = match op {
                    "," | ";" | "." | "?" | ":" => (false, op),
                    ".." => (prev == Prev::Op("="), op),
                    "::" => (
                        match prev {
                            Prev::Word(w) => is_keyword(w),
                            Prev::Op(o) => matches!(o, "=" | "->" | "=>" | "," | "+" | "|" | ":"),
                            _ => false,
                        },
                        op,
                    ),
                    "<" => (
                        matches!(prev, Prev::Op(o) if matches!(o, "=" | "," | "=>" | "->" | "+" | ":")),
                        op,
                    ),
                    ">" => (false, op),
                    "&" | "*" | "!" => (
                        !matches!(prev, Prev::Start | Prev::Op("&" | "*" | "!" | "<" | "::")),
                        op,
                    ),
                    "|" => {
                        let opens = !*closure
                            && matches!(
                                prev,
                                Prev::Start | Prev::Op("," | "=" | "=>") | Prev::Word("move")
                            );
                        if opens {
                            *closure = true;
                            (prev != Prev::Start, "|")
                        } else if *closure {
                            // The closing bar of the parameters.
                            *closure = false;
                            self.out.push('|');
                            return Prev::Op("");
                        } else {
                            (true, op)
                        }
                    }
                    _ => (prev != Prev::Start, op),
                };
                if space_before {
                    self.out.push(' ');
                }
                self.out.push_str(next);
                if next == "|" && *closure {
                    // No space after the opening bar.
                    return Prev::Op("<");
                }
                match op {
                    ":" | "," | ";" | "=" | "=>" | "->" | "+" => Prev::Op("="),
                    "|" => Prev::Op("="),
                    ">" => Prev::Op(">"),
                    _ => Prev::Op(op),
                }
            }
            Tok::Attr(inner) => {
                if prev != Prev::Start && !matches!(prev, Prev::Op("<")) {
                    self.out.push(' ');
                }
                self.attr(inner);
                self.out.push(' ');
                Prev::Start
            }
            Tok::Doc(text) => {
                // A doc attribute in an inline position: keep it an
                // attribute.
                if prev != Prev::Start {
                    self.out.push(' ');
                }
                self.out.push_str(&format!("#[doc = {text:?}] "));
                Prev::Start
            }
            Tok::Group(delimiter, inner) => {
                let space = match (delimiter, prev) {
                    (_, Prev::Start) | (_, Prev::Op("::")) => false,
                    (Delimiter::Brace, _) => true,
                    (_, Prev::Word(w)) => {
                        (is_keyword(w) && w != "pub" && w != "fn") || w.starts_with('\'')
                    }
                    (_, Prev::Op(o)) => matches!(o, "=" | "|") || o.is_empty(),
                    (Delimiter::Parenthesis, Prev::Close) => false,
                    (_, Prev::Close) => true,
                };
                if space {
                    self.out.push(' ');
                }
                match delimiter {
                    Delimiter::Brace => {
                        let literal = is_struct_literal(before, prev, inner);
                        self.brace(inner, literal);
                    }
                    Delimiter::Parenthesis => self.list('(', ')', inner),
                    Delimiter::Bracket => self.list('[', ']', inner),
                    Delimiter::None => self.inline(inner),
                }
                Prev::Close
            }
        }
    }

    fn brace(&mut self, inner: &[Tok], literal: bool) {
        self.inline_brace = false;
        if inner.is_empty() {
            self.out.push_str("{}");
            return;
        }
        if literal {
            let after_path = self.out.ends_with("::");
            let mut line = self.scratch(2);
            let fields = match inner {
                [init @ .., Tok::Op(",")] => init,
                _ => inner,
            };
            line.inline(fields);
            if !line.out.contains('\n') && line.column() + 2 + self.tail < WIDTH {
                let (open, close) = if after_path { ("{", "}") } else { ("{ ", " }") };
                self.out.push_str(open);
                self.out.push_str(&line.out);
                self.out.push_str(close);
                self.inline_brace = true;
                return;
            }
        }
        self.out.push('{');
        self.indent += 1;
        self.newline();
        self.block_contents(inner);
        self.inline_brace = false;
        if literal && !matches!(inner.last(), Some(Tok::Op("," | ".."))) {
            self.out.push(',');
        }
        self.indent -= 1;
        self.newline();
        self.out.push('}');
    }

    /// A parenthesized or bracketed list: on one line if it fits, else one
    /// element per line.
    fn list(&mut self, open: char, close: char, inner: &[Tok]) {
        let tail_len = self.tail;
        let mut line = self.scratch(1);
        line.inline(inner);
        let separators = separators(inner);
        let commas = separators.iter().any(|&s| s);
        let docs = inner.iter().any(|t| matches!(t, Tok::Doc(_)));
        let fits = !docs
            && !line.out.contains('\n')
            && self.column() + line.out.len() + 2 + tail_len < WIDTH;
        if fits || !(commas || docs) {
            self.out.push(open);
            self.out.push_str(&line.out);
            self.out.push(close);
            return;
        }
        self.out.push(open);
        self.indent += 1;
        let mut start = 0;
        while start < inner.len() {
            let end = (start..inner.len())
                .find(|&i| separators[i])
                .unwrap_or(inner.len());
            let mut element = &inner[start..end];
            self.newline();
            while let [Tok::Doc(text), rest @ ..] = element {
                self.out.push_str("///");
                self.out.push_str(text);
                self.newline();
                element = rest;
            }
            self.inline(element);
            self.out.push(',');
            start = end + 1;
        }
        self.indent -= 1;
        self.newline();
        self.out.push(close);
    }
}

/// A brace group after a path (`Self::Unknown { name, .. }`, `X { a: 1 }`)
/// without statements or blocks inside: a struct literal or pattern.
fn is_struct_literal(before: Option<&Tok>, prev: Prev, inner: &[Tok]) -> bool {
    let after_path = match prev {
        Prev::Word(w) => !is_keyword(w) && w != "self" && !w.starts_with('\''),
        _ => false,
    };
    let path_before = matches!(before, None | Some(Tok::Op("::")));
    let fields = inner.len() == 1
        || separators(inner).iter().any(|&s| s)
        || inner.iter().any(|t| matches!(t, Tok::Op(":" | "..")));
    (prev == Prev::Op("::") || after_path && path_before && fields)
        && inner.iter().all(|t| {
            !matches!(
                t,
                Tok::Op(";") | Tok::Group(Delimiter::Brace, _) | Tok::Attr(_) | Tok::Doc(_)
            )
        })
}

/// Which tokens of a list or block separate its elements: `,` and `;`
/// outside generic arguments and closure parameters.
fn separators(toks: &[Tok]) -> Vec<bool> {
    let mut out = vec![false; toks.len()];
    let mut angle = 0usize;
    let mut closure = false;
    let mut element_start = true;
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Op("<") => angle += 1,
            Tok::Op(">") => angle = angle.saturating_sub(1),
            Tok::Op("|") if closure => closure = false,
            Tok::Op("|") if element_start => closure = true,
            Tok::Op("," | ";") if angle == 0 && !closure => {
                out[i] = true;
                element_start = true;
                continue;
            }
            _ => {}
        }
        element_start = matches!(tok, Tok::Attr(_) | Tok::Doc(_) | Tok::Op("=" | "=>"))
            || matches!(tok, Tok::Word(w) if w == "move");
    }
    out
}

/// Roughly how long the tokens up to the next block or separator print.
fn tail(toks: &[Tok]) -> usize {
    let mut len = 0;
    let mut angle = 0usize;
    for tok in toks {
        match tok {
            Tok::Op("<") => angle += 1,
            Tok::Op(">") => angle = angle.saturating_sub(1),
            _ => {}
        }
        len += match tok {
            Tok::Group(Delimiter::Brace, _) => return len + 2,
            Tok::Op(";" | ",") if angle == 0 => return len + 1,
            Tok::Word(w) => w.len() + 1,
            Tok::Op(o) => o.len() + 1,
            Tok::Group(_, inner) => 2 + tail(inner),
            Tok::Attr(_) | Tok::Doc(_) => return len,
        };
    }
    len
}

#[cfg(test)]
mod tests {
    use super::print_file;
    use quote::quote;

    #[test]
    fn lays_out_items_blocks_docs_and_literals() {
        let tokens = quote! {
            #[doc = " A \"thing\"."]
            #[derive(Debug, Clone)]
            pub struct X { pub a: Option<Vec<u8>>, pub r#type: u8, }
            const _: () = {
                use ::qapi_types::{__private as rt, serde};
                impl<'de> serde::Deserialize<'de> for X {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        match self {
                            Self::A { name, .. } => name,
                            #[cfg(feature = "b")]
                            Self::B(value) => &**value,
                        }
                    }
                }
            };
            const C: &[fn(u8) -> u8] = &[|a| a, move |b| b];
        };
        let expected = r#"/// A "thing".
#[derive(Debug, Clone)]
pub struct X {
    pub a: Option<Vec<u8>>,
    pub r#type: u8,
}
const _: () = {
    use ::qapi_types::{__private as rt, serde};
    impl<'de> serde::Deserialize<'de> for X {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            match self {
                Self::A { name, .. } => name,
                #[cfg(feature = "b")]
                Self::B(value) => &**value,
            }
        }
    }
};
const C: &[fn(u8) -> u8] = &[|a| a, move |b| b];"#;
        assert_eq!(print_file(tokens), expected);
    }

    #[test]
    fn splits_long_lists_one_element_per_line() {
        let names: Vec<String> = (0..12).map(|i| format!("value-number-{i}")).collect();
        let text = print_file(quote!(const NAMES: &[&str] = &[#(#names),*];));
        assert!(text.starts_with("const NAMES: &[&str] = &[\n    \"value-number-0\",\n"));
        assert!(text.ends_with("    \"value-number-11\",\n];"));
    }
}
