//! Signet's developer tooling, run as `cargo xtask …`: benchmarks side by side with the tools
//! Signet replaces, the sigstore-conformance client, and fixtures no product command may create.
//! It links the `signet` library and also runs every product command, so `cargo xtask --root …
//! release-check` works as the README's main command; the shipped `signet` binary has none of
//! this.

pub mod bench;
pub mod bench_cmd;
pub mod conformance;
pub mod fixtures;
