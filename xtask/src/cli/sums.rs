use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::Exit;
use crate::fsx::atomic::{self, Durability};
use crate::sums::{self, SumsError};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to list, relative to --root.
    #[arg(value_name = "PATH", required_unless_present = "check", conflicts_with = "check")]
    pub paths: Vec<PathBuf>,
    /// Write the list here (default: stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Check a SHA256SUMS file against the files under --root: same digests, same file set.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    match &args.check {
        Some(file) => check(file, ctx),
        None => write(&args, ctx),
    }
}

fn write(args: &Args, ctx: &Ctx) -> CmdResult {
    let lines = sums::compute(&ctx.root, &args.paths).map_err(boxed)?;
    // Built only when asked for: a JSON value per line of 200,000 was most of the peak memory.
    let json = ctx.json(|| serde_json::json!({ "files": lines }));
    match &args.out {
        Some(out) => {
            // Streamed to the file: the text of 200,000 lines, grown by doubling, was a third of the peak.
            atomic::ensure_parent(out)
                .and_then(|()| atomic::write_with(out, Durability::Synced, |w| sums::write_lines(&lines, w)))
                .map_err(|source| boxed(SumsError::Write { path: out.clone(), source }))?;
            let text = format!("wrote {} ({} files)\n", out.display(), lines.len());
            Ok(Outcome { exit: Exit::Pass, text, json })
        }
        None => Ok(Outcome { exit: Exit::Pass, text: sums::render(&lines), json }),
    }
}

fn check(file: &std::path::Path, ctx: &Ctx) -> CmdResult {
    let report = sums::check(file, &ctx.root).map_err(boxed)?;
    let mut text = String::new();
    for p in &report.mismatched {
        let _ = writeln!(text, "{p}: FAILED (content differs from the listed digest)");
    }
    for p in &report.missing {
        let _ = writeln!(text, "{p}: MISSING (listed, not found under {})", ctx.root.display());
    }
    for p in &report.extra {
        let _ = writeln!(text, "{p}: EXTRA (present, not listed)");
    }
    for (p, reason) in &report.unreadable {
        let _ = writeln!(text, "{p}: UNREADABLE ({reason})");
    }
    let passed = report.passed();
    let problems = report.mismatched.len() + report.missing.len() + report.extra.len() + report.unreadable.len();
    let _ = if passed {
        writeln!(text, "{}: {} files OK", file.display(), report.ok)
    } else {
        writeln!(text, "{}: {} OK, {problems} problem(s)", file.display(), report.ok)
    };
    let exit = if passed { Exit::Pass } else { Exit::Fail };
    Ok(Outcome { exit, text, json: ctx.json(|| serde_json::to_value(&report).expect("report serialises")) })
}
