//! The final gate's anchor check: every signature's registry entry chains to the organisation's
//! trust file — approved by a threshold of the administrators in force when it was approved,
//! none of them the enrolled person, or vouched for by the trust file directly — and every
//! keyless signature's Sigstore trusted root is one the trust file accepts.

use super::Timestamp;
use super::layout::KEYLESS_SUFFIX;
use super::registry::{Delegation, Revocation, Signer};
use super::release_record::ReleaseRecord;
use super::trust::{self, Admin, Anchoring, Trust};
use super::verdict::{Check, Problem, VerifiedSignature};
use super::withdrawal::Withdrawn;
use crate::digest::tagged as sha;
use crate::formats::ids::fold;

pub fn check(rec: &ReleaseRecord, sigs: &[VerifiedSignature], withdrawn: &[Withdrawn], problems: &mut Vec<Problem>) {
    let chain = match &rec.anchoring {
        // With no signature yet there is nothing to anchor: the release is pending, never PASS.
        Anchoring::NotAnchored { .. } if rec.envelopes.is_empty() => return,
        Anchoring::NotAnchored { why } => return problems.push(Problem::new(Check::Anchor, why.clone())),
        Anchoring::Anchored { chain, .. } => chain,
    };
    let signed = sigs.iter().map(|s| (s.file.as_str(), s.record.key_id.as_str()));
    // A withdrawal removes a signature: its signer must be as anchored as one who signs.
    let withdrawing = withdrawn.iter().map(|w| (w.file.as_str(), w.key_id.as_str()));
    for (file, key_id) in signed.chain(withdrawing) {
        let Some(entry) = rec.registry.by_key(key_id) else { continue };
        if let Err(why) = entry_anchored(rec, chain, entry) {
            problems.push(Problem::signature(file, Check::Anchor, why));
        }
    }
    // A delegated signature exercises the delegator's enrolment too: both must chain.
    for s in sigs {
        let Some(d) = &s.delegation else { continue };
        let at = Timestamp::parse(&s.record.signed_at).unwrap_or(Timestamp::MAX);
        let delegator = super::delegation::delegator_entry(&rec.registry, d, at);
        let anchored = delegation_anchored(rec, chain, d)
            .and_then(|()| delegator.and_then(|entry| entry_anchored(rec, chain, entry)));
        if let Err(why) = anchored {
            problems.push(Problem::signature(&s.file, Check::Anchor, why));
        }
    }
    if rec.envelopes.iter().any(|(f, _)| f.ends_with(KEYLESS_SUFFIX))
        && let Some(root) = &rec.trusted_root
    {
        let digest = sha(root.as_bytes());
        if !chain.accepts_sigstore_root(&digest) {
            problems.push(Problem::new(
                Check::Anchor,
                format!(
                    "the keyless signatures were verified against the Sigstore trusted root {digest}, which the \
                     organisation's trust file does not accept (add it with `signet trust init --sigstore-root`)"
                ),
            ));
        }
    }
}

/// How many distinct administrators, in force when they signed, approved the entry with
/// `digest`, leaving out any that `oneself` says is a party to it.
fn approvers(rec: &ReleaseRecord, chain: &Trust, digest: &str, oneself: impl Fn(&Admin) -> bool) -> usize {
    let mut approvers: Vec<&str> = Vec::new();
    for a in rec.registry.approval.iter().filter(|a| a.entry_sha256 == digest) {
        let at = Timestamp::parse(&a.signed_at).unwrap_or(Timestamp::MAX);
        let in_force = chain.in_force(&at);
        let Some(admin) = in_force.admins.iter().find(|ad| ad.key_id == a.admin_key_id) else { continue };
        if !oneself(admin) && trust::approval_valid(a, admin) && !approvers.contains(&admin.id.as_str()) {
            approvers.push(&admin.id);
        }
    }
    approvers.len()
}

/// Whether the entry with `digest`, recorded at `at`, has the approvals of as many
/// administrators as the trust version then in force requires; `Err((approved, needed))` if not.
fn approved(
    rec: &ReleaseRecord,
    chain: &Trust,
    (digest, at): (&str, &str),
    party: impl Fn(&Admin) -> bool,
) -> Result<(), (usize, usize)> {
    let approved = approvers(rec, chain, digest, party);
    let needed = chain.in_force(&Timestamp::parse(at).unwrap_or(Timestamp::MAX)).threshold as usize;
    if approved >= needed { Ok(()) } else { Err((approved, needed)) }
}

/// An administrator who is one of `ids` (by folded id, any of their keys, or as one person).
fn one_of<'a>(rec: &'a ReleaseRecord, ids: &[&str]) -> impl Fn(&Admin) -> bool + use<'a> {
    let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    move |admin: &Admin| {
        ids.iter().any(|id| {
            fold(&admin.id) == fold(id)
                || rec.registry.same_person(&admin.id, id)
                || rec.registry.entries(id).any(|s| s.key_id == admin.key_id.as_str())
        })
    }
}

/// A delegation is approved like an enrolment, by administrators who are neither party to it.
fn delegation_anchored(rec: &ReleaseRecord, chain: &Trust, d: &Delegation) -> Result<(), String> {
    let party = one_of(rec, &[d.delegator.as_str(), d.delegate.as_str()]);
    approved(rec, chain, (&trust::entry_sha256(d), &d.recorded_at), party).map_err(|(approved, needed)| {
        format!(
            "the delegation of {} from `{}` to `{}` is approved by {approved} of the organisation's administrators, \
             and needs {needed}",
            d.role, d.delegator, d.delegate
        )
    })
}

/// A revocation counts towards superseding a signature only when administrators who are not the
/// revoked person approved it: an entry a pull request merely appended is no evidence.
pub(crate) fn revocation_anchored(rec: &ReleaseRecord, r: &Revocation) -> Result<(), String> {
    let Anchoring::Anchored { chain, .. } = &rec.anchoring else {
        return Err("nothing anchors the record, so no revocation in it is approved".into());
    };
    let party = one_of(rec, &[r.signer.as_str()]);
    approved(rec, chain, (&trust::entry_sha256(r), &r.recorded_at), party).map_err(|(approved, needed)| {
        format!(
            "the revocation of `{}` is approved by {approved} of the organisation's administrators, and needs {needed}",
            r.signer
        )
    })
}

/// Approved by enough administrators in force at the time, none of them the person enrolled.
fn entry_anchored(rec: &ReleaseRecord, chain: &Trust, entry: &Signer) -> Result<(), String> {
    if chain.vouches_for(entry) {
        return Ok(());
    }
    let oneself = |admin: &Admin| admin.key_id == entry.key_id || fold(&admin.id) == fold(&entry.id);
    approved(rec, chain, (&trust::entry_sha256(entry), &entry.enrolled_at), oneself).map_err(|(approved, needed)| {
        format!(
            "the enrolment of `{}` (key {}) is approved by {approved} of the organisation's administrators, and needs \
             {needed}: it does not chain to the trust file (enrolled by someone who is not an administrator, edited \
             after approval, or self-approved)",
            entry.id, entry.key_id
        )
    })
}
