//! Stage 6: the final gate. A release passes only when every required role has exactly one
//! valid signature, by distinct enrolled humans whose keys were valid when they signed, over the
//! exact bundle and request, in the policy's order (proven by digests), with an intact audit
//! trail and no rejection. The same check runs on the release folder and, years later, on the
//! assembled manifest alone. A signature is a DSSE envelope made with an enrolled key
//! (`*.dsse.json`) or a Sigstore bundle made with an enrolled OIDC identity (`*.sigstore.json`,
//! checked in `sign::sigstore`); both carry the same statement and pass the same policy checks.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::dsse::{self, Envelope, Statement, Subject};
use super::keys;
use super::meaning::REJECTOR;
use super::policy::SigningConfig;
use super::record::{self, KEYLESS_SUFFIX, PREDICATE_TYPE, Part11Record, STATEMENT_TYPE};
use super::registry::{Registry, Revocation, Signer, Standing};
use super::request::{self, Request};
use super::{SignError, Timestamp, audit, sigstore};
use crate::fsx::read::{MAX_RECORD_BYTES, read_text};

pub const MANIFEST_SCHEMA: &str = "signet.manifest/v1";

/// Everything a verification needs, read from the release folder or from a manifest.
#[derive(Debug, Clone)]
pub struct ReleaseRecord {
    pub request_text: String,
    /// (file name, exact text), sorted by name.
    pub envelopes: Vec<(String, String)>,
    pub registry: Registry,
    pub policy: SigningConfig,
    pub audit_text: String,
    /// The Sigstore trusted root (exact text) keyless signatures are verified against: the
    /// pinned `signatures/trusted_root.json`, or the copy embedded in a manifest. Read only when
    /// the release has keyless signatures.
    pub trusted_root: Option<String>,
    /// The digest an archived manifest recorded for its embedded trusted root (None from a folder).
    pub trusted_root_sha256: Option<String>,
}

/// The assembled, self-contained archival record: `signatures/release-<ID>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema: String,
    pub release: String,
    pub request_sha256: String,
    pub request: String,
    pub envelopes: Vec<ManifestEnvelope>,
    pub signers: Vec<Signer>,
    pub revocations: Vec<Revocation>,
    pub policy: SigningConfig,
    pub audit: String,
    pub bundle_sha256: String,
    pub generated_by: String,
    /// `sha256:` of `trusted_root`; both present only when the release has keyless signatures,
    /// absent from every manifest written before keyless signing existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_sha256: Option<String>,
    /// The exact Sigstore trusted root the keyless signatures were verified against, so the
    /// manifest re-verifies them alone, years later, without the repository or the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEnvelope {
    pub file: String,
    pub sha256: String,
    pub envelope: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedSignature {
    pub file: String,
    pub envelope_sha256: String,
    pub record: Part11Record,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub release: String,
    pub bundle_sha256: String,
    pub signatures: Vec<VerifiedSignature>,
    /// `RELEASE (APPROVER) — needs QA, ENGINEERING first`.
    pub awaiting: Vec<String>,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.awaiting.is_empty()
    }
}

impl ReleaseRecord {
    pub fn from_folder(root: &Path, dir: &Path, policy: &SigningConfig) -> Result<ReleaseRecord, SignError> {
        let read = |p: &Path| read_text(p, MAX_RECORD_BYTES).map_err(|e| SignError::input(p, e));
        let mut envelopes = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| SignError::input(dir, e))? {
            let entry = entry.map_err(|e| SignError::input(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if record::is_signature_file(&name) {
                envelopes.push((name, read(&entry.path())?));
            }
        }
        envelopes.sort();
        let keyless = envelopes.iter().any(|(f, _)| f.ends_with(KEYLESS_SUFFIX));
        Ok(ReleaseRecord {
            request_text: read(&dir.join(request::FILE))?,
            envelopes,
            registry: Registry::load(root)?.0,
            policy: policy.clone(),
            audit_text: read(&dir.join(audit::FILE))?,
            trusted_root: if keyless { Some(sigstore::read_pinned_root(root)?) } else { None },
            trusted_root_sha256: None,
        })
    }

    pub fn from_manifest(path: &Path) -> Result<(ReleaseRecord, Manifest), SignError> {
        let text = read_text(path, MAX_RECORD_BYTES).map_err(|e| SignError::input(path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| SignError::input(path, e))?;
        if m.schema != MANIFEST_SCHEMA {
            return Err(SignError::input(path, format!("schema `{}` is not {MANIFEST_SCHEMA}", m.schema)));
        }
        if m.trusted_root.is_none() && m.envelopes.iter().any(|e| e.file.ends_with(KEYLESS_SUFFIX)) {
            return Err(SignError::input(
                path,
                "holds keyless signatures (*.sigstore.json) but no embedded trusted_root to verify them against",
            ));
        }
        let record = ReleaseRecord {
            request_text: m.request.clone(),
            envelopes: m.envelopes.iter().map(|e| (e.file.clone(), e.envelope.clone())).collect(),
            registry: Registry { signer: m.signers.clone(), revocation: m.revocations.clone() },
            policy: m.policy.clone(),
            audit_text: m.audit.clone(),
            trusted_root: m.trusted_root.clone(),
            trusted_root_sha256: m.trusted_root_sha256.clone(),
        };
        Ok((record, m))
    }

    /// The manifest for archival: only the registry entries and revocations this release used.
    pub fn manifest(&self, report: &VerifyReport) -> Manifest {
        let used: Vec<&str> = report.signatures.iter().map(|s| s.record.key_id.as_str()).collect();
        Manifest {
            schema: MANIFEST_SCHEMA.into(),
            release: report.release.clone(),
            request_sha256: sha(self.request_text.as_bytes()),
            request: self.request_text.clone(),
            envelopes: self
                .envelopes
                .iter()
                .map(|(f, t)| ManifestEnvelope { file: f.clone(), sha256: sha(t.as_bytes()), envelope: t.clone() })
                .collect(),
            signers: self.registry.signer.iter().filter(|s| used.contains(&s.key_id.as_str())).cloned().collect(),
            revocations: self
                .registry
                .revocation
                .iter()
                .filter(|r| used.contains(&r.key_id.as_str()))
                .cloned()
                .collect(),
            policy: self.policy.clone(),
            audit: self.audit_text.clone(),
            bundle_sha256: report.bundle_sha256.clone(),
            generated_by: format!("signet {}", env!("CARGO_PKG_VERSION")),
            trusted_root_sha256: self.trusted_root.as_ref().map(|t| sha(t.as_bytes())),
            trusted_root: self.trusted_root.clone(),
        }
    }
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    crate::digest::tagged(bytes)
}

/// The final gate over one release record and the bundle's recomputed digest.
pub fn verify(rec: &ReleaseRecord, bundle_sha256: &str, now: Timestamp) -> Result<VerifyReport, SignError> {
    let request: Request = serde_json::from_str(&rec.request_text)
        .map_err(|e| SignError::input(request::FILE, format!("not a Signet request: {e}")))?;
    let request_sha = sha(rec.request_text.as_bytes());
    let mut problems = Vec::new();
    if request.bundle.sha256 != bundle_sha256 {
        problems.push(format!(
            "bundle sha256 is {bundle_sha256}, but the request (and every signature) is for {} — this is not the signed bundle",
            request.bundle.sha256
        ));
    }
    check_policy_matches(&request, &rec.policy, &mut problems);
    let root_ok = sigstore::check_root(rec, &request, &mut problems)?;
    let mut signatures = Vec::new();
    for (file, text) in &rec.envelopes {
        match check_signature(rec, &request, &request_sha, file, text, now, root_ok) {
            Ok(sig) => signatures.push(sig),
            Err(mut p) => problems.append(&mut p),
        }
    }
    check_set(&request, &signatures, &mut problems);
    check_audit(rec, &request, &request_sha, &signatures, &mut problems);
    let awaiting = awaiting(&request, &signatures);
    Ok(VerifyReport { release: request.release, bundle_sha256: bundle_sha256.into(), signatures, awaiting, problems })
}

fn check_policy_matches(request: &Request, policy: &SigningConfig, problems: &mut Vec<String>) {
    let now: Vec<(&str, &str, &[String])> =
        policy.required.iter().map(|r| (r.role.as_str(), r.meaning.as_str(), r.after.as_slice())).collect();
    let then: Vec<(&str, &str, &[String])> =
        request.required.iter().map(|r| (r.role.as_str(), r.meaning.as_str(), r.after.as_slice())).collect();
    if now != then || request.separation_of_duties != policy.separation_of_duties {
        problems.push("the signing policy differs from the one the request was made under; make a new request".into());
    }
}

/// One signature file of either kind, everything but what concerns the set of signatures.
pub(crate) fn check_signature(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    file: &str,
    text: &str,
    now: Timestamp,
    root_ok: bool,
) -> Result<VerifiedSignature, Vec<String>> {
    if !file.ends_with(KEYLESS_SUFFIX) {
        return check_envelope(rec, request, request_sha, file, text, now);
    }
    if !root_ok {
        return Err(vec![format!("{file}: not verified: the trusted root is not the one this release pinned")]);
    }
    sigstore::check(rec, request, request_sha, file, text, now)
}

/// One envelope: signature, signer, key standing, subject, record fields, time, order.
fn check_envelope(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    file: &str,
    text: &str,
    now: Timestamp,
) -> Result<VerifiedSignature, Vec<String>> {
    let fail = |m: String| vec![format!("{file}: {m}")];
    let env: Envelope = serde_json::from_str(text).map_err(|e| fail(format!("not a DSSE envelope ({e})")))?;
    let keyid = env.signatures.first().map(|s| s.keyid.clone()).unwrap_or_default();
    let signer =
        rec.registry.by_key(&keyid).ok_or_else(|| fail(format!("signed by key {keyid}, which is not enrolled")))?;
    if signer.public_key.is_empty() {
        return Err(fail(format!(
            "names {keyid}, but `{}` is enrolled there for keyless signing only (no public key)",
            signer.id
        )));
    }
    let key = keys::parse_public_pem(&signer.public_key)
        .map_err(|e| fail(format!("registry key of `{}`: {e}", signer.id)))?;
    let payload = dsse::verify(&env, &key, &keyid).map_err(|e| fail(format!("signature does not verify: {e}")))?;
    let statement: Statement<Part11Record> =
        serde_json::from_slice(&payload).map_err(|e| fail(format!("payload is not a Part 11 statement ({e})")))?;
    let r = &statement.predicate;
    let mut p = Vec::new();
    if statement.type_ != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        p.push(format!(
            "{file}: statement type {} / predicate type {} are not Signet's",
            statement.type_, statement.predicate_type
        ));
    }
    let expected_file = record::file_name(&r.role, &r.signer_id);
    let signed = Signed { file, signer, key_id: &keyid, subject: &statement.subject, record: r, expected_file };
    check_signed(rec, request, request_sha, &signed, now, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    Ok(VerifiedSignature { file: file.into(), envelope_sha256: sha(text.as_bytes()), record: r.clone() })
}

/// A signature whose cryptography verified, as both kinds present it to the policy checks.
pub(crate) struct Signed<'a> {
    pub file: &'a str,
    /// The registry entry whose credential made the signature.
    pub signer: &'a Signer,
    /// The credential's id, as the signature names it.
    pub key_id: &'a str,
    pub subject: &'a [Subject],
    /// The record as the gate reads it (for a keyless signature, with the verified time).
    pub record: &'a Part11Record,
    /// The file name the record's role and signer give.
    pub expected_file: String,
}

/// Subject, signer, request binding, file name, role, time and order: the same for both kinds.
pub(crate) fn check_signed(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    s: &Signed<'_>,
    now: Timestamp,
    p: &mut Vec<String>,
) {
    let (file, signer, keyid, r) = (s.file, s.signer, s.key_id, s.record);
    let mut bad = |m: String| p.push(format!("{file}: {m}"));
    let subject_ok = s.subject.len() == 1
        && s.subject[0].name == request.bundle.name
        && s.subject[0].digest.get("sha256") == Some(&request.bundle.sha256);
    if !subject_ok {
        bad("subject is not this release's bundle (name and sha256 from the request)".into());
    }
    if r.signer_id != signer.id || r.printed_name != signer.name || r.email != signer.email || r.key_id != keyid {
        bad(format!(
            "signer identity in the record does not match the registry entry of key {keyid} (`{}`)",
            signer.id
        ));
    }
    if signer.kind != "human" {
        bad(format!("`{}` is a {} key: only a person can sign a release", signer.id, signer.kind));
    }
    if r.release != request.release || r.request_sha256 != request_sha || r.commits != request.commits {
        bad("signed a different request (release, request digest or commits differ): the request was edited after signing, or the signature was copied from another release".into());
    }
    if file != s.expected_file {
        bad(format!("file name does not match its role `{}` and signer `{}` (moved or copied?)", r.role, r.signer_id));
    }
    check_role(rec, request, signer, r, &mut bad);
    check_time(rec, request, signer, r, now, &mut bad);
    check_prerequisites(rec, request, r, &mut bad);
}

fn check_role(rec: &ReleaseRecord, request: &Request, signer: &Signer, r: &Part11Record, bad: &mut impl FnMut(String)) {
    match request.required.iter().find(|q| q.role == r.role) {
        None => bad(format!("role `{}` is not required for this release", r.role)),
        Some(q) if r.meaning != q.meaning && r.meaning != REJECTOR => {
            bad(format!("meaning {} where the policy requires {} for {}", r.meaning, q.meaning, r.role))
        }
        Some(_) if r.meaning_text != rec.policy.meaning_text(&r.meaning) => {
            bad(format!("the meaning text shown to the signer is not the definition of {}", r.meaning))
        }
        Some(_) => {}
    }
    if !signer.roles.contains(&r.role) {
        bad(format!("`{}` is not enrolled for role {}", signer.id, r.role));
    }
}

fn check_time(
    rec: &ReleaseRecord,
    request: &Request,
    signer: &Signer,
    r: &Part11Record,
    now: Timestamp,
    bad: &mut impl FnMut(String),
) {
    let Some(at) = Timestamp::parse(&r.signed_at) else {
        return bad(format!("signed_at `{}` is not an RFC 3339 UTC time", r.signed_at));
    };
    match Timestamp::parse(&request.created_at) {
        Some(created) if at < created => bad(format!(
            "signed at {} — before the request existed ({}); a signature cannot predate what it signs",
            r.signed_at, request.created_at
        )),
        None => bad(format!("request created_at `{}` is not a time", request.created_at)),
        _ => {}
    }
    if at > now {
        bad(format!("signed at {}, which is in the future", r.signed_at));
    }
    match rec.registry.standing(signer, &at) {
        Standing::Valid => {}
        Standing::Revoked { at: when, reason } => {
            bad(format!("key of `{}` was revoked at {when} ({reason}), before this signature", signer.id))
        }
        Standing::Expired { until } => bad(format!("key of `{}` expired at {until}, before this signature", signer.id)),
        Standing::NotYetEnrolled { enrolled_at } => {
            bad(format!("key of `{}` was enrolled only at {enrolled_at}, after this signature", signer.id))
        }
    }
}

/// The prerequisite digests in the record must name the signatures actually present.
fn check_prerequisites(rec: &ReleaseRecord, request: &Request, r: &Part11Record, bad: &mut impl FnMut(String)) {
    let after = request.required.iter().find(|q| q.role == r.role).map(|q| q.after.clone()).unwrap_or_default();
    let mut named: Vec<&str> = r.prerequisites.iter().map(|p| p.role.as_str()).collect();
    named.sort_unstable();
    let mut wanted: Vec<&str> = after.iter().map(String::as_str).collect();
    wanted.sort_unstable();
    if named != wanted {
        bad(format!("names prerequisites [{}] where the policy requires [{}]", named.join(", "), wanted.join(", ")));
    }
    for pre in &r.prerequisites {
        // Either kind of signature may be the prerequisite; its digest says which one.
        let files =
            [record::file_name(&pre.role, &pre.signer_id), record::keyless_file_name(&pre.role, &pre.signer_id)];
        let present: Vec<&str> =
            rec.envelopes.iter().filter(|(f, _)| files.contains(f)).map(|(_, t)| t.as_str()).collect();
        if present.is_empty() {
            bad(format!("prerequisite {} by `{}` is not present", pre.role, pre.signer_id));
        } else if !present.iter().any(|t| sha(t.as_bytes()) == pre.envelope_sha256) {
            bad(format!(
                "prerequisite {} by `{}` has changed since this signature was made (digest mismatch)",
                pre.role, pre.signer_id
            ));
        }
    }
}

/// Across signatures: one per role, distinct people, no rejection.
fn check_set(request: &Request, sigs: &[VerifiedSignature], problems: &mut Vec<String>) {
    let mut by_role: BTreeMap<&str, Vec<&VerifiedSignature>> = BTreeMap::new();
    for s in sigs {
        by_role.entry(s.record.role.as_str()).or_default().push(s);
    }
    for (role, list) in &by_role {
        if list.len() > 1 {
            let who: Vec<&str> = list.iter().map(|s| s.record.signer_id.as_str()).collect();
            problems.push(format!(
                "role {role} is signed {} times ({}); each role is signed once",
                list.len(),
                who.join(", ")
            ));
        }
    }
    if request.separation_of_duties {
        let mut roles_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for s in sigs {
            roles_of.entry(s.record.signer_id.as_str()).or_default().push(s.record.role.as_str());
        }
        for (who, roles) in roles_of.iter().filter(|(_, r)| r.len() > 1) {
            problems.push(format!(
                "`{who}` signed {} roles ({}); separation of duties requires distinct people",
                roles.len(),
                roles.join(", ")
            ));
        }
    }
    for s in sigs.iter().filter(|s| s.record.meaning == REJECTOR) {
        problems.push(format!(
            "REJECTED by {} ({}) as {} at {}: {}",
            s.record.printed_name,
            s.record.signer_id,
            s.record.role,
            s.record.signed_at,
            s.record.reason.as_deref().unwrap_or("no reason given")
        ));
    }
}

/// The audit chain is intact, opens with this request, and records every signature present.
fn check_audit(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    sigs: &[VerifiedSignature],
    problems: &mut Vec<String>,
) {
    let events = match audit::verify(&rec.audit_text, &request.release) {
        Ok(events) => events,
        Err(mut p) => return problems.append(&mut p),
    };
    let opened = events
        .first()
        .is_some_and(|e| e.event == "request-created" && e.detail.as_deref().is_some_and(|d| d.contains(request_sha)));
    if !opened {
        problems.push("audit.jsonl does not open with the creation of this request (request replaced?)".into());
    }
    for s in sigs {
        let logged = events.iter().any(|e| {
            e.event == "signature-created" && e.detail.as_deref().is_some_and(|d| d.contains(&s.envelope_sha256))
        });
        if !logged {
            let hint = if s.file.ends_with(KEYLESS_SUFFIX) {
                " (add a keyless signature with `signet sign --release … --keyless-bundle FILE`, which logs it)"
            } else {
                ""
            };
            problems.push(format!("{}: no signature-created event in audit.jsonl for this envelope{hint}", s.file));
        }
    }
}

fn awaiting(request: &Request, sigs: &[VerifiedSignature]) -> Vec<String> {
    let signed: Vec<&str> = sigs.iter().map(|s| s.record.role.as_str()).collect();
    request
        .required
        .iter()
        .filter(|q| !signed.contains(&q.role.as_str()))
        .map(|q| {
            let before: Vec<&str> = q.after.iter().map(String::as_str).filter(|a| !signed.contains(a)).collect();
            if before.is_empty() {
                format!("{} ({})", q.role, q.meaning)
            } else {
                format!("{} ({}) — needs {} first", q.role, q.meaning, before.join(", "))
            }
        })
        .collect()
}
