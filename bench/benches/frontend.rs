//! Front-end speed on QEMU's real schema: parsing alone, and parsing plus
//! checking (the whole of `qapi_gen::load`).

use criterion::{criterion_group, criterion_main, Criterion};
use qapi_gen::__internal::{parse_with_options, FsLoader};

fn frontend(c: &mut Criterion) {
    let schema = qapi_bench::real_schema();
    let rules = qapi_bench::RULES;
    let mut group = c.benchmark_group("frontend");
    group.bench_function("parse", |b| {
        b.iter(|| {
            parse_with_options(&schema, &FsLoader, rules.into()).expect("the real schema parses")
        })
    });
    group.bench_function("parse+check", |b| {
        b.iter(|| qapi_gen::load_with(&schema, rules).expect("the real schema is valid"))
    });
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
