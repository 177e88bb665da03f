use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::output::github;
use crate::report::{self, Paths, RecordSource, Release, RenderOptions};
use crate::sign::Timestamp;
use crate::sign::request::{self, Request, RequestOptions};

use super::{CmdResult, Ctx, Outcome, boxed};

/// Which release record, and the files it is checked against: shared by `report` and `inspect`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["release", "manifest"])))]
pub struct Sources {
    /// The release whose folder signatures/<ID>/ holds the request and signatures.
    #[arg(long, value_name = "ID")]
    pub release: Option<String>,
    /// Or an archived manifest signatures/release-<ID>.json (years later, without the repository).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// The release bundle (default: the request's file name in the current directory).
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: Option<PathBuf>,
    /// The evidence SHA256SUMS (default: SHA256SUMS beside the bundle).
    #[arg(long, value_name = "FILE")]
    pub sums: Option<PathBuf>,
    /// The RTM gate's index.json (default: index.json in [requirements] out).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// The organisation's trust file (default for --release: signatures/trust.json). Without one,
    /// a manifest's signers are not anchored and the verdict is FAIL.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

impl Sources {
    fn source(&self, ctx: &Ctx) -> RecordSource {
        match (&self.release, &self.manifest) {
            (Some(id), _) => RecordSource::Release(id.clone()),
            (None, Some(m)) => RecordSource::Manifest(ctx.path(m)),
            (None, None) => unreachable!("clap requires one of --release, --manifest"),
        }
    }

    fn index(&self, ctx: &Ctx, cfg: &config::Config) -> PathBuf {
        self.index.as_ref().map_or_else(|| ctx.root.join(&cfg.requirements.out).join("index.json"), |i| ctx.path(i))
    }

    fn paths(&self, ctx: &Ctx, cfg: &config::Config, bundle: PathBuf) -> Paths {
        let sums = self.sums.as_ref().map_or_else(|| bundle.with_file_name("SHA256SUMS"), |s| ctx.path(s));
        Paths { sums, index: self.index(ctx, cfg), bundle }
    }

    /// The verified release record (anchored to `--trust`, default the repository's trust file)
    /// and the paths of the files it is checked against.
    pub(super) fn load(
        &self,
        ctx: &Ctx,
        cfg: &config::Config,
    ) -> Result<(crate::sign::release_record::ReleaseRecord, Paths), Box<dyn crate::error::StageError>> {
        let trust =
            crate::sign::verify::TrustOptions { file: self.trust.as_ref().map(|t| ctx.path(t)), ..Default::default() };
        let record = report::load_record(&ctx.root, &self.source(ctx), &cfg.signing, &trust).map_err(boxed)?;
        let request: Request = serde_json::from_str(&record.request_text)
            .map_err(|e| boxed(report::ReportError::input("request.json", format!("not a Signet request: {e}"))))?;
        let bundle = self.bundle.as_ref().map_or_else(|| PathBuf::from(&request.bundle.name), |b| ctx.path(b));
        Ok((record, self.paths(ctx, cfg, bundle)))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub sources: Sources,
    /// Where to write report.json, evidence-report.html (and evidence-report.pdf).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the archival PDF/A.
    #[arg(long)]
    pub pdf: bool,
    /// Render before the request exists: from the current policy, bundle, SHA256SUMS and index.json,
    /// marked PREVIEW, nothing verified (needs --release and --bundle).
    #[arg(long, requires = "bundle", conflicts_with = "manifest")]
    pub preview: bool,
    /// A folder whose evidence-report.html / evidence-report.typ replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(boxed)?;
    let src = &args.sources;
    let (release, paths) = if args.preview {
        let bundle = ctx.path(src.bundle.as_deref().expect("clap: --preview requires --bundle"));
        let paths = src.paths(ctx, &cfg, bundle.clone());
        let opts = RequestOptions {
            root: ctx.root.clone(),
            release: src.release.clone().expect("clap: --preview conflicts with --manifest"),
            bundle,
            sums: Some(paths.sums.clone()),
            index: Some(paths.index.clone()),
            commits: Vec::new(),
        };
        let request = request::build(&opts, &cfg.signing).map_err(boxed)?;
        (report::preview(&ctx.root, &request, &cfg.signing).map_err(boxed)?, paths)
    } else {
        let (record, paths) = src.load(ctx, &cfg)?;
        (Release { record, preview: false }, paths)
    };
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
