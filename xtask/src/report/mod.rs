//! Stage 5: the evidence report. One data model (`report.json`, [`model::Report`]) built from a
//! release's own files, rendered to a self-contained HTML page and to archival PDF/A, showing the
//! §11.50 manifestation of every signature (printed name, date and time, meaning).
//!
//! Nothing in the report comes from the clock or the machine: its time is the latest time in the
//! release record, so identical inputs give identical bytes and a report can itself be bundled.

mod error;
pub mod inputs;
mod manifestations;
mod pdf;
pub mod render;

use std::path::{Path, PathBuf};

pub use crate::formats::report::{self as model, Report};
pub use error::ReportError;
pub use inputs::Paths;
pub use render::{RenderOptions, write};

use crate::formats::index::{Entry, Index};
use crate::sign::request::Request;
use crate::sign::verify::{self, ReleaseRecord, VerifyReport};
use crate::sign::{SignError, Timestamp};
use model::*;

/// The release to report on: its record, and whether it is only a preview of a request that
/// has not been written yet (release-check), which is never verified.
#[derive(Debug, Clone)]
pub struct Release {
    pub record: ReleaseRecord,
    pub preview: bool,
}

/// The model, plus the bytes the PDF embeds as attachments.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub report: Report,
    /// (file name, bytes): the assembled manifest and SHA256SUMS.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Reads and cross-checks every input and builds the model. `now` only bounds signature times
/// (a signature from the future is a verification problem); it never reaches the output.
pub fn build(release: &Release, paths: &Paths, now: Timestamp) -> Result<Prepared, ReportError> {
    let rec = &release.record;
    let request: Request = serde_json::from_str(&rec.request_text)
        .map_err(|e| ReportError::input("request.json", format!("not a Signet request: {e}")))?;
    inputs::bundle(&paths.bundle, &request)?;
    let sums = inputs::sha256sums(paths, &request)?;
    let index = inputs::index(paths, &request)?;
    inputs::envelopes_name_this_bundle(rec, &request)?;
    let checked = if release.preview { None } else { Some(verify::verify(rec, &request.bundle.sha256, now)?) };

    let signatures = manifestations::all(&request, rec, checked.as_ref());
    let mut attachments = Vec::new();
    if let Some(v) = &checked {
        let manifest = crate::output::json::to_string(&rec.manifest(v));
        attachments.push((crate::sign::layout::manifest_file_name(&request.release), manifest.into_bytes()));
    }
    attachments.push(("SHA256SUMS".to_string(), sums.bytes.clone()));
    let report = Report {
        schema: crate::formats::report::VERSION.id(),
        document: document_control(&request, rec, checked.as_ref(), &signatures),
        signatures,
        bundle: BundleInfo {
            name: request.bundle.name.clone(),
            size: request.bundle.size,
            sha256: request.bundle.sha256.clone(),
        },
        sha256sums: SumsInfo {
            file_sha256: sums.sha256.clone(),
            bound_by_request: sums.bound,
            files: sums.value.iter().map(|l| SumEntry { path: l.path.clone(), sha256: l.digest.hex() }).collect(),
        },
        rtm: rtm(&index),
        tests: tests(&index.value),
        verification: verification(checked.as_ref()),
        attachments: attachment_info(&attachments),
        retired: manifestations::retired(checked.as_ref()),
    };
    Ok(Prepared { report, attachments })
}

fn document_control(
    request: &Request,
    rec: &ReleaseRecord,
    checked: Option<&VerifyReport>,
    signatures: &[Manifestation],
) -> DocumentControl {
    let signed = signatures.iter().filter(|s| s.verification == SignatureCheck::Valid).count();
    let (status, status_text) = match checked {
        None => {
            (DocumentStatus::Preview, "PREVIEW: the request is not written yet; nothing has been signed".to_string())
        }
        Some(v) if !v.problems.is_empty() => (
            DocumentStatus::Failed,
            format!("FAILED verification: {} problem(s); this release must not ship", v.problems.len()),
        ),
        Some(v) if !v.awaiting.is_empty() => (
            DocumentStatus::Pending,
            format!(
                "PENDING: {signed} of {} required signature(s) valid, {} awaiting",
                request.required.len(),
                v.awaiting.len()
            ),
        ),
        Some(_) => (DocumentStatus::Signed, format!("SIGNED: all {signed} required signature(s) valid")),
    };
    let latest = signatures.iter().filter_map(|s| s.signed_at.as_deref()).max();
    let (generated_at, basis) = match latest {
        // A signature in the same second as the request is still the record's latest event.
        Some(t) if t >= request.created_at.as_str() => (t.to_string(), "time of the latest signature in the record"),
        _ => (request.created_at.clone(), "time the signature request was created"),
    };
    DocumentControl {
        title: "Release evidence report".into(),
        release: request.release.to_string(),
        document_id: format!(
            "SIGNET-ER-{}-{}",
            request.release,
            &request.bundle.sha256[..12.min(request.bundle.sha256.len())]
        ),
        revision: signatures.iter().filter(|s| s.file.is_some()).count(),
        status,
        status_text,
        commits: request.commits.clone(),
        request_sha256: crate::digest::tagged(rec.request_text.as_bytes()),
        generated_by: format!("signet {}", env!("CARGO_PKG_VERSION")),
        generated_at,
        generated_at_basis: format!("{basis} (the report is pinned to release data, not to the clock)"),
        marking: if checked.is_some() {
            "CONTROLLED COPY — valid only for the bundle whose sha256 is printed on every page".into()
        } else {
            "UNCONTROLLED PREVIEW — not a release record".into()
        },
    }
}

fn rtm(index: &inputs::Loaded<Index>) -> Rtm {
    let doc = &index.value;
    Rtm {
        index_sha256: index.sha256.clone(),
        bound_by_request: index.bound,
        summary: RtmSummary {
            requirements: doc.summary.requirements,
            orphan_links: doc.summary.orphan_links,
            states: doc.summary.states.clone(),
            verification: doc.summary.verification.clone(),
        },
        rows: doc.requirements.iter().map(|e| row(e)).collect(),
    }
}

/// What the report shows of one index entry.
fn row(e: &Entry) -> RtmRow {
    RtmRow {
        uid: e.uid.clone(),
        title: e.title.clone(),
        document: e.document.to_string(),
        file: e.file.to_string(),
        line: e.line,
        state: e.state,
        suspect_causes: e.suspect_causes.clone(),
        verification: e.verification,
        verification_causes: e.verification_causes.clone(),
        tests: e.tests.iter().map(|t| TestRef { id: t.id.clone(), outcome: t.outcome }).collect(),
    }
}

fn tests(doc: &Index) -> TestTotals {
    TestTotals { counts: doc.summary.tests.clone(), files: doc.junit_files.clone() }
}

fn verification(checked: Option<&VerifyReport>) -> Verification {
    match checked {
        None => Verification { result: GateResult::Preview, problems: Vec::new(), awaiting: Vec::new() },
        Some(v) => Verification {
            result: if !v.problems.is_empty() {
                GateResult::Fail
            } else if !v.awaiting.is_empty() {
                GateResult::Pending
            } else {
                GateResult::Pass
            },
            problems: v.problems.iter().map(ToString::to_string).collect(),
            awaiting: v.awaiting.iter().map(ToString::to_string).collect(),
        },
    }
}

fn attachment_info(attachments: &[(String, Vec<u8>)]) -> Vec<AttachmentInfo> {
    attachments
        .iter()
        .map(|(name, _)| {
            if name == "SHA256SUMS" {
                AttachmentInfo {
                    name: name.clone(),
                    mime: "text/plain".into(),
                    description: "SHA-256 of every evidence file (sha256sum -c --strict)".into(),
                }
            } else {
                AttachmentInfo {
                    name: name.clone(),
                    mime: "application/json".into(),
                    description: format!(
                        "assembled signature record ({}), as verified for this report",
                        crate::formats::manifest::VERSION.id()
                    ),
                }
            }
        })
        .collect()
}

/// A release whose request is not written yet (release-check, the release workflow before the
/// request step): nothing is signed and nothing is verified; the report says PREVIEW.
pub fn preview(
    root: &Path,
    request: &Request,
    policy: &crate::sign::policy::SigningConfig,
) -> Result<Release, SignError> {
    let record = ReleaseRecord {
        request_text: crate::output::json::to_string(request),
        envelopes: Vec::new(),
        registry: crate::sign::registry::Registry::load(root)?.0,
        policy: policy.clone(),
        trail: Default::default(),
        withdrawals: Vec::new(),
        timestamps: Vec::new(),
        trusted_root: None,
        origin: crate::sign::release_record::Origin::Preview,
        anchoring: crate::sign::trust::Anchoring::not_anchored("a preview is never verified"),
    };
    Ok(Release { record, preview: true })
}

/// Reads the release record for `--release ID` (the folder) or `--manifest FILE` (archived).
pub fn load_record(
    root: &Path,
    source: &RecordSource,
    policy: &crate::sign::policy::SigningConfig,
    trust: &verify::TrustOptions,
) -> Result<ReleaseRecord, SignError> {
    match source {
        RecordSource::Release(id) => {
            let dir = crate::sign::layout::release_dir(root, id)?;
            if !dir.join(crate::sign::layout::REQUEST).exists() {
                return Err(SignError::input(
                    dir.join(crate::sign::layout::REQUEST),
                    format!("no request for release {id}; run `signet request --release {id} --bundle …` first"),
                ));
            }
            verify::load(root, &dir, policy, trust)
        }
        RecordSource::Manifest(path) => verify::load(root, path, policy, trust),
    }
}

#[derive(Debug, Clone)]
pub enum RecordSource {
    Release(String),
    Manifest(PathBuf),
}
