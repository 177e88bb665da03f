use std::path::PathBuf;

use crate::bundle::{self, BundleOptions};
use crate::error::Exit;
use crate::output::github;

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder whose regular files become the bundle (no top-level folder in the tar).
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Where to write the tar; `FILE.tar.sha256` is written beside it.
    #[arg(long, value_name = "FILE.tar", required_unless_present = "hash_only")]
    pub out: Option<PathBuf>,
    /// Also write `FILE.tar.gz` (mtime 0, no name). The signed hash stays the tar's.
    #[arg(long, requires = "out", conflicts_with = "hash_only")]
    pub gzip: bool,
    /// Also write the SHA256SUMS of the bundle's files, from the same single read.
    #[arg(long, value_name = "FILE")]
    pub sums: Option<PathBuf>,
    /// Compute the bundle's SHA-256 without writing the tar.
    #[arg(long, conflicts_with = "out")]
    pub hash_only: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let opts = BundleOptions {
        evidence: ctx.path(&args.evidence),
        out: args.out.as_deref().map(|p| ctx.path(p)),
        gzip: args.gzip,
        sums: args.sums.as_deref().map(|p| ctx.path(p)),
        progress: true,
    };
    let report = bundle::bundle(&opts).map_err(boxed)?;
    let shown = report.tar.as_ref().map_or("-".to_string(), |p| p.display().to_string());
    let _ = github::set_output("bundle-sha256", &report.sha256.hex());
    let _ = github::set_output("bundle-path", &shown);
    Ok(Outcome {
        exit: Exit::Pass,
        text: format!("{}  {shown}\n", report.sha256),
        json: serde_json::to_value(&report).expect("report serialises"),
    })
}

#[derive(Debug, clap::Args)]
pub struct AssembleArgs {
    /// The evidence folder.
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// The RTM gate's output folder (index.json, rtm.html, rtm-junit.xml).
    #[arg(long, value_name = "DIR")]
    pub rtm: PathBuf,
    /// Where to build the tree (replaced if it exists); bundle this folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `signet assemble`: the seed-001 evidence tree (`bundle::assemble`), to bundle next.
pub fn assemble(args: AssembleArgs, ctx: &Ctx) -> CmdResult {
    let out = ctx.path(&args.out);
    let a = bundle::assemble::assemble(&ctx.path(&args.evidence), &ctx.path(&args.rtm), &out).map_err(boxed)?;
    let _ = github::set_output("tree", &out.display().to_string());
    Ok(Outcome {
        exit: Exit::Pass,
        text: format!("assembled {} files into {} (the evidence, rtm/ and SHA256SUMS)\n", a.files, out.display()),
        json: serde_json::to_value(&a).expect("serialises"),
    })
}
