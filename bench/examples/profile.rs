//! One pass of the front end over the real schema, for profilers:
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind target/release/examples/profile [parse|load]
//! ```

fn main() {
    let schema = qapi_bench::real_schema();
    match std::env::args().nth(1).as_deref() {
        Some("parse") | None => {
            qapi_gen::parse::parse_file(&schema).expect("the real schema parses");
        }
        Some("load") => {
            qapi_gen::load(&schema).expect("the real schema is valid");
        }
        Some(other) => {
            eprintln!("usage: profile [parse|load] (got '{other}')");
            std::process::exit(2);
        }
    }
}
