//! The expansion of `qapi!`, on `proc_macro2` tokens so that the unit
//! tests below call the very function the macro calls.
//!
//! Input: `"schema.json"` or `schema = "schema.json"`, then options named as
//! the `Settings` fields: `if_policy = "cfg"`, `enable = ["CONFIG_X"]`,
//! `cfg = ["CONFIG_X=feature = \"x\""]`, `derive = ["Hash"]`,
//! `type_derive = ["StatusInfo=Hash"]`, `attribute = [..]`,
//! `type_attribute = ["TYPE=#[..]"]`, `only = [..]`, `runtime_path = ".."`,
//! `docs = false`, `server = true`, `builders = false`, `strict_docs = true`, `rules = "10.0"`,
//! `compat = ["10.0=../old/qapi-schema.json"]` (span bindings),
//! `version_label = "10.2"`.  Repeatable options take a string or a list of
//! strings.
//!
//! Doc comments that break the rules (schemas of other QEMU versions) are
//! accepted silently unless `strict_docs = true` makes them errors: a
//! proc-macro cannot emit warnings on stable Rust (the `#[deprecated]`
//! trick would fail crates built with `deny(warnings)`).  `qapi-gen check
//! --lenient-docs SCHEMA` lists them.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitBool, LitStr, Token};

use qapi_gen::rust::GenerateError;
use qapi_gen::settings::{OptionKind, Settings};
use qapi_gen::Builder;

/// The directory relative schema paths start from: the crate being
/// compiled.  `CARGO_MANIFEST_DIR_OVERRIDE` wins, for UI tests, whose
/// crates are built elsewhere.
pub(crate) fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR_OVERRIDE")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
}

/// The items `qapi!(input)` expands to, relative paths resolved against
/// `base_dir`; any error becomes a `compile_error!`.
pub(crate) fn expand(input: TokenStream, base_dir: Option<&Path>) -> TokenStream {
    let checked = match Parser::parse2(parse_args, input).and_then(check_args) {
        Ok(checked) => checked,
        Err(err) => return err.to_compile_error(),
    };
    let mut builder = Builder::new(checked.schema.value()).with_settings(checked.settings);
    if let Some(dir) = base_dir {
        builder = builder.base_dir(dir);
    }
    generate(&builder, checked.schema.span(), &checked.keys)
}

/// Load and generate; every file read (also before an error) is tracked
/// with `include_bytes!`, so that editing it recompiles the crate.
/// Errors point at the schema path, or at the option at fault.
fn generate(builder: &Builder, schema_span: Span, keys: &[(String, Span)]) -> TokenStream {
    let (sources, result) = match builder.load() {
        Ok(schema) => {
            let items = qapi_gen::rust::generate(&schema, builder.settings())
                .map_err(|err| locate(err, schema_span, keys));
            (schema.sources, items)
        }
        Err(diags) => {
            let text = diags.to_string();
            // A located diagnostic starts with its file; drop the lone
            // "error: " of an unlocated one, rustc adds its own.
            let text = text.strip_prefix("error: ").unwrap_or(&text).trim_end();
            (diags.sources, Err((schema_span, text.to_string())))
        }
    };
    let tracked = builder
        .source_paths(&sources)
        .into_iter()
        // Absolute: `include_bytes!` resolves relative paths against the
        // calling source file.
        .filter_map(|path| std::path::absolute(path).ok())
        .filter_map(|path| path.to_str().map(str::to_string))
        .map(|path| quote! { const _: &[u8] = include_bytes!(#path); });
    let items = match result {
        Ok(items) => items,
        Err((span, message)) => quote_spanned!(span=> compile_error!(#message);),
    };
    quote! { #(#tracked)* #items }
}

/// The message of a generation error and where to show it: at the option
/// it is about when the call names it, else at the schema path.
fn locate(err: GenerateError, schema_span: Span, keys: &[(String, Span)]) -> (Span, String) {
    if let GenerateError::Setting { option, message } = &err {
        if let Some((_, span)) = keys.iter().find(|(key, _)| key == option) {
            return (*span, format!("invalid value for `{option}`: {message}"));
        }
    }
    (schema_span, err.to_string())
}

/// One `key = value` or the leading schema path.
enum Arg {
    Schema(LitStr),
    Option(Ident, Value),
}

enum Value {
    Str(LitStr),
    Bool(LitBool),
    List(Span, Vec<LitStr>),
}

impl Value {
    fn span(&self) -> Span {
        match self {
            Value::Str(s) => s.span(),
            Value::Bool(b) => b.span,
            Value::List(span, _) => *span,
        }
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Arg> {
        if input.peek(LitStr) {
            return Ok(Arg::Schema(input.parse()?));
        }
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value = if input.peek(LitStr) {
            Value::Str(input.parse()?)
        } else if input.peek(LitBool) {
            Value::Bool(input.parse()?)
        } else if input.peek(syn::token::Bracket) {
            let content;
            let bracket = syn::bracketed!(content in input);
            let items = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            Value::List(bracket.span.join(), items.into_iter().collect())
        } else {
            return Err(input.error(format!(
                "expected a value for `{key}`: a string, `true`, `false` or a list of strings"
            )));
        };
        Ok(Arg::Option(key, value))
    }
}

fn parse_args(input: ParseStream) -> syn::Result<Vec<Arg>> {
    Ok(Punctuated::<Arg, Token![,]>::parse_terminated(input)?
        .into_iter()
        .collect())
}

/// The arguments, checked.
struct Checked {
    schema: LitStr,
    settings: Settings,
    /// Where each option given is named (its first occurrence).
    keys: Vec<(String, Span)>,
}

/// Check the arguments: the schema path and the settings.  Every error
/// found is reported, each at the token at fault.
fn check_args(args: Vec<Arg>) -> syn::Result<Checked> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut schema: Option<LitStr> = None;
    let mut keys: Vec<(String, Span)> = Vec::new();
    let mut settings = Settings::default();
    for arg in args {
        let (key, value) = match arg {
            Arg::Schema(lit) => (None, Value::Str(lit)),
            Arg::Option(key, value) if key == "schema" => (Some(key), value),
            Arg::Option(key, value) => {
                apply_option(&mut settings, &key, value, &mut keys, &mut errors);
                continue;
            }
        };
        match value {
            Value::Str(lit) if schema.is_none() => schema = Some(lit),
            Value::Str(lit) => {
                errors.push(syn::Error::new(lit.span(), "the schema is given twice"))
            }
            other => errors.push(syn::Error::new(
                key.map_or(other.span(), |k| k.span()),
                "`schema` takes a string: the path of the schema file",
            )),
        }
    }
    match schema {
        Some(schema) if errors.is_empty() => Ok(Checked {
            schema,
            settings,
            keys,
        }),
        _ => {
            if schema.is_none() {
                errors.push(syn::Error::new(
                    Span::call_site(),
                    "qapi! needs the schema path: qapi!(\"schema/qapi-schema.json\") \
                     or qapi!(schema = \"...\", ...)",
                ));
            }
            Err(combine(errors))
        }
    }
}

/// Apply `key = value` to `settings` through `Settings::set`, the code
/// the command line uses too.
fn apply_option(
    settings: &mut Settings,
    key: &Ident,
    value: Value,
    keys: &mut Vec<(String, Span)>,
    errors: &mut Vec<syn::Error>,
) {
    let name = key.to_string();
    let Some(kind) = Settings::option_kind(&name) else {
        errors.push(syn::Error::new(
            key.span(),
            format!(
                "unknown key `{name}` in qapi!; expected one of: schema, {}",
                option_names()
            ),
        ));
        return;
    };
    let repeatable = matches!(kind, OptionKind::List | OptionKind::Pair);
    let seen = keys.iter().any(|(key, _)| *key == name);
    if !repeatable && seen {
        errors.push(syn::Error::new(
            key.span(),
            format!("`{name}` is given twice"),
        ));
        return;
    }
    if !seen {
        keys.push((name.clone(), key.span()));
    }
    let values: Vec<(String, Span)> = match (kind, value) {
        (OptionKind::Single, Value::Str(s)) => vec![(s.value(), s.span())],
        (OptionKind::Bool, Value::Bool(b)) => vec![(b.value.to_string(), b.span)],
        (OptionKind::List | OptionKind::Pair, Value::Str(s)) => vec![(s.value(), s.span())],
        (OptionKind::List | OptionKind::Pair, Value::List(_, items)) => {
            items.iter().map(|s| (s.value(), s.span())).collect()
        }
        (kind, value) => {
            errors.push(syn::Error::new(value.span(), expected(&name, kind)));
            return;
        }
    };
    for (text, span) in values {
        if let Err(err) = settings.set(&name, &text) {
            errors.push(syn::Error::new(
                span,
                format!("invalid value for `{name}`: {err}"),
            ));
        }
    }
}

fn expected(key: &str, kind: OptionKind) -> String {
    match kind {
        OptionKind::Single => format!("`{key}` takes a string"),
        OptionKind::Bool => format!("`{key}` takes `true` or `false`"),
        OptionKind::List => format!("`{key}` takes a string or a list of strings"),
        OptionKind::Pair => format!("`{key}` takes a list of \"NAME=VALUE\" strings"),
    }
}

fn option_names() -> String {
    Settings::OPTIONS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn combine(errors: Vec<syn::Error>) -> syn::Error {
    let mut iter = errors.into_iter();
    let mut first = iter.next().expect("at least one error");
    for err in iter {
        first.combine(err);
    }
    first
}
