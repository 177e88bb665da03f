use std::fmt::Write as _;

use crate::config;
use crate::error::Exit;
use crate::rtm::RtmError;
use crate::rtm::stamp::{self, StampOptions};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["uid", "all"]))]
pub struct Args {
    /// Requirements to stamp as reviewed in their current form.
    #[arg(long, value_name = "UID", num_args = 1..)]
    pub uid: Vec<String>,
    /// Stamp every requirement.
    #[arg(long)]
    pub all: bool,
    /// Who reviewed them (written as REVIEWED_BY).
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Globs of .sdoc documents (default: `[requirements] docs`).
    #[arg(long, value_name = "GLOB")]
    pub docs: Vec<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(|e| boxed(RtmError::Config(e)))?.requirements;
    let opts = StampOptions {
        root: ctx.root.clone(),
        docs: if args.docs.is_empty() { cfg.docs } else { args.docs },
        uids: args.uid,
        all: args.all,
        by: args.by,
    };
    let report = stamp::stamp(&opts).map_err(boxed)?;
    let mut text = String::new();
    let _ = writeln!(text, "stamped {} requirement(s): {}", report.stamped.len(), report.stamped.join(", "));
    for f in &report.files {
        let _ = writeln!(text, "changed {}", f.display());
    }
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&report).expect("report serialises") })
}
