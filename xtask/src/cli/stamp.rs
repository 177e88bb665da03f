use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Exit;
use crate::formats::index::{self, Index};
use crate::fsx::read::{MAX_RECORD_BYTES, read_bytes};
use crate::rtm::RtmError;
use crate::rtm::stamp::{self, StampOptions, Why};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["uid", "all", "changed_since"]))]
pub struct Args {
    /// Requirements to stamp as reviewed in their current form.
    #[arg(long, value_name = "UID", num_args = 1..)]
    pub uid: Vec<String>,
    /// Stamp every requirement.
    #[arg(long)]
    pub all: bool,
    /// Stamp what a merged change made unreviewed: requirements not reviewed now that were
    /// reviewed (or absent) in this index.json of the change's base (the auto-stamp Action).
    #[arg(long, value_name = "INDEX")]
    pub changed_since: Option<PathBuf>,
    /// With --changed-since: leave requirements the base did not have (the Action passes it
    /// when the change moved or deleted a file holding requirements, or changed signet.toml, so
    /// that its diff may not have shown them whole).
    #[arg(long, requires = "changed_since")]
    pub leave_new: bool,
    /// Who reviewed them (written as REVIEWED_BY).
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Globs of .sdoc documents (default: `[requirements] docs`).
    #[arg(long, value_name = "GLOB")]
    pub docs: Vec<String>,
}

fn base_index(path: &Path) -> Result<Index, Box<dyn crate::error::StageError>> {
    let input = |message: String| boxed(RtmError::Input { path: path.to_path_buf(), message });
    let bytes = read_bytes(path, MAX_RECORD_BYTES)
        .map_err(|e| input(format!("{e}; pass the index.json the RTM gate wrote on the change's base")))?;
    index::VERSION.read(&bytes).map_err(|e| input(e.to_string()))
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(|e| boxed(RtmError::Config(e)))?.requirements;
    let opts = StampOptions {
        root: ctx.root.clone(),
        docs: if args.docs.is_empty() { cfg.docs } else { args.docs },
        uids: args.uid,
        all: args.all,
        changed_since: args.changed_since.map(|p| base_index(&ctx.root.join(p))).transpose()?,
        leave_new: args.leave_new,
        by: args.by,
    };
    let report = stamp::stamp(&opts).map_err(boxed)?;
    let mut text = String::new();
    let _ = writeln!(text, "stamped {} requirement(s): {}", report.stamped.len(), report.stamped.join(", "));
    for f in &report.files {
        let _ = writeln!(text, "changed {}", f.display());
    }
    for l in &report.left {
        let _ = writeln!(
            text,
            "left {}: {}; review it on its own (signet stamp --uid {} --by NAME)",
            l.uid,
            why(&l.why),
            l.uid
        );
    }
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&report).expect("report serialises") })
}

fn why(why: &Why) -> String {
    match why {
        Why::AlreadyUnreviewed { was } => {
            format!("it was already {} before this change, which did not review it", was.as_str())
        }
        Why::UnreviewedTouched { touched } => format!(
            "this change altered or removed {}, unreviewed before it, whose earlier text it did not show; \
             nothing is stamped",
            touched.join(", ")
        ),
        Why::NewNotShown => "it is new, and this change moved or deleted requirement files or changed signet.toml, \
                              so its diff may not show it whole"
            .to_owned(),
    }
}
