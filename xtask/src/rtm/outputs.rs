//! The gate's three files: `index.json` (machine), `rtm.html` (people), `rtm-junit.xml`
//! (CI dashboards: one test case per requirement).

use std::path::{Path, PathBuf};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::RtmError;
use super::gate::{GateOptions, Index};
use super::review::State;
use super::verification::Verification;
use crate::fsx::atomic;
use crate::output::json;

pub fn write_all(out: &Path, index: &Index, opts: &GateOptions) -> Result<Vec<PathBuf>, RtmError> {
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        atomic::ensure_parent(&path)
            .and_then(|()| atomic::write(&path, bytes))
            .map_err(|source| RtmError::Write { path, source })
    };
    Ok(vec![
        write("index.json", json::to_string(index).as_bytes())?,
        write("rtm.html", html(index).as_bytes())?,
        write("rtm-junit.xml", junit(index, opts).as_bytes())?,
    ])
}

pub fn html(index: &Index) -> String {
    crate::templates::render("rtm.html", index)
}

/// The job-summary Markdown (also printed by `rtm-gate` in GitHub Actions).
pub fn summary_markdown(index: &Index, findings: &[super::gate::Finding]) -> String {
    let top: Vec<&super::gate::Finding> = findings.iter().take(20).collect();
    let findings: Vec<serde_json::Value> = top
        .iter()
        .map(|f| serde_json::json!({"file": f.file, "line": f.line, "message": f.message, "blocking": f.blocking}))
        .collect();
    crate::templates::render("rtm-summary.md", serde_json::json!({ "index": index, "findings": findings }))
}

fn junit(index: &Index, opts: &GateOptions) -> String {
    let mut suite = TestSuite::new("rtm-gate");
    for r in &index.requirements {
        let status = if r.verification == Verification::Failed {
            failure("verification failed", &r.verification_causes, &r.tests)
        } else if r.state != State::Reviewed && opts.fail_on_suspect {
            failure(r.state.as_str(), &r.suspect_causes, &[])
        } else if r.verification == Verification::Unverified && opts.require_verification {
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

fn failure(what: &str, causes: &[String], tests: &[super::verification::LinkedTest]) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(what);
    let mut lines: Vec<String> = causes.to_vec();
    lines.extend(tests.iter().filter(|t| t.outcome != "passed").map(|t| format!("{}: {}", t.id, t.outcome)));
    status.set_description(lines.join("\n"));
    status
}
