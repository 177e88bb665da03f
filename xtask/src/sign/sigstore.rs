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
use super::eligibility::{self, Eligibility};
use super::layout::{self, TRUSTED_ROOT};
use super::meaning::{self, REJECTOR};
use super::policy::SigningConfig;
use super::record::{Intent, PREDICATE_TYPE, Part11Record};
use super::registry::Registry;
use super::release_record::{self, ReleaseRecord};
use super::verdict::{Problem, VerifiedSignature};
use super::{SignError, Timestamp, audit, gate, keyless_check, trusted_root};
use crate::formats::request::Request;
use crate::fsx::atomic;
use crate::keyless;
use crate::output::json;

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
    let dir = layout::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = release_record::load(&dir)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let now = Timestamp::now();
    let signer = registry.active(&opts.signer, &now).cloned().ok_or_else(|| {
        SignError::Refused(format!("`{}` has no active enrolment in {}", opts.signer, layout::REGISTRY))
    })?;
    let (Some(identity), Some(issuer)) = (signer.identity.clone(), signer.issuer.clone()) else {
        return Err(SignError::Refused(format!(
            "`{}` has no enrolled OIDC identity: keyless signing needs `signet enroll … --identity … --issuer …` \
             (or sign with the key: signet sign --key …)",
            signer.id
        )));
    };
    if request.trusted_root_sha256.is_none() {
        return Err(SignError::Refused(trusted_root::root_problems("", None, &request).join("; ")));
    }
    let who = Eligibility { root: &opts.root, dir: &dir, role: &opts.role, reject: opts.reject, on_behalf_of: None };
    let present = eligibility::check_may_sign(&who, policy, &request, &registry, &signer, now)?.gate.signatures;
    let bundle_note = check_bundle(opts.bundle.as_deref(), &request)?;
    let meaning = if opts.reject { REJECTOR.to_string() } else { eligibility::required_meaning(&request, &opts.role)? };
    let reason = opts.reason.clone().filter(|r| !r.trim().is_empty());
    if opts.reject && reason.is_none() {
        return Err(SignError::Refused("a rejection needs a reason: --reason \"…\"; nothing was prepared".into()));
    }
    let prerequisites = eligibility::prerequisites(&request, &opts.role, &present);
    let intent = Intent { role: opts.role.as_str().into(), meaning, reason, prerequisites };
    let record = Part11Record::new(&signer, &request, &request_sha, intent, policy, now);
    atomic::ensure_parent(&opts.out)
        .and_then(|()| atomic::write(&opts.out, json::to_string(&record).as_bytes()).map(|_| ()))
        .map_err(|source| SignError::Write { path: opts.out.clone(), source })?;

    let bundle_arg = opts.bundle.as_ref().map_or_else(|| request.bundle.name.clone(), |b| b.display().to_string());
    let out_name = layout::keyless_file_name(&record.role, &record.signer_id);
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
    let (digest, _) = release_record::file_digest(&path)?;
    if digest.hex() != request.bundle.sha256 {
        return Err(SignError::Refused(format!(
            "{} has sha256 {}, but the request is for {}: this is not the bundle to sign",
            path.display(),
            digest.tagged(),
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
    let dir = layout::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = release_record::load(&dir)?;
    let text = crate::fsx::read::read_text(&opts.bundle, crate::fsx::read::MAX_RECORD_BYTES)
        .map_err(|e| SignError::input(&opts.bundle, e))?;
    let mut rec = ReleaseRecord::from_folder(&opts.root, &dir, policy)?;
    let root = match rec.trusted_root.take() {
        Some(root) => root,
        None => trusted_root::read_pinned_root(&opts.root)?,
    };
    let problems = trusted_root::root_problems(&root, None, &request);
    if !problems.is_empty() {
        return Err(SignError::Refused(problems.join("; ")));
    }
    keyless::check_trusted_root(root.as_bytes()).map_err(|e| SignError::input(opts.root.join(TRUSTED_ROOT), e))?;
    rec.trusted_root = Some(root);
    let now = Timestamp::now();
    let present = gate::verify(&rec, &request.bundle.sha256, now)?.signatures;

    // The file name comes from the record; it is checked again, verified, by `check`.
    let refuse = |problems: Vec<Problem>| {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
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
    let sig = keyless_check::check(&rec, &request, &request_sha, &name, &text, now).map_err(refuse)?;
    let r = &sig.record;
    if let Some(role) = &opts.role
        && r.role != *role
    {
        return Err(SignError::Refused(format!("{} signs role {}, not {role}", opts.bundle.display(), r.role)));
    }
    let target = layout::signature_path(&dir, &r.role, &r.signer_id, true)?;
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
    let event = audit::NewEvent::new(audit::EventKind::SignatureCreated, &request_sha)
        .by(&r.signer_id, &r.role)
        .file(&name, text.as_bytes())
        .detail(format!("keyless {} as {}; signed at {} per the {}", r.meaning, r.role, r.signed_at, r.time_source));
    audit::record(&dir, &request.release, event)?;
    Ok((target, sig))
}

/// `<ROLE>--<signer>.sigstore.json` from the (not yet verified) predicate.
fn peek_file_name(text: &str) -> Option<String> {
    let payload = keyless::dsse_payload(text.as_bytes()).ok()?;
    let statement: Statement<serde_json::Value> = serde_json::from_slice(&payload).ok()?;
    let role = statement.predicate.get("role")?.as_str()?;
    let signer = statement.predicate.get("signer_id")?.as_str()?;
    let name = layout::keyless_file_name(role, signer);
    crate::fsx::path_safety::check_name(&name).ok()?;
    (!name.contains('/')).then_some(name)
}
