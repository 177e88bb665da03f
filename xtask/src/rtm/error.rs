use std::fmt;
use std::path::PathBuf;

use super::junit::JunitError;
use super::sdoc::SdocError;
use crate::config::ConfigError;
use crate::error::{Exit, StageError};

#[derive(Debug)]
pub enum RtmError {
    Config(ConfigError),
    Glob {
        pattern: String,
        message: String,
    },
    NoDocuments {
        patterns: Vec<String>,
    },
    Sdoc(Box<SdocError>),
    Junit(JunitError),
    DuplicateUid {
        uid: String,
        first: (PathBuf, usize),
        second: (PathBuf, usize),
    },
    UnknownTarget {
        uid: String,
        kind: &'static str,
        target: String,
        at: (PathBuf, usize),
    },
    Cycle {
        chain: Vec<(String, PathBuf, usize)>,
    },
    UnknownUid {
        uid: String,
    },
    StampChangedContent,
    /// An input file other than a document or a JUnit file (e.g. `stamp --changed-since`'s index).
    Input {
        path: PathBuf,
        message: String,
    },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for RtmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RtmError::Config(e) => write!(f, "{e}"),
            RtmError::Glob { pattern, message } => write!(f, "bad glob `{pattern}`: {message}"),
            RtmError::NoDocuments { patterns } => write!(
                f,
                "no .sdoc documents match {}; set `[requirements] docs` in signet.toml or pass --docs",
                patterns.join(", ")
            ),
            RtmError::Sdoc(e) => write!(f, "{e}"),
            RtmError::Junit(e) => write!(f, "{e}"),
            RtmError::DuplicateUid { uid, first, second } => write!(
                f,
                "{}:{}: duplicate UID `{uid}`, first defined at {}:{}; give one of them a new UID",
                second.0.display(),
                second.1,
                first.0.display(),
                first.1
            ),
            RtmError::UnknownTarget { uid, kind, target, at } => write!(
                f,
                "{}:{}: `{uid}` has a {kind} relation to `{target}`, which no document defines; \
                 fix the UID or add the missing requirement",
                at.0.display(),
                at.1
            ),
            RtmError::Cycle { chain } => {
                let (first, file, line) = &chain[0];
                let path = chain.iter().map(|(u, _, _)| u.as_str()).collect::<Vec<_>>().join(" → ");
                write!(
                    f,
                    "{}:{line}: Parent relations form a cycle: {path} (each requirement is its own ancestor); \
                     remove one of the links, e.g. the one on `{first}`",
                    file.display()
                )
            }
            RtmError::UnknownUid { uid } => {
                write!(f, "no requirement has UID `{uid}`; check its spelling against the .sdoc documents")
            }
            RtmError::StampChangedContent => write!(
                f,
                "stamping would have changed a requirement's content; the files were restored. \
                 This is a Signet bug: please report it with the document"
            ),
            RtmError::Input { path, message } => write!(f, "{}: {message}", path.display()),
            RtmError::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
        }
    }
}

impl StageError for RtmError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            RtmError::Sdoc(e) => Some((e.file.display().to_string(), Some(e.line))),
            RtmError::Junit(e) => Some((e.file.display().to_string(), Some(e.line))),
            RtmError::DuplicateUid { second, .. } => Some((second.0.display().to_string(), Some(second.1))),
            RtmError::UnknownTarget { at, .. } => Some((at.0.display().to_string(), Some(at.1))),
            RtmError::Cycle { chain } => chain.first().map(|(_, f, l)| (f.display().to_string(), Some(*l))),
            RtmError::Config(e) => e.location(),
            _ => None,
        }
    }
}
