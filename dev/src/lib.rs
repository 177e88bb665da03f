//! Signet's developer tooling, run as `cargo xtask …`: benchmarks side by side with the tools
//! Signet replaces, the sigstore-conformance client, and fixtures no product command may create.
//! It links the `signet` library and also runs every product command, so `cargo xtask --root …
//! release-check` works as the README's main command; the shipped `signet` binary has none of
//! this.

pub mod bench;
pub mod bench_cmd;
pub mod conformance;
pub mod fixtures;
pub mod soup;

/// A test's prerequisite (a tool, a venv, a mount) is missing. Under `CI=true` that fails the
/// test: CI runs every test, and `scripts/test` installs what they need. Elsewhere the test is
/// skipped with a note, so that a partial machine can still run the rest.
pub fn missing_prerequisite(what: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{what}; under CI every test must run: use scripts/test");
    eprintln!("note: skipped, {what} (scripts/test provides it)");
}
