//! Reference documentation for QEMU's real schema (target: well under one
//! second): HTML and Markdown generation from the loaded model, and the
//! whole `qapi-gen docs` work (load, generate, write the files).

use criterion::{criterion_group, criterion_main, Criterion};
use qapi_gen::docs::{self, Format};

fn bench_docs(c: &mut Criterion) {
    let path = qapi_bench::real_schema();
    let schema = qapi_gen::load_with(&path, qapi_bench::RULES).expect("the real schema is valid");
    let out = std::env::temp_dir().join(format!("qapi-bench-docs-{}", std::process::id()));
    let mut group = c.benchmark_group("docs");
    group.bench_function("html", |b| b.iter(|| docs::generate(&schema, Format::Html)));
    group.bench_function("markdown", |b| {
        b.iter(|| docs::generate(&schema, Format::Markdown))
    });
    group.bench_function("load+html+write", |b| {
        b.iter(|| {
            let schema =
                qapi_gen::load_with(&path, qapi_bench::RULES).expect("the real schema is valid");
            docs::write(&schema, Format::Html, &out).expect("write the docs")
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, bench_docs);
criterion_main!(benches);
