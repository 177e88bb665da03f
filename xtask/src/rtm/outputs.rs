//! The gate's three files: `index.json` (machine), `rtm.html` (people), `rtm-junit.xml`
//! (CI dashboards: one test case per requirement).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::RtmError;
use crate::formats::index::Index;
use crate::formats::index::ReviewState;
use crate::formats::index::Verification;
use crate::formats::index::{LinkedTest, TestOutcome};
use crate::fsx::atomic::{self, Durability};
use crate::output::json;

/// What besides failed tests blocks the gate, as `rtm-junit.xml` reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocking {
    /// Unreviewed and suspect requirements (`--fail-on-suspect`).
    pub suspect: bool,
    /// Unverified requirements and orphan links (`--require-verification`).
    pub unverified: bool,
}

/// One thing the gate tells, at a requirement's (or a test's) line.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub file: String,
    pub line: usize,
    pub message: String,
    /// Lower is more important (failed tests first).
    pub rank: u8,
    pub blocking: bool,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// A requirement whose linked tests fail.
    Failed,
    /// A requirement not reviewed since it (or an ancestor) changed.
    Review,
    /// A requirement with no passing linked test.
    Unverified,
    /// A test that names a requirement no document defines.
    OrphanLink,
    /// A file of the signature record edited or deleted after it was committed (`crate::drift`).
    Drift,
}

/// `exempt`: Draft requirements that may stay unverified (`GateOptions::drafts_exempt`).
pub fn write_all(
    out: &Path,
    index: &Index,
    opts: Blocking,
    exempt: &HashSet<String>,
) -> Result<Vec<PathBuf>, RtmError> {
    let write = |name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>| {
        let path = out.join(name);
        atomic::ensure_parent(&path)
            .and_then(|()| atomic::write_with(&path, Durability::Derived, |w| fill(w)))
            .map_err(|source| RtmError::Write { path, source })
    };
    // Each file streams to disk; the HTML and JUnit render on the other core meanwhile.
    std::thread::scope(|scope| {
        let html_file = scope.spawn(|| {
            let html = write("rtm.html", &mut |w| html_to(w, index))?;
            Ok::<_, RtmError>((
                html,
                write("rtm-junit.xml", &mut |w| w.write_all(junit(index, opts, exempt).as_bytes()))?,
            ))
        });
        let index_json = write("index.json", &mut |w| json::to_writer(w, index));
        let (rtm_html, rtm_junit) = html_file.join().expect("rendering does not panic")?;
        Ok(vec![index_json?, rtm_html, rtm_junit])
    })
}

/// The page is rendered around a marker and the rows are streamed into it one requirement at
/// a time: holding a 10,000-requirement matrix as template values at once cost 65 MiB.
pub fn html_to(w: &mut dyn Write, index: &Index) -> std::io::Result<()> {
    const ROWS: &str = "\u{0}signet-rows\u{0}";
    let page = crate::templates::render(
        "rtm.html",
        serde_json::json!({
            "generated_by": index.generated_by,
            "documents": index.documents,
            "junit_files": index.junit_files,
            "summary": index.summary,
            "orphan_links": index.orphan_links,
            "rows": ROWS,
        }),
    );
    let (head, tail) = page.split_once(ROWS).expect("rtm.html renders {{ rows | safe }} exactly once");
    w.write_all(head.as_bytes())?;
    #[derive(serde::Serialize)]
    struct Row<'a> {
        r: &'a crate::formats::index::Entry,
    }
    for r in &index.requirements {
        w.write_all(crate::templates::render("rtm-row.html", Row { r }).as_bytes())?;
    }
    w.write_all(tail.as_bytes())
}

/// The job-summary Markdown (also printed by `rtm-gate` in GitHub Actions).
pub fn summary_markdown(index: &Index, findings: &[Finding]) -> String {
    let top: Vec<&Finding> = findings.iter().take(20).collect();
    let findings: Vec<serde_json::Value> = top
        .iter()
        .map(|f| serde_json::json!({"file": f.file, "line": f.line, "message": f.message, "blocking": f.blocking}))
        .collect();
    crate::templates::render("rtm-summary.md", serde_json::json!({ "index": index, "findings": findings }))
}

fn junit(index: &Index, opts: Blocking, exempt: &HashSet<String>) -> String {
    let mut suite = TestSuite::new("rtm-gate");
    for r in &index.requirements {
        let status = if r.verification == Verification::Failed {
            failure("verification failed", &r.verification_causes, &r.tests)
        } else if r.state != ReviewState::Reviewed && opts.suspect {
            failure(r.state.as_str(), &r.suspect_causes, &[])
        } else if r.verification == Verification::Unverified && opts.unverified && exempt.contains(&r.uid) {
            let mut skipped = TestCaseStatus::skipped();
            skipped.set_message("unverified; Draft: no test is required until it is Approved");
            skipped
        } else if r.verification == Verification::Unverified && opts.unverified {
            failure("unverified", &r.missing_tests, &[])
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(r.uid.as_str(), status);
        case.set_classname(r.document.as_str());
        suite.add_test_case(case);
    }
    let mut report = Report::new("signet");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_else(|e| panic!("quick-junit serialises plain strings: {e}"))
}

fn failure(what: &str, causes: &[String], tests: &[LinkedTest]) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(what);
    let mut lines: Vec<String> = causes.to_vec();
    lines.extend(
        tests.iter().filter(|t| t.outcome != TestOutcome::Passed).map(|t| format!("{}: {}", t.id, t.outcome.as_str())),
    );
    status.set_description(lines.join("\n"));
    status
}
