//! `rtm-gate`: load the documents and the JUnit results, assess every requirement, write
//! `index.json` (the master list of every regulated UID), `rtm.html` and `rtm-junit.xml`,
//! and decide whether the release may proceed.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::junit::{self, Outcome, TestCase};
use super::model::Graph;
use super::review::{self, State};
use super::verification::{self, LinkedTest, OrphanLink, Verification};
use super::{RtmError, outputs, sdoc};
use crate::error::Exit;

#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    pub root: PathBuf,
    pub docs: Vec<String>,
    pub junit: Vec<String>,
    pub out: Option<PathBuf>,
    pub fail_on_suspect: bool,
    pub require_verification: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub uid: String,
    pub title: String,
    pub document: String,
    pub file: String,
    pub line: usize,
    pub state: State,
    pub fingerprint: String,
    pub reviewed_hash: Option<String>,
    pub reviewed_by: Option<String>,
    pub suspect_causes: Vec<String>,
    pub verification: Verification,
    pub verification_causes: Vec<String>,
    pub tests: Vec<LinkedTest>,
    pub missing_tests: Vec<String>,
    pub parents: Vec<String>,
    pub children: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TestTotals {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub flaky: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub requirements: usize,
    pub states: BTreeMap<&'static str, usize>,
    pub verification: BTreeMap<&'static str, usize>,
    pub tests: TestTotals,
    pub orphan_links: usize,
}

/// `index.json`. No timestamps: the same inputs give the same bytes, so it can be bundled.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Index {
    pub schema: &'static str,
    pub generated_by: String,
    pub documents: Vec<String>,
    pub junit_files: Vec<String>,
    pub summary: Summary,
    pub requirements: Vec<Entry>,
    pub orphan_links: Vec<OrphanLink>,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub message: String,
    /// Lower is more important (failed tests first).
    pub rank: u8,
    pub blocking: bool,
}

#[derive(Debug, Clone)]
pub struct GateReport {
    pub index: Index,
    pub findings: Vec<Finding>,
    pub exit: Exit,
    pub written: Vec<PathBuf>,
}

pub const SCHEMA: &str = "signet.rtm.index/v1";

pub fn run(opts: &GateOptions) -> Result<GateReport, RtmError> {
    let (docs, doc_files) = load_documents(&opts.root, &opts.docs)?;
    let graph = Graph::build(&docs, &opts.root)?;
    let junit_files = expand(&opts.root, &opts.junit)?;
    let tests = load_junit(&junit_files)?;
    let index = build_index(&graph, &tests, &doc_files, &junit_files, &opts.root);
    let findings = findings(&index, opts);
    let exit = if findings.iter().any(|f| f.blocking) { Exit::Fail } else { Exit::Pass };
    let written = match &opts.out {
        Some(out) => outputs::write_all(out, &index, opts)?,
        None => Vec::new(),
    };
    Ok(GateReport { index, findings, exit, written })
}

/// Loads every document the globs name, except those another one includes (they arrive
/// spliced into their parent, and would otherwise count twice).
pub fn load_documents(root: &Path, patterns: &[String]) -> Result<(Vec<sdoc::Document>, Vec<PathBuf>), RtmError> {
    let files = expand(root, patterns)?;
    if files.is_empty() {
        return Err(RtmError::NoDocuments { patterns: patterns.to_vec() });
    }
    let loaded = crate::par::map(&files, |f| sdoc::load(f).map_err(Box::new));
    let docs: Vec<sdoc::Document> = loaded.into_iter().collect::<Result<_, _>>().map_err(RtmError::Sdoc)?;
    let included: HashSet<PathBuf> =
        docs.iter().flat_map(|d| d.includes.iter()).filter_map(|p| p.canonicalize().ok()).collect();
    let (docs, files): (Vec<_>, Vec<_>) =
        docs.into_iter().zip(files).filter(|(_, f)| f.canonicalize().map_or(true, |c| !included.contains(&c))).unzip();
    Ok((docs, files))
}

fn expand(root: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, RtmError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let full = root.join(pattern);
        let full = full.to_string_lossy();
        let paths =
            glob::glob(&full).map_err(|e| RtmError::Glob { pattern: pattern.clone(), message: e.to_string() })?;
        for p in paths {
            let p = p.map_err(|e| RtmError::Glob { pattern: pattern.clone(), message: e.to_string() })?;
            if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn load_junit(files: &[PathBuf]) -> Result<Vec<TestCase>, RtmError> {
    let per_file = crate::par::map(files, |f| {
        junit::read_file(f).map(|mut cases| {
            // The gate needs only the requirements already taken from the properties; keeping
            // the properties of 100,000 cases costs 10 MiB.
            for case in &mut cases {
                case.properties = Vec::new();
            }
            cases
        })
    });
    let per_file: Vec<Vec<TestCase>> = per_file.into_iter().collect::<Result<_, _>>().map_err(RtmError::Junit)?;
    let mut tests = Vec::with_capacity(per_file.iter().map(Vec::len).sum());
    for cases in per_file {
        tests.extend(cases);
    }
    Ok(tests)
}

fn build_index(graph: &Graph, tests: &[TestCase], docs: &[PathBuf], junit: &[PathBuf], root: &Path) -> Index {
    let reviews = review::assess(graph);
    let (verified, orphan_links) = verification::verify(graph, tests);
    let uids = |ids: &[usize]| ids.iter().map(|&i| graph.reqs[i].uid.clone()).collect::<Vec<_>>();
    let requirements: Vec<Entry> = graph
        .reqs
        .iter()
        .zip(reviews)
        .zip(verified)
        .enumerate()
        .map(|(i, ((r, rev), ver))| Entry {
            uid: r.uid.clone(),
            title: r.title.clone(),
            document: r.document.clone(),
            file: r.file.display().to_string(),
            line: r.line,
            state: rev.state,
            fingerprint: rev.fingerprint,
            reviewed_hash: rev.reviewed_hash,
            reviewed_by: rev.reviewed_by,
            suspect_causes: rev.causes,
            verification: ver.verification,
            verification_causes: ver.causes,
            tests: ver.tests,
            missing_tests: ver.missing,
            parents: uids(&graph.parents[i]),
            children: uids(&graph.children[i]),
        })
        .collect();
    let rel = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    Index {
        schema: SCHEMA,
        generated_by: format!("signet {}", env!("CARGO_PKG_VERSION")),
        documents: docs.iter().map(rel).collect(),
        junit_files: junit.iter().map(rel).collect(),
        summary: summarise(&requirements, tests, orphan_links.len()),
        requirements,
        orphan_links,
    }
}

fn summarise(reqs: &[Entry], tests: &[TestCase], orphan_links: usize) -> Summary {
    let mut states: BTreeMap<&'static str, usize> =
        [State::Reviewed, State::Unreviewed, State::SuspectNative, State::SuspectInherited]
            .iter()
            .map(|s| (s.as_str(), 0))
            .collect();
    let mut verification: BTreeMap<&'static str, usize> =
        [Verification::Passed, Verification::Failed, Verification::Unverified]
            .iter()
            .map(|v| (v.as_str(), 0))
            .collect();
    for r in reqs {
        *states.entry(r.state.as_str()).or_default() += 1;
        *verification.entry(r.verification.as_str()).or_default() += 1;
    }
    let mut t = TestTotals { total: tests.len(), ..TestTotals::default() };
    for case in tests {
        match case.outcome {
            Outcome::Passed => t.passed += 1,
            Outcome::Failed => t.failed += 1,
            Outcome::Errored => t.errored += 1,
            Outcome::Skipped => t.skipped += 1,
        }
        t.flaky += usize::from(case.flaky_retries > 0 && case.outcome == Outcome::Passed);
    }
    Summary { requirements: reqs.len(), states, verification, tests: t, orphan_links }
}

/// Everything worth telling, ranked; `blocking` follows the gate's flags.
fn findings(index: &Index, opts: &GateOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &index.requirements {
        let at = |message: String, rank: u8, blocking: bool| Finding {
            file: r.file.clone(),
            line: r.line,
            message,
            rank,
            blocking,
        };
        if r.verification == Verification::Failed {
            let failing: Vec<&str> = r
                .tests
                .iter()
                .filter(|t| t.outcome == "failed" || t.outcome == "error")
                .map(|t| t.id.as_str())
                .collect();
            let why = if failing.is_empty() { r.verification_causes.join("; ") } else { failing.join(", ") };
            out.push(at(format!("{}: verification failed: {why}", r.uid), 0, true));
        }
        if r.state != State::Reviewed {
            let message = format!("{}: {}: {}", r.uid, r.state.as_str(), r.suspect_causes.join("; "));
            let rank = match r.state {
                State::SuspectNative => 1,
                State::Unreviewed => 2,
                _ => 3,
            };
            out.push(at(message, rank, opts.fail_on_suspect));
        }
        if r.verification == Verification::Unverified {
            let mut message = format!("{}: unverified (no passing linked test)", r.uid);
            if !r.missing_tests.is_empty() {
                message
                    .push_str(&format!("; VERIFIES names tests not in any JUnit file: {}", r.missing_tests.join(", ")));
            }
            out.push(at(message, 4, opts.require_verification));
        }
    }
    for o in &index.orphan_links {
        out.push(Finding {
            file: o.file.clone(),
            line: o.line,
            message: format!("test {} verifies `{}`, which no document defines", o.test, o.uid),
            rank: 5,
            blocking: opts.require_verification,
        });
    }
    out.sort_by_key(|f| (f.rank, f.file.clone(), f.line));
    out
}
