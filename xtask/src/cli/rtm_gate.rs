use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::output::github;
use crate::rtm::gate::{self, GateOptions, GateReport, ReviewState};
use crate::rtm::model::Graph;
use crate::rtm::{RtmError, explain, outputs};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also fail on unreviewed and suspect requirements.
    #[arg(long)]
    pub fail_on_suspect: bool,
    /// Also fail on requirements without a passing linked test (default: `[requirements]
    /// require_verification`).
    #[arg(long)]
    pub require_verification: bool,
    /// Where to write index.json, rtm.html and rtm-junit.xml (default: `[requirements] out`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Globs of .sdoc documents, relative to --root (default: `[requirements] docs`).
    #[arg(long, value_name = "GLOB")]
    pub docs: Vec<String>,
    /// Globs of JUnit XML files, relative to --root (default: `[requirements] junit`).
    #[arg(long, value_name = "GLOB")]
    pub junit: Vec<String>,
    /// Print every cause of one requirement's review state, with the whole chain to each root
    /// cause, instead of running the gate (nothing is written).
    #[arg(long, value_name = "UID")]
    pub explain: Option<String>,
}

/// Flags override `signet.toml`, which overrides the defaults.
pub fn options(args: &Args, ctx: &Ctx) -> Result<GateOptions, RtmError> {
    let cfg = config::load(&ctx.root).map_err(RtmError::Config)?.requirements;
    Ok(GateOptions {
        root: ctx.root.clone(),
        docs: if args.docs.is_empty() { cfg.docs } else { args.docs.clone() },
        junit: if args.junit.is_empty() { cfg.junit } else { args.junit.clone() },
        out: Some(ctx.root.join(args.out.clone().unwrap_or(cfg.out))),
        fail_on_suspect: args.fail_on_suspect,
        require_verification: args.require_verification || cfg.require_verification,
        exempt_drafts: !cfg.verify_drafts,
    })
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let opts = options(&args, ctx).map_err(boxed)?;
    if let Some(uid) = &args.explain {
        return explain(&opts, uid, ctx);
    }
    let report = gate::run(&opts).map_err(boxed)?;
    report_to_ci(&report, ctx);
    let outcome = Outcome {
        exit: report.exit,
        text: text(&report),
        json: ctx.json(|| serde_json::to_value(&report.index).expect("index serialises")),
    };
    // The process ends once the outcome is printed: freeing 200,000 entries first would cost
    // a fifth of a second for nothing (issue #19). Only `main` calls this.
    std::mem::forget(report);
    Ok(outcome)
}

fn explain(opts: &GateOptions, uid: &str, ctx: &Ctx) -> CmdResult {
    let (docs, _) = gate::load_documents(&opts.root, &opts.docs).map_err(boxed)?;
    let graph = Graph::build(&docs, &opts.root).map_err(boxed)?;
    let explanation = explain::explain(&graph, uid).map_err(boxed)?;
    Ok(Outcome {
        exit: crate::error::Exit::Pass,
        text: explanation.text(),
        json: ctx.json(|| serde_json::to_value(&explanation).expect("explanation serialises")),
    })
}

/// Annotations for the ten most important findings (GitHub shows ten per step), the summary.
/// Annotation paths are the workspace's, so a gate run with `--root sub/dir` prefixes them.
fn report_to_ci(report: &GateReport, ctx: &Ctx) {
    if !github::in_actions() {
        return;
    }
    for f in report.findings.shown.iter().take(10) {
        let level = if f.blocking { "error" } else { "warning" };
        let file = github::workspace_relative(&ctx.path(std::path::Path::new(&f.file)));
        crate::output::stdout(&format!("{}\n", github::annotation(level, Some(&file), Some(f.line), &f.message)));
    }
    let _ = github::append_summary(&outputs::summary_markdown(&report.index, &report.findings.shown));
    let _ = github::set_output("gate-result", if report.exit == crate::error::Exit::Pass { "pass" } else { "fail" });
}

fn text(report: &GateReport) -> String {
    let s = &report.index.summary;
    let mut t = String::new();
    for f in &report.findings.shown {
        let mark = if f.blocking { "error" } else { "note" };
        let _ = writeln!(t, "{mark}: {}:{}: {}", f.file, f.line, f.message);
    }
    if let Some(more) = report.findings.more() {
        let _ = writeln!(t, "note: {more}");
    }
    let _ = writeln!(
        t,
        "{} requirements: {} reviewed, {} unreviewed, {} suspect-native, {} suspect-inherited; \
         verification: {} passed, {} failed, {} unverified; {} test cases",
        s.requirements,
        s.state(ReviewState::Reviewed),
        s.state(ReviewState::Unreviewed),
        s.state(ReviewState::SuspectNative),
        s.state(ReviewState::SuspectInherited),
        s.verification["passed"],
        s.verification["failed"],
        s.verification["unverified"],
        s.tests.total
    );
    for p in &report.written {
        let _ = writeln!(t, "wrote {}", p.display());
    }
    t
}
