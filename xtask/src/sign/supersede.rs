//! Re-signing after a revocation (seed 002 §7.4): a signature made with a key revoked before it
//! signed stays in the record, as every signature does, and fails; a valid signature of the same
//! role that names it by digest, with a reason, supersedes it. The gate then shows both, and the
//! release can pass. Only that failure can be superseded: a rejection, a forged or edited
//! envelope, or a signature with any other problem keeps failing the release.

use std::collections::BTreeMap;

use super::dsse::Envelope;
use super::layout::DSSE_SUFFIX;
use super::registry::Standing;
use super::verdict::{Check, Problem, Revoked, Superseded, VerifiedSignature};
use super::{Timestamp, release_record::ReleaseRecord};
use crate::digest::tagged as sha;

/// A signature file the gate refused, with its text and every problem found.
pub struct Failed<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub problems: Vec<Problem>,
}

/// What the gate makes of the failed signatures: those superseded (their problems dropped), those
/// only revoked (problems kept, listed for a replacement), and every other problem.
pub fn resolve(
    rec: &ReleaseRecord,
    valid: &[VerifiedSignature],
    failed: Vec<Failed<'_>>,
    now: Timestamp,
    problems: &mut Vec<Problem>,
) -> (Vec<Superseded>, Vec<Revoked>) {
    let mut revoked: BTreeMap<(String, String), (Revoked, Vec<Problem>)> = BTreeMap::new();
    for f in failed {
        match revoked_only(rec, &f, now) {
            Some(r) => {
                revoked.insert((r.file.clone(), r.envelope_sha256.clone()), (r, f.problems));
            }
            None => problems.extend(f.problems),
        }
    }
    let mut superseded = Vec::new();
    for s in valid {
        for claim in &s.record.supersedes {
            let key = (claim.file.clone(), claim.envelope_sha256.clone());
            match revoked.remove(&key) {
                Some((r, _)) if r.role == s.record.role => superseded.push(Superseded {
                    revoked: r,
                    by: s.file.clone(),
                    by_signer: s.record.signer_id.to_string(),
                    reason: claim.reason.clone(),
                }),
                other => {
                    if let Some((r, p)) = other {
                        revoked.insert(key, (r, p));
                    }
                    problems.push(Problem::signature(
                        &s.file,
                        Check::Superseded,
                        format!(
                            "supersedes {} ({}), which is not a signature of role {} that fails only because its \
                             key was revoked before it signed",
                            claim.file, claim.envelope_sha256, s.record.role
                        ),
                    ));
                }
            }
        }
    }
    // An approval made on the strength of a signature that no longer counts must be made again.
    for s in valid {
        for pre in &s.record.prerequisites {
            if let Some(x) = superseded.iter().find(|x| x.revoked.envelope_sha256 == pre.envelope_sha256) {
                problems.push(Problem::signature(
                    &s.file,
                    Check::Order,
                    format!(
                        "signed after {}, which {} superseded (its key was revoked): withdraw this signature \
                         (`signet sign --withdraw`) and sign again after the replacement",
                        x.revoked.file, x.by
                    ),
                ));
            }
        }
    }
    let mut still = Vec::new();
    for (r, p) in revoked.into_values() {
        problems.extend(p);
        still.push(r);
    }
    (superseded, still)
}

/// The failed key-file signature, when every problem is its credential's standing and its key is
/// revoked: what a replacement may supersede.
fn revoked_only(rec: &ReleaseRecord, f: &Failed<'_>, now: Timestamp) -> Option<Revoked> {
    if !f.file.ends_with(DSSE_SUFFIX) || f.problems.iter().any(|p| p.check != Check::Standing) {
        return None;
    }
    let env: Envelope = serde_json::from_str(f.text).ok()?;
    let keyid = &env.signatures.first()?.keyid;
    let signer = rec.registry.by_key(keyid)?;
    let Standing::Revoked { at, reason } = rec.registry.standing(signer, &now) else { return None };
    // Only a revocation administrators approved makes a signature replaceable; one a pull request
    // appended makes it fail, and that is all.
    super::anchored::revocation_anchored(rec, rec.registry.revocation(keyid)?).ok()?;
    let meaning = signed_meaning(&env).unwrap_or_default();
    let role = f.file.split_once("--")?.0;
    Some(Revoked {
        file: f.file.to_owned(),
        envelope_sha256: sha(f.text.as_bytes()),
        role: crate::formats::ids::Role::parse(role).ok()?,
        signer_id: signer.id.to_string(),
        key_id: keyid.to_string(),
        why: format!("the key of `{}` was revoked at {at}: {reason}", signer.id),
        meaning,
    })
}

/// The meaning the envelope's record states (its signature verified: only its standing failed).
fn signed_meaning(env: &Envelope) -> Option<String> {
    use base64ct::Encoding as _;
    let payload = base64ct::Base64::decode_vec(&env.payload).ok()?;
    let statement: super::dsse::Statement<super::record::Part11Record> = serde_json::from_slice(&payload).ok()?;
    Some(statement.predicate.meaning)
}
