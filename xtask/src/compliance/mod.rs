//! Compliance reporting across every release of a repository (seed 002 §9.2): signatures per
//! signer and role, failed attempts and lockouts, keys expiring soon and keys revoked, and the
//! releases still awaiting signatures with who may give them. Read from the committed record,
//! judged by the final gate's own checks; `signet compliance` prints it as text, JSON or HTML.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::formats::event::{Event, EventKind};
use crate::sign::policy::SigningConfig;
use crate::sign::registry::{Registry, SignerKind, Standing};
use crate::sign::{SignError, Timestamp, eligibility, layout, release_record};

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    /// Only what happened at or after this time counts (`--since`).
    pub since: Option<String>,
    /// Keys whose `valid_until` falls within this many days are listed as expiring.
    pub expiring_within_days: i64,
    pub releases: usize,
    pub signatures: Vec<SignatureCount>,
    pub failed_attempts: Vec<Attempt>,
    pub expiring: Vec<Key>,
    pub revoked: Vec<Key>,
    pub awaiting: Vec<Awaited>,
}

/// Valid signatures of one signer in one role, with the releases.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureCount {
    pub signer: String,
    pub role: String,
    pub count: usize,
    pub releases: Vec<String>,
}

/// A failed attempt or a lockout, from a release's events.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub release: String,
    pub at: String,
    pub kind: &'static str,
    pub signer: Option<String>,
    pub role: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Key {
    pub signer: String,
    pub key_id: String,
    /// `valid_until` (expiring) or the revocation's time (revoked).
    pub at: String,
    pub reason: Option<String>,
}

/// A role a release still awaits, and the enrolled people who may sign it now.
#[derive(Debug, Clone, Serialize)]
pub struct Awaited {
    pub release: String,
    pub role: String,
    pub meaning: String,
    pub needs: Vec<String>,
    pub who: Vec<String>,
}

pub fn report(
    root: &Path,
    policy: &SigningConfig,
    since: Option<Timestamp>,
    days: i64,
    now: Timestamp,
) -> Result<Compliance, SignError> {
    let (registry, _) = Registry::load(root)?;
    let after = |at: &str| since.is_none_or(|s| Timestamp::parse(at).is_some_and(|t| t.0 >= s.0));
    let mut counts: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut c = Compliance {
        since: since.map(|s| s.to_string()),
        expiring_within_days: days,
        releases: 0,
        signatures: Vec::new(),
        failed_attempts: Vec::new(),
        expiring: expiring(&registry, now, days),
        revoked: registry
            .revocation
            .iter()
            .filter(|r| after(&r.recorded_at))
            .map(|r| Key {
                signer: r.signer.to_string(),
                key_id: r.key_id.to_string(),
                at: r.at.clone(),
                reason: Some(r.reason.clone()),
            })
            .collect(),
        awaiting: Vec::new(),
    };
    for (id, dir) in release_record::release_folders(root)? {
        let (request, _) = release_record::load(&dir)?;
        c.releases += 1;
        let verdict = eligibility::gate_now(root, &dir, policy, &request, now)?;
        for s in verdict.signatures.iter().filter(|s| after(&s.record.signed_at)) {
            counts.entry((s.record.signer_id.to_string(), s.record.role.to_string())).or_default().push(id.clone());
        }
        for (_, text) in &crate::sign::audit::Trail::read(&dir)?.events {
            let Ok(e) = serde_json::from_str::<Event>(text) else { continue };
            let kind = match e.event {
                EventKind::FailedAttempt => "failed-attempt",
                EventKind::Lockout => "lockout",
                _ => continue,
            };
            if after(&e.at) {
                c.failed_attempts.push(Attempt {
                    release: id.clone(),
                    at: e.at,
                    kind,
                    signer: e.signer.map(|s| s.to_string()),
                    role: e.role.map(|r| r.to_string()),
                    detail: e.detail,
                });
            }
        }
        let archived = layout::manifest_path(root, &id).is_file();
        if !archived && after(&request.created_at) {
            c.awaiting.extend(verdict.awaiting.iter().map(|a| Awaited {
                release: id.clone(),
                role: a.role.to_string(),
                meaning: a.meaning.clone(),
                needs: a.needs.iter().map(|n| n.to_string()).collect(),
                who: eligible(&registry, a.role.as_str(), now),
            }));
        }
    }
    c.signatures = counts
        .into_iter()
        .map(|((signer, role), releases)| SignatureCount { signer, role, count: releases.len(), releases })
        .collect();
    c.failed_attempts.sort_by(|a, b| (&a.at, &a.release).cmp(&(&b.at, &b.release)));
    Ok(c)
}

/// Active human credentials whose `valid_until` is within `days` of `now`.
fn expiring(registry: &Registry, now: Timestamp, days: i64) -> Vec<Key> {
    registry
        .signer
        .iter()
        .filter(|s| registry.standing(s, &now) == Standing::Valid)
        .filter_map(|s| {
            let until = Timestamp::parse(s.valid_until.as_deref()?)?;
            (until.0 - now.0 <= days * 86_400).then(|| Key {
                signer: s.id.to_string(),
                key_id: s.key_id.to_string(),
                at: until.to_string(),
                reason: None,
            })
        })
        .collect()
}

/// The enrolled people who may sign `role` now, and the delegates who may sign it for them.
fn eligible(registry: &Registry, role: &str, now: Timestamp) -> Vec<String> {
    let mut who: Vec<String> = registry
        .signer
        .iter()
        .filter(|s| s.kind == SignerKind::Human && s.roles.iter().any(|r| r == role))
        .filter(|s| registry.standing(s, &now) == Standing::Valid)
        .map(|s| s.id.to_string())
        .collect();
    for d in registry.delegation.iter().filter(|d| d.role == role) {
        let open = Timestamp::parse(&d.from).is_some_and(|f| f.0 <= now.0)
            && Timestamp::parse(&d.until).is_some_and(|u| now.0 <= u.0);
        if open {
            who.push(format!("{} (for {})", d.delegate, d.delegator));
        }
    }
    who.dedup();
    who
}

impl Compliance {
    /// The text `signet compliance` prints.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut t = String::new();
        let since = self.since.as_deref().map_or(String::new(), |s| format!(" since {s}"));
        let _ = writeln!(t, "Compliance report: {} release(s){since}", self.releases);
        let _ = writeln!(t, "\nSignatures per signer and role:");
        for s in &self.signatures {
            let _ = writeln!(t, "  {:<16} {:<14} {:>4}  ({})", s.signer, s.role, s.count, s.releases.join(", "));
        }
        let _ = writeln!(t, "\nFailed attempts and lockouts: {}", self.failed_attempts.len());
        for a in &self.failed_attempts {
            let who = a.signer.as_deref().unwrap_or("?");
            let _ = writeln!(t, "  {} {} {} {who}: {}", a.at, a.release, a.kind, a.detail.as_deref().unwrap_or(""));
        }
        let _ = writeln!(t, "\nKeys expiring within {} days: {}", self.expiring_within_days, self.expiring.len());
        for k in &self.expiring {
            let _ = writeln!(t, "  {} {} until {}", k.signer, k.key_id, k.at);
        }
        let _ = writeln!(t, "\nRevoked keys: {}", self.revoked.len());
        for k in &self.revoked {
            let _ = writeln!(t, "  {} {} from {}: {}", k.signer, k.key_id, k.at, k.reason.as_deref().unwrap_or(""));
        }
        let _ = writeln!(t, "\nReleases awaiting signatures: {}", self.awaiting.len());
        for a in &self.awaiting {
            let needs = if a.needs.is_empty() { String::new() } else { format!(" after {}", a.needs.join(", ")) };
            let who = if a.who.is_empty() { "nobody enrolled".to_string() } else { a.who.join(", ") };
            let _ = writeln!(t, "  {} {} ({}){needs}: awaited from {who}", a.release, a.role, a.meaning);
        }
        t
    }

    pub fn html(&self) -> String {
        crate::templates::render("compliance.html", self)
    }
}
