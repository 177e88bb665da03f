use std::fmt;
use std::path::PathBuf;

use crate::error::{Exit, StageError};

/// Everything that stops a signing step, or fails the final gate.
#[derive(Debug)]
pub enum SignError {
    /// Unreadable or malformed input: exit 2.
    Input {
        path: PathBuf,
        message: String,
    },
    Policy(String),
    Registry(String),
    /// The operation was refused (not a terminal, wrong role, order, lockout …): exit 2.
    Refused(String),
    /// The final gate found problems: exit 1. Each is one line.
    Verify(Vec<String>),
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SignError {
    pub fn input(path: impl Into<PathBuf>, message: impl fmt::Display) -> SignError {
        SignError::Input { path: path.into(), message: message.to_string() }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Input { path, message } => write!(f, "{}: {message}", path.display()),
            SignError::Policy(m) => write!(f, "signet.toml [signing]: {m}"),
            SignError::Registry(m) => write!(f, "{}: {m}", super::layout::REGISTRY),
            SignError::Refused(m) => write!(f, "{m}"),
            SignError::Verify(problems) => {
                write!(f, "release verification failed ({} problem(s)):", problems.len())?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
            SignError::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
        }
    }
}

impl StageError for SignError {
    fn exit(&self) -> Exit {
        match self {
            SignError::Verify(_) => Exit::Fail,
            _ => Exit::Usage,
        }
    }
}
