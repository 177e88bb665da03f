//! The archival PDF/A: the same model, typeset by typst (the `signet-pdf` crate), with the
//! assembled manifest and SHA256SUMS embedded so the PDF alone carries what it describes.

use std::path::Path;

use super::{Prepared, ReportError};
#[cfg(feature = "pdf")]
use crate::{output::json, templates};

#[cfg(feature = "pdf")]
pub const TYP_FILE: &str = "evidence-report.typ";
#[cfg(feature = "pdf")]
const EMBEDDED: &str = include_str!("../../../templates/evidence-report.typ");

#[cfg(not(feature = "pdf"))]
pub fn render(_prepared: &Prepared, _overrides: Option<&Path>) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Pdf("this signet was built without the `pdf` feature; rebuild with default features".into()))
}

#[cfg(feature = "pdf")]
pub fn render(prepared: &Prepared, overrides: Option<&Path>) -> Result<Vec<u8>, ReportError> {
    let template = templates::source_with(overrides, TYP_FILE, EMBEDDED)
        .map_err(|message| ReportError::Template { name: TYP_FILE.into(), message })?;
    let attachments: Vec<signet_pdf::Attachment> = prepared
        .report
        .attachments
        .iter()
        .zip(&prepared.attachments)
        .map(|(info, (_, data))| signet_pdf::Attachment {
            name: info.name.clone(),
            mime: info.mime.clone(),
            description: info.description.clone(),
            data: data.clone(),
        })
        .collect();
    let model = json::to_string(&prepared.report);
    let input = signet_pdf::PdfInput {
        template: &template,
        model_json: model.as_bytes(),
        attachments: &attachments,
        created_utc: &prepared.report.document.generated_at,
    };
    signet_pdf::render(&input).map_err(|e| match overrides.map(|d| d.join(TYP_FILE)).filter(|p| p.exists()) {
        Some(path) => ReportError::Template { name: path.display().to_string(), message: e.to_string() },
        None => ReportError::Pdf(e.to_string()),
    })
}
