//! Renders a report model to PDF outside Signet, for benchmarks and template work:
//!
//! ```text
//! cargo run --release -p signet-pdf --example render -- MODEL.json OUT.pdf \
//!     [--template FILE.typ] [--attachments DIR] [--created 2026-11-20T10:15:00Z]
//! ```
//!
//! Each file the model's `attachments` list names is read from `--attachments DIR`; `--created`
//! defaults to the model's `document.generated_at`. Prints the render time to stderr.

use std::process::ExitCode;
use std::time::Instant;

use signet_pdf::{Attachment, PdfInput};

const TEMPLATE: &str = include_str!("../../templates/evidence-report.typ");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("render: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut positional, mut template, mut dir, mut created) = (Vec::new(), None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--template" => template = args.next(),
            "--attachments" => dir = args.next(),
            "--created" => created = args.next(),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}").into()),
            _ => positional.push(arg),
        }
    }
    let [model_path, out] = positional.as_slice() else {
        return Err("usage: render MODEL.json OUT.pdf [--template FILE] [--attachments DIR] [--created TIME]".into());
    };
    let model_json = std::fs::read(model_path)?;
    let model: serde_json::Value = serde_json::from_slice(&model_json)?;
    let template = match template {
        Some(path) => std::fs::read_to_string(path)?,
        None => TEMPLATE.to_owned(),
    };
    let created = created
        .or_else(|| model.pointer("/document/generated_at").and_then(|v| v.as_str()).map(str::to_owned))
        .ok_or("no --created and no document.generated_at in the model")?;

    let mut attachments = Vec::new();
    for entry in model.get("attachments").and_then(|a| a.as_array()).into_iter().flatten() {
        let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let name = field("name");
        let dir =
            dir.as_deref().ok_or_else(|| format!("the model lists attachment {name:?}: give --attachments DIR"))?;
        let data = std::fs::read(std::path::Path::new(dir).join(&name))?;
        attachments.push(Attachment { name, mime: field("mime"), description: field("description"), data });
    }

    let start = Instant::now();
    let pdf = signet_pdf::render(&PdfInput {
        template: &template,
        model_json: &model_json,
        attachments: &attachments,
        created_utc: &created,
    })?;
    let elapsed = start.elapsed();
    std::fs::write(out, &pdf)?;
    eprintln!("render: {out}: {} bytes in {:.2} s", pdf.len(), elapsed.as_secs_f64());
    Ok(())
}
