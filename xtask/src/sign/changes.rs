//! Change control between two releases of one project (QMSR; §11.10(e)): requirements added,
//! changed or removed, tests whose verdict changed, evidence files added, changed or removed.
//! Both sides come from the evidence each request pinned (`sign::evidence`), so the comparison
//! is of what was signed, not of whatever is on disk.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::evidence::{self, Evidence, Missing};
use super::{SignError, layout, release_record};
use crate::formats::index::{ReviewState, TestOutcome, Verification};

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Changes {
    /// The release compared against.
    pub since: String,
    pub requirements_added: Vec<RequirementChange>,
    pub requirements_changed: Vec<RequirementChange>,
    pub requirements_removed: Vec<String>,
    pub tests_changed: Vec<TestChange>,
    pub files_added: Vec<String>,
    pub files_changed: Vec<String>,
    pub files_removed: Vec<String>,
    /// What one side did not keep (a request made before Signet kept its evidence).
    pub not_compared: Vec<String>,
}

/// A requirement added or changed, with its review state and verification now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RequirementChange {
    pub uid: String,
    pub title: String,
    pub state: ReviewState,
    pub verification: Verification,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TestChange {
    pub test: String,
    /// `None`: the test was not linked to any requirement on that side.
    pub before: Option<TestOutcome>,
    pub after: Option<TestOutcome>,
}

impl Changes {
    pub fn between(since: &str, before: &Evidence, after: &Evidence) -> Changes {
        let mut c = Changes { since: since.to_owned(), ..Changes::default() };
        match (&before.index, &after.index) {
            (Some(b), Some(a)) => c.compare_requirements(b, a),
            _ => c.not_compared.push("requirements and tests (an index.json is not kept with both requests)".into()),
        }
        match (&before.sums, &after.sums) {
            (Some(b), Some(a)) => c.compare_files(b, a),
            _ => c.not_compared.push("evidence files (a SHA256SUMS is not kept with both requests)".into()),
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        self.requirements_added.is_empty()
            && self.requirements_changed.is_empty()
            && self.requirements_removed.is_empty()
            && self.tests_changed.is_empty()
            && self.files_added.is_empty()
            && self.files_changed.is_empty()
            && self.files_removed.is_empty()
    }

    fn compare_requirements(&mut self, before: &crate::formats::index::Index, after: &crate::formats::index::Index) {
        let old: BTreeMap<&str, &str> =
            before.requirements.iter().map(|r| (r.uid.as_str(), r.fingerprint.as_str())).collect();
        for r in &after.requirements {
            let change = || RequirementChange {
                uid: r.uid.clone(),
                title: r.title.clone(),
                state: r.state,
                verification: r.verification,
            };
            match old.get(r.uid.as_str()) {
                None => self.requirements_added.push(change()),
                Some(f) if *f != r.fingerprint => self.requirements_changed.push(change()),
                Some(_) => {}
            }
        }
        let now: std::collections::BTreeSet<&str> = after.requirements.iter().map(|r| r.uid.as_str()).collect();
        self.requirements_removed = old.keys().filter(|u| !now.contains(*u)).map(|u| (*u).to_owned()).collect();
        let (b, a) = (verdicts(before), verdicts(after));
        for test in b.keys().chain(a.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (before, after) = (b.get(test).copied(), a.get(test).copied());
            if before != after {
                self.tests_changed.push(TestChange { test: (*test).to_owned(), before, after });
            }
        }
    }

    fn compare_files(&mut self, before: &[crate::sums::SumLine], after: &[crate::sums::SumLine]) {
        let old: BTreeMap<&str, _> = before.iter().map(|l| (l.path.as_str(), &l.digest)).collect();
        let new: BTreeMap<&str, _> = after.iter().map(|l| (l.path.as_str(), &l.digest)).collect();
        for (path, digest) in &new {
            match old.get(path) {
                None => self.files_added.push((*path).to_owned()),
                Some(d) if d != digest => self.files_changed.push((*path).to_owned()),
                Some(_) => {}
            }
        }
        self.files_removed = old.keys().filter(|p| !new.contains_key(*p)).map(|p| (*p).to_owned()).collect();
    }

    /// The text both the ceremony and `signet diff` show.
    pub fn render(&self) -> String {
        let mut t = String::new();
        let list = |t: &mut String, label: &str, items: Vec<String>| {
            if !items.is_empty() {
                t.push_str(&format!("  {label} ({}):\n", items.len()));
                for i in items {
                    t.push_str(&format!("    {i}\n"));
                }
            }
        };
        let req = |r: &RequirementChange| {
            format!("{}  {}  [{}, {}]", r.uid, r.title, r.state.as_str(), r.verification.as_str())
        };
        list(&mut t, "Requirements added", self.requirements_added.iter().map(req).collect());
        list(&mut t, "Requirements changed", self.requirements_changed.iter().map(req).collect());
        list(&mut t, "Requirements removed", self.requirements_removed.clone());
        let outcome = |o: Option<TestOutcome>| o.map_or("not linked", TestOutcome::as_str);
        let tests =
            self.tests_changed.iter().map(|c| format!("{}: {} -> {}", c.test, outcome(c.before), outcome(c.after)));
        list(&mut t, "Tests whose verdict changed", tests.collect());
        list(&mut t, "Evidence files added", self.files_added.clone());
        list(&mut t, "Evidence files changed", self.files_changed.clone());
        list(&mut t, "Evidence files removed", self.files_removed.clone());
        if self.is_empty() && self.not_compared.is_empty() {
            t.push_str("  nothing changed\n");
        }
        for n in &self.not_compared {
            t.push_str(&format!("  not compared: {n}\n"));
        }
        t
    }
}

/// Every linked test's verdict, by test id.
fn verdicts(index: &crate::formats::index::Index) -> BTreeMap<&str, TestOutcome> {
    index.requirements.iter().flat_map(|r| &r.tests).map(|t| (t.id.as_str(), t.outcome)).collect()
}

/// The changes from release `since` to release `release`, both under `root`'s `signatures/`.
pub fn since(root: &Path, release: &str, since: &str) -> Result<Changes, SignError> {
    let after = pinned_evidence(root, release, Missing::Refused)?;
    since_evidence(root, since, &after)
}

/// The changes from release `since` to a release whose pinned evidence is `after`.
pub fn since_evidence(root: &Path, since: &str, after: &Evidence) -> Result<Changes, SignError> {
    Ok(Changes::between(since, &pinned_evidence(root, since, Missing::Tolerated)?, after))
}

fn pinned_evidence(root: &Path, id: &str, missing: Missing) -> Result<Evidence, SignError> {
    let dir = layout::release_dir(root, id)?;
    if !dir.join(layout::REQUEST).exists() {
        return Err(SignError::Refused(format!("no release `{id}`: {} has no request.json", dir.display())));
    }
    let (request, _) = release_record::load(&dir)?;
    evidence::load(&dir, &request, missing)
}

/// The release whose request was made last, of every release under `signatures/`.
pub fn latest(root: &Path) -> Result<Option<String>, SignError> {
    let releases = releases(root)?;
    Ok(releases.into_iter().max_by_key(|(at, id, _)| (at.0, id.clone())).map(|(_, id, _)| id))
}

/// Every release folder with a readable request: (when it was made, id, the request's digest).
fn releases(root: &Path) -> Result<Vec<(super::Timestamp, String, String)>, SignError> {
    let mut out = Vec::new();
    for (id, dir) in release_record::release_folders(root)? {
        let Ok((request, request_sha)) = release_record::load(&dir) else { continue };
        let Some(made) = super::Timestamp::parse(&request.created_at) else { continue };
        out.push((made, id, request_sha));
    }
    Ok(out)
}

/// The release's archival manifest verifies against the repository's trust file and is the
/// archive of this very request: a file merely named `release-<ID>.json` is no signed release.
fn signed_and_archived(root: &Path, id: &str, request_sha: &str) -> bool {
    let path = layout::manifest_path(root, id);
    if !path.is_file() {
        return false;
    }
    let policy = super::policy::SigningConfig::default();
    let trust = super::verify::TrustOptions { file: Some(root.join(layout::TRUST)), ..Default::default() };
    let Ok(rec) = super::verify::load(root, &path, &policy, &trust) else { return false };
    let release_record::Origin::Manifest { bundle_sha256, request_sha256, .. } = &rec.origin else { return false };
    request_sha256 == request_sha
        && super::gate::verify(&rec, bundle_sha256, super::Timestamp::now()).is_ok_and(|v| v.passed())
}

/// The previous signed release: of the other releases under `signatures/` whose archival
/// manifest verifies against the trust file and archives their request, the one whose request
/// was made last, not after `created_at` (request times have whole seconds: two requests made in
/// the same second are both earlier than each other).
pub fn previous_signed(root: &Path, release: &str, created_at: &str) -> Result<Option<String>, SignError> {
    let Some(this) = super::Timestamp::parse(created_at) else { return Ok(None) };
    let mut earlier: Vec<_> =
        releases(root)?.into_iter().filter(|(at, id, _)| id != release && at.0 <= this.0).collect();
    earlier.sort_by_key(|(at, id, _)| (std::cmp::Reverse(at.0), std::cmp::Reverse(id.clone())));
    Ok(earlier.into_iter().find(|(_, id, sha)| signed_and_archived(root, id, sha)).map(|(_, id, _)| id))
}
