//! The snapshots of `tests/snapshots/` compile without warnings (the
//! generated code must, whatever the user's lint levels).

#![deny(warnings)]

// The generated items are used by the user's crate, not by this test.
#[allow(dead_code)]
mod all {
    include!("snapshots/demo-all.rs");
}

#[allow(dead_code)]
mod cfg {
    include!("snapshots/demo-cfg.rs");
}

#[allow(dead_code)]
mod evaluate {
    include!("snapshots/demo-evaluate.rs");
}

#[test]
fn snapshots_define_the_commands() {
    let _: Option<all::commands::QueryStatus> = None;
    let _: Option<cfg::commands::QueryStatus> = None;
    let _: Option<evaluate::commands::QueryStatus> = None;
}
