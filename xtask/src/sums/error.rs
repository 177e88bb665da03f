use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::error::{Exit, StageError};
use crate::fsx::path_safety::PathProblem;
use crate::fsx::tree::Problem;

#[derive(Debug)]
pub enum SumsError {
    Read { path: PathBuf, source: io::Error },
    Unreadable { path: PathBuf, reason: String },
    Malformed { file: PathBuf, line: usize, message: String },
    BadPath { path: String, problem: PathProblem },
    OutsideRoot { path: PathBuf, root: PathBuf },
    Refused { root: PathBuf, problems: Vec<Problem> },
    Write { path: PathBuf, source: io::Error },
}

impl fmt::Display for SumsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SumsError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            SumsError::Unreadable { path, reason } => {
                write!(
                    f,
                    "cannot hash {}: {reason}; make it a readable regular file, reached through no link, and let \
                     nothing replace it while `sums` runs",
                    path.display()
                )
            }
            SumsError::Malformed { file, line, message } => {
                write!(f, "{}:{line}: {message}; regenerate it with `signet sums`", file.display())
            }
            SumsError::BadPath { path, problem } => write!(f, "path `{path}`: {problem}"),
            SumsError::OutsideRoot { path, root } => {
                write!(f, "{} is outside --root {}; give paths inside the root", path.display(), root.display())
            }
            SumsError::Refused { root, problems } => {
                writeln!(f, "{} has {} path(s) that cannot be listed:", root.display(), problems.len())?;
                for p in problems {
                    writeln!(f, "  {p}")?;
                }
                write!(f, "fix every path listed, then run `sums` again")
            }
            SumsError::Write { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

impl StageError for SumsError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            SumsError::Malformed { file, line, .. } => Some((file.display().to_string(), Some(*line))),
            _ => None,
        }
    }
}
