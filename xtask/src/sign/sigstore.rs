//! Keyless signatures in the signing flow: a signer enrolled with an OIDC identity signs the same
//! Part 11 statement as a key-file signature with Sigstore (`cosign attest-blob`), and the
//! resulting bundle, `signatures/<ID>/<ROLE>--<signer>.sigstore.json`, is one signature.
//!
//! - `signet sign --keyless-predicate` writes the exact predicate to sign (no key, no password),
//!   after the same checks the ceremony makes before it asks for a password;
//! - `signet sign --keyless-bundle FILE` verifies the bundle cosign wrote, copies it into the
//!   release folder byte for byte and appends its `signature-created` audit event;
//! - `verify` checks each bundle offline against the trusted root the request pinned: certificate
//!   chain, SCT, transparency-log proof or RFC 3161 timestamp, the certificate valid at that
//!   verified time, the DSSE signature (all by `crate::keyless`); then the certificate's identity
//!   and issuer must be those of the enrolled signer the record names, and the record must pass
//!   the same policy checks as any other signature.
//!
//! Time: the record's `signed_at` becomes the verified time (transparency log or timestamp
//! authority), and `time_source` says which. The predicate carries the signer's clock at the
//! moment it was prepared (`time_source: signer-clock`); it must lie within
//! [`MAX_PREPARE_SECS`] before and [`CLOCK_SKEW_SECS`] after the verified time.

use std::path::{Path, PathBuf};

use super::dsse::Statement;
use super::meaning::{self, REJECTOR};
use super::policy::SigningConfig;
use super::record::{
    self, KEYLESS_SUFFIX, PREDICATE_TYPE, Part11Record, SIGNER_CLOCK, STATEMENT_TYPE, STATEMENT_TYPE_V01,
};
use super::registry::{Registry, Signer};
use super::request::{self, Request};
use super::verify::{self, ReleaseRecord, Signed, VerifiedSignature, sha};
use super::{SignError, Timestamp, audit, ceremony};
use crate::digest::Digest;
use crate::fsx::atomic;
use crate::keyless::{self, Artifact, Expect};
use crate::output::json;

/// The pinned Sigstore trusted root, in the regulated repository (CODEOWNERS-protected).
pub const TRUSTED_ROOT: &str = "signatures/trusted_root.json";

/// How far the predicate's `signed_at` (the signer's clock) may lie after the verified time.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;
/// How long before the verified time the predicate may have been prepared.
pub const MAX_PREPARE_SECS: i64 = 24 * 60 * 60;

/// `sha256:` of the pinned trusted root, or `None` when the repository has none. A root that is
/// there but unusable is bad input: better refused when the request is made than at the gate.
pub fn pinned_root_digest(root: &Path) -> Result<Option<String>, SignError> {
    let path = root.join(TRUSTED_ROOT);
    match std::fs::read(&path) {
        Ok(bytes) => {
            keyless::check_trusted_root(&bytes).map_err(|e| SignError::input(&path, e))?;
            Ok(Some(sha(&bytes)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SignError::input(&path, e)),
    }
}

/// The pinned trusted root's exact text, which keyless signatures need.
pub fn read_pinned_root(root: &Path) -> Result<String, SignError> {
    let path = root.join(TRUSTED_ROOT);
    std::fs::read_to_string(&path).map_err(|e| {
        SignError::input(
            &path,
            format!(
                "{e}; keyless signatures (*.sigstore.json) are verified only against this pinned Sigstore trusted root"
            ),
        )
    })
}

/// The trusted root must be the one the request pinned (and, in a manifest, the one it recorded).
/// Returns whether keyless signatures may be verified against it; problems are the gate's.
pub(crate) fn check_root(
    rec: &ReleaseRecord,
    request: &Request,
    problems: &mut Vec<String>,
) -> Result<bool, SignError> {
    if !rec.envelopes.iter().any(|(f, _)| f.ends_with(KEYLESS_SUFFIX)) {
        return Ok(true);
    }
    let Some(root) = &rec.trusted_root else {
        problems.push("keyless signatures are present, but there is no trusted root to verify them against".into());
        return Ok(false);
    };
    let found = root_problems(root, rec.trusted_root_sha256.as_deref(), request);
    if !found.is_empty() {
        problems.extend(found);
        return Ok(false);
    }
    keyless::check_trusted_root(root.as_bytes()).map_err(|e| SignError::input(TRUSTED_ROOT, e))?;
    Ok(true)
}

fn root_problems(root: &str, recorded: Option<&str>, request: &Request) -> Vec<String> {
    let actual = sha(root.as_bytes());
    let mut problems = Vec::new();
    if let Some(recorded) = recorded
        && recorded != actual
    {
        problems.push(format!(
            "the trusted root in the manifest has digest {actual}, but the manifest records {recorded}: \
             the trusted root was swapped after the manifest was written"
        ));
    }
    match &request.trusted_root_sha256 {
        None => problems.push(format!(
            "the request pins no Sigstore trusted root ({TRUSTED_ROOT} was absent when it was made), so keyless \
             signatures cannot be bound to the root their signers relied on; make a new request with the trusted \
             root in place"
        )),
        Some(pinned) if *pinned != actual => problems.push(format!(
            "the trusted root ({actual}) is not the one the request pinned ({pinned}): the trusted root was swapped \
             after the request; keyless signatures are verified only against the pinned root"
        )),
        Some(_) => {}
    }
    problems
}

/// One keyless signature: the bundle verifies offline, its certificate is an enrolled signer's,
/// and its statement passes the same checks as a key-file signature's.
pub(crate) fn check(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    file: &str,
    text: &str,
    now: Timestamp,
) -> Result<VerifiedSignature, Vec<String>> {
    let fail = |m: String| vec![format!("{file}: {m}")];
    let root = rec.trusted_root.as_deref().ok_or_else(|| fail("no trusted root to verify it against".into()))?;
    // The claimed subject digest, read before verification only to verify against it; the
    // subject is compared with the request's bundle after everything verified.
    let peek = keyless::dsse_payload(text.as_bytes()).map_err(|e| fail(e.to_string()))?;
    let claimed: Statement<serde_json::Value> =
        serde_json::from_slice(&peek).map_err(|e| fail(format!("payload is not an in-toto statement ({e})")))?;
    let digest = claimed
        .subject
        .first()
        .and_then(|s| s.digest.get("sha256"))
        .and_then(|h| Digest::parse_hex(h))
        .ok_or_else(|| fail("the statement's subject has no sha256 digest".into()))?;
    let v =
        keyless::verify_bundle(text.as_bytes(), Artifact::Sha256(digest.0), &Expect::AnyCertificate, root.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
    let (Some(identity), Some(issuer)) = (&v.identity, &v.issuer) else {
        return Err(fail("has no signing certificate: a keyless signature carries the signer's certificate".into()));
    };
    let payload = v.payload.as_deref().ok_or_else(|| fail("holds no DSSE attestation".into()))?;
    let statement: Statement<Part11Record> =
        serde_json::from_slice(payload).map_err(|e| fail(format!("payload is not a Part 11 statement ({e})")))?;
    let r = &statement.predicate;
    let signer = enrolled_signer(&rec.registry, identity, issuer, r).map_err(fail)?;
    let at = Timestamp::parse(&v.signed_at)
        .ok_or_else(|| fail(format!("the verified signing time `{}` is not a time", v.signed_at)))?;

    let mut p = Vec::new();
    if ![STATEMENT_TYPE, STATEMENT_TYPE_V01].contains(&statement.type_.as_str())
        || statement.predicate_type != PREDICATE_TYPE
    {
        p.push(format!(
            "{file}: statement type {} / predicate type {} are not Signet's (cosign attest-blob --type {PREDICATE_TYPE})",
            statement.type_, statement.predicate_type
        ));
    }
    if let Some(m) = claimed_time_problem(r, at, &v.time_source) {
        p.push(format!("{file}: {m}"));
    }
    let verified = Part11Record { signed_at: at.to_string(), time_source: v.time_source.clone(), ..r.clone() };
    let expected_file = record::keyless_file_name(&r.role, &r.signer_id);
    let signed =
        Signed { file, signer, key_id: &signer.key_id, subject: &statement.subject, record: &verified, expected_file };
    verify::check_signed(rec, request, request_sha, &signed, now, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    Ok(VerifiedSignature { file: file.into(), envelope_sha256: sha(text.as_bytes()), record: verified })
}

/// The registry entry the record names, which must have enrolled exactly this certificate
/// identity with exactly this issuer.
fn enrolled_signer<'a>(
    registry: &'a Registry,
    identity: &str,
    issuer: &str,
    r: &Part11Record,
) -> Result<&'a Signer, String> {
    let same_identity: Vec<&Signer> = registry.by_identity(identity).collect();
    if same_identity.is_empty() {
        return Err(format!(
            "signed by {identity} (issuer {issuer}), an identity that is not enrolled in the signer registry"
        ));
    }
    let enrolled: Vec<&Signer> =
        same_identity.iter().copied().filter(|s| s.issuer.as_deref() == Some(issuer)).collect();
    let Some(last) = enrolled.last() else {
        let mut known: Vec<&str> = same_identity.iter().filter_map(|s| s.issuer.as_deref()).collect();
        known.dedup();
        return Err(format!(
            "the certificate for {identity} was issued on the word of {issuer}, but {identity} is enrolled with \
             issuer {}: no other identity provider may vouch for this signer",
            known.join(", ")
        ));
    };
    if let Some(s) = enrolled.iter().copied().find(|s| s.key_id == r.key_id && s.id == r.signer_id) {
        return Ok(s);
    }
    if enrolled.iter().any(|s| s.id == r.signer_id) {
        return Err(format!(
            "the record names registry entry {}, which is not an enrolment of {identity} ({issuer})",
            r.key_id
        ));
    }
    Err(format!(
        "the record names `{}`, but the certificate is {identity}, enrolled as `{}`: nobody signs in another's name",
        r.signer_id, last.id
    ))
}

/// The predicate's own time is the signer's clock when it was prepared: it must say so, and lie
/// within the tolerances around the verified time.
fn claimed_time_problem(r: &Part11Record, at: Timestamp, source: &str) -> Option<String> {
    if r.time_source != SIGNER_CLOCK {
        return Some(format!(
            "the predicate's time_source is `{}`; a keyless predicate records the signer's clock (`{SIGNER_CLOCK}`) \
             and the signing time comes from the bundle ({source})",
            r.time_source
        ));
    }
    let Some(claimed) = Timestamp::parse(&r.signed_at) else {
        return Some(format!("the predicate's signed_at `{}` is not an RFC 3339 UTC time", r.signed_at));
    };
    if claimed.0 > at.0 + CLOCK_SKEW_SECS {
        return Some(format!(
            "the predicate was prepared at {claimed}, after the verified signing time {at} ({source}) by more than \
             the {} minutes of clock skew allowed",
            CLOCK_SKEW_SECS / 60
        ));
    }
    if at.0 - claimed.0 > MAX_PREPARE_SECS {
        return Some(format!(
            "the predicate was prepared at {claimed}, more than {} hours before it was signed at {at} ({source}); \
             prepare a fresh one with `signet sign --keyless-predicate`",
            MAX_PREPARE_SECS / 3600
        ));
    }
    None
}

#[derive(Debug, Clone)]
pub struct PredicateOptions {
    pub root: PathBuf,
    pub release: String,
    pub role: String,
    pub signer: String,
    /// The bundle, to recompute its hash first (default: the request's file name, if present).
    pub bundle: Option<PathBuf>,
    pub reject: bool,
    pub reason: Option<String>,
    /// Where to write the predicate.
    pub out: PathBuf,
}

/// What a signer needs to sign keylessly.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub record: Part11Record,
    pub path: PathBuf,
    /// The enrolled identity cosign must log in as, and its issuer.
    pub identity: String,
    pub issuer: String,
    /// What the signer is about to sign, in words (release, bundle, role, meaning and its text).
    pub summary: String,
    /// The exact cosign command, then the import command.
    pub commands: Vec<String>,
}

/// `signet sign --keyless-predicate`: every check the ceremony makes before asking for a
/// password, then the predicate (the Part 11 record) written to `opts.out`.
pub fn prepare(opts: &PredicateOptions, policy: &SigningConfig) -> Result<Prepared, SignError> {
    policy.validate()?;
    let dir = request::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = request::load(&dir)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let now = Timestamp::now();
    let signer = registry.active(&opts.signer, &now).cloned().ok_or_else(|| {
        SignError::Refused(format!("`{}` has no active enrolment in {}", opts.signer, super::registry::PATH))
    })?;
    let (Some(identity), Some(issuer)) = (signer.identity.clone(), signer.issuer.clone()) else {
        return Err(SignError::Refused(format!(
            "`{}` has no enrolled OIDC identity: keyless signing needs `signet enroll … --identity … --issuer …` \
             (or sign with the key: signet sign --key …)",
            signer.id
        )));
    };
    if request.trusted_root_sha256.is_none() {
        return Err(SignError::Refused(root_problems("", None, &request).join("; ")));
    }
    let sign_opts = ceremony::SignOptions {
        root: opts.root.clone(),
        release: opts.release.clone(),
        role: opts.role.clone(),
        key: PathBuf::new(),
        signer: Some(signer.id.clone()),
        bundle: opts.bundle.clone(),
        reject: opts.reject,
    };
    let present = ceremony::check_may_sign(&sign_opts, policy, &request, &registry, &signer, &dir, now)?;
    let bundle_note = check_bundle(opts.bundle.as_deref(), &request)?;
    let meaning = if opts.reject { REJECTOR.to_string() } else { ceremony::required_meaning(&request, &opts.role)? };
    let reason = opts.reason.clone().filter(|r| !r.trim().is_empty());
    if opts.reject && reason.is_none() {
        return Err(SignError::Refused("a rejection needs a reason: --reason \"…\"; nothing was prepared".into()));
    }
    let record = Part11Record {
        signer_id: signer.id.clone(),
        printed_name: signer.name.clone(),
        email: signer.email.clone(),
        key_id: signer.key_id.clone(),
        role: opts.role.clone(),
        meaning_text: policy.meaning_text(&meaning).to_string(),
        meaning,
        reason,
        signed_at: now.to_string(),
        time_source: SIGNER_CLOCK.into(),
        release: request.release.clone(),
        commits: request.commits.clone(),
        request_sha256: request_sha,
        prerequisites: ceremony::prerequisites(&request, &opts.role, &present),
        tool: format!("signet {}", env!("CARGO_PKG_VERSION")),
    };
    atomic::ensure_parent(&opts.out)
        .and_then(|()| atomic::write(&opts.out, json::to_string(&record).as_bytes()).map(|_| ()))
        .map_err(|source| SignError::Write { path: opts.out.clone(), source })?;

    let bundle_arg = opts.bundle.as_ref().map_or_else(|| request.bundle.name.clone(), |b| b.display().to_string());
    let out_name = record::keyless_file_name(&record.role, &record.signer_id);
    let commands = vec![
        format!(
            "cosign attest-blob --new-bundle-format --type {PREDICATE_TYPE} --predicate {} --bundle {out_name} {bundle_arg}",
            opts.out.display()
        ),
        format!("signet sign --release {} --keyless-bundle {out_name}", request.release),
    ];
    let mut summary = String::from("=== Electronic signature (21 CFR Part 11), keyless ===\n");
    summary.push_str(&format!("Release:        {}\n", request.release));
    summary.push_str(&format!("Bundle:         {} ({} bytes)\n", request.bundle.name, request.bundle.size));
    summary.push_str(&format!("Bundle sha256:  {}\n", request.bundle.sha256));
    summary.push_str(&format!("{bundle_note}\n"));
    summary.push_str(&format!("Commit(s):      {}\n", request.commits.join(", ")));
    summary.push_str(&format!("Signer:         {} <{}> ({})\n", signer.name, signer.email, signer.id));
    summary.push_str(&format!("Identity:       {identity}, as vouched for by {issuer}\n"));
    summary.push_str(&format!("Role:           {}\n", record.role));
    summary.push_str(&format!(
        "Meaning:        {}\n  {}\n",
        record.meaning,
        meaning::definition(&record.meaning, &policy.meanings).unwrap_or("")
    ));
    for s in &present {
        let r = &s.record;
        summary
            .push_str(&format!("Present:        {} — {} ({}) at {}\n", r.role, r.printed_name, r.meaning, r.signed_at));
    }
    Ok(Prepared { record, path: opts.out.clone(), identity, issuer, summary, commands })
}

fn check_bundle(bundle: Option<&Path>, request: &Request) -> Result<String, SignError> {
    let candidate =
        bundle.map(Path::to_path_buf).or_else(|| Some(PathBuf::from(&request.bundle.name)).filter(|p| p.exists()));
    let Some(path) = candidate else {
        return Ok(
            "Note: the bundle is not at hand; the statement will name the digest recorded in the request.".into()
        );
    };
    let (digest, _) = request::file_digest(&path)?;
    if digest.trim_start_matches("sha256:") != request.bundle.sha256 {
        return Err(SignError::Refused(format!(
            "{} has sha256 {digest}, but the request is for {}: this is not the bundle to sign",
            path.display(),
            request.bundle.sha256
        )));
    }
    if path.file_name().and_then(|n| n.to_str()) != Some(request.bundle.name.as_str()) {
        return Err(SignError::Refused(format!(
            "{} is the right bundle under another name: cosign names the subject after the file, and the request \
             calls it {}; use a file of that name",
            path.display(),
            request.bundle.name
        )));
    }
    Ok(format!("Bundle {} recomputed: sha256 matches the request.", path.display()))
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub root: PathBuf,
    pub release: String,
    pub bundle: PathBuf,
    /// When given, the signature must be for this role.
    pub role: Option<String>,
}

/// `signet sign --keyless-bundle FILE`: verifies the Sigstore bundle as `verify` would, refuses
/// what the ceremony would refuse (a role already signed, a second role for one person), then
/// copies it byte for byte to `signatures/<ID>/<ROLE>--<signer>.sigstore.json` and appends its
/// `signature-created` event to the audit trail.
pub fn import(opts: &ImportOptions, policy: &SigningConfig) -> Result<(PathBuf, VerifiedSignature), SignError> {
    policy.validate()?;
    let dir = request::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = request::load(&dir)?;
    let text = std::fs::read_to_string(&opts.bundle).map_err(|e| SignError::input(&opts.bundle, e))?;
    let mut rec = ReleaseRecord::from_folder(&opts.root, &dir, policy)?;
    let root = match rec.trusted_root.take() {
        Some(root) => root,
        None => read_pinned_root(&opts.root)?,
    };
    let problems = root_problems(&root, None, &request);
    if !problems.is_empty() {
        return Err(SignError::Refused(problems.join("; ")));
    }
    keyless::check_trusted_root(root.as_bytes()).map_err(|e| SignError::input(opts.root.join(TRUSTED_ROOT), e))?;
    rec.trusted_root = Some(root);
    let now = Timestamp::now();
    let present = verify::verify(&rec, &request.bundle.sha256, now)?.signatures;

    // The file name comes from the record; it is checked again, verified, by `check`.
    let refuse = |problems: Vec<String>| {
        SignError::Refused(format!(
            "{} is not a valid signature for {}:\n  - {}",
            opts.bundle.display(),
            request.release,
            problems.join("\n  - ")
        ))
    };
    // Without a usable name, `check` still runs, to say what is wrong; it cannot pass, as a
    // keyless file name always holds `--`.
    let name = peek_file_name(&text).unwrap_or_else(|| "(unnamed).sigstore.json".into());
    let sig = check(&rec, &request, &request_sha, &name, &text, now).map_err(refuse)?;
    let r = &sig.record;
    if let Some(role) = &opts.role
        && *role != r.role
    {
        return Err(SignError::Refused(format!("{} signs role {}, not {role}", opts.bundle.display(), r.role)));
    }
    let target = dir.join(&name);
    if let Some(s) = present.iter().find(|s| s.record.role == r.role) {
        return Err(SignError::Refused(if s.record.signer_id == r.signer_id {
            format!(
                "{} already signed {} for {} at {}; a person signs a role once",
                r.printed_name, r.role, r.release, s.record.signed_at
            )
        } else {
            format!("{} is already signed for {} by {}", r.role, r.release, s.record.printed_name)
        }));
    }
    if target.exists() {
        return Err(SignError::Refused(format!(
            "{} already exists; a signature file is never replaced",
            target.display()
        )));
    }
    if request.separation_of_duties
        && let Some(s) = present.iter().find(|s| s.record.signer_id == r.signer_id)
    {
        return Err(SignError::Refused(format!(
            "{} already signed {} as {}; one person cannot fill two roles of a release (separation of duties)",
            r.printed_name, r.release, s.record.role
        )));
    }
    atomic::write(&target, text.as_bytes()).map_err(|source| SignError::Write { path: target.clone(), source })?;
    let detail = Some(format!(
        "envelope {} (keyless; signed at {} per the {})",
        sig.envelope_sha256, r.signed_at, r.time_source
    ));
    audit::append(
        &dir,
        &request.release,
        audit::NewEvent { event: "signature-created", signer: Some(&r.signer_id), role: Some(&r.role), detail },
    )?;
    Ok((target, sig))
}

/// `<ROLE>--<signer>.sigstore.json` from the (not yet verified) predicate.
fn peek_file_name(text: &str) -> Option<String> {
    let payload = keyless::dsse_payload(text.as_bytes()).ok()?;
    let statement: Statement<serde_json::Value> = serde_json::from_slice(&payload).ok()?;
    let role = statement.predicate.get("role")?.as_str()?;
    let signer = statement.predicate.get("signer_id")?.as_str()?;
    let name = record::keyless_file_name(role, signer);
    crate::fsx::path_safety::check_name(&name).ok()?;
    (!name.contains('/')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(signed_at: &str, time_source: &str) -> Part11Record {
        Part11Record {
            signer_id: "alice".into(),
            printed_name: "Alice".into(),
            email: "alice@example.com".into(),
            key_id: "oidc:sha256:00".into(),
            role: "QA".into(),
            meaning: "REVIEWER".into(),
            meaning_text: String::new(),
            reason: None,
            signed_at: signed_at.into(),
            time_source: time_source.into(),
            release: "v1".into(),
            commits: vec![],
            request_sha256: String::new(),
            prerequisites: vec![],
            tool: String::new(),
        }
    }

    #[test]
    fn the_prepared_time_lies_within_the_documented_tolerances() {
        let at = Timestamp::parse("2026-06-02T10:00:00Z").unwrap();
        let check = |claimed: &str| claimed_time_problem(&record(claimed, SIGNER_CLOCK), at, "transparency-log");
        assert_eq!(check("2026-06-02T10:00:00Z"), None);
        assert_eq!(check("2026-06-02T10:05:00Z"), None, "5 minutes of clock skew");
        assert_eq!(check("2026-06-01T10:00:00Z"), None, "prepared a day before");
        assert!(check("2026-06-02T10:05:01Z").unwrap().contains("clock skew"));
        assert!(check("2026-06-01T09:59:59Z").unwrap().contains("more than 24 hours"));
        assert!(check("yesterday").unwrap().contains("not an RFC 3339"));
        let claimed_log = claimed_time_problem(&record("2026-06-02T10:00:00Z", "transparency-log"), at, "x");
        assert!(claimed_log.unwrap().contains("records the signer's clock"));
    }
}
