//! `signet validation`: Signet's own CSA record and SOUP entry, rendered (`crate::validation`).

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::validation::{self, Inputs};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSA record (signet.csa-record/v1, TOML).
    #[arg(long, value_name = "FILE", default_value = "validation/csa-record.toml")]
    pub record: PathBuf,
    /// The RTM gate's index.json for the same release (default: index.json in [requirements] out).
    #[arg(long, value_name = "FILE")]
    pub rtm: Option<PathBuf>,
    /// The release's SOUP entry (signet.soup-entry/v1, from `cargo xtask soup`).
    #[arg(long, value_name = "FILE")]
    pub soup: Option<PathBuf>,
    /// Folder to write csa-record.html (and with --pdf, csa-record.pdf) into.
    #[arg(long, value_name = "DIR", default_value = "target/validation")]
    pub out: PathBuf,
    /// Also render the archival PDF/A, with the record and the SOUP entry embedded.
    #[arg(long)]
    pub pdf: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(boxed)?;
    let rtm =
        args.rtm.as_ref().map_or_else(|| ctx.root.join(&cfg.requirements.out).join("index.json"), |p| ctx.path(p));
    let inputs = Inputs { record: ctx.path(&args.record), rtm, soup: args.soup.as_ref().map(|p| ctx.path(p)) };
    let package = validation::build(&inputs).map_err(boxed)?;
    let written = validation::write(&package, &ctx.path(&args.out), args.pdf).map_err(boxed)?;
    let t = &package.traceability;
    let mut text = String::new();
    for path in &written {
        let _ = writeln!(text, "wrote {}", path.display());
    }
    let _ = writeln!(
        text,
        "{}: {} requirements, {} reviewed, {} verified by {} linked tests ({} of {} tests passed)",
        package.document.title, t.requirements, t.reviewed, t.verified, t.tests_linked, t.tests_passed, t.tests_total
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&package).expect("serialises") })
}
