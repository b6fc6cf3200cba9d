//! The generated code of every fixture case that generates, compiled (see build.rs): a snapshot
//! that is not valid, warning-free Rust fails the workspace build and clippy.

include!(concat!(env!("OUT_DIR"), "/all.rs"));
