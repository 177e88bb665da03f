use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Exit;
use crate::fsx::read::{MAX_RECORD_BYTES, read_text};
use crate::rtm::RtmError;
use crate::rtm::shown::Diff;
use crate::rtm::stamp::{self, Change, StampOptions, Why};

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
    /// Stamp what a merged change made unreviewed and its diff showed whole (the auto-stamp):
    /// BASE is a checkout of the project as it was before the change.
    #[arg(long, value_name = "BASE", requires = "diff")]
    pub changed_since: Option<PathBuf>,
    /// With --changed-since: the change's diff, as `git -c core.quotePath=false diff -U0 -M
    /// --text --no-ext-diff --no-textconv BASE_COMMIT HEAD` in the repository prints it.
    #[arg(long, value_name = "FILE", requires = "changed_since")]
    pub diff: Option<PathBuf>,
    /// With --diff: DIFF is of the whole repository (no `--relative`), and the project is its
    /// folder DIR (`dir/`), so that a file renamed in from outside the project keeps its history.
    #[arg(long, value_name = "DIR/", requires = "diff", default_value = "")]
    pub diff_prefix: String,
    /// Who reviewed them (written as REVIEWED_BY).
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Globs of .sdoc documents (default: `[requirements] docs`).
    #[arg(long, value_name = "GLOB")]
    pub docs: Vec<String>,
}

fn change(base: PathBuf, diff: &Path, prefix: &str) -> Result<Change, Box<dyn crate::error::StageError>> {
    let input = |message: String| boxed(RtmError::Input { path: diff.to_path_buf(), message });
    let text =
        read_text(diff, MAX_RECORD_BYTES).map_err(|e| input(format!("{e}; pass the change's `git diff -U0`")))?;
    let diff = Diff::parse_in(&text, prefix)
        .map_err(|e| input(format!("{e}: the change cannot be attributed line by line")))?;
    Ok(Change { base_root: base, diff })
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let cfg = config::load(&ctx.root).map_err(|e| boxed(RtmError::Config(e)))?.requirements;
    let opts = StampOptions {
        root: ctx.root.clone(),
        docs: if args.docs.is_empty() { cfg.docs } else { args.docs },
        uids: args.uid,
        all: args.all,
        changed_since: match (args.changed_since, &args.diff) {
            (Some(base), Some(diff)) => Some(change(ctx.root.join(base), &ctx.root.join(diff), &args.diff_prefix)?),
            _ => None,
        },
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
        Why::ReviewFieldsEdited { edited } => {
            format!("this change writes review fields itself ({}); nothing is stamped", edited.join(", "))
        }
        Why::ChangeNotShown { file, line } => {
            format!("{file}:{line}, of another requirement this change altered, was not shown; nothing is stamped")
        }
        Why::NotShown { file, line } => format!(
            "{file}:{line} is not in the change's diff, as added or as its own reviewed text, so its reviewers were \
             not shown it"
        ),
    }
}
