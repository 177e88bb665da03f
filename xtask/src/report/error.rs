use std::fmt;
use std::path::PathBuf;

use crate::error::{Exit, StageError};
use crate::sign::SignError;

/// Everything that stops a report. All of it is exit 2: a report is never written partially
/// or from inputs that disagree with each other.
#[derive(Debug)]
pub enum ReportError {
    Input {
        path: PathBuf,
        message: String,
    },
    /// The inputs do not belong to one release (another bundle, an edited index.json …).
    Inconsistent(String),
    Template {
        name: String,
        message: String,
    },
    Pdf(String),
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    Sign(SignError),
}

impl ReportError {
    pub fn input(path: impl Into<PathBuf>, message: impl fmt::Display) -> ReportError {
        ReportError::Input { path: path.into(), message: message.to_string() }
    }
}

impl From<SignError> for ReportError {
    fn from(e: SignError) -> Self {
        ReportError::Sign(e)
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Input { path, message } => write!(f, "{}: {message}", path.display()),
            ReportError::Inconsistent(m) => write!(f, "inconsistent release inputs: {m}"),
            ReportError::Template { name, message } => write!(f, "template {name}: {message}"),
            ReportError::Pdf(m) => write!(f, "PDF: {m}"),
            ReportError::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            ReportError::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl StageError for ReportError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            ReportError::Input { path, .. } | ReportError::Write { path, .. } => {
                Some((path.display().to_string(), None))
            }
            _ => None,
        }
    }
}
