//! Exit codes shared by every stage (docs/ARCHITECTURE.md §4): the CLI, the Action steps and CI read them.

use std::fmt;

/// What a command's result means to a release pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything checked passed.
    Pass = 0,
    /// The check ran and found a problem that must block the release.
    Fail = 1,
    /// The command could not run: bad usage, or input that is unreadable or malformed.
    Usage = 2,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Every stage has its own error enum; this is what the CLI needs from each of them.
pub trait StageError: fmt::Display + fmt::Debug {
    fn exit(&self) -> Exit;
    /// The file (and line) the error is about, for `::error file=…,line=…` annotations.
    fn location(&self) -> Option<(String, Option<usize>)> {
        None
    }
}
