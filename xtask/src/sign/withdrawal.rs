//! Signed withdrawals (`formats::withdrawal`): the record a signer's own key signs to take back
//! their signature or rejection, and the gate's check of one. `sign::withdraw` writes one at the
//! terminal.

use super::Timestamp;
use super::dsse::{self, Envelope};
use super::keys;
use super::layout;
use super::registry::Standing;
use super::release_record::ReleaseRecord;
pub use super::verdict::Withdrawn;
use crate::formats::registry::SignerKind;
use crate::formats::request::Request;
pub use crate::formats::withdrawal::{PAYLOAD_TYPE, VERSION, Withdrawal};
use crate::output::json;

/// `withdrawals/<hex sha256 of the withdrawn file>.dsse.json`: one withdrawal per signature.
pub fn file_name(withdrawn_sha256: &str) -> String {
    format!("{}{}", withdrawn_sha256.trim_start_matches("sha256:"), layout::DSSE_SUFFIX)
}

/// The withdrawal's DSSE envelope, signed with the signer's key, pretty-printed with one
/// trailing newline.
pub fn envelope_text(w: &Withdrawal, key: &keys::SigningKey) -> String {
    let key_id = keys::key_id(key.verifying_key());
    let env = dsse::sign(PAYLOAD_TYPE, &json::to_canonical_bytes(w), key, &key_id);
    let mut text = json::to_string(&env);
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// One withdrawal file: signed by the enrolled human key of the signer it names, in good
/// standing both when it says it withdrew and now (a backdated time is not evidence), outside a
/// lockout; for this release and request, between the request's creation and now; withdrawing
/// that signer's own file for that role; named after the digest of what it withdraws.
pub fn check(
    rec: &ReleaseRecord,
    (request, request_sha): (&Request, &str),
    (file, text): (&str, &str),
    now: Timestamp,
) -> Result<Withdrawn, String> {
    let (registry, release) = (&rec.registry, request.release.as_str());
    let env: Envelope = serde_json::from_str(text).map_err(|e| format!("not a DSSE envelope ({e})"))?;
    let key_id = env.signatures.first().map(|s| s.keyid.clone()).unwrap_or_default();
    let signer = registry.by_key(&key_id).ok_or_else(|| format!("signed by key {key_id}, which is not enrolled"))?;
    let key = keys::parse_public_pem(&signer.public_key)
        .map_err(|e| format!("`{}` has no usable key to withdraw with ({e})", signer.id))?;
    let payload =
        dsse::verify_typed(&env, PAYLOAD_TYPE, &key, &key_id).map_err(|e| format!("signature does not verify: {e}"))?;
    let w: Withdrawal = VERSION.read(&payload).map_err(|e| format!("not a Signet withdrawal ({e})"))?;
    if w.signer_id != signer.id {
        return Err(format!("names signer `{}`, but is signed by the key of `{}`", w.signer_id, signer.id));
    }
    if w.release.as_str() != release || w.request_sha256 != request_sha {
        return Err(format!("withdraws from release {} request {}, not this one", w.release, w.request_sha256));
    }
    let own = [layout::file_name(&w.role, &w.signer_id), layout::keyless_file_name(&w.role, &w.signer_id)];
    if !own.contains(&w.withdrawn.file) {
        return Err(format!(
            "withdraws {}, which is not `{}`'s signature as {}",
            w.withdrawn.file, w.signer_id, w.role
        ));
    }
    if file != file_name(&w.withdrawn.sha256) {
        return Err(format!(
            "the file name does not match what it withdraws (expected {})",
            file_name(&w.withdrawn.sha256)
        ));
    }
    let at = Timestamp::parse(&w.withdrawn_at)
        .ok_or_else(|| format!("`withdrawn_at` {:?} is not a time", w.withdrawn_at))?;
    if !signer.roles.contains(&w.role) {
        return Err(format!("`{}` is not enrolled for role {}", signer.id, w.role));
    }
    if signer.kind != SignerKind::Human {
        return Err(format!("`{}` is not a person; only a person withdraws a signature", signer.id));
    }
    let created = Timestamp::parse(&request.created_at).unwrap_or(Timestamp::MAX);
    if at < created || at > now {
        return Err(format!("`withdrawn_at` {} is not between the request's creation and now", w.withdrawn_at));
    }
    if registry.standing(signer, &at) != Standing::Valid || registry.standing(signer, &now) != Standing::Valid {
        return Err(format!("the key of `{}` is not in good standing (revoked or expired)", signer.id));
    }
    if super::lockout::windows(&rec.trail, &w.signer_id).iter().any(|(from, until)| *from <= at && at < *until) {
        return Err(format!("made at {}, inside a lockout of `{}` the record holds", w.withdrawn_at, w.signer_id));
    }
    Ok(Withdrawn { file: file.to_owned(), key_id, withdrawal: w })
}

/// The file a withdrawal envelope says it withdraws, without checking its signature: what the
/// drift check reads from history (the gate checks the signature when it verifies the release).
pub fn names(text: &[u8]) -> Option<crate::formats::event::FileRef> {
    use base64ct::{Base64, Encoding};
    let env: Envelope = serde_json::from_slice(text).ok()?;
    let payload = Base64::decode_vec(&env.payload).ok()?;
    (env.payload_type == PAYLOAD_TYPE).then_some(())?;
    VERSION.read::<Withdrawal>(&payload).ok().map(|w| w.withdrawn)
}
