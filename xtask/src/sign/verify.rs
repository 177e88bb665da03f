//! Stage 6: the final gate, as `signet verify` runs it: the bundle's digest recomputed, the
//! release record read from the release folder (`signatures/<ID>/`) or, years later, from the
//! archived manifest alone, every check of `sign::gate`, and — when a release folder passes —
//! the archival manifest `signatures/release-<ID>.json` written, once: an existing manifest is
//! compared, never overwritten, and one that differs from what the record assembles fails.

use std::path::{Path, PathBuf};

use super::policy::SigningConfig;
use super::{SignError, Timestamp, audit, layout};
use crate::fsx::atomic;
use crate::output::json;

pub use super::gate::{awaiting, verify};
pub use super::release_record::{MANIFEST_VERSION, Manifest, ManifestEnvelope, ReleaseRecord, TrustOptions};
pub use super::verdict::{Awaiting, Check, Problem, VerifiedSignature, VerifyReport};

/// The gate's verdict, and what became of the archival manifest (a release folder that passed).
#[derive(Debug, Clone)]
pub struct Verdict {
    pub report: VerifyReport,
    pub manifest: Option<ManifestOutcome>,
    /// `sha256:` of the request's exact bytes: the policy every signer signed.
    pub request_sha256: String,
    /// `sha256:` of the trust file the record was anchored on, if it was.
    pub anchor_sha256: Option<String>,
}

/// The archival manifest of a release folder that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestOutcome {
    Written(PathBuf),
    /// Already there, byte for byte what this record assembles.
    Identical(PathBuf),
    /// Already there and different (the gate fails with a `Drift` problem naming the fields).
    Differs(PathBuf),
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
    let mut report = report;
    let manifest = match (report.passed(), from_folder) {
        (true, true) => Some(archive(root, &rec, &mut report)?),
        (false, true) => {
            flag_committed_manifest(root, &mut report);
            None
        }
        (_, false) => None,
    };
    let request_sha256 = crate::digest::tagged(rec.request_text.as_bytes());
    let anchor_sha256 = match &rec.anchoring {
        super::trust::Anchoring::Anchored { anchor_sha256, .. } => Some(anchor_sha256.clone()),
        super::trust::Anchoring::NotAnchored { .. } => None,
    };
    Ok(Verdict { report, manifest, request_sha256, anchor_sha256 })
}

/// Writes the archival manifest once, and logs its assembly; an existing one is compared.
fn archive(root: &Path, rec: &ReleaseRecord, report: &mut VerifyReport) -> Result<ManifestOutcome, SignError> {
    let path = layout::manifest_path(root, &report.release);
    let text = json::to_string(&rec.manifest(report));
    match read_existing(&path) {
        Ok(existing) => {
            let differ = differences(&existing, text.as_bytes());
            if differ.is_empty() {
                return Ok(ManifestOutcome::Identical(path));
            }
            report.problems.push(Problem::signature(
                &layout::manifest_file_name(&report.release),
                Check::Drift,
                format!(
                    "an archival manifest is already committed and differs from what this record assembles ({}); \
                     it was left as it is — find out who changed it (git log -p {})",
                    differ,
                    path.display()
                ),
            ));
            return Ok(ManifestOutcome::Differs(path));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(SignError::input(&path, e)),
    }
    atomic::write(&path, text.as_bytes()).map_err(|source| SignError::Write { path: path.clone(), source })?;
    let dir = layout::release_dir(root, &report.release)?;
    let request_sha = crate::digest::tagged(rec.request_text.as_bytes());
    let event = audit::NewEvent::new(audit::EventKind::ManifestAssembled, &request_sha)
        .file(&layout::manifest_file_name(&report.release), text.as_bytes());
    audit::record(&dir, &report.release, event)?;
    Ok(ManifestOutcome::Written(path))
}

/// A committed manifest beside a record that fails was not assembled from this record.
fn flag_committed_manifest(root: &Path, report: &mut VerifyReport) {
    let path = layout::manifest_path(root, &report.release);
    if std::fs::symlink_metadata(&path).is_ok() {
        report.problems.push(Problem::signature(
            &layout::manifest_file_name(&report.release),
            Check::Drift,
            "an archival manifest is committed, but the record it must be assembled from fails: it does not \
             stand for this record; find out who added it (git log -p)",
        ));
    }
}

/// A committed manifest's bytes: bounded, never through a link, FIFO or device.
fn read_existing(path: &Path) -> Result<Vec<u8>, std::io::Error> {
    atomic::refuse_special(path)?;
    crate::fsx::read::read_bytes(path, crate::fsx::read::MAX_RECORD_BYTES)
}

/// How a committed manifest differs from the one assembled now, or "" when they agree: every
/// field equal, except that the trust chain may since have been extended (a rotation).
fn differences(old: &[u8], new: &[u8]) -> String {
    if old == new {
        return String::new();
    }
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::from_slice(old), serde_json::from_slice(new))
    else {
        return "the committed file is not a JSON object".into();
    };
    let extended = |k: &str| {
        let versions = |m: &serde_json::Map<String, serde_json::Value>| {
            m.get(k).and_then(|t| t.get("versions")).and_then(|v| v.as_array()).cloned().unwrap_or_default()
        };
        let (old, new) = (versions(&a), versions(&b));
        k == "trust" && !old.is_empty() && new.starts_with(&old)
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let differ: Vec<String> =
        keys.into_iter().filter(|k| a.get(*k) != b.get(*k) && !extended(k)).map(|k| format!("`{k}`")).collect();
    match differ.is_empty() {
        true if a == b => "the same fields, spelled differently".into(),
        true => String::new(),
        false => format!("fields {} differ", differ.join(", ")),
    }
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
