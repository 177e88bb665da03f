//! `signet inspect`: the inspection package of one release (`crate::inspect`).

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::inspect::{self, Inputs};
use crate::sign::Timestamp;

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub sources: super::report::Sources,
    /// A new folder to write the package into (it must not hold files yet).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(boxed)?;
    let (record, paths) = args.sources.load(ctx, &cfg)?;
    let out = ctx.path(&args.out);
    let package =
        inspect::write(&Inputs { record: &record, paths: &paths, out: &out }, Timestamp::now()).map_err(boxed)?;
    let mut text = String::new();
    for f in &package.files {
        let _ = writeln!(text, "wrote {}", out.join(&f.name).display());
    }
    let _ = writeln!(text, "{}", package.summary);
    let _ = writeln!(text, "open {}", out.join("index.html").display());
    // The package is written either way; the exit code is the verdict's.
    let exit = if package.passed { Exit::Pass } else { Exit::Fail };
    Ok(Outcome { exit, text, json: serde_json::to_value(&package).expect("serialises") })
}
