//! The inspection package (seed 002 §9.3): everything an inspector asks for about one release,
//! in one folder — the archival manifest, the evidence report (HTML and PDF/A), a printable audit
//! trail with the §11.50 manifestation of each signature, the registry history of its signers
//! (enrolments, delegations, revocations, with the administrators' approvals), the trust anchors
//! used, the final gate's verdict (text, JSON and SLSA verification summary), Signet's own version
//! and SOUP record, an index page, and a SHA256SUMS over all of it. Built only from the release
//! record, the bundle and the trust file, so the same inputs give the same bytes.

mod trail;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::digest::tagged as sha;
use crate::fsx::atomic;
use crate::output::json;
use crate::report::{self, Paths, Release, RenderOptions};
use crate::sign::release_record::ReleaseRecord;
use crate::sign::trust::Anchoring;
use crate::sign::verdict::VerifyReport;
use crate::sign::{SignError, Timestamp, layout};

pub use trail::TrailEntry;

/// What goes into the package, and where it is written.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub record: &'a ReleaseRecord,
    pub paths: &'a Paths,
    pub out: &'a Path,
}

/// One file of the package, as the index lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PackageFile {
    pub name: String,
    pub sha256: String,
    pub bytes: usize,
    pub what: &'static str,
}

/// The written package: its files, and the verdict it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub release: String,
    /// The archival manifest's file name in the package.
    pub manifest: String,
    pub passed: bool,
    pub summary: String,
    pub files: Vec<PackageFile>,
}

/// Signet's own identity, for the inspector's SOUP register (seed 000).
#[derive(Debug, Clone, Serialize)]
struct Soup {
    tool: String,
    version: &'static str,
    licence: &'static str,
    source: &'static str,
    /// `sha256:` of the running binary: the exact program that produced this package.
    binary_sha256: Option<String>,
}

pub fn write(inputs: &Inputs<'_>, now: Timestamp) -> Result<Package, InspectError> {
    let rec = inputs.record;
    let release = Release { record: rec.clone(), preview: false };
    let prepared = report::build(&release, inputs.paths, now)?;
    let verdict = crate::sign::gate::verify(rec, &prepared.report.bundle.sha256, now)?;
    let mut files: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    let rendered = report::render::files(&prepared, &RenderOptions { pdf: true, templates: None })?;
    for (name, bytes) in rendered {
        files.push((name.to_owned(), bytes, "the evidence report (21 CFR 11.50 manifestations, RTM, hashes)"));
    }
    let manifest = rec.manifest(&verdict);
    files.push((
        layout::manifest_file_name(&verdict.release),
        json::to_string(&manifest).into_bytes(),
        "the archival manifest: the whole signature record, verifiable alone",
    ));
    files.push((
        "verdict.txt".into(),
        verdict_text(&verdict).into_bytes(),
        "the final gate's verdict, as `verify` prints it",
    ));
    files.push((
        "verdict.json".into(),
        json::to_string(&verdict).into_bytes(),
        "the final gate's verdict, for programs",
    ));
    let entries = trail::entries(rec, &verdict)?;
    files.push((
        "audit-trail.html".into(),
        trail::html(&verdict, &entries, &manifest).into_bytes(),
        "the audit trail, printable, with each signature's manifestation and the registry history",
    ));
    files.push(("audit-trail.json".into(), json::to_string(&entries).into_bytes(), "the audit trail, for programs"));
    files.push((
        "registry-history.json".into(),
        json::to_string(&trail::registry_history(&manifest)).into_bytes(),
        "enrolments, delegations and revocations of this release's signers, with the administrators' approvals",
    ));
    if let Anchoring::Anchored { chain, .. } = &rec.anchoring {
        files.push((
            "trust.json".into(),
            json::to_string(chain).into_bytes(),
            "the organisation's trust anchors the signers were checked against",
        ));
    }
    files.push(("signet.json".into(), json::to_string(&soup()).into_bytes(), "Signet's version and SOUP record"));
    let package = package(&verdict, &files);
    let index = crate::templates::render("inspect-index.html", &package);
    files.push(("index.html".into(), index.into_bytes(), "this page"));
    let sums: String =
        files.iter().map(|(name, bytes, _)| format!("{}  {name}\n", crate::digest::Digest::of(bytes))).collect();
    files.push((
        "SHA256SUMS".into(),
        sums.into_bytes(),
        "the SHA-256 of every other file (`sha256sum -c --strict SHA256SUMS`)",
    ));
    write_all(inputs.out, &files)?;
    Ok(self::package(&verdict, &files))
}

fn package(verdict: &VerifyReport, files: &[(String, Vec<u8>, &'static str)]) -> Package {
    Package {
        release: verdict.release.to_string(),
        manifest: layout::manifest_file_name(&verdict.release),
        passed: verdict.passed(),
        summary: verdict.summary(),
        files: files
            .iter()
            .map(|(name, bytes, what)| PackageFile { name: name.clone(), sha256: sha(bytes), bytes: bytes.len(), what })
            .collect(),
    }
}

fn verdict_text(verdict: &VerifyReport) -> String {
    format!("{}{}\n", verdict.lines(), verdict.summary())
}

fn soup() -> Soup {
    let binary_sha256 = std::env::current_exe()
        .ok()
        .and_then(|p| crate::fsx::read::read_bytes(&p, 1 << 30).ok())
        .map(|bytes| sha(&bytes));
    Soup {
        tool: crate::formats::crate_version(),
        version: env!("CARGO_PKG_VERSION"),
        licence: env!("CARGO_PKG_LICENSE"),
        source: "https://github.com/signet-dev/signet",
        binary_sha256,
    }
}

/// The folder `out` appears whole or not at all: the files are written into a new folder beside
/// it, which is then renamed into place. An `out` that holds anything is never replaced.
fn write_all(out: &Path, files: &[(String, Vec<u8>, &'static str)]) -> Result<(), InspectError> {
    let io = |source| InspectError::Write { path: out.to_path_buf(), source };
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) || (out.exists() && !out.is_dir()) {
        return Err(InspectError::Exists(out.to_path_buf()));
    }
    let staging = tempfile::Builder::new().prefix(".signet-tmp-").tempdir_in(parent_of(out)).map_err(io)?;
    for (name, bytes, _) in files {
        let path = staging.path().join(name);
        atomic::write(&path, bytes).map_err(|source| InspectError::Write { path, source })?;
    }
    std::fs::rename(staging.path(), out).map_err(io)?;
    // Renamed away: nothing left for the guard to remove.
    let _ = staging.keep();
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Why no package was written.
#[derive(Debug)]
pub enum InspectError {
    Sign(SignError),
    Report(report::ReportError),
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output folder already holds files: a package is never written over another.
    Exists(PathBuf),
}

impl From<SignError> for InspectError {
    fn from(e: SignError) -> Self {
        InspectError::Sign(e)
    }
}

impl From<report::ReportError> for InspectError {
    fn from(e: report::ReportError) -> Self {
        InspectError::Report(e)
    }
}

impl std::fmt::Display for InspectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InspectError::Sign(e) => e.fmt(f),
            InspectError::Report(e) => e.fmt(f),
            InspectError::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            InspectError::Exists(path) => {
                write!(
                    f,
                    "{} already holds files; give --out a new folder (a package is never overwritten)",
                    path.display()
                )
            }
        }
    }
}

impl crate::error::StageError for InspectError {
    fn exit(&self) -> crate::error::Exit {
        match self {
            InspectError::Sign(e) => e.exit(),
            InspectError::Report(e) => e.exit(),
            InspectError::Write { .. } | InspectError::Exists(_) => crate::error::Exit::Usage,
        }
    }
}
