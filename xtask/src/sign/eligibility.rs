//! Who may sign now: every rule the ceremony and the keyless flow check before anything is
//! signed (role required and enrolled, a person, key standing, role not yet signed, separation
//! of duties, order), and the prerequisite digests a new signature records.

use std::path::Path;

use super::policy::SigningConfig;
use super::record::{OnBehalfOf, Prerequisite, Supersession};
use super::registry::{Registry, Signer, Standing};
use super::release_record::ReleaseRecord;
use super::verdict::{VerifiedSignature, VerifyReport};
use super::{SignError, Timestamp, delegation, gate};
use crate::formats::registry::SignerKind;
use crate::formats::request::Request;

/// The signing about to happen, as the checks need it.
#[derive(Debug, Clone, Copy)]
pub struct Eligibility<'a> {
    pub root: &'a Path,
    /// The release folder, `signatures/<ID>/`.
    pub dir: &'a Path,
    pub role: &'a str,
    /// A rejection may be signed out of order.
    pub reject: bool,
    /// The delegator whose role the signer fills by a delegation (`sign --on-behalf-of`).
    pub on_behalf_of: Option<&'a str>,
}

/// Who may sign, as the checks found it: the gate's verdict on the release now, and the
/// delegation the signature will exercise, if any.
pub struct MaySign {
    pub gate: VerifyReport,
    pub on_behalf_of: Option<OnBehalfOf>,
}

pub fn required_meaning(request: &Request, role: &str) -> Result<String, SignError> {
    request.required.iter().find(|r| r.role == role).map(|r| r.meaning.clone()).ok_or_else(|| {
        let roles: Vec<&str> = request.required.iter().map(|r| r.role.as_str()).collect();
        SignError::Refused(format!("role `{role}` is not required for this release (required: {})", roles.join(", ")))
    })
}

/// Every rule that must hold before the password is even asked for.
pub fn check_may_sign(
    opts: &Eligibility<'_>,
    policy: &SigningConfig,
    request: &Request,
    registry: &Registry,
    signer: &Signer,
    now: Timestamp,
) -> Result<MaySign, SignError> {
    let refuse = |m: String| Err(SignError::Refused(m));
    required_meaning(request, opts.role)?;
    if signer.kind != SignerKind::Human {
        return refuse(format!("`{}` is a {} key: only a person can sign a release", signer.id, signer.kind));
    }
    let on_behalf_of = match opts.on_behalf_of {
        Some(delegator) => {
            Some(delegation::exercisable(registry, signer, (delegator, opts.role), now).map_err(SignError::Refused)?)
        }
        None if !signer.roles.iter().any(|r| r == opts.role) => {
            return refuse(format!(
                "`{}` is not enrolled for role {} (enrolled: {}); a delegate signs with --on-behalf-of ID",
                signer.id,
                opts.role,
                signer.roles.join(", ")
            ));
        }
        None => None,
    };
    match registry.standing(signer, &now) {
        Standing::Valid => {}
        Standing::Revoked { at, reason } => {
            return refuse(format!("the key of `{}` was revoked at {at}: {reason}", signer.id));
        }
        Standing::Expired { until } => {
            return refuse(format!("the key of `{}` expired at {until}; enrol a new key", signer.id));
        }
        Standing::NotYetEnrolled { enrolled_at } => {
            return refuse(format!("the key is enrolled only from {enrolled_at}"));
        }
    }
    let report = gate_now(opts.root, opts.dir, policy, request, now)?;
    let present = &report.signatures;
    if let Some(r) = report.revoked.iter().find(|r| r.role == opts.role && signer.id == r.signer_id) {
        return refuse(format!(
            "your earlier signature {} stays in the record ({}); it can only be superseded by another person \
             enrolled for {}, or the release re-requested under a new id",
            r.file, r.why, opts.role
        ));
    }
    if let Some(s) = present.iter().find(|s| s.record.role == opts.role) {
        return if s.record.signer_id == signer.id {
            refuse(format!(
                "you already signed {} for {} at {}; a person signs a role once",
                opts.role, request.release, s.record.signed_at
            ))
        } else {
            refuse(format!("{} is already signed for {} by {}", opts.role, request.release, s.record.printed_name))
        };
    }
    let people: Vec<&str> =
        std::iter::once(signer.id.as_str()).chain(on_behalf_of.as_ref().map(|o| o.signer_id.as_str())).collect();
    if request.separation_of_duties
        && let Some(s) = present.iter().find(|s| s.people().any(|p| people.iter().any(|q| registry.same_person(p, q))))
    {
        return refuse(format!(
            "{} already signed {} as {}; one person cannot fill two roles of a release, in person or by \
             delegation (separation of duties)",
            people.join(" / "),
            request.release,
            s.record.role
        ));
    }
    let after = request.required.iter().find(|r| r.role == opts.role).map(|r| r.after.clone()).unwrap_or_default();
    let missing: Vec<&str> =
        after.iter().map(|a| a.as_str()).filter(|a| !present.iter().any(|s| s.record.role == *a)).collect();
    if !missing.is_empty() && !opts.reject {
        return refuse(format!(
            "{} signs after {}; still missing: {}",
            opts.role,
            after.join(", "),
            missing.join(", ")
        ));
    }
    Ok(MaySign { gate: report, on_behalf_of })
}

/// The final gate's verdict on the release folder now: the signatures it accepts, and those
/// that fail only for a revoked key.
pub fn gate_now(
    root: &Path,
    dir: &Path,
    policy: &SigningConfig,
    request: &Request,
    now: Timestamp,
) -> Result<VerifyReport, SignError> {
    let mut record = ReleaseRecord::from_folder(root, dir, policy)?;
    // The repository's trust file names the timestamp authorities whose tokens date the
    // signatures present.
    record.anchor(root, None, &Default::default())?;
    gate::verify(&record, &request.bundle.sha256, now)
}

/// What a new signature of `role` supersedes: the role's signatures made with a revoked key.
pub fn supersessions(report: &VerifyReport, role: &str) -> Vec<Supersession> {
    report
        .revoked
        .iter()
        .filter(|r| r.role == role)
        .map(|r| Supersession {
            file: r.file.clone(),
            envelope_sha256: r.envelope_sha256.clone(),
            reason: match r.meaning.as_str() {
                super::meaning::REJECTOR => {
                    format!("re-signed because {}; this overrules `{}`'s REJECTION", r.why, r.signer_id)
                }
                _ => format!("re-signed because {}", r.why),
            },
        })
        .collect()
}

pub fn prerequisites(request: &Request, role: &str, present: &[VerifiedSignature]) -> Vec<Prerequisite> {
    let after = request.required.iter().find(|r| r.role == role).map(|r| r.after.clone()).unwrap_or_default();
    present
        .iter()
        .filter(|s| after.contains(&s.record.role))
        .map(|s| Prerequisite {
            role: s.record.role.clone(),
            signer_id: s.record.signer_id.clone(),
            envelope_sha256: s.envelope_sha256.clone(),
        })
        .collect()
}
