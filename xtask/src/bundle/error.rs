use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::error::{Exit, StageError};
use crate::fsx::tree::Problem;

#[derive(Debug)]
pub enum BundleError {
    Evidence { path: PathBuf, source: io::Error },
    Refused { root: PathBuf, problems: Vec<Problem> },
    Empty { path: PathBuf },
    OutputInsideEvidence { out: PathBuf, evidence: PathBuf },
    Read { path: PathBuf, reason: String },
    Changed { path: PathBuf, expected: u64, read: u64 },
    Write { path: PathBuf, source: io::Error },
    Threads(io::Error),
}

impl From<super::pipeline::NoThread> for BundleError {
    fn from(e: super::pipeline::NoThread) -> Self {
        BundleError::Threads(e.0)
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Evidence { path, source } => {
                write!(f, "cannot read evidence folder {}: {source}", path.display())
            }
            BundleError::Refused { root, problems } => {
                writeln!(
                    f,
                    "evidence folder {} has {} path(s) that cannot go into a canonical bundle:",
                    root.display(),
                    problems.len()
                )?;
                for p in problems {
                    writeln!(f, "  {p}")?;
                }
                write!(f, "fix every path listed, then run `bundle` again")
            }
            BundleError::Empty { path } => write!(
                f,
                "evidence folder {} contains no files; an empty bundle proves nothing — check --evidence",
                path.display()
            ),
            BundleError::OutputInsideEvidence { out, evidence } => write!(
                f,
                "--out {} is inside the evidence folder {}; write the bundle somewhere else",
                out.display(),
                evidence.display()
            ),
            BundleError::Read { path, reason } => {
                write!(
                    f,
                    "cannot read {}: {reason}; make it a readable regular file in the evidence folder, \
                     and let nothing move or replace it while `bundle` runs",
                    path.display()
                )
            }
            BundleError::Changed { path, expected, read } => write!(
                f,
                "{} changed size while being read ({expected} bytes at open, {}{read} read); \
                 stop whatever is writing it and run `bundle` again",
                path.display(),
                if read > expected { "at least " } else { "" }
            ),
            BundleError::Write { path, source } => {
                write!(f, "cannot write {}: {source}; nothing was left at the final path", path.display())
            }
            BundleError::Threads(e) => write!(
                f,
                "cannot start a thread ({e}); raise the limit on processes (`ulimit -u`); nothing was written"
            ),
        }
    }
}

impl StageError for BundleError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}
