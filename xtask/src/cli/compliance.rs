//! `signet compliance`: the compliance report across every release (`crate::compliance`).

use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::fsx::atomic;
use crate::sign::{SignError, Timestamp};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Count only signatures, attempts, revocations and requests at or after this time (RFC 3339
    /// time or date).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// List keys that expire within this many days.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub days: i64,
    /// Also write the report as an HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load_required(&ctx.root).map_err(boxed)?;
    let since = match &args.since {
        Some(s) => Some(Timestamp::parse(s).ok_or_else(|| {
            boxed(SignError::Refused(format!("--since `{s}` is not a date or RFC 3339 UTC time like 2026-11-01")))
        })?),
        None => None,
    };
    let report =
        crate::compliance::report(&ctx.root, &cfg.signing, since, args.days, Timestamp::now()).map_err(boxed)?;
    let mut text = report.text();
    if let Some(html) = &args.html {
        let path = ctx.path(html);
        atomic::write(&path, report.html().as_bytes())
            .map_err(|source| boxed(SignError::Write { path: path.clone(), source }))?;
        text.push_str(&format!("\nwrote {}\n", path.display()));
    }
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&report).expect("serialises") })
}
