//! Which tests verify which requirement, and with what result. Links come from both sides:
//! a `VERIFIES` field on the requirement (test names), and a `verifies`/`requirement` property
//! on the JUnit test case (UIDs). Failures propagate up: an ancestor of a requirement whose
//! test failed is itself shown as failed, naming the descendant.

use std::collections::HashMap;

use super::junit::{Outcome, TestCase};
use super::model::Graph;
pub use crate::formats::index::{LinkedTest, OrphanLink, TestOutcome, Verification};

#[derive(Debug, Clone)]
pub struct Verified {
    pub verification: Verification,
    pub tests: Vec<LinkedTest>,
    /// `VERIFIES` references that match no test case in the JUnit files.
    pub missing: Vec<String>,
    /// Why a passing or unverified requirement is shown failed: `descendant SW-3 failed`.
    pub causes: Vec<String>,
}

impl From<Outcome> for TestOutcome {
    fn from(o: Outcome) -> TestOutcome {
        match o {
            Outcome::Passed => TestOutcome::Passed,
            Outcome::Failed => TestOutcome::Failed,
            Outcome::Errored => TestOutcome::Errored,
            Outcome::Skipped => TestOutcome::Skipped,
        }
    }
}

pub fn verify(graph: &Graph, tests: &[TestCase]) -> (Vec<Verified>, Vec<OrphanLink>) {
    // Most projects link from the test side only; then there is nothing to index.
    let by_ref =
        if graph.reqs.iter().any(|r| !r.verifies.is_empty()) { reference_index(tests) } else { HashMap::new() };
    let mut out: Vec<Verified> = (0..graph.reqs.len())
        .map(|_| Verified {
            verification: Verification::Unverified,
            tests: Vec::new(),
            missing: Vec::new(),
            causes: Vec::new(),
        })
        .collect();
    // (requirement, test) pairs, not a list per requirement: most requirements of a large
    // corpus have no test, and 200,000 empty lists were 10 MB of the gate's peak (issue #19).
    let mut links: Vec<(usize, usize)> = Vec::new();
    let mut orphans = Vec::new();
    for (t, case) in tests.iter().enumerate() {
        for uid in &case.requirements {
            match graph.index.get(uid) {
                Some(&i) => links.push((i, t)),
                None => orphans.push(OrphanLink {
                    test: case.id(),
                    uid: uid.clone(),
                    file: case.file.display().to_string(),
                    line: case.line,
                }),
            }
        }
    }
    for (i, req) in graph.reqs.iter().enumerate() {
        for reference in &req.verifies {
            match by_ref.get(reference.as_str()) {
                Some(found) => links.extend(found.iter().map(|&t| (i, t))),
                None => out[i].missing.push(reference.clone()),
            }
        }
    }
    links.sort_unstable();
    links.dedup();
    for group in links.chunk_by(|a, b| a.0 == b.0) {
        let v = &mut out[group[0].0];
        v.verification = own_result(group.iter().map(|&(_, t)| tests[t].outcome));
        v.tests = group.iter().map(|&(_, t)| linked_test(&tests[t])).collect();
    }
    propagate_failures(graph, &mut out);
    (out, orphans)
}

fn own_result(outcomes: impl Iterator<Item = Outcome>) -> Verification {
    let mut result = Verification::Unverified;
    for o in outcomes {
        match o {
            Outcome::Failed | Outcome::Errored => return Verification::Failed,
            Outcome::Passed => result = Verification::Passed,
            Outcome::Skipped => {}
        }
    }
    result
}

fn linked_test(t: &TestCase) -> LinkedTest {
    LinkedTest {
        id: t.id(),
        outcome: t.outcome.into(),
        file: t.file.display().to_string(),
        line: t.line,
        message: t.message.clone(),
    }
}

fn propagate_failures(graph: &Graph, out: &mut [Verified]) {
    let failed: Vec<usize> = (0..out.len()).filter(|&i| out[i].verification == Verification::Failed).collect();
    let mut unlisted = vec![false; out.len()];
    for i in failed {
        let mut seen = std::collections::HashSet::new();
        let mut queue = std::collections::VecDeque::from([i]);
        while let Some(node) = queue.pop_front() {
            for &a in &graph.parents[node] {
                if !seen.insert(a) {
                    continue;
                }
                out[a].verification = Verification::Failed;
                // An ancestor that lists as many failing descendants as it shows was reached by
                // earlier failures, and so were its own ancestors: the walk stops there, so a deep
                // tree of failures costs at most MAX_CAUSES visits per edge, not one per pair.
                if out[a].causes.len() < super::review::MAX_CAUSES {
                    out[a].causes.push(format!("descendant {} failed", graph.reqs[i].uid));
                    queue.push_back(a);
                } else {
                    unlisted[a] = true;
                }
            }
        }
    }
    // What one requirement does not list, its ancestors do not list either.
    let mut queue: std::collections::VecDeque<usize> = (0..out.len()).filter(|&a| unlisted[a]).collect();
    while let Some(node) = queue.pop_front() {
        for &a in &graph.parents[node] {
            if !std::mem::replace(&mut unlisted[a], true) {
                queue.push_back(a);
            }
        }
    }
    for (v, _) in out.iter_mut().zip(unlisted).filter(|(_, more)| *more) {
        v.causes.push("… and more failing descendants, not listed".into());
    }
}

/// Every spelling `TestCase::matches` accepts, mapped to the tests it names, so 10,000
/// requirements × 100,000 tests is a hash lookup per reference, not a scan.
fn reference_index(tests: &[TestCase]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (t, case) in tests.iter().enumerate() {
        let id = case.id();
        let mut keys = vec![case.name.clone(), id.clone()];
        if let Some(c) = &case.classname {
            keys.push(format!("{c}.{}", case.name));
        }
        for (pos, _) in id.match_indices("::").chain(id.match_indices('.')) {
            let rest = id[pos..].trim_start_matches([':', '.']);
            if !rest.is_empty() {
                keys.push(rest.to_string());
            }
        }
        keys.sort();
        keys.dedup();
        for key in keys {
            index.entry(key).or_default().push(t);
        }
    }
    index
}
