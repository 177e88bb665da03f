//! The final gate's results, as types: the signatures that verified, the roles still awaited,
//! and every problem, each naming the signature file it concerns. The report and release-check
//! read these fields; the sentences are only how they are shown.

use serde::Serialize;

use super::record::Part11Record;
use crate::formats::ids::{ReleaseId, Role};

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedSignature {
    pub file: String,
    pub envelope_sha256: String,
    pub record: Part11Record,
    /// The timestamp authority (its name in the trust file) whose verified token gave the
    /// record's time; `None` for the signer's clock and for keyless signatures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_authority: Option<String>,
    /// The delegation a delegated signature exercises, as the registry records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegation: Option<crate::formats::registry::Delegation>,
    /// The time the signed statement itself claims (the signer's clock, as the key signed it),
    /// before any trusted time replaced it: what "signed after a withdrawal" is judged on, since a
    /// token only proves that a signature existed by its time.
    #[serde(skip)]
    pub claimed_at: String,
}

impl VerifiedSignature {
    /// The people a signature stands for: its signer, and the delegator it signs on behalf of.
    pub fn people(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.record.signer_id.as_str())
            .chain(self.record.on_behalf_of.as_ref().map(|o| o.signer_id.as_str()))
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub release: ReleaseId,
    pub bundle_sha256: String,
    pub signatures: Vec<VerifiedSignature>,
    pub awaiting: Vec<Awaiting>,
    pub problems: Vec<Problem>,
    /// Signatures their signers withdrew, with the signed withdrawal.
    pub withdrawn: Vec<Withdrawn>,
    /// Signatures made with a revoked key that a valid signature of the same role replaced.
    pub superseded: Vec<Superseded>,
    /// Key-file signatures that fail only because their key was revoked before they were made,
    /// and that nothing supersedes yet: what a replacement signature of the role supersedes.
    pub revoked: Vec<Revoked>,
}

/// A key-file signature that fails only for its key's revocation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Revoked {
    pub file: String,
    pub envelope_sha256: String,
    pub role: Role,
    pub signer_id: String,
    pub key_id: String,
    /// Why it does not count: the revocation, as the gate states it.
    pub why: String,
    /// The meaning it was signed with: a replacement of a REJECTOR signature overrules a rejection.
    pub meaning: String,
}

/// A revoked signature, and the signature that replaced it with a recorded reason.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Superseded {
    pub revoked: Revoked,
    /// The replacing signature's file.
    pub by: String,
    pub by_signer: String,
    pub reason: String,
}

/// A withdrawal that holds, and the key that signed it.
#[derive(Debug, Clone, Serialize)]
pub struct Withdrawn {
    pub file: String,
    pub key_id: String,
    pub withdrawal: crate::formats::withdrawal::Withdrawal,
}

/// One reason the final gate fails a release: which check failed, the signature file it
/// concerns (if any), and what was found. Shown (and serialised) as `<file>: <message>`, the
/// gate's sentence since v0.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub check: Check,
    pub file: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(check: Check, message: impl Into<String>) -> Problem {
        Problem { check, file: None, message: message.into() }
    }

    pub fn signature(file: &str, check: Check, message: impl Into<String>) -> Problem {
        Problem { check, file: Some(file.to_owned()), message: message.into() }
    }
}

/// The final gate's checks, in the order it makes them (docs/verification.md §2). Serialised by
/// variant name, which `docs/verification.md` and `tools/reference-verify.py` use too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Check {
    /// The bundle is the one the request (and every signature) names.
    BundleDigest,
    /// The signing policy is valid, requires at least one signature, and is the one the request was made under.
    Policy,
    /// The release folder's name is the request's release id.
    Release,
    /// An archived manifest's summary fields (release, request and bundle digests, envelope digests) agree with its content.
    Manifest,
    /// Every registry entry's key id is the SHA-256 of its public key (or of its OIDC identity).
    Registry,
    /// Keyless signatures are verified against the trusted root the request pinned.
    TrustedRoot,
    /// Every signer's enrolment is signed by the organisation's administrators (or vouched for by
    /// its trust file), and every keyless trusted root is one the trust file accepts.
    Anchor,
    /// A key-file signature: a DSSE envelope, by an enrolled key, that verifies, over a Signet statement.
    Signature,
    /// A keyless signature: the Sigstore bundle verifies offline and its certificate is the enrolled signer's.
    Keyless,
    /// The statement's subject is the release's bundle.
    Subject,
    /// The record's signer is the registry entry whose credential signed.
    Signer,
    /// Only a person signs a release.
    Person,
    /// The record names this request (release, request digest, commits).
    Request,
    /// The file name matches the record's role and signer.
    FileName,
    /// The role is required, with this meaning and its definition, and the signer is enrolled for it.
    Role,
    /// The signing time is a time, after the request and not in the future.
    Time,
    /// A key-file signature's RFC 3161 token verifies against an authority the trust file
    /// accepts, covers this signature, agrees with the signer's clock, and is present when the
    /// release requires trusted time.
    TrustedTime,
    /// The credential was enrolled, unexpired and unrevoked at the signing time.
    Standing,
    /// The prerequisite signatures the policy orders are named by digest and present.
    Order,
    /// Each role is signed once.
    OnePerRole,
    /// One person fills one role (when the policy separates duties).
    SeparationOfDuties,
    /// Nobody rejected the release.
    Rejected,
    /// The record's events are intact (each event file matches its name; a v1 chain is unbroken),
    /// belong to this request, include its creation, and log every signature.
    Audit,
    /// Every signature or rejection the events log is still in the record, unchanged.
    Deleted,
    /// No signature falls inside a lockout window the record holds for its signer.
    Lockout,
    /// A signature that supersedes another names, by digest, a signature of its own role that
    /// fails only because its key was revoked before it signed.
    Superseded,
    /// A withdrawal is signed by the signer it names, for this request, and the file it withdraws is gone.
    Withdrawn,
    /// An archival manifest already written for the release is the one its record assembles.
    Drift,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A required role with no valid signature yet, and the roles that must sign before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    pub role: Role,
    pub meaning: String,
    pub needs: Vec<Role>,
}

impl std::fmt::Display for Awaiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.role, self.meaning)?;
        if !self.needs.is_empty() {
            write!(f, " — needs {} first", self.needs.join(", "))?;
        }
        Ok(())
    }
}

/// Both serialise as the sentence they display, so `--format json` reads as it always has.
macro_rules! serialize_as_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_display!(Problem, Awaiting);

/// `--format json`: the report's fields, with each problem's sentence in `problems` (as since
/// v0.1) and, in `findings`, the check that failed and the file it concerns, for programs (the
/// reference verifier's differential tests compare these).
impl Serialize for VerifyReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Finding<'a> {
            check: Check,
            file: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            release: &'a ReleaseId,
            bundle_sha256: &'a str,
            signatures: &'a [VerifiedSignature],
            awaiting: &'a [Awaiting],
            problems: &'a [Problem],
            findings: Vec<Finding<'a>>,
            withdrawn: &'a [Withdrawn],
            superseded: &'a [Superseded],
            revoked: &'a [Revoked],
        }
        let findings = self.problems.iter().map(|p| Finding { check: p.check, file: p.file.as_deref() }).collect();
        Wire {
            release: &self.release,
            bundle_sha256: &self.bundle_sha256,
            signatures: &self.signatures,
            awaiting: &self.awaiting,
            problems: &self.problems,
            findings,
            withdrawn: &self.withdrawn,
            superseded: &self.superseded,
            revoked: &self.revoked,
        }
        .serialize(s)
    }
}

impl VerifyReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.awaiting.is_empty()
    }

    /// One line per signature, withdrawal, supersession, awaited role and problem: the
    /// verdict as `verify` prints it and the inspection package keeps it.
    pub fn lines(&self) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for s in &self.signatures {
            let r = &s.record;
            let source = match (&s.time_authority, r.time_source) {
                (Some(name), _) => format!(" [time source: timestamp authority ({name})]"),
                (None, crate::formats::statement::TimeSource::SignerClock) => String::new(),
                (None, other) => format!(" [{other}]"),
            };
            let attempts = match r.failed_attempts {
                Some(n) if n > 0 => format!(" after {n} wrong password(s)"),
                _ => String::new(),
            };
            let _ = writeln!(
                text,
                "signed   {} ({}) by {} at {}{source}{attempts}",
                r.role,
                r.meaning,
                r.who(),
                r.signed_at
            );
        }
        for w in &self.withdrawn {
            let w = &w.withdrawal;
            let _ = writeln!(
                text,
                "withdrawn {} ({}) by {} at {}: {}",
                w.role, w.withdrawn.file, w.signer_id, w.withdrawn_at, w.reason
            );
        }
        for x in &self.superseded {
            let r = &x.revoked;
            let _ = writeln!(
                text,
                "superseded {} ({}) by {}: {}; replaced by {} ({}): {}",
                r.role, r.file, r.signer_id, r.why, x.by, x.by_signer, x.reason
            );
        }
        for a in &self.awaiting {
            let _ = writeln!(text, "awaiting {a}");
        }
        for p in &self.problems {
            let _ = writeln!(text, "problem  {p}");
        }
        text
    }

    /// `PASS: release v1.4.0 — 3 signature(s) valid, 0 awaiting, 0 problem(s)`, or FAIL.
    pub fn summary(&self) -> String {
        format!(
            "{}: release {} — {} signature(s) valid, {} awaiting, {} problem(s)",
            if self.passed() { "PASS" } else { "FAIL" },
            self.release,
            self.signatures.len(),
            self.awaiting.len(),
            self.problems.len()
        )
    }
}
