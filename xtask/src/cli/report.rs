use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::output::github;
use crate::report::{self, Paths, RecordSource, Release, RenderOptions};
use crate::sign::Timestamp;
use crate::sign::request::{self, Request, RequestOptions};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["release", "manifest"])))]
pub struct Args {
    /// The release whose folder signatures/<ID>/ holds the request and signatures.
    #[arg(long, value_name = "ID")]
    pub release: Option<String>,
    /// Or an archived manifest signatures/release-<ID>.json (years later, without the repository).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Where to write report.json, evidence-report.html (and evidence-report.pdf).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the archival PDF/A.
    #[arg(long)]
    pub pdf: bool,
    /// The release bundle (default: the request's file name in the current directory).
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: Option<PathBuf>,
    /// The evidence SHA256SUMS (default: SHA256SUMS beside the bundle).
    #[arg(long, value_name = "FILE")]
    pub sums: Option<PathBuf>,
    /// The RTM gate's index.json (default: index.json in [requirements] out).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// Render before the request exists: from the current policy, bundle, SHA256SUMS and index.json,
    /// marked PREVIEW, nothing verified (needs --release and --bundle).
    #[arg(long, requires = "bundle", conflicts_with = "manifest")]
    pub preview: bool,
    /// The organisation's trust file (default for --release: signatures/trust.json). Without one,
    /// a manifest's signers are not anchored and the report says FAILED.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// A folder whose evidence-report.html / evidence-report.typ replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(boxed)?;
    let source = match (&args.release, &args.manifest) {
        (Some(id), _) => RecordSource::Release(id.clone()),
        (None, Some(m)) => RecordSource::Manifest(ctx.path(m)),
        (None, None) => unreachable!("clap requires one of --release, --manifest"),
    };
    let index = args.index.map_or_else(|| ctx.root.join(&cfg.requirements.out).join("index.json"), |i| ctx.path(&i));
    let (release, bundle) = if args.preview {
        let bundle = ctx.path(args.bundle.as_deref().expect("clap: --preview requires --bundle"));
        let opts = RequestOptions {
            root: ctx.root.clone(),
            release: args.release.clone().expect("clap: --preview conflicts with --manifest"),
            bundle: bundle.clone(),
            sums: Some(args.sums.as_ref().map_or_else(|| bundle.with_file_name("SHA256SUMS"), |s| ctx.path(s))),
            index: Some(index.clone()),
            commits: Vec::new(),
        };
        let request = request::build(&opts, &cfg.signing).map_err(boxed)?;
        (report::preview(&ctx.root, &request, &cfg.signing).map_err(boxed)?, bundle)
    } else {
        let trust =
            crate::sign::verify::TrustOptions { file: args.trust.as_ref().map(|t| ctx.path(t)), ..Default::default() };
        let record = report::load_record(&ctx.root, &source, &cfg.signing, &trust).map_err(boxed)?;
        let request: Request = serde_json::from_str(&record.request_text)
            .map_err(|e| boxed(report::ReportError::input("request.json", format!("not a Signet request: {e}"))))?;
        let bundle = args.bundle.as_ref().map_or_else(|| PathBuf::from(&request.bundle.name), |b| ctx.path(b));
        (Release { record, preview: false }, bundle)
    };
    let paths =
        Paths { sums: args.sums.map_or_else(|| bundle.with_file_name("SHA256SUMS"), |s| ctx.path(&s)), index, bundle };
    let prepared = report::build(&release, &paths, Timestamp::now()).map_err(boxed)?;
    let out = ctx.path(&args.out);
    let opts = RenderOptions { pdf: args.pdf, templates: args.templates.map(|t| ctx.path(&t)) };
    let written = report::write(&prepared, &out, &opts).map_err(boxed)?;
    let d = &prepared.report.document;
    let mut text = String::new();
    for w in &written {
        let _ = writeln!(text, "wrote {}", w.display());
    }
    let _ = writeln!(text, "{} {}: {}", d.document_id, d.release, d.status_text);
    let html = written.iter().find(|p| p.ends_with(report::render::HTML_FILE)).cloned().unwrap_or(out);
    let _ = github::append_summary(&crate::templates::render("report-summary.md", &prepared.report));
    let _ = github::set_output("report-path", &html.display().to_string());
    let _ = github::set_output("report-status", d.status.as_str());
    Ok(Outcome {
        exit: Exit::Pass,
        text,
        json: serde_json::json!({ "written": written, "document": d, "verification": prepared.report.verification }),
    })
}
