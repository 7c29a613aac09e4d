//! Passes of the front end over the real schema, for profilers:
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind target/release/examples/profile [parse|load] [N]
//! ```
//!
//! With `N` (default 1), the front end runs `N` times, so that a profile
//! can average over the allocator's warm-up.

fn main() {
    let schema = qapi_bench::real_schema();
    let mut args = std::env::args().skip(1);
    let mode = args.next();
    let runs: usize = match args.next().map(|n| n.parse()) {
        None => 1,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => usage("N must be a positive number"),
    };
    for _ in 0..runs {
        match mode.as_deref() {
            Some("parse") | None => {
                let options = qapi_bench::RULES.into();
                qapi_gen::__internal::parse_with_options(
                    &schema,
                    &qapi_gen::__internal::FsLoader,
                    options,
                )
                .expect("the real schema parses");
            }
            Some("load") => {
                qapi_gen::load_with(&schema, qapi_bench::RULES).expect("the real schema is valid");
            }
            Some(other) => usage(&format!("unknown mode '{other}'")),
        }
    }
}

fn usage(why: &str) -> ! {
    eprintln!("usage: profile [parse|load] [N] ({why})");
    std::process::exit(2);
}
