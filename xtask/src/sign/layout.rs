//! Every path under `signatures/`, in one place: the registry and the pinned trusted root at the
//! top, one folder per release with its request, audit trail and one file per signature, and the
//! archival manifest beside the folders.
//!
//! ```text
//! signatures/signers.toml                 the signer registry
//! signatures/trusted_root.json            the pinned Sigstore trusted root
//! signatures/trust.json                   the organisation's trust anchor (administrators)
//! signatures/<ID>/request.json            the pending-signature request (+ request.md)
//! signatures/<ID>/index.json              the RTM index the request pins, as the signers saw it
//! signatures/<ID>/SHA256SUMS              the evidence checksums the request pins
//! signatures/<ID>/events/<TIME>-<SHA256>.json     one immutable file per event
//! signatures/<ID>/withdrawals/<SHA256>.dsse.json  a signer's signed withdrawal of that file
//! signatures/<ID>/audit.jsonl             the hash-chained audit trail (releases recorded before events/)
//! signatures/<ID>/<ROLE>--<signer>.dsse.json       a key-file signature
//! signatures/<ID>/<ROLE>--<signer>.tst          its RFC 3161 timestamp token (DER)
//! signatures/<ID>/<ROLE>--<signer>.sigstore.json   a keyless signature
//! signatures/release-<ID>.json            the archival manifest
//! ```

use std::path::{Path, PathBuf};

use super::SignError;
use crate::formats::ids::{Role, SignerId};
use crate::fsx::path_safety;

pub const DIR: &str = "signatures";
pub const REGISTRY: &str = "signatures/signers.toml";
/// The pinned Sigstore trusted root, in the regulated repository (CODEOWNERS-protected).
pub const TRUSTED_ROOT: &str = "signatures/trusted_root.json";
/// The organisation's trust anchor (a copy; the original's SHA-256 is kept in the QMS / DHF).
pub const TRUST: &str = "signatures/trust.json";
pub const REQUEST: &str = "request.json";
pub const REQUEST_MD: &str = "request.md";
pub const INDEX_COPY: &str = "index.json";
pub const SUMS_COPY: &str = "SHA256SUMS";
pub const AUDIT: &str = "audit.jsonl";
pub const EVENTS: &str = "events";
pub const WITHDRAWALS: &str = "withdrawals";
pub const DSSE_SUFFIX: &str = ".dsse.json";
pub const KEYLESS_SUFFIX: &str = ".sigstore.json";
pub const TOKEN_SUFFIX: &str = ".tst";

/// `signatures/<ID>/`, for a release id that is a safe file name.
pub fn release_dir(root: &Path, release: &str) -> Result<PathBuf, SignError> {
    crate::formats::ids::ReleaseId::parse(release).map_err(|e| SignError::Refused(e.to_string()))?;
    path_safety::check_name(release)
        .map_err(|p| SignError::Refused(format!("release id `{release}`: {p}; use something like v1.4.0")))?;
    Ok(root.join(DIR).join(release))
}

/// `<release dir>/events/<name>`, for an event file name that is a safe file name.
pub fn event_path(release_dir: &Path, name: &str) -> Result<PathBuf, SignError> {
    inside(release_dir.join(EVENTS), name)
}

/// `<release dir>/<ROLE>--<signer>.dsse.json` (or `.sigstore.json`), from validated ids.
pub fn signature_path(release_dir: &Path, role: &Role, signer: &SignerId, keyless: bool) -> Result<PathBuf, SignError> {
    let name = if keyless { keyless_file_name(role, signer) } else { file_name(role, signer) };
    inside(release_dir.to_path_buf(), &name)
}

/// `<release dir>/withdrawals/<name>`, for a withdrawal file name that is a safe file name.
pub fn withdrawal_path(release_dir: &Path, name: &str) -> Result<PathBuf, SignError> {
    inside(release_dir.join(WITHDRAWALS), name)
}

/// `<release dir>/<ROLE>--<signer>.tst`: the timestamp token of that key-file signature.
pub fn token_path(release_dir: &Path, role: &Role, signer: &SignerId) -> Result<PathBuf, SignError> {
    inside(release_dir.to_path_buf(), &token_file_name(&file_name(role, signer)))
}

/// The token file of a key-file signature file: `<ROLE>--<signer>.tst` beside `<ROLE>--<signer>.dsse.json`.
pub fn token_file_name(envelope_file: &str) -> String {
    format!("{}{TOKEN_SUFFIX}", envelope_file.strip_suffix(DSSE_SUFFIX).unwrap_or(envelope_file))
}

/// The key-file signature file a token file belongs to: `<ROLE>--<signer>.dsse.json` for
/// `<ROLE>--<signer>.tst`; `None` for a name that is no token's.
pub fn envelope_of_token(token_file: &str) -> Option<String> {
    token_file.strip_suffix(TOKEN_SUFFIX).map(|stem| format!("{stem}{DSSE_SUFFIX}"))
}

/// `dir/name`, only for a name that is one safe path component: the last guard before a
/// write under `signatures/`.
fn inside(dir: PathBuf, name: &str) -> Result<PathBuf, SignError> {
    let refuse = |why: String| SignError::Refused(format!("`{name}` is not a safe file name under signatures/: {why}"));
    path_safety::check_name(name).map_err(|p| refuse(p.to_string()))?;
    if name.contains('/') {
        return Err(refuse("it has a `/`".into()));
    }
    Ok(dir.join(name))
}

/// `release-<ID>.json`: the archival manifest's file name.
pub fn manifest_file_name(release: &str) -> String {
    format!("release-{release}.json")
}

/// `signatures/release-<ID>.json`.
pub fn manifest_path(root: &Path, release: &str) -> PathBuf {
    root.join(DIR).join(manifest_file_name(release))
}

/// `<ROLE>--<signer>.dsse.json`: one file per signature, so signers in separate pull requests
/// never touch the same file.
pub fn file_name(role: &str, signer: &str) -> String {
    format!("{role}--{signer}{DSSE_SUFFIX}")
}

/// `<ROLE>--<signer>.sigstore.json`: a keyless signature, the Sigstore bundle cosign wrote.
pub fn keyless_file_name(role: &str, signer: &str) -> String {
    format!("{role}--{signer}{KEYLESS_SUFFIX}")
}

/// Whether `file` is a signature file, of either kind.
pub fn is_signature_file(file: &str) -> bool {
    file.ends_with(DSSE_SUFFIX) || file.ends_with(KEYLESS_SUFFIX)
}
