//! QMP servers: QEMU's request handling, for programs that answer QMP.
pub mod json;
pub mod qobject;
mod hash;
