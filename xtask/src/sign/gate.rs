//! The final gate's checks over one release record. A release passes only when every required
//! role has exactly one valid signature, by distinct enrolled humans whose keys were valid when
//! they signed, over the exact bundle and request, in the policy's order (proven by digests),
//! with an intact audit trail and no rejection. A signature is a DSSE envelope made with an
//! enrolled key (`*.dsse.json`) or a Sigstore bundle made with an enrolled OIDC identity
//! (`*.sigstore.json`, checked in `sign::keyless_check`); both pass the same policy checks
//! (`sign::signed`). The ceremony and the keyless flow run the same checks to learn which
//! signatures are present.

use std::collections::BTreeMap;

use super::audit::{self, EventKind};
use super::dsse::{self, Envelope, Statement};
use super::keys;
use super::layout::{self, KEYLESS_SUFFIX};
use super::meaning::REJECTOR;
use super::policy::SigningConfig;
use super::record::{Part11Record, STATEMENT_TYPE, TimeSource, predicate_type};
use super::registry;
use super::release_record::{Origin, ReleaseRecord};
use super::signed::{Signed, check_signed};
use super::verdict::{Awaiting, Check, Problem, VerifiedSignature, VerifyReport};
use super::withdrawal::{self, Withdrawn};
use super::{SignError, Timestamp, delegation, keyless_check, supersede, trusted_root, trusted_time};
use crate::digest::tagged as sha;
use crate::formats::ids::Role;
use crate::formats::request::Request;
use crate::keyless;

/// The final gate over one release record and the bundle's recomputed digest.
pub fn verify(rec: &ReleaseRecord, bundle_sha256: &str, now: Timestamp) -> Result<VerifyReport, SignError> {
    let request = crate::formats::request::read(rec.request_text.as_bytes())
        .map_err(|e| SignError::input(layout::REQUEST, format!("not a Signet request: {e}")))?;
    let request_sha = sha(rec.request_text.as_bytes());
    let mut problems: Vec<Problem> = Vec::new();
    if request.bundle.sha256 != bundle_sha256 {
        problems.push(Problem::new(Check::BundleDigest, format!(
            "bundle sha256 is {bundle_sha256}, but the request (and every signature) is for {} — this is not the signed bundle",
            request.bundle.sha256
        )));
    }
    check_policy_matches(&request, &rec.policy, &mut problems);
    check_origin(rec, &request, &request_sha, &mut problems);
    check_key_ids(rec, &mut problems);
    let root_ok = check_root(rec, &request, &mut problems)?;
    let mut signatures = Vec::new();
    let mut failed = Vec::new();
    for (file, text) in &rec.envelopes {
        match check_signature(rec, &request, &request_sha, file, text, now, root_ok) {
            Ok(sig) => signatures.push(sig),
            Err(problems) => failed.push(supersede::Failed { file, text, problems }),
        }
    }
    let (superseded, revoked) = supersede::resolve(rec, &signatures, failed, now, &mut problems);
    check_set(rec, &request, &signatures, &mut problems);
    let withdrawn = check_withdrawals(rec, &request, &request_sha, now, &mut problems);
    check_signed_after_withdrawals(&signatures, &withdrawn, &mut problems);
    super::anchored::check(rec, &signatures, &withdrawn, &mut problems);
    check_audit(rec, (&request, &request_sha), &signatures, &withdrawn, &mut problems);
    let awaiting = awaiting(&request, &signatures);
    let bundle_sha256 = bundle_sha256.into();
    Ok(VerifyReport {
        release: request.release,
        bundle_sha256,
        signatures,
        awaiting,
        problems,
        withdrawn,
        superseded,
        revoked,
    })
}

/// Every withdrawal holds (`sign::withdrawal::check`), and what it withdrew is gone.
fn check_withdrawals(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    now: Timestamp,
    problems: &mut Vec<Problem>,
) -> Vec<Withdrawn> {
    let mut held = Vec::new();
    for (file, text) in &rec.withdrawals {
        match withdrawal::check(rec, (request, request_sha), (file, text), now).and_then(|w| withdraws_a_logged(rec, w))
        {
            Err(m) => {
                problems.push(Problem::signature(&format!("{}/{file}", layout::WITHDRAWALS), Check::Withdrawn, m))
            }
            Ok(w) => {
                let gone = &w.withdrawal.withdrawn;
                if rec.envelopes.iter().any(|(f, t)| *f == gone.file && sha(t.as_bytes()) == gone.sha256) {
                    problems.push(Problem::signature(
                        &gone.file,
                        Check::Withdrawn,
                        format!(
                            "withdrawn by `{}` at {}, but the file is still here: remove it",
                            w.withdrawal.signer_id, w.withdrawal.withdrawn_at
                        ),
                    ));
                }
                held.push(w);
            }
        }
    }
    held
}

fn check_policy_matches(request: &Request, policy: &SigningConfig, problems: &mut Vec<Problem>) {
    // `request` refuses such a policy; a hand-made request or manifest must not slip past it.
    if let Err(e) = policy.validate() {
        let why = match e {
            SignError::Policy(m) => m,
            other => other.to_string(),
        };
        problems.push(Problem::new(
            Check::Policy,
            format!("the signing policy is invalid: {why}; no release passes under it"),
        ));
    }
    let now: Vec<(&str, &str, &[Role])> =
        policy.required.iter().map(|r| (r.role.as_str(), r.meaning.as_str(), r.after.as_slice())).collect();
    let then: Vec<(&str, &str, &[Role])> =
        request.required.iter().map(|r| (r.role.as_str(), r.meaning.as_str(), r.after.as_slice())).collect();
    if now != then || request.separation_of_duties != policy.separation_of_duties {
        problems.push(Problem::new(
            Check::Policy,
            "the signing policy differs from the one the request was made under; make a new request".to_string(),
        ));
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
) -> Result<VerifiedSignature, Vec<Problem>> {
    if !file.ends_with(KEYLESS_SUFFIX) {
        return check_envelope(rec, request, request_sha, file, text, now);
    }
    if !root_ok {
        return Err(vec![Problem::signature(
            file,
            Check::TrustedRoot,
            "not verified: the trusted root is not the one this release pinned",
        )]);
    }
    keyless_check::check(rec, request, request_sha, file, text, now)
}

/// One envelope: signature, signer, key standing, subject, record fields, time, order.
fn check_envelope(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    file: &str,
    text: &str,
    now: Timestamp,
) -> Result<VerifiedSignature, Vec<Problem>> {
    let fail = |m: String| vec![Problem::signature(file, Check::Signature, m)];
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
    // v1 has no `failed_attempts`, v2 must have it: the type and the content agree.
    if statement.type_ != STATEMENT_TYPE || statement.predicate_type != predicate_type(r) {
        p.push(Problem::signature(
            file,
            Check::Signature,
            format!(
                "statement type {} / predicate type {} are not Signet's",
                statement.type_, statement.predicate_type
            ),
        ));
    }
    if r.time_source != TimeSource::SignerClock {
        // Only the gate, from a verified token or transparency log, may say a time is vouched for.
        p.push(Problem::signature(
            file,
            Check::Time,
            format!(
                "a key-file signature's time is the signer's own clock (`signer-clock`), but it claims `{}`",
                r.time_source
            ),
        ));
    }
    let claimed_at = r.signed_at.clone();
    let (trusted, time_problems) = trusted_time::of_envelope(rec, request, (file, &env), r);
    p.extend(time_problems);
    let timed = trusted.as_ref().map(|tt| trusted_time::at_trusted_time(r, tt));
    let r = timed.as_ref().unwrap_or(r);
    let expected_file = layout::file_name(&r.role, &r.signer_id);
    let signed = Signed { file, signer, key_id: &keyid, subject: &statement.subject, record: r, expected_file };
    check_signed(rec, request, request_sha, &signed, now, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    let time_authority = trusted.map(|tt| tt.authority);
    let at = Timestamp::parse(&r.signed_at).unwrap_or(now);
    let delegation = r.on_behalf_of.as_ref().and_then(|_| delegation::check(&rec.registry, signer, r, at).ok());
    Ok(VerifiedSignature {
        file: file.into(),
        envelope_sha256: sha(text.as_bytes()),
        record: r.clone(),
        time_authority,
        delegation: delegation.cloned(),
        claimed_at,
    })
}

/// Across signatures: one per role, distinct people, no rejection.
fn check_set(rec: &ReleaseRecord, request: &Request, sigs: &[VerifiedSignature], problems: &mut Vec<Problem>) {
    let mut by_role: BTreeMap<&str, Vec<&VerifiedSignature>> = BTreeMap::new();
    for s in sigs {
        by_role.entry(s.record.role.as_str()).or_default().push(s);
    }
    for (role, list) in &by_role {
        if list.len() > 1 {
            let who: Vec<&str> = list.iter().map(|s| s.record.signer_id.as_str()).collect();
            problems.push(Problem::new(
                Check::OnePerRole,
                format!("role {role} is signed {} times ({}); each role is signed once", list.len(), who.join(", ")),
            ));
        }
    }
    if request.separation_of_duties {
        check_separation(rec, sigs, problems);
    }
    for s in sigs.iter().filter(|s| s.record.meaning == REJECTOR) {
        problems.push(Problem::new(
            Check::Rejected,
            format!(
                "REJECTED by {} ({}) as {} at {}: {}",
                s.record.printed_name,
                s.record.signer_id,
                s.record.role,
                s.record.signed_at,
                s.record.reason.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
}

/// One person, one role: ids that are one person (the same id, printed name or email, as
/// `formats::ids::fold` compares them) count once.
fn check_separation(rec: &ReleaseRecord, sigs: &[VerifiedSignature], problems: &mut Vec<Problem>) {
    // A delegated signature stands for both the delegate and the delegator.
    let mut people: Vec<Vec<&VerifiedSignature>> = Vec::new();
    for s in sigs {
        let same = |p: &Vec<&VerifiedSignature>| {
            p.iter().any(|o| o.people().any(|a| s.people().any(|b| rec.registry.same_person(a, b))))
        };
        match people.iter_mut().find(|p| same(p)) {
            Some(p) => p.push(s),
            None => people.push(vec![s]),
        }
    }
    for p in people.iter().filter(|p| p.len() > 1) {
        let roles: Vec<&str> = p.iter().map(|s| s.record.role.as_str()).collect();
        let mut who: Vec<&str> = Vec::new();
        for id in p.iter().flat_map(|s| s.people()) {
            if !who.contains(&id) {
                who.push(id);
            }
        }
        problems.push(Problem::new(
            Check::SeparationOfDuties,
            format!(
                "one person ({}) signed {} roles ({}); separation of duties requires distinct people",
                who.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", "),
                roles.len(),
                roles.join(", ")
            ),
        ));
    }
}

/// The record's events: intact, bound to this request, opened by its creation, logging every
/// signature present, with no logged signature missing and none made inside a lockout window.
fn check_audit(
    rec: &ReleaseRecord,
    (request, request_sha): (&Request, &str),
    sigs: &[VerifiedSignature],
    withdrawn: &[Withdrawn],
    problems: &mut Vec<Problem>,
) {
    let mut logged: Vec<Logged> = Vec::new();
    let mut opened = false;
    if let Some(chain) = &rec.trail.chain {
        match audit::verify_chain(chain, &request.release) {
            Ok(events) => {
                opened |= events.first().is_some_and(|e| {
                    e.event == "request-created" && e.detail.as_deref().is_some_and(|d| d.contains(request_sha))
                });
                logged.extend(events.iter().enumerate().filter(|(_, e)| e.event == "signature-created").map(
                    |(i, e)| Logged {
                        at: format!("audit.jsonl:{}", i + 1),
                        file: None,
                        sha256: e.detail.as_deref().and_then(envelope_digest).unwrap_or_default(),
                        signer: e.signer.as_deref().map(str::to_owned),
                        role: e.role.as_deref().map(str::to_owned),
                    },
                ));
            }
            Err(p) => problems.extend(p.into_iter().map(|m| Problem::new(Check::Audit, m))),
        }
    }
    for (file, text) in &rec.trail.events {
        let name = format!("{}/{file}", layout::EVENTS);
        match audit::check_event(file, text, &request.release, request_sha) {
            Err(m) => problems.push(Problem::signature(&name, Check::Audit, m)),
            Ok(e) => match (e.event, e.envelope) {
                (EventKind::RequestCreated, _) => opened = true,
                (EventKind::SignatureCreated, Some(f)) => logged.push(Logged {
                    at: name,
                    file: Some(f.file),
                    sha256: f.sha256,
                    signer: e.signer.as_deref().map(str::to_owned),
                    role: e.role.as_deref().map(str::to_owned),
                }),
                _ => {}
            },
        }
    }
    if !opened {
        problems.push(Problem::new(
            Check::Audit,
            "the record does not hold the creation of this request (request replaced, or its event deleted?)"
                .to_string(),
        ));
    }
    check_logged(rec, sigs, &logged, withdrawn, problems);
    check_lockouts(rec, sigs, problems);
}

/// A signature the record logged: where, which file (the v1 chain logged digests only), by whom.
struct Logged {
    at: String,
    file: Option<String>,
    sha256: String,
    signer: Option<String>,
    role: Option<String>,
}

/// A withdrawal must take back a signature the record logged, by that signer in that role: a
/// co-signer cannot pass someone else's digest off under their own file name.
fn withdraws_a_logged(rec: &ReleaseRecord, w: Withdrawn) -> Result<Withdrawn, String> {
    let gone = &w.withdrawal.withdrawn;
    let (signer, role) = (w.withdrawal.signer_id.as_str(), w.withdrawal.role.as_str());
    let in_events =
        rec.trail.events.iter().filter_map(|(_, t)| serde_json::from_str::<audit::Event>(t).ok()).any(|e| {
            e.event == EventKind::SignatureCreated
                && e.signer.as_deref() == Some(signer)
                && e.role.as_deref() == Some(role)
                && e.envelope.as_ref() == Some(gone)
        });
    let in_chain = rec
        .trail
        .chain
        .iter()
        .flat_map(|c| c.lines())
        .filter_map(|l| serde_json::from_str::<audit::ChainEvent>(l).ok())
        // The first line that logs this digest says whose it is; a later one may be forged.
        .find(|e| {
            e.event == "signature-created"
                && e.detail.as_deref().and_then(envelope_digest).as_deref() == Some(gone.sha256.as_str())
        })
        .is_some_and(|e| e.signer.as_deref() == Some(signer) && e.role.as_deref() == Some(role));
    match in_events || in_chain {
        true => Ok(w),
        false => Err(format!(
            "withdraws {} ({}), which the record does not log as `{signer}`'s signature as {role}",
            gone.file, gone.sha256
        )),
    }
}

/// `<signer> as <role>`, as an event names them.
fn who(signer: Option<&str>, role: Option<&str>) -> String {
    format!("{} as {}", signer.unwrap_or("?"), role.unwrap_or("?"))
}

/// A signer who withdrew a signature of a role may sign that role again, but only after the
/// withdrawal: a signature of theirs made before it and put in the record afterwards (under either
/// file name, in either layout, with a forged event or chain line) would undo a signed decision.
/// Judged on the time each statement claims, which its key signed, to the second.
fn check_signed_after_withdrawals(sigs: &[VerifiedSignature], withdrawn: &[Withdrawn], problems: &mut Vec<Problem>) {
    for s in sigs {
        let claimed = Timestamp::parse(&s.claimed_at);
        let by_them = withdrawn.iter().filter(|w| {
            w.withdrawal.signer_id.as_str() == s.record.signer_id.as_str()
                && w.withdrawal.role.as_str() == s.record.role.as_str()
        });
        let earlier =
            by_them.filter(|w| claimed.zip(Timestamp::parse(&w.withdrawal.withdrawn_at)).is_none_or(|(c, a)| c < a));
        if let Some(w) = earlier.max_by(|a, b| a.withdrawal.withdrawn_at.cmp(&b.withdrawal.withdrawn_at)) {
            problems.push(Problem::signature(
                &s.file,
                Check::Deleted,
                format!(
                    "signed at {} (the statement's own time), before its signer withdrew {} as {} at {}: only a \
                     signature made after a withdrawal counts for that signer and role",
                    s.claimed_at, w.withdrawal.withdrawn.file, w.withdrawal.role, w.withdrawal.withdrawn_at
                ),
            ));
        }
    }
}

/// `envelope sha256:<hex>` in a v1 chain's detail.
fn envelope_digest(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("envelope ")?;
    Some(rest.split_whitespace().next()?.to_owned())
}

/// Every signature present is logged; every logged signature is present, unchanged, unless its
/// signer withdrew it.
fn check_logged(
    rec: &ReleaseRecord,
    sigs: &[VerifiedSignature],
    logged: &[Logged],
    withdrawn: &[Withdrawn],
    problems: &mut Vec<Problem>,
) {
    for s in sigs {
        if !logged.iter().any(|l| l.sha256 == s.envelope_sha256 && l.file.as_deref().is_none_or(|f| f == s.file)) {
            let hint = if s.file.ends_with(KEYLESS_SUFFIX) {
                " (add a keyless signature with `signet sign --release … --keyless-bundle FILE`, which logs it)"
            } else {
                ""
            };
            problems.push(Problem::signature(
                &s.file,
                Check::Audit,
                format!("no signature-created event in the record for this signature{hint}"),
            ));
        }
    }
    for l in logged {
        let present = rec.envelopes.iter().find(|(f, t)| match &l.file {
            Some(file) => f == file,
            None => sha(t.as_bytes()) == l.sha256,
        });
        let withdrew = |w: &Withdrawn| {
            let gone = &w.withdrawal.withdrawn;
            gone.sha256 == l.sha256
                && l.file.as_ref().is_none_or(|f| *f == gone.file)
                && l.signer.as_deref() == Some(w.withdrawal.signer_id.as_str())
                && l.role.as_deref() == Some(w.withdrawal.role.as_str())
        };
        // A signature its signer withdrew is accounted for. Its file name may then hold a new
        // signature (withdraw, then sign again: SIG-SW-62), checked against its own event above
        // and by `check_signed_after_withdrawals`. A withdrawn file left in place is refused by
        // the withdrawals' own check.
        if withdrawn.iter().any(withdrew) {
            continue;
        }
        let why = match present {
            None => "is missing",
            Some((_, text)) if sha(text.as_bytes()) != l.sha256 => "was replaced by another text",
            Some(_) => continue,
        };
        let file = l.file.as_deref().unwrap_or("(a signature file)");
        problems.push(Problem::signature(
            file,
            Check::Deleted,
            format!(
                "{} records this signature by {} ({}), but the file {why}: a signature or rejection stays in the \
                 record once made (restore it from git history; only a signed withdrawal removes one)",
                l.at,
                who(l.signer.as_deref(), l.role.as_deref()),
                l.sha256
            ),
        ));
    }
}

/// A signature made while its signer was locked out does not count.
fn check_lockouts(rec: &ReleaseRecord, sigs: &[VerifiedSignature], problems: &mut Vec<Problem>) {
    for s in sigs {
        let Some(at) = Timestamp::parse(&s.record.signed_at) else { continue };
        for (from, until) in super::lockout::windows(&rec.trail, &s.record.signer_id) {
            if from <= at && at < until {
                problems.push(Problem::signature(
                    &s.file,
                    Check::Lockout,
                    format!(
                        "signed at {at}, inside the lockout of `{}` from {from} to {until} that the record holds \
                         (three wrong passwords): a locked-out signer cannot sign",
                        s.record.signer_id
                    ),
                ));
            }
        }
    }
}

/// Every required role without a valid signature, with the roles it must wait for.
pub fn awaiting(request: &Request, sigs: &[VerifiedSignature]) -> Vec<Awaiting> {
    let signed: Vec<&str> = sigs.iter().map(|s| s.record.role.as_str()).collect();
    request
        .required
        .iter()
        .filter(|q| !signed.contains(&q.role.as_str()))
        .map(|q| Awaiting {
            role: q.role.clone(),
            meaning: q.meaning.clone(),
            needs: q.after.iter().filter(|a| !signed.contains(&a.as_str())).cloned().collect(),
        })
        .collect()
}

/// The trusted root must be the one the request pinned (and, in a manifest, the one it recorded).
/// Returns whether keyless signatures may be verified against it; problems are the gate's.
fn check_root(rec: &ReleaseRecord, request: &Request, problems: &mut Vec<Problem>) -> Result<bool, SignError> {
    if !rec.envelopes.iter().any(|(f, _)| f.ends_with(KEYLESS_SUFFIX)) {
        return Ok(true);
    }
    let Some(root) = &rec.trusted_root else {
        problems.push(Problem::new(
            Check::TrustedRoot,
            "keyless signatures are present, but there is no trusted root to verify them against".to_string(),
        ));
        return Ok(false);
    };
    let recorded = match &rec.origin {
        Origin::Manifest { trusted_root_sha256, .. } => trusted_root_sha256.as_deref(),
        Origin::Folder { .. } | Origin::Preview => None,
    };
    let found = trusted_root::root_problems(root, recorded, request);
    if !found.is_empty() {
        problems.extend(found.into_iter().map(|m| Problem::new(Check::TrustedRoot, m)));
        return Ok(false);
    }
    keyless::check_trusted_root(root.as_bytes()).map_err(|e| SignError::input(layout::TRUSTED_ROOT, e))?;
    Ok(true)
}

/// What the record's source claims about itself must be true: a release folder is named after
/// its release, and an archived manifest's summary fields agree with the content they summarise.
fn check_origin(rec: &ReleaseRecord, request: &Request, request_sha: &str, problems: &mut Vec<Problem>) {
    match &rec.origin {
        Origin::Folder { name } if request.release != *name => problems.push(Problem::new(
            Check::Release,
            format!(
                "the release folder is `{name}`, but its request is for release {}: a release's record cannot be \
                 copied to another release id",
                request.release
            ),
        )),
        Origin::Manifest { release, request_sha256, bundle_sha256, envelopes, .. } => {
            let mut bad = |m: String| problems.push(Problem::new(Check::Manifest, m));
            if *release != request.release {
                bad(format!("the manifest says release {release}, but its request is for release {}", request.release));
            }
            if request_sha256 != request_sha {
                bad(format!(
                    "the manifest records request_sha256 {request_sha256}, but its request hashes to {request_sha}"
                ));
            }
            if *bundle_sha256 != request.bundle.sha256 {
                bad(format!(
                    "the manifest records bundle_sha256 {bundle_sha256}, but its request (and every signature) is for {}",
                    request.bundle.sha256
                ));
            }
            for ((file, recorded), (_, text)) in envelopes.iter().zip(&rec.envelopes) {
                let actual = sha(text.as_bytes());
                if *recorded != actual {
                    problems.push(Problem::signature(
                        file,
                        Check::Manifest,
                        format!(
                            "the manifest records sha256 {recorded} for this signature, but its text hashes to {actual}"
                        ),
                    ));
                }
            }
        }
        Origin::Folder { .. } | Origin::Preview => {}
    }
}

/// A key id names its key: the SHA-256 of the key's SubjectPublicKeyInfo (or, for an
/// identity-only entry, of its issuer, identity and enrolment time). An entry whose key was
/// swapped under a genuine signer's key id is refused, in the registry and in a manifest alike.
fn check_key_ids(rec: &ReleaseRecord, problems: &mut Vec<Problem>) {
    for s in &rec.registry.signer {
        let expected = match (&s.public_key, &s.identity, &s.issuer) {
            (pem, _, _) if !pem.is_empty() => match keys::parse_public_pem(pem) {
                Ok(key) => keys::key_id(&key),
                Err(e) => {
                    problems.push(Problem::new(Check::Registry, format!("registry entry `{}`: public key: {e}", s.id)));
                    continue;
                }
            },
            (_, Some(identity), Some(issuer)) => registry::identity_key_id(issuer, identity, &s.enrolled_at),
            _ => String::new(),
        };
        if s.key_id != expected {
            problems.push(Problem::new(
                Check::Registry,
                format!(
                    "registry entry `{}` names key id {}, but its credential's id is {expected}: the entry was edited \
                     after enrolment",
                    s.id, s.key_id
                ),
            ));
        }
    }
}
