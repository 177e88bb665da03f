//! The policy checks every signature passes once its cryptography verified, whichever kind it
//! is: subject, signer identity, request binding, file name, role and meaning, time and key
//! standing, and the order proven by prerequisite digests.

use super::Timestamp;
use super::dsse::Subject;
use super::layout;
use super::meaning::REJECTOR;
use super::record::Part11Record;
use super::registry::{Signer, Standing};
use super::release_record::ReleaseRecord;
use super::verdict::{Check, Problem};
use crate::digest::tagged as sha;
use crate::formats::registry::SignerKind;
use crate::formats::request::Request;

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
    p: &mut Vec<Problem>,
) {
    let (file, signer, keyid, r) = (s.file, s.signer, s.key_id, s.record);
    let mut bad = |check: Check, m: String| p.push(Problem::signature(file, check, m));
    let subject_ok = s.subject.len() == 1
        && s.subject[0].name == request.bundle.name
        && s.subject[0].digest.get("sha256") == Some(&request.bundle.sha256);
    if !subject_ok {
        bad(Check::Subject, "subject is not this release's bundle (name and sha256 from the request)".into());
    }
    // v1 and v2 records predate department and title; a v3 record carries both as enrolled.
    let v3 = super::record::predicate_type(r) == super::record::PREDICATE_TYPE_V3;
    let same_post = !v3 || (r.department == signer.department && r.title == signer.title);
    if r.signer_id != signer.id
        || r.printed_name != signer.name
        || r.email != signer.email
        || r.key_id != keyid
        || !same_post
    {
        bad(
            Check::Signer,
            format!("signer identity in the record does not match the registry entry of key {keyid} (`{}`)", signer.id),
        );
    }
    if signer.kind != SignerKind::Human {
        bad(Check::Person, format!("`{}` is a {} key: only a person can sign a release", signer.id, signer.kind));
    }
    if r.release != request.release || r.request_sha256 != request_sha || r.commits != request.commits {
        bad(Check::Request, "signed a different request (release, request digest or commits differ): the request was edited after signing, or the signature was copied from another release".into());
    }
    if file != s.expected_file {
        bad(
            Check::FileName,
            format!("file name does not match its role `{}` and signer `{}` (moved or copied?)", r.role, r.signer_id),
        );
    }
    check_role(rec, request, signer, r, &mut |m| bad(Check::Role, m));
    check_time(rec, request, signer, r, now, &mut bad);
    check_prerequisites(rec, request, r, &mut |m| bad(Check::Order, m));
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
    match (&r.on_behalf_of, Timestamp::parse(&r.signed_at)) {
        (None, _) if !signer.roles.contains(&r.role) => {
            bad(format!("`{}` is not enrolled for role {}", signer.id, r.role))
        }
        (Some(_), Some(at)) => {
            if let Err(why) = super::delegation::check(&rec.registry, signer, r, at) {
                bad(format!("on behalf of: {why}"))
            }
        }
        _ => {}
    }
}

fn check_time(
    rec: &ReleaseRecord,
    request: &Request,
    signer: &Signer,
    r: &Part11Record,
    now: Timestamp,
    bad: &mut impl FnMut(Check, String),
) {
    let Some(at) = Timestamp::parse(&r.signed_at) else {
        return bad(Check::Time, format!("signed_at `{}` is not an RFC 3339 UTC time", r.signed_at));
    };
    match Timestamp::parse(&request.created_at) {
        Some(created) if at < created => bad(
            Check::Time,
            format!(
                "signed at {} — before the request existed ({}); a signature cannot predate what it signs",
                r.signed_at, request.created_at
            ),
        ),
        None => bad(Check::Time, format!("request created_at `{}` is not a time", request.created_at)),
        _ => {}
    }
    // Clocks differ: a signature a few minutes ahead of the verifier's clock is not a forgery.
    if at.0 > now.0 + super::tsa::CLOCK_TOLERANCE_SECS {
        bad(Check::Time, format!("signed at {}, which is in the future", r.signed_at));
    }
    match rec.registry.standing(signer, &at) {
        Standing::Valid => {}
        Standing::Revoked { at: when, reason } => bad(
            Check::Standing,
            format!("key of `{}` was revoked at {when} ({reason}), before this signature", signer.id),
        ),
        Standing::Expired { until } => {
            bad(Check::Standing, format!("key of `{}` expired at {until}, before this signature", signer.id))
        }
        Standing::NotYetEnrolled { enrolled_at } => bad(
            Check::Standing,
            format!("key of `{}` was enrolled only at {enrolled_at}, after this signature", signer.id),
        ),
    }
}

/// The prerequisite digests in the record must name the signatures actually present.
fn check_prerequisites(rec: &ReleaseRecord, request: &Request, r: &Part11Record, bad: &mut impl FnMut(String)) {
    let after = request.required.iter().find(|q| q.role == r.role).map(|q| q.after.clone()).unwrap_or_default();
    let mut named: Vec<&str> = r.prerequisites.iter().map(|p| p.role.as_str()).collect();
    named.sort_unstable();
    let mut wanted: Vec<&str> = after.iter().map(|a| a.as_str()).collect();
    wanted.sort_unstable();
    if named != wanted {
        bad(format!("names prerequisites [{}] where the policy requires [{}]", named.join(", "), wanted.join(", ")));
    }
    for pre in &r.prerequisites {
        // Either kind of signature may be the prerequisite; its digest says which one.
        let files =
            [layout::file_name(&pre.role, &pre.signer_id), layout::keyless_file_name(&pre.role, &pre.signer_id)];
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
