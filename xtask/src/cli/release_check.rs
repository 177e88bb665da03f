use std::fmt::Write as _;

use crate::error::Exit;
use crate::output::github;
use crate::release_check;

use super::{CmdResult, Ctx, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also verify the signatures collected so far under signatures/<ID>/ (read-only).
    #[arg(long, value_name = "ID")]
    pub release: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let check = release_check::run(&ctx.root, args.release.as_deref())?;
    let mut text = String::new();
    for s in &check.stages {
        let mark = if s.passed { "PASS" } else { "BLOCK" };
        let _ = writeln!(text, "{mark:>5}  {:<8} {}", s.stage, s.detail.replace('\n', "\n                 "));
        if let Some(fix) = &s.fix {
            for line in fix.lines() {
                let _ = writeln!(text, "       {:<8} fix: {line}", "");
            }
        }
    }
    let verdict = if check.passed() { "release-check passed" } else { "release-check: the release would be blocked" };
    let _ = writeln!(text, "\n{verdict}; outputs in {}", check.out_dir.display());
    let _ = github::set_output("gate-result", if check.passed() { "pass" } else { "fail" });
    Ok(Outcome {
        exit: if check.passed() { Exit::Pass } else { Exit::Fail },
        text,
        json: serde_json::to_value(&check).expect("report serialises"),
    })
}
