//! The §11.50 signature manifestations: for each role the policy requires, in the policy's
//! order, the verified signature (printed name, date and time, meaning), or why there is none.

use crate::sign::Timestamp;
use crate::sign::meaning::REJECTOR;
use crate::sign::request::{Request, RequiredSignature};
use crate::sign::verify::{self, Problem, ReleaseRecord, VerifiedSignature, VerifyReport};

use crate::formats::ids::Role;
use crate::formats::report::{Manifestation, Retired, RetiredKind, SignatureCheck, SignatureStatus};
use crate::formats::statement::TimeSource;

pub fn all(request: &Request, rec: &ReleaseRecord, checked: Option<&VerifyReport>) -> Vec<Manifestation> {
    let valid: &[VerifiedSignature] = checked.map_or(&[], |v| &v.signatures);
    let problems: &[Problem] = checked.map_or(&[], |v| &v.problems);
    let awaited = verify::awaiting(request, valid);
    let mut out = Vec::new();
    for (i, q) in request.required.iter().enumerate() {
        let order = i + 1;
        let signed: Vec<&VerifiedSignature> = valid.iter().filter(|s| s.record.role == q.role).collect();
        let invalid: Vec<&str> =
            invalid_files(rec, valid).filter(|f| f.starts_with(&format!("{}--", q.role))).collect();
        out.extend(signed.iter().map(|s| signed_one(order, q, s)));
        if signed.is_empty() {
            out.extend(invalid.iter().map(|f| invalid_one(order, q, f, problems)));
        }
        if signed.is_empty() && invalid.is_empty() {
            let needs = awaited.iter().find(|a| a.role == q.role).map_or(&[][..], |a| &a.needs);
            out.push(awaiting(order, q, needs));
        }
    }
    // Files for roles the policy does not require: shown, never silently dropped.
    let required = |f: &str| request.required.iter().any(|q| f.starts_with(&format!("{}--", q.role)));
    for f in invalid_files(rec, valid).filter(|f| !required(f)) {
        let role = f.split("--").next().unwrap_or(f).into();
        let q = RequiredSignature { role, meaning: String::new(), meaning_text: String::new(), after: Vec::new() };
        out.push(invalid_one(request.required.len() + 1, &q, f, problems));
    }
    out
}

fn invalid_files<'a>(rec: &'a ReleaseRecord, valid: &'a [VerifiedSignature]) -> impl Iterator<Item = &'a str> {
    rec.envelopes.iter().map(|(f, _)| f.as_str()).filter(move |f| !valid.iter().any(|s| s.file == *f))
}

fn signed_one(order: usize, q: &RequiredSignature, s: &VerifiedSignature) -> Manifestation {
    let r = &s.record;
    let rejected = r.meaning == REJECTOR;
    Manifestation {
        order,
        role: r.role.to_string(),
        status: if rejected { SignatureStatus::Rejected } else { SignatureStatus::Signed },
        printed_name: Some(r.printed_name.clone()),
        email: Some(r.email.clone()),
        department: r.department.clone(),
        title: r.title.clone(),
        on_behalf_of: r.on_behalf_of.as_ref().map(|o| format!("{} ({})", o.printed_name, o.signer_id)),
        delegation: s.delegation.as_ref().map(|d| format!("{} to {}: {}", d.from, d.until, d.reason)),
        signer_id: Some(r.signer_id.to_string()),
        key_id: Some(r.key_id.to_string()),
        meaning: r.meaning.clone(),
        meaning_text: r.meaning_text.clone(),
        reason: r.reason.clone(),
        signed_at: Some(r.signed_at.clone()),
        signed_at_display: Some(display_time(&r.signed_at)),
        time_source: Some(r.time_source.to_string()),
        time_source_text: Some(time_source_text(r.time_source, s.time_authority.as_deref())),
        verification: SignatureCheck::Valid,
        verification_text: if rejected {
            "valid signature REJECTING the release".into()
        } else {
            "valid: signature, signer, key standing, bundle, request and order verified".into()
        },
        prerequisites: q.after.iter().map(ToString::to_string).collect(),
        file: Some(s.file.clone()),
        envelope_sha256: Some(s.envelope_sha256.clone()),
    }
}

fn invalid_one(order: usize, q: &RequiredSignature, file: &str, problems: &[Problem]) -> Manifestation {
    let why: Vec<&str> =
        problems.iter().filter(|p| p.file.as_deref() == Some(file)).map(|p| p.message.as_str()).collect();
    Manifestation {
        verification: SignatureCheck::Invalid,
        verification_text: format!(
            "NOT a valid signature ({file}): {}",
            if why.is_empty() { "see the verification problems below".to_string() } else { why.join("; ") }
        ),
        file: Some(file.to_string()),
        status: SignatureStatus::Invalid,
        ..unsigned(order, q)
    }
}

fn awaiting(order: usize, q: &RequiredSignature, needs: &[Role]) -> Manifestation {
    let verification_text = if needs.is_empty() {
        "awaiting signature".to_string()
    } else {
        format!("awaiting signature — needs {} first", needs.join(", "))
    };
    Manifestation { verification_text, ..unsigned(order, q) }
}

fn unsigned(order: usize, q: &RequiredSignature) -> Manifestation {
    Manifestation {
        order,
        role: q.role.to_string(),
        status: SignatureStatus::Awaiting,
        printed_name: None,
        email: None,
        department: None,
        title: None,
        on_behalf_of: None,
        delegation: None,
        signer_id: None,
        key_id: None,
        meaning: q.meaning.clone(),
        meaning_text: q.meaning_text.clone(),
        reason: None,
        signed_at: None,
        signed_at_display: None,
        time_source: None,
        time_source_text: None,
        verification: SignatureCheck::Awaiting,
        verification_text: String::new(),
        prerequisites: q.after.iter().map(ToString::to_string).collect(),
        file: None,
        envelope_sha256: None,
    }
}

/// `2026-11-20 09:02:11 UTC (+00:00)`: the date, the time, the zone and its offset, so nobody
/// has to know that a trailing `Z` means UTC.
pub fn display_time(rfc3339: &str) -> String {
    match Timestamp::parse(rfc3339) {
        Some(t) => format!("{} UTC (+00:00)", t.to_string().trim_end_matches('Z').replacen('T', " ", 1)),
        None => format!("{rfc3339} (not an RFC 3339 UTC time)"),
    }
}

fn time_source_text(source: TimeSource, authority: Option<&str>) -> String {
    match (source, authority) {
        (TimeSource::SignerClock, _) => {
            "the signer's own clock (key-file signature; not an independently trusted time)".into()
        }
        (TimeSource::TransparencyLog, _) => {
            "the transparency log's verified integration time (keyless signature)".into()
        }
        (TimeSource::TimestampAuthority, Some(name)) => {
            format!("timestamp authority ({name}): its verified RFC 3161 token over this signature")
        }
        (TimeSource::TimestampAuthority, None) => {
            "an RFC 3161 timestamp authority's verified time (keyless signature)".into()
        }
    }
}

/// The signatures the record holds that no longer count: withdrawn, then superseded.
pub fn retired(checked: Option<&VerifyReport>) -> Vec<Retired> {
    let Some(v) = checked else { return Vec::new() };
    let withdrawn = v.withdrawn.iter().map(|w| {
        let w = &w.withdrawal;
        Retired {
            role: w.role.to_string(),
            file: w.withdrawn.file.clone(),
            signer_id: w.signer_id.to_string(),
            kind: RetiredKind::Withdrawn,
            at: Some(w.withdrawn_at.clone()),
            reason: w.reason.clone(),
            replaced_by: None,
        }
    });
    let superseded = v.superseded.iter().map(|x| Retired {
        role: x.revoked.role.to_string(),
        file: x.revoked.file.clone(),
        signer_id: x.revoked.signer_id.clone(),
        kind: RetiredKind::Superseded,
        at: None,
        reason: format!("{}; {}", x.revoked.why, x.reason),
        replaced_by: Some(format!("{} ({})", x.by, x.by_signer)),
    });
    withdrawn.chain(superseded).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_time_names_zone_and_offset() {
        assert_eq!(super::display_time("2026-11-20T09:02:11Z"), "2026-11-20 09:02:11 UTC (+00:00)");
        assert!(super::display_time("yesterday").contains("not an RFC 3339"));
    }
}
