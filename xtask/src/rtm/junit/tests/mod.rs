//! Unit tests: real tool output first, then hand-written hostile and odd inputs.

mod edge_cases;
mod fixtures;
mod hostile;
mod matching;
mod scale;

use std::path::{Path, PathBuf};

use super::{JunitError, Outcome, TestCase, read_str};

/// `tests/fixtures/junit` at the workspace root (the crate lives one level below it).
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/junit").join(name)
}

fn parse(xml: &str) -> Result<Vec<TestCase>, JunitError> {
    read_str(Path::new("t.xml"), xml)
}

fn parse_ok(xml: &str) -> Vec<TestCase> {
    match parse(xml) {
        Ok(cases) => cases,
        Err(e) => panic!("expected a parse, got: {e}"),
    }
}

fn parse_err(xml: &str) -> JunitError {
    match parse(xml) {
        Ok(cases) => panic!("expected an error, got {} cases", cases.len()),
        Err(e) => e,
    }
}

/// (passed, failed, errored, skipped)
fn counts(cases: &[TestCase]) -> (usize, usize, usize, usize) {
    let n = |o: Outcome| cases.iter().filter(|c| c.outcome == o).count();
    (n(Outcome::Passed), n(Outcome::Failed), n(Outcome::Errored), n(Outcome::Skipped))
}

fn case<'a>(cases: &'a [TestCase], name: &str) -> &'a TestCase {
    match cases.iter().find(|c| c.name == name) {
        Some(c) => c,
        None => panic!("no test case named {name}"),
    }
}

fn flaky_total(cases: &[TestCase]) -> usize {
    cases.iter().map(|c| c.flaky_retries).sum()
}
