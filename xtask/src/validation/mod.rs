//! Signet's validation package (issue #18): its CSA record and SOUP entry, rendered with the
//! release's own traceability figures (the self-gate's `index.json`) to HTML and archival PDF/A
//! through the same template engine and typst renderer as the evidence report.
//!
//! Nothing comes from the clock: the rendered date is the record's own `date`, so identical
//! inputs give identical bytes and the package can itself be bundled and signed.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Exit, StageError};
use crate::formats::index::{Index, Verification};
use crate::formats::report::AttachmentInfo;
pub use crate::formats::validation::{CsaRecord, Risk, SoupEntry};
use crate::formats::{self, validation};
use crate::fsx::{atomic, read};

pub const HTML_FILE: &str = "csa-record.html";
pub const PDF_FILE: &str = "csa-record.pdf";
/// A hand-written record or a generated SOUP entry of a few hundred crates is tens of KiB.
const INPUT_CAP: u64 = 4 << 20;
/// The self-gate's index of 150 requirements is about 200 KiB; 10,000 would be 30 MiB.
const INDEX_CAP: u64 = 256 << 20;

#[derive(Debug, Clone)]
pub struct Inputs {
    pub record: PathBuf,
    /// The RTM gate's index.json for the same release: its figures go into the record.
    pub rtm: PathBuf,
    pub soup: Option<PathBuf>,
}

/// What the templates render.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub record: CsaRecord,
    pub soup: Option<SoupEntry>,
    pub traceability: Traceability,
    /// Features by risk, high first, each with its activities resolved.
    pub assessment: Vec<Assessed>,
    pub document: Document,
    pub attachments: Vec<AttachmentInfo>,
    /// What the PDF embeds; a build without the `pdf` feature (the fuzz targets) never reads it.
    #[serde(skip)]
    #[cfg_attr(not(feature = "pdf"), allow(dead_code))]
    attachment_bytes: Vec<Vec<u8>>,
}

/// The traceability figures of the self-gate that this record concludes on.
#[derive(Debug, Clone, Serialize)]
pub struct Traceability {
    pub index_sha256: String,
    pub requirements: usize,
    pub reviewed: usize,
    pub verified: usize,
    pub tests_total: usize,
    pub tests_passed: usize,
    /// Distinct tests that verify at least one requirement.
    pub tests_linked: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessed {
    pub name: String,
    pub risk: Risk,
    pub rationale: String,
    pub requirements: Vec<String>,
    pub activities: Vec<validation::Activity>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub title: String,
    pub document_id: String,
    pub generated_by: String,
    pub created_utc: String,
}

#[derive(Debug)]
pub enum ValidationError {
    Input { path: PathBuf, message: String },
    Pdf(String),
    Write { path: PathBuf, source: std::io::Error },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::Input { path, message } => write!(f, "{}: {message}", path.display()),
            ValidationError::Pdf(m) => write!(f, "PDF: {m}"),
            ValidationError::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
        }
    }
}

impl StageError for ValidationError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            ValidationError::Input { path, .. } | ValidationError::Write { path, .. } => {
                Some((path.display().to_string(), None))
            }
            _ => None,
        }
    }
}

fn input(path: &Path, message: impl fmt::Display) -> ValidationError {
    ValidationError::Input { path: path.to_path_buf(), message: message.to_string() }
}

/// Reads and cross-checks the record, the index and the SOUP entry.
pub fn build(inputs: &Inputs) -> Result<Package, ValidationError> {
    let record_text = read::read_text(&inputs.record, INPUT_CAP).map_err(|e| input(&inputs.record, e))?;
    let record = read_record(&inputs.record, &record_text)?;
    let index_bytes = read::read_bytes(&inputs.rtm, INDEX_CAP).map_err(|e| input(&inputs.rtm, e))?;
    let index: Index = formats::index::VERSION.read(&index_bytes).map_err(|e| input(&inputs.rtm, e))?;
    let mut attachments = vec![attachment("csa-record.toml", "application/toml", "The CSA record, as written")];
    let mut attachment_bytes = vec![record_text.into_bytes()];
    let soup = match &inputs.soup {
        Some(path) => {
            let bytes = read::read_bytes(path, INPUT_CAP).map_err(|e| input(path, e))?;
            let soup: SoupEntry = validation::SOUP_VERSION.read(&bytes).map_err(|e| input(path, e))?;
            if soup.version != record.version {
                return Err(input(
                    path,
                    format!(
                        "is the SOUP entry of version {}, but the CSA record covers {}: render both of one release",
                        soup.version, record.version
                    ),
                ));
            }
            attachments.push(attachment("soup-entry.json", "application/json", "The SOUP register entry"));
            attachment_bytes.push(bytes);
            Some(soup)
        }
        None => None,
    };
    let traceability = traceability(&index, crate::digest::tagged(&index_bytes));
    let assessment = assess(&record);
    let document = Document {
        title: format!("{} {} — Computer Software Assurance record", record.software, record.version),
        document_id: format!("SIGNET-CSA-{}", record.version),
        generated_by: formats::crate_version(),
        created_utc: format!("{}T00:00:00Z", record.date),
    };
    Ok(Package { record, soup, traceability, assessment, document, attachments, attachment_bytes })
}

fn attachment(name: &str, mime: &str, description: &str) -> AttachmentInfo {
    AttachmentInfo { name: name.into(), mime: mime.into(), description: description.into() }
}

/// Reads a CSA record file (its version, then its content, then its cross-references).
pub fn record(path: &Path) -> Result<CsaRecord, ValidationError> {
    let text = read::read_text(path, INPUT_CAP).map_err(|e| input(path, e))?;
    read_record(path, &text)
}

/// The record's version first, then its content; every assurance reference names an activity.
fn read_record(path: &Path, text: &str) -> Result<CsaRecord, ValidationError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        schema: Option<String>,
    }
    let probe: Probe = toml::from_str(text).map_err(|e| input(path, toml_error(text, &e)))?;
    validation::CSA_VERSION.check(probe.schema.as_deref()).map_err(|e| input(path, e))?;
    let record: CsaRecord = toml::from_str(text).map_err(|e| input(path, toml_error(text, &e)))?;
    let ids: BTreeSet<&str> = record.activities.iter().map(|a| a.id.as_str()).collect();
    for f in &record.features {
        if let Some(unknown) = f.assurance.iter().find(|a| !ids.contains(a.as_str())) {
            return Err(input(
                path,
                format!("feature `{}` names activity `{unknown}`, which no [[activities]] entry defines", f.name),
            ));
        }
        if f.assurance.is_empty() {
            return Err(input(path, format!("feature `{}` lists no assurance activity", f.name)));
        }
    }
    if jiff::civil::Date::strptime("%Y-%m-%d", &record.date).is_err() {
        return Err(input(path, format!("date `{}` is not a date like 2026-12-06", record.date)));
    }
    if record.performed_by.is_empty() {
        return Err(input(path, "performed_by names nobody: a CSA record says who concluded it"));
    }
    Ok(record)
}

fn toml_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => format!("line {}: {}", text[..span.start].matches('\n').count() + 1, e.message()),
        None => e.message().to_string(),
    }
}

fn traceability(index: &Index, index_sha256: String) -> Traceability {
    let count = |f: &dyn Fn(&formats::index::Entry) -> bool| index.requirements.iter().filter(|r| f(r)).count();
    let linked: BTreeSet<&str> =
        index.requirements.iter().flat_map(|r| r.tests.iter().map(|t| t.id.as_str())).collect();
    Traceability {
        index_sha256,
        requirements: index.requirements.len(),
        reviewed: count(&|r| r.state == formats::index::ReviewState::Reviewed),
        verified: count(&|r| r.verification == Verification::Passed),
        tests_total: index.summary.tests.total,
        tests_passed: index.summary.tests.passed,
        tests_linked: linked.len(),
    }
}

fn assess(record: &CsaRecord) -> Vec<Assessed> {
    let mut out: Vec<Assessed> = record
        .features
        .iter()
        .map(|f| Assessed {
            name: f.name.clone(),
            risk: f.risk,
            rationale: f.rationale.clone(),
            requirements: f.requirements.clone(),
            activities: f
                .assurance
                .iter()
                .filter_map(|id| record.activities.iter().find(|a| &a.id == id).cloned())
                .collect(),
        })
        .collect();
    out.sort_by_key(|a| a.risk != Risk::High);
    out
}

/// The rendered files by name: the HTML and, when asked, the PDF/A (with the record and the
/// SOUP entry embedded).
pub fn files(package: &Package, pdf: bool) -> Result<Vec<(&'static str, Vec<u8>)>, ValidationError> {
    let html = crate::templates::render(HTML_FILE, package);
    let mut files = vec![(HTML_FILE, html.into_bytes())];
    if pdf {
        files.push((PDF_FILE, render_pdf(package)?));
    }
    Ok(files)
}

#[cfg(not(feature = "pdf"))]
fn render_pdf(_package: &Package) -> Result<Vec<u8>, ValidationError> {
    Err(ValidationError::Pdf("this signet was built without the `pdf` feature; rebuild with default features".into()))
}

#[cfg(feature = "pdf")]
fn render_pdf(package: &Package) -> Result<Vec<u8>, ValidationError> {
    const TYP: &str = include_str!("../../../templates/csa-record.typ");
    let attachments: Vec<signet_pdf::Attachment> = package
        .attachments
        .iter()
        .zip(&package.attachment_bytes)
        .map(|(info, data)| signet_pdf::Attachment {
            name: info.name.clone(),
            mime: info.mime.clone(),
            description: info.description.clone(),
            data: data.clone(),
        })
        .collect();
    let model = crate::output::json::to_string(package);
    let input = signet_pdf::PdfInput {
        template: TYP,
        model_json: model.as_bytes(),
        attachments: &attachments,
        created_utc: &package.document.created_utc,
    };
    signet_pdf::render(&input).map_err(|e| ValidationError::Pdf(e.to_string()))
}

/// Renders everything in memory first, then writes each file atomically.
pub fn write(package: &Package, out: &Path, pdf: bool) -> Result<Vec<PathBuf>, ValidationError> {
    let files = files(package, pdf)?;
    std::fs::create_dir_all(out).map_err(|source| ValidationError::Write { path: out.to_path_buf(), source })?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = out.join(name);
            atomic::write(&path, &bytes).map_err(|source| ValidationError::Write { path, source })
        })
        .collect()
}
