//! Writing the report: `report.json`, `evidence-report.html` and, with `--pdf`,
//! `evidence-report.pdf`. Everything is rendered in memory first, so a broken template leaves
//! no file behind; each file is then written atomically.

use std::path::{Path, PathBuf};

use super::{Prepared, ReportError};
use crate::fsx::atomic;
use crate::output::json;
use crate::templates;

pub const JSON_FILE: &str = "report.json";
pub const HTML_FILE: &str = "evidence-report.html";
pub const PDF_FILE: &str = "evidence-report.pdf";

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub pdf: bool,
    /// A folder whose `evidence-report.html` / `evidence-report.typ` replace the embedded ones.
    pub templates: Option<PathBuf>,
}

/// The report's files, by name: report.json, the HTML and, when asked, the PDF/A.
pub fn files(prepared: &Prepared, opts: &RenderOptions) -> Result<Vec<(&'static str, Vec<u8>)>, ReportError> {
    let model = json::to_string(&prepared.report);
    let html = templates::render_with(opts.templates.as_deref(), HTML_FILE, &prepared.report)
        .map_err(|message| ReportError::Template { name: HTML_FILE.into(), message })?;
    let mut files = vec![(JSON_FILE, model.into_bytes()), (HTML_FILE, html.into_bytes())];
    if opts.pdf {
        files.push((PDF_FILE, super::pdf::render(prepared, opts.templates.as_deref())?));
    }
    Ok(files)
}

pub fn write(prepared: &Prepared, out: &Path, opts: &RenderOptions) -> Result<Vec<PathBuf>, ReportError> {
    let files = files(prepared, opts)?;
    std::fs::create_dir_all(out).map_err(|source| ReportError::Write { path: out.to_path_buf(), source })?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = out.join(name);
            atomic::write(&path, &bytes).map_err(|source| ReportError::Write { path, source })
        })
        .collect()
}
