//! Stage 6: the final gate, as `signet verify` runs it: the bundle's digest recomputed, the
//! release record read from the release folder (`signatures/<ID>/`) or, years later, from the
//! archived manifest alone, every check of `sign::gate`, and — when a release folder passes —
//! the archival manifest `signatures/release-<ID>.json` written.

use std::path::{Path, PathBuf};

use super::policy::SigningConfig;
use super::{SignError, Timestamp, layout};
use crate::fsx::atomic;
use crate::output::json;

pub use super::gate::{awaiting, verify};
pub use super::release_record::{MANIFEST_VERSION, Manifest, ManifestEnvelope, ReleaseRecord, TrustOptions};
pub use super::verdict::{Awaiting, Check, Problem, VerifiedSignature, VerifyReport};

/// The gate's verdict, and the manifest it wrote (a release folder that passed).
#[derive(Debug, Clone)]
pub struct Verdict {
    pub report: VerifyReport,
    pub manifest_written: Option<PathBuf>,
}

/// What `verify` checks: the bundle against a release folder or an archived manifest file,
/// anchored as `trust` says.
#[derive(Debug, Clone)]
pub struct VerifyInputs<'a> {
    pub root: &'a Path,
    pub bundle: &'a Path,
    pub record: &'a Path,
    pub policy: &'a SigningConfig,
    pub trust: &'a TrustOptions,
}

/// Verifies the bundle against the record, anchored on the organisation's trust file.
pub fn run(inputs: &VerifyInputs<'_>, now: Timestamp) -> Result<Verdict, SignError> {
    let (root, record) = (inputs.root, inputs.record);
    let bundle_sha = super::release_record::file_digest(inputs.bundle)?.0.hex();
    let from_folder = record.is_dir();
    let rec = load(root, record, inputs.policy, inputs.trust)?;
    let report = verify(&rec, &bundle_sha, now)?;
    let mut manifest_written = None;
    if report.passed() && from_folder {
        let path = layout::manifest_path(root, &report.release);
        atomic::write(&path, json::to_string(&rec.manifest(&report)).as_bytes())
            .map_err(|source| SignError::Write { path: path.clone(), source })?;
        manifest_written = Some(path);
    }
    Ok(Verdict { report, manifest_written })
}

/// The release record at `record` (folder or manifest), anchored.
pub fn load(
    root: &Path,
    record: &Path,
    policy: &SigningConfig,
    trust: &TrustOptions,
) -> Result<ReleaseRecord, SignError> {
    let (mut rec, embedded) = if record.is_dir() {
        (ReleaseRecord::from_folder(root, record, policy)?, None)
    } else {
        let (rec, m) = ReleaseRecord::from_manifest(record)?;
        (rec, m.trust)
    };
    rec.anchor(root, embedded.as_ref(), trust)?;
    Ok(rec)
}
