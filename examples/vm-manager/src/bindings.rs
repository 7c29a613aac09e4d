//! The bindings `build.rs` generates.

/// QEMU 10.0's QMP schema: the commands and events vm-manager uses.
#[allow(dead_code, deprecated, clippy::all)]
pub mod qmp {
    include!(concat!(env!("OUT_DIR"), "/qmp.rs"));
}

/// QEMU 10.0's guest agent schema: the commands vm-manager uses.
#[allow(dead_code, deprecated, clippy::all)]
pub mod qga {
    include!(concat!(env!("OUT_DIR"), "/qga.rs"));
}
