//! Withdrawing one's own signature or rejection before the release is approved (seed 002
//! §6.3): the signing ceremony's steps — terminal, what is withdrawn, intent, a reason,
//! re-authentication — ending in a signed withdrawal (`formats::withdrawal`) and the removal of
//! the withdrawn file (and its timestamp token). Once every required signature is present and
//! valid, or the release is archived, nothing changes: recall means a new release id.

use std::path::{Path, PathBuf};

use super::ceremony::{self, SignOptions};
use super::gate;
use super::layout;
use super::policy::SigningConfig;
use super::release_record::ReleaseRecord;
use super::withdrawal::{self, Withdrawal};
use super::{SignError, Timestamp};
use crate::formats::event::FileRef;
use crate::formats::ids::Role;
use crate::formats::request::Request;
use crate::fsx::atomic;
use crate::fsx::read::{MAX_RECORD_BYTES, read_text};

/// Withdraws the signer's own key-file signature of `opts.role`; returns the withdrawal's path.
pub fn withdraw(opts: &SignOptions, policy: &SigningConfig) -> Result<PathBuf, SignError> {
    let ceremony::Opened { mut tty, dir, request, request_sha, signer, .. } =
        ceremony::open(opts, policy, "withdrawing")?;
    let role = Role::parse(&opts.role).map_err(|e| SignError::Refused(e.to_string()))?;
    let path = layout::signature_path(&dir, &role, &signer.id, false)?;
    let Ok(text) = read_text(&path, MAX_RECORD_BYTES) else {
        return Err(SignError::Refused(format!(
            "`{}` has no signature for {role} in release {}: nothing to withdraw",
            signer.id, opts.release
        )));
    };
    refuse_if_approved(opts, &dir, &request, policy)?;
    let file = layout::file_name(&role, &signer.id);
    tty.say(&format!(
        "\n=== Withdrawal of an electronic signature (21 CFR Part 11) ===\nRelease:        {}\nSignature:      {file} \
         (sha256 {})\nSigner:         {} <{}> ({})\nRole:           {role}\nThe signature is taken back with \
         your signed withdrawal; both stay in the record.\n",
        request.release,
        crate::digest::tagged(text.as_bytes()),
        signer.name,
        signer.email,
        signer.id
    ));
    ceremony::confirm_intent(&mut tty, &opts.release)?;
    let reason = tty.ask("Reason for withdrawing (required): ")?;
    if reason.trim().is_empty() {
        return Err(SignError::Refused("a withdrawal needs a reason; nothing was withdrawn".into()));
    }
    let (key, _) = ceremony::authenticate(&mut tty, opts, &signer, (&dir, &request_sha))?;
    let sha = crate::digest::tagged(text.as_bytes());
    let w = Withdrawal {
        schema: withdrawal::VERSION.id(),
        release: request.release.clone(),
        request_sha256: request_sha,
        signer_id: signer.id.clone(),
        role: role.clone(),
        withdrawn: FileRef { file: file.clone(), sha256: sha.clone() },
        reason,
        withdrawn_at: Timestamp::now().to_string(),
    };
    let out = write(&dir, &w, &key, &path)?;
    tty.say(&format!(
        "\nWithdrawn. Wrote {} and removed {file}.\nCommit both changes in one pull request.\n",
        out.display()
    ));
    Ok(out)
}

/// The withdrawal first, then the removals: killed in between, the gate says the withdrawn file
/// is still there ("remove it"), never that a logged signature vanished.
fn write(dir: &Path, w: &Withdrawal, key: &super::keys::SigningKey, envelope: &Path) -> Result<PathBuf, SignError> {
    let out = layout::withdrawal_path(dir, &withdrawal::file_name(&w.withdrawn.sha256))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SignError::Write { path, source }
    };
    atomic::ensure_parent(&out).map_err(io(&out))?;
    atomic::write(&out, withdrawal::envelope_text(w, key).as_bytes()).map_err(io(&out))?;
    std::fs::remove_file(envelope).map_err(io(envelope))?;
    let token = layout::token_path(dir, &w.role, &w.signer_id)?;
    if token.exists() {
        std::fs::remove_file(&token).map_err(io(&token))?;
    }
    Ok(out)
}

/// An approved release — archived, or with every required signature present and valid — is
/// never changed.
fn refuse_if_approved(
    opts: &SignOptions,
    dir: &Path,
    request: &Request,
    policy: &SigningConfig,
) -> Result<(), SignError> {
    let recall =
        "a signed release cannot be changed: to recall it, make a new release id and request; nothing was written";
    let manifest = layout::manifest_path(&opts.root, &opts.release);
    if manifest.exists() {
        return Err(SignError::Refused(format!(
            "release {} is archived ({}); {recall}",
            opts.release,
            manifest.display()
        )));
    }
    let mut record = ReleaseRecord::from_folder(&opts.root, dir, policy)?;
    record.anchor(&opts.root, None, &Default::default())?;
    if gate::verify(&record, &request.bundle.sha256, Timestamp::now())?.passed() {
        return Err(SignError::Refused(format!(
            "release {} is approved: every required signature is present and valid; {recall}",
            opts.release
        )));
    }
    Ok(())
}
