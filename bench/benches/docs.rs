//! Reference documentation for QEMU's real schema (target: well under one
//! second): HTML and Markdown generation from the loaded model, and the
//! whole `qapi-gen docs` work (load, generate, write the files).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use qapi_gen::docs::{self, Format};

/// QEMU 10.0.0's `qapi/qapi-schema.json` in the shared data directory:
/// `$QAPI_SHARED_DIR` if set, else `../shared` beside the checkout.
fn real_schema() -> PathBuf {
    let shared = match std::env::var_os("QAPI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    let schema = shared.join("qemu/10.0.0/qapi/qapi-schema.json");
    if !schema.is_file() {
        eprintln!(
            "error: {} not found; the benchmarks need the shared data directory \
             `../shared` beside the checkout (or QAPI_SHARED_DIR=/path/to/shared)",
            schema.display()
        );
        std::process::exit(2);
    }
    schema
}

fn bench_docs(c: &mut Criterion) {
    let path = real_schema();
    let schema = qapi_gen::load(&path).expect("the real schema is valid");
    let out = std::env::temp_dir().join(format!("qapi-bench-docs-{}", std::process::id()));
    let mut group = c.benchmark_group("docs");
    group.bench_function("html", |b| b.iter(|| docs::generate(&schema, Format::Html)));
    group.bench_function("markdown", |b| {
        b.iter(|| docs::generate(&schema, Format::Markdown))
    });
    group.bench_function("load+html+write", |b| {
        b.iter(|| {
            let schema = qapi_gen::load(&path).expect("the real schema is valid");
            docs::write(&schema, Format::Html, &out).expect("write the docs")
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, bench_docs);
criterion_main!(benches);
