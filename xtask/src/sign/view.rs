//! What the signer sees of the record before the password (§11.50, §11.70; Veeva's signature
//! page): the release and its commits, the bundle and every evidence file, the RTM summary with
//! every requirement not both reviewed and passing, the signatures already present, and what
//! changed since the previous signed release. `sign --show` prints the same text, and the
//! signature records its digest (`shown_sha256`), so what was shown can be reproduced.

use std::fmt::Write as _;
use std::path::Path;

use super::SignError;
use super::changes::{self, Changes};
use super::evidence::Evidence;
use super::verdict::VerifiedSignature;
use crate::formats::index::{Index, ReviewState, Verification};
use crate::formats::request::Request;

/// The record as shown: the text before the file list, the file list (paged on a terminal),
/// and the text after it. Its digest is over the three, joined.
#[derive(Debug, Clone)]
pub struct View {
    pub head: String,
    pub files: Vec<String>,
    pub tail: String,
}

impl View {
    pub fn text(&self) -> String {
        let mut t = self.head.clone();
        for f in &self.files {
            t.push_str(f);
            t.push('\n');
        }
        t.push_str(&self.tail);
        t
    }

    /// `sha256:` of [`View::text`]: what a signature's `shown_sha256` records.
    pub fn digest(&self) -> String {
        crate::digest::tagged(self.text().as_bytes())
    }
}

/// The view of a release from its committed record only: its pinned evidence `ev`, the
/// signatures the gate accepts now (`eligibility::gate_now`), and the changes since the previous
/// signed release.
pub fn build(
    root: &Path,
    (request, request_sha): (&Request, &str),
    ev: &Evidence,
    present: &[VerifiedSignature],
) -> Result<View, SignError> {
    let previous = changes::previous_signed(root, &request.release, &request.created_at)?;
    let changes = match &previous {
        Some(id) => Some(changes::since_evidence(root, id, ev)?),
        None => None,
    };
    Ok(render(request, request_sha, ev, present, changes.as_ref()))
}

pub fn render(
    request: &Request,
    request_sha: &str,
    ev: &Evidence,
    present: &[VerifiedSignature],
    changes: Option<&Changes>,
) -> View {
    let mut head = String::from("\n=== The record to be signed ===\n");
    let _ = writeln!(head, "Release:        {}", request.release);
    let _ = writeln!(head, "Commit(s):      {}", request.commits.join(", "));
    let _ = writeln!(head, "Request:        {request_sha}");
    let _ = writeln!(head, "Bundle:         {} ({} bytes)", request.bundle.name, request.bundle.size);
    let _ = writeln!(head, "Bundle sha256:  {}", request.bundle.sha256);
    let files = match &ev.sums {
        Some(lines) => {
            let pin = request.sha256sums_sha256.as_deref().unwrap_or_default();
            let _ = writeln!(head, "Evidence files: {} (SHA256SUMS {pin})", lines.len());
            lines.iter().map(|l| format!("  {}  {}", &l.digest.hex()[..12], l.path)).collect()
        }
        None => {
            head.push_str("Evidence files: the request pins no SHA256SUMS\n");
            Vec::new()
        }
    };
    let mut tail = String::new();
    rtm_summary(&mut tail, request, ev.index.as_ref());
    signatures(&mut tail, present);
    match changes {
        Some(c) => {
            let _ = writeln!(tail, "Changes since {} (the previous signed release):", c.since);
            tail.push_str(&c.render());
        }
        None => tail.push_str("Changes:        no earlier signed release of this project to compare with\n"),
    }
    View { head, files, tail }
}

fn rtm_summary(t: &mut String, request: &Request, index: Option<&Index>) {
    let Some(index) = index else {
        t.push_str("RTM:            the request pins no index.json\n");
        return;
    };
    let s = &index.summary;
    let pin = request.index_json_sha256.as_deref().unwrap_or_default();
    let _ = writeln!(t, "RTM:            {} requirements (index.json {pin})", s.requirements);
    let states: Vec<String> = ReviewState::ALL.iter().map(|st| format!("{} {}", st.as_str(), s.state(*st))).collect();
    let _ = writeln!(t, "  review:       {}", states.join(", "));
    let results: Vec<String> = Verification::ALL.iter().map(|v| format!("{} {}", v.as_str(), s.verified(*v))).collect();
    let _ = writeln!(t, "  verification: {}", results.join(", "));
    let tt = &s.tests;
    let _ = writeln!(
        t,
        "  tests:        {} (passed {}, failed {}, error {}, skipped {})",
        tt.total, tt.passed, tt.failed, tt.errored, tt.skipped
    );
    let open: Vec<_> = index
        .requirements
        .iter()
        .filter(|r| r.state != ReviewState::Reviewed || r.verification != Verification::Passed)
        .collect();
    if open.is_empty() {
        t.push_str("  every requirement is reviewed and verified by passing tests\n");
        return;
    }
    let _ = writeln!(t, "  not reviewed and passing ({}):", open.len());
    for r in open {
        let _ = writeln!(
            t,
            "    {}  {}  [{}, {}]  {}:{}",
            r.uid,
            r.title,
            r.state.as_str(),
            r.verification.as_str(),
            r.file,
            r.line
        );
    }
}

fn signatures(t: &mut String, present: &[VerifiedSignature]) {
    if present.is_empty() {
        t.push_str("Signatures:     none yet\n");
        return;
    }
    t.push_str("Signatures:\n");
    for s in present {
        let r = &s.record;
        let _ = writeln!(t, "  {} ({}) by {} at {}", r.role, r.meaning, r.who(), r.signed_at);
    }
}
