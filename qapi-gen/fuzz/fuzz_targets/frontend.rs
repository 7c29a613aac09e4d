//! The whole front end on arbitrary input, under every QEMU release's rules,
//! strict and lenient: parse, check and build the model, then render any
//! diagnostics and warnings.  Nothing may panic or hang.
//!
//! The input holds up to three files separated by NUL bytes: the root
//! `root.json`, then `a.json` and `b.json`, which the root (and each other)
//! may include.

#![no_main]

use std::io;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use qapi_gen::__internal::{parse_with_options, FileLoader};
use qapi_gen::{DocMode, LoadOptions};
use qapi_gen::{Rules, Schema};

struct InMemory<'a> {
    files: [(&'a str, &'a [u8]); 3],
}

impl FileLoader for InMemory<'_> {
    fn load(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .iter()
            .find(|(name, _)| Path::new(name) == path)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let root = parts.next().unwrap_or_default();
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or_default();
    let loader = InMemory {
        files: [("root.json", root), ("a.json", a), ("b.json", b)],
    };
    for rules in Rules::ALL {
        for doc_mode in [DocMode::Strict, DocMode::Lenient] {
            let options = LoadOptions::new(rules, doc_mode);
            match parse_with_options(Path::new("root.json"), &loader, options)
                .and_then(Schema::build)
            {
                Ok(schema) => {
                    let _ = schema.rendered_warnings();
                }
                Err(diags) => {
                    let _ = diags.to_string();
                }
            }
        }
    }
});
