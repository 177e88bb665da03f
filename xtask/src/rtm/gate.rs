//! `rtm-gate`: load the documents and the JUnit results, assess every requirement, write
//! `index.json` (the master list of every regulated UID), `rtm.html` and `rtm-junit.xml`,
//! and decide whether the release may proceed.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use super::findings::{Finding, FindingKind, Findings};
use super::junit::{self, Outcome, TestCase};
use super::model::Graph;
use super::review::{self, Review};
use super::verification::{self, Verified};
use super::{RtmError, outputs, sdoc};
use crate::error::Exit;
pub use crate::formats::index::{Entry, Index, ReviewState, Summary, TestTotals, Verification};

#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    pub root: PathBuf,
    pub docs: Vec<String>,
    pub junit: Vec<String>,
    pub out: Option<PathBuf>,
    pub fail_on_suspect: bool,
    pub require_verification: bool,
    /// Unverified Draft requirements do not block (`verify_drafts = false` with
    /// `--fail-on-suspect`).
    pub exempt_drafts: bool,
}

#[derive(Debug, Clone)]
pub struct GateReport {
    pub index: Index,
    pub findings: Findings,
    pub exit: Exit,
    pub written: Vec<PathBuf>,
}

impl GateOptions {
    fn blocking(&self) -> outputs::Blocking {
        outputs::Blocking { suspect: self.fail_on_suspect, unverified: self.require_verification }
    }

    /// Whether a Draft may stay unverified: only when a change to its STATUS is itself caught as
    /// an unreviewed edit.
    pub fn drafts_exempt(&self) -> bool {
        self.exempt_drafts && self.fail_on_suspect
    }
}

pub fn run(opts: &GateOptions) -> Result<GateReport, RtmError> {
    let (docs, doc_files) = load_documents(&opts.root, &opts.docs)?;
    let graph = Graph::build(&docs, &opts.root)?;
    // Each stage's input is freed as soon as the next holds what it needs, so the peak is one
    // stage's worth, not the parse, the graph and the index at once (issue #19).
    drop(docs);
    let junit_files = expand(&opts.root, &opts.junit)?;
    let tests = load_junit(&junit_files)?;
    let drafts = if opts.drafts_exempt() { drafts(&graph) } else { HashSet::new() };
    let index = build_index(graph, &tests, &doc_files, &junit_files, &opts.root);
    drop(tests);
    let assess = || findings(&index, opts, &drafts).finish(drift_findings(&opts.root));
    let (written, findings) = match &opts.out {
        Some(out) => outputs::write_all(out, &index, opts.blocking(), &drafts, assess)?,
        None => (Vec::new(), assess()),
    };
    let exit = if findings.blocking > 0 { Exit::Fail } else { Exit::Pass };
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

fn build_index(graph: Graph, tests: &[TestCase], docs: &[PathBuf], junit: &[PathBuf], root: &Path) -> Index {
    let reviews = review::assess(&graph);
    let (verified, orphan_links) = verification::verify(&graph, tests);
    let requirements = entries(graph, reviews, verified);
    let rel = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    Index {
        schema: crate::formats::index::VERSION.id(),
        generated_by: format!("signet {}", env!("CARGO_PKG_VERSION")),
        documents: docs.iter().map(rel).collect(),
        junit_files: junit.iter().map(rel).collect(),
        summary: summarise(&requirements, tests, orphan_links.len()),
        requirements,
        orphan_links,
    }
}

/// One entry per requirement, consuming the graph: each requirement's fields and test references
/// are freed as its entry is made, so the graph and the index are never both whole. The entries are
/// made last to first, so that the reviews and verdicts already taken are given back as the
/// entries grow, and boxed one by one, so that they fit the memory the parse and the graph gave
/// back: one array of 200,000 entries was 62 MB of fresh memory, and the reviews and verdicts
/// 37 MB more, at a 200,000-deep chain's peak (issue #19).
#[allow(clippy::vec_box, reason = "boxed one by one on purpose, as said above")]
fn entries(graph: Graph, mut reviews: Vec<Review>, mut verified: Vec<Verified>) -> Vec<Box<Entry>> {
    let Graph { mut reqs, parents, children, index } = graph;
    drop(index);
    let mut out = Vec::with_capacity(reqs.len());
    let mut file: Option<(Arc<Path>, Arc<str>)> = None;
    while let (Some(rev), Some(ver)) = (reviews.pop(), verified.pop()) {
        let i = reviews.len();
        if i.is_multiple_of(1024) {
            reviews.shrink_to_fit();
            verified.shrink_to_fit();
        }
        let uids = |ids: &[usize]| ids.iter().map(|&p| reqs[p].uid.clone()).collect::<Vec<_>>();
        let (parents, children) = (uids(&parents[i]), uids(&children[i]));
        let r = &mut reqs[i];
        r.verifies = Vec::new();
        let title = r.take_title();
        let shown = match &file {
            Some((path, shown)) if Arc::ptr_eq(path, &r.file) => Arc::clone(shown),
            _ => Arc::clone(&file.insert((Arc::clone(&r.file), Arc::from(r.file.display().to_string()))).1),
        };
        out.push(Box::new(Entry {
            uid: r.uid.clone(),
            title,
            document: Arc::clone(&r.document),
            file: shown,
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
            parents,
            children,
        }));
    }
    out.reverse();
    out
}

fn summarise(reqs: &[Box<Entry>], tests: &[TestCase], orphan_links: usize) -> Summary {
    let mut states: BTreeMap<String, usize> = ReviewState::ALL.iter().map(|s| (s.as_str().into(), 0)).collect();
    let mut verification: BTreeMap<String, usize> = Verification::ALL.iter().map(|v| (v.as_str().into(), 0)).collect();
    for r in reqs {
        *states.entry(r.state.as_str().into()).or_default() += 1;
        *verification.entry(r.verification.as_str().into()).or_default() += 1;
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
/// Requirements whose `STATUS` is `Draft`: not yet approved, so `--require-verification` does
/// not ask a test of them where the project says so (`verify_drafts = false`). Setting it
/// changes the requirement's fingerprint, so under `--fail-on-suspect` it takes a reviewer's
/// stamp like any other edit.
fn drafts(graph: &Graph) -> HashSet<String> {
    graph
        .reqs
        .iter()
        .filter(|r| r.field("STATUS").is_some_and(|s| s.trim().eq_ignore_ascii_case("draft")))
        .map(|r| r.uid.clone())
        .collect()
}

fn findings(index: &Index, opts: &GateOptions, drafts: &HashSet<String>) -> Findings {
    let mut out = Findings::default();
    for r in &index.requirements {
        let at = |kind: FindingKind, message: String, rank: u8, blocking: bool| Finding {
            kind,
            file: r.file.to_string(),
            line: r.line,
            message,
            rank,
            blocking,
        };
        if r.verification == Verification::Failed {
            let failing: Vec<&str> = r.tests.iter().filter(|t| t.outcome.is_failure()).map(|t| t.id.as_str()).collect();
            let why = if failing.is_empty() { r.verification_causes.join("; ") } else { failing.join(", ") };
            out.push(at(FindingKind::Failed, format!("{}: verification failed: {why}", r.uid), 0, true));
        }
        if r.state != ReviewState::Reviewed {
            let message = format!("{}: {}: {}", r.uid, r.state.as_str(), r.suspect_causes.join("; "));
            let rank = match r.state {
                ReviewState::SuspectNative => 1,
                ReviewState::Unreviewed => 2,
                _ => 3,
            };
            out.push(at(FindingKind::Review, message, rank, opts.fail_on_suspect));
        }
        if r.verification == Verification::Unverified {
            let mut message = format!("{}: unverified (no passing linked test)", r.uid);
            if !r.missing_tests.is_empty() {
                message
                    .push_str(&format!("; VERIFIES names tests not in any JUnit file: {}", r.missing_tests.join(", ")));
            }
            let draft = drafts.contains(&r.uid);
            if draft {
                message.push_str(" (Draft: no test is required until it is Approved)");
            }
            out.push(at(FindingKind::Unverified, message, 4, opts.require_verification && !draft));
        }
    }
    for o in &index.orphan_links {
        out.push(Finding {
            kind: FindingKind::OrphanLink,
            file: o.file.clone(),
            line: o.line,
            message: format!("test {} verifies `{}`, which no document defines", o.test, o.uid),
            rank: 5,
            blocking: opts.require_verification,
        });
    }
    out
}

/// The signature record's drift (`crate::drift`), first and blocking: a signed record that
/// was edited is not evidence. A repository git cannot read gets one note instead.
fn drift_findings(root: &Path) -> Vec<Finding> {
    match crate::drift::scan(root) {
        crate::drift::Scan::Checked(found) => found
            .into_iter()
            .map(|d| Finding {
                kind: FindingKind::Drift,
                message: format!(
                    "drift: {} in {}; a signed record is never edited — restore it from the commit before, \
                     and record a withdrawal or a new signature instead",
                    d.change, d.commit
                ),
                file: d.file,
                line: 1,
                rank: 0,
                blocking: true,
            })
            .collect(),
        crate::drift::Scan::NotChecked(why) => vec![Finding {
            kind: FindingKind::Drift,
            file: crate::sign::layout::DIR.to_owned(),
            line: 1,
            message: format!("drift not checked: {why}"),
            rank: 6,
            blocking: false,
        }],
    }
}
