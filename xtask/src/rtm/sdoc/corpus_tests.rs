//! Runs the parser over the real-world corpora vendored in `tests/corpora/` (see its README):
//! published documents must load cleanly; StrictDoc's own integration-test inputs must never
//! panic, and should be rejected where StrictDoc rejects them.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::load;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpora");

/// Published documents that cannot load, each with the reason.
const KNOWN_UNLOADABLE: &[(&str, &str)] = &[(
    "strictdoc-templates/templates/IEC-61508-3/08_sw_validation_plan.sdoc",
    "line 711 continues the single-line RATIONALE onto a second line; StrictDoc's grammar rejects it too",
)];

fn sdoc_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|e| e == "sdoc") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The corpus folder; the corpora are part of the repository, so a missing one is a failure.
fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(CORPORA).join(name);
    assert!(dir.is_dir(), "{} is missing: the corpora are vendored in tests/corpora/", dir.display());
    Some(dir)
}

fn assert_all_load(name: &str, expected_min: usize) {
    let Some(dir) = corpus(name) else { return };
    let files = sdoc_files(&dir);
    assert!(files.len() >= expected_min, "{name}: found only {} .sdoc files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(CORPORA).unwrap_or(file).to_string_lossy().to_string();
        if KNOWN_UNLOADABLE.iter().any(|(p, _)| *p == rel) {
            continue;
        }
        if let Err(e) = load(file) {
            failures.push(format!("{e}"));
        }
    }
    assert!(failures.is_empty(), "{name}: {} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n\n"));
}

#[test]
fn zephyr_reqmgmt_loads() {
    assert_all_load("zephyr-reqmgmt", 28);
}

#[test]
fn zephyr_includes_are_spliced() {
    let Some(dir) = corpus("zephyr-reqmgmt") else { return };
    let doc = load(&dir.join("docs/software_requirements/index.sdoc")).expect("index loads");
    assert!(doc.includes.len() >= 16, "includes: {:?}", doc.includes);
    assert!(doc.grammar.imported_from.is_some());
    let mutex = doc.nodes.iter().find(|n| n.uid() == Some("ZEP-SRS-6-1")).expect("spliced mutex requirement");
    assert!(mutex.file.ends_with("mutex.sdoc"));
    let text = fs::read_to_string(&mutex.file).expect("read mutex.sdoc");
    let at = text.get(mutex.span.start..).unwrap_or("");
    assert!(at.starts_with("[REQUIREMENT]\nUID: ZEP-SRS-6-1"), "span points at the node in its own file");
}

#[test]
fn strictdoc_docs_load() {
    assert_all_load("strictdoc-docs", 15);
}

#[test]
fn strictdoc_templates_load() {
    assert_all_load("strictdoc-templates", 10);
}

/// Whether the itest expects StrictDoc to reject its input while parsing (not later checks).
fn itest_expects_parse_error(itest: &str) -> bool {
    let lower = itest.to_lowercase();
    lower.contains("could not parse file") || lower.contains("semantic error") || lower.contains("textxsyntaxerror")
}

#[derive(Default)]
struct Tally {
    files_ok: usize,
    files_err: usize,
    reject_expected: usize,
    reject_agreed: usize,
    accept_expected: usize,
    accept_agreed: usize,
    disagreements: Vec<String>,
}

#[test]
fn strictdoc_itests_never_panic() {
    let Some(dir) = corpus("strictdoc-itests") else { return };
    let files = sdoc_files(&dir);
    let mut tally = Tally::default();
    let mut panics = Vec::new();
    let mut by_itest: std::collections::BTreeMap<PathBuf, (String, bool, Vec<String>)> = Default::default();
    for file in &files {
        let outcome = catch_unwind(AssertUnwindSafe(|| load(file)));
        let Ok(result) = outcome else {
            panics.push(file.display().to_string());
            continue;
        };
        match &result {
            Ok(_) => tally.files_ok += 1,
            Err(_) => tally.files_err += 1,
        }
        // The nearest test.itest above the file describes the expected outcome.
        let itest =
            file.ancestors().skip(1).take_while(|a| a.starts_with(&dir)).find(|a| a.join("test.itest").is_file());
        if let Some(itest_dir) = itest {
            let text = fs::read_to_string(itest_dir.join("test.itest")).unwrap_or_default();
            let entry = by_itest.entry(itest_dir.to_path_buf()).or_insert((text, false, Vec::new()));
            if let Err(e) = result {
                entry.1 = true;
                entry.2.push(e.to_string());
            }
        }
    }
    for (itest_dir, (text, any_err, errors)) in &by_itest {
        if text.contains("UNSUPPORTED: true") {
            continue;
        }
        let name = itest_dir.strip_prefix(&dir).unwrap_or(itest_dir).display().to_string();
        if itest_expects_parse_error(text) {
            tally.reject_expected += 1;
            if *any_err {
                tally.reject_agreed += 1;
            } else {
                tally.disagreements.push(format!("ACCEPTED but StrictDoc rejects: {name}"));
            }
        } else if !text.contains("expect_exit 1") {
            tally.accept_expected += 1;
            if *any_err {
                tally.disagreements.push(format!("REJECTED but StrictDoc accepts: {name}\n{}", errors.join("\n")));
            } else {
                tally.accept_agreed += 1;
            }
        }
    }
    println!(
        "itests: {} .sdoc files, {} parse OK, {} error; itests expecting a parse error: {}/{} rejected; \
         itests expecting success: {}/{} accepted",
        files.len(),
        tally.files_ok,
        tally.files_err,
        tally.reject_agreed,
        tally.reject_expected,
        tally.accept_agreed,
        tally.accept_expected
    );
    for d in &tally.disagreements {
        println!("{d}\n");
    }
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    assert!(files.len() >= 700, "expected the 727 itest inputs, found {}", files.len());
}
