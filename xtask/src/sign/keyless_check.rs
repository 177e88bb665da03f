//! One keyless signature (`*.sigstore.json`) checked as the final gate checks it: the Sigstore
//! bundle verifies offline against the pinned trusted root, its certificate is an enrolled
//! signer's, and its statement passes the same policy checks as a key-file signature's.
//!
//! Time: the record's `signed_at` becomes the verified time (transparency log or timestamp
//! authority), and `time_source` says which. The predicate carries the signer's clock at the
//! moment it was prepared (`time_source: signer-clock`); it must lie within
//! [`MAX_PREPARE_SECS`] before and [`CLOCK_SKEW_SECS`] after the verified time.

use super::Timestamp;
use super::dsse::Statement;
use super::layout;
use super::record::{PREDICATE_TYPE, Part11Record, STATEMENT_TYPE, STATEMENT_TYPE_V01, TimeSource, predicate_type};
use super::registry::{Registry, Signer};
use super::release_record::ReleaseRecord;
use super::signed::{Signed, check_signed};
use super::verdict::{Check, Problem, VerifiedSignature};
use crate::digest::{Digest, tagged as sha};
use crate::formats::request::Request;
use crate::keyless::{self, Artifact, Expect};

/// How far the predicate's `signed_at` (the signer's clock) may lie after the verified time.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;
/// How long before the verified time the predicate may have been prepared.
pub const MAX_PREPARE_SECS: i64 = 24 * 60 * 60;

/// One keyless signature: the bundle verifies offline, its certificate is an enrolled signer's,
/// and its statement passes the same checks as a key-file signature's.
pub(crate) fn check(
    rec: &ReleaseRecord,
    request: &Request,
    request_sha: &str,
    file: &str,
    text: &str,
    now: Timestamp,
) -> Result<VerifiedSignature, Vec<Problem>> {
    let fail = |m: String| vec![Problem::signature(file, Check::Keyless, m)];
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
        || predicate_type(&statement.predicate) != PREDICATE_TYPE
    {
        p.push(Problem::signature(
            file,
            Check::Signature,
            format!(
                "statement type {} / predicate type {} are not Signet's (cosign attest-blob --type {PREDICATE_TYPE})",
                statement.type_, statement.predicate_type
            ),
        ));
    }
    if let Some(m) = claimed_time_problem(r, at, &v.time_source) {
        p.push(Problem::signature(file, Check::Time, m));
    }
    let time_source = match v.time_source.as_str() {
        keyless::TIME_TRANSPARENCY_LOG => TimeSource::TransparencyLog,
        keyless::TIME_TIMESTAMP_AUTHORITY => TimeSource::TimestampAuthority,
        other => return Err(fail(format!("the bundle's signing time is not verified (`{other}`)"))),
    };
    let verified = Part11Record { signed_at: at.to_string(), time_source, ..r.clone() };
    let expected_file = layout::keyless_file_name(&r.role, &r.signer_id);
    let signed =
        Signed { file, signer, key_id: &signer.key_id, subject: &statement.subject, record: &verified, expected_file };
    check_signed(rec, request, request_sha, &signed, now, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    // A keyless predicate stays v1: the department and title shown are those of the enrolment
    // the administrator signed.
    let shown = Part11Record { department: signer.department.clone(), title: signer.title.clone(), ..verified };
    Ok(VerifiedSignature {
        file: file.into(),
        envelope_sha256: sha(text.as_bytes()),
        record: shown,
        time_authority: None,
        delegation: None,
        claimed_at: r.signed_at.clone(),
    })
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
    if r.time_source != TimeSource::SignerClock {
        return Some(format!(
            "the predicate's time_source is `{}`; a keyless predicate records the signer's clock (`signer-clock`) \
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(signed_at: &str, time_source: TimeSource) -> Part11Record {
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
            time_source,
            release: "v1".into(),
            commits: vec![],
            request_sha256: String::new(),
            prerequisites: vec![],
            tool: String::new(),
            failed_attempts: None,
            department: None,
            title: None,
            shown_sha256: None,
            supersedes: Vec::new(),
            on_behalf_of: None,
        }
    }

    #[test]
    fn the_prepared_time_lies_within_the_documented_tolerances() {
        let at = Timestamp::parse("2026-06-02T10:00:00Z").unwrap();
        let check =
            |claimed: &str| claimed_time_problem(&record(claimed, TimeSource::SignerClock), at, "transparency-log");
        assert_eq!(check("2026-06-02T10:00:00Z"), None);
        assert_eq!(check("2026-06-02T10:05:00Z"), None, "5 minutes of clock skew");
        assert_eq!(check("2026-06-01T10:00:00Z"), None, "prepared a day before");
        assert!(check("2026-06-02T10:05:01Z").unwrap().contains("clock skew"));
        assert!(check("2026-06-01T09:59:59Z").unwrap().contains("more than 24 hours"));
        assert!(check("yesterday").unwrap().contains("not an RFC 3339"));
        let claimed_log = claimed_time_problem(&record("2026-06-02T10:00:00Z", TimeSource::TransparencyLog), at, "x");
        assert!(claimed_log.unwrap().contains("records the signer's clock"));
    }
}
