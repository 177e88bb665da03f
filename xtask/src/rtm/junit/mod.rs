//! A defensive JUnit XML reader: the test-result side of the RTM gate.
//!
//! Reads what cargo-nextest, pytest, Maven Surefire, ctest (`--output-junit`) and GoogleTest
//! (`--gtest_output=xml`) write: a `<testsuites>` or bare `<testsuite>` root, nested suites,
//! `<testcase>` with `<failure>`, `<error>`, `<skipped>`, per-case `<properties>`, and the
//! retry elements (`<flakyFailure>`/`<flakyError>`: passed after retries; `<rerunFailure>`/
//! `<rerunError>`: still failing). Unknown elements and attributes are ignored.
//!
//! The input may come from a compromised tool, so it is treated as hostile: the size is checked
//! before reading, the text is stream-parsed (no DOM), any DTD is refused (no entity expansion
//! at all), only the five predefined entities and character references are decoded, nesting is
//! bounded, and every problem is a [`JunitError`] with file, line and column, never a panic.

mod attrs;
mod case;
mod error;
mod fields;
mod input;
mod model;
mod parse;
mod position;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use error::JunitError;
pub use model::{Outcome, TestCase};

/// Largest report accepted; nextest and Surefire reports of huge suites stay far below this.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Deepest element nesting accepted. Real reports nest 3–5 levels (suites, suite, case, child).
pub const MAX_DEPTH: usize = 64;
/// Most test cases accepted from one file.
pub const MAX_CASES: usize = 5_000_000;
/// Most requirement ids one test case may name (`verifies`/`requirement` properties): a test
/// verifies a handful; a hostile case naming a million would multiply the gate's output.
pub const MAX_CASE_REQUIREMENTS: usize = 1_000;
/// Longest kept failure/error/skipped message, in bytes; full stack traces stay in the report.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// Reads one JUnit file: size-checked via metadata, read with a cap, then parsed.
///
/// # Errors
/// The file cannot be read or is too large, is not UTF-8, is not well-formed XML, declares a
/// DTD or entities, nests too deeply, has too many cases, or is not a JUnit report.
pub fn read_file(path: &Path) -> Result<Vec<TestCase>, JunitError> {
    let bytes = input::read_capped(path)?;
    read_bytes(path, &bytes)
}

/// Parses raw bytes, rejecting anything that is not UTF-8 (UTF-16 reports included).
///
/// # Errors
/// As [`read_file`], except for I/O.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<TestCase>, JunitError> {
    let text = input::decode(path, bytes)?;
    read_str(path, text)
}

/// Parses text already in memory; `path` is only used to label test cases and errors.
///
/// # Errors
/// As [`read_file`], except for I/O and encoding.
pub fn read_str(path: &Path, text: &str) -> Result<Vec<TestCase>, JunitError> {
    input::check_len(path, text.len())?;
    // A BOM is invisible in editors, so dropping it keeps reported columns honest.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse::parse(path, text, parse::Limits::DEFAULT)
}
