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
pub use super::release_record::{MANIFEST_VERSION, Manifest, ManifestEnvelope, ReleaseRecord};
pub use super::verdict::{Awaiting, Check, Problem, VerifiedSignature, VerifyReport};

/// The gate's verdict, and the manifest it wrote (a release folder that passed).
#[derive(Debug, Clone)]
pub struct Verdict {
    pub report: VerifyReport,
    pub manifest_written: Option<PathBuf>,
}

/// Verifies `bundle` against `record` (a release folder or an archived manifest file).
pub fn run(
    root: &Path,
    bundle: &Path,
    record: &Path,
    policy: &SigningConfig,
    now: Timestamp,
) -> Result<Verdict, SignError> {
    let bundle_sha = super::release_record::file_digest(bundle)?.0.hex();
    let from_folder = record.is_dir();
    let rec = if from_folder {
        ReleaseRecord::from_folder(root, record, policy)?
    } else {
        ReleaseRecord::from_manifest(record)?.0
    };
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
