//! The printable audit trail: every event of the release's record in order, each signature
//! event joined to the §11.50 manifestation of the signature it logged, and the registry
//! history of the release's signers.

use serde::Serialize;

use crate::formats::event::Event;
use crate::formats::manifest::Manifest;
use crate::sign::release_record::ReleaseRecord;
use crate::sign::verdict::VerifyReport;
use crate::sign::{SignError, audit, layout};

/// One event, as the trail shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TrailEntry {
    pub at: String,
    pub event: String,
    pub signer: Option<String>,
    pub role: Option<String>,
    pub file: Option<String>,
    pub detail: Option<String>,
    /// For a logged signature the gate accepts: `Name <email> (…)`, meaning, and time, as signed.
    pub manifestation: Option<String>,
    /// Where the event is kept: `events/<TIME>-<SHA256>.json` or `audit.jsonl:<line>`.
    pub source: String,
}

pub fn entries(rec: &ReleaseRecord, verdict: &VerifyReport) -> Result<Vec<TrailEntry>, SignError> {
    let mut out = Vec::new();
    if let Some(chain) = &rec.trail.chain {
        // A broken chain is the verdict's to report; the trail shows what it can read.
        for (i, e) in audit::verify_chain(chain, &verdict.release).unwrap_or_default().into_iter().enumerate() {
            out.push(TrailEntry {
                at: e.at,
                event: e.event,
                signer: e.signer,
                role: e.role,
                file: None,
                detail: e.detail,
                manifestation: None,
                source: format!("{}:{}", layout::AUDIT, i + 1),
            });
        }
    }
    for (file, text) in &rec.trail.events {
        let Ok(e) = serde_json::from_str::<Event>(text) else { continue };
        let logged = e.envelope.as_ref().map(|f| f.file.clone());
        let manifestation = logged.as_deref().and_then(|f| {
            verdict.signatures.iter().find(|s| s.file == f).map(|s| {
                let r = &s.record;
                format!("{} — {} ({}) — {}", r.who(), r.meaning, r.role, r.signed_at)
            })
        });
        out.push(TrailEntry {
            at: e.at,
            event: e.event.as_str().into(),
            signer: e.signer.map(|s| s.to_string()),
            role: e.role.map(|r| r.to_string()),
            file: logged,
            detail: e.detail,
            manifestation,
            source: format!("{}/{file}", layout::EVENTS),
        });
    }
    out.sort_by(|a, b| (&a.at, &a.source).cmp(&(&b.at, &b.source)));
    Ok(out)
}

/// The registry entries the archive carries, grouped as an inspector reads them.
#[derive(Debug, Clone, Serialize)]
pub struct RegistryHistory<'a> {
    pub enrolments: &'a [crate::formats::registry::Signer],
    pub delegations: &'a [crate::formats::registry::Delegation],
    pub revocations: &'a [crate::formats::registry::Revocation],
    pub approvals: &'a [crate::formats::registry::Approval],
}

pub fn registry_history(m: &Manifest) -> RegistryHistory<'_> {
    RegistryHistory {
        enrolments: &m.signers,
        delegations: &m.delegations,
        revocations: &m.revocations,
        approvals: &m.approvals,
    }
}

#[derive(Serialize)]
struct Page<'a> {
    release: String,
    summary: String,
    verdict: &'a str,
    entries: &'a [TrailEntry],
    history: RegistryHistory<'a>,
}

pub fn html(verdict: &VerifyReport, entries: &[TrailEntry], manifest: &Manifest) -> String {
    let lines = verdict.lines();
    let page = Page {
        release: verdict.release.to_string(),
        summary: verdict.summary(),
        verdict: &lines,
        entries,
        history: registry_history(manifest),
    };
    crate::templates::render("inspect-trail.html", &page)
}
