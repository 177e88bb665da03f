//! One error type for syntax, grammar, include and I/O failures, rendered rustc-style so a
//! reviewer can jump straight to the offending line.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdocError {
    pub file: PathBuf,
    /// 1-based; 0 when the error concerns the file as a whole (e.g. it cannot be read).
    pub line: usize,
    /// 1-based, counted in characters.
    pub col: usize,
    pub expected: String,
    pub found: String,
    pub help: Option<String>,
    /// The offending source line, kept so `Display` needs no access to the file.
    pub snippet: Option<String>,
}

impl SdocError {
    pub fn new(file: &Path, line: usize, col: usize, expected: impl Into<String>, found: impl Into<String>) -> Self {
        SdocError {
            file: file.to_path_buf(),
            line,
            col,
            expected: expected.into(),
            found: found.into(),
            help: None,
            snippet: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_snippet(mut self, snippet: &str) -> Self {
        self.snippet = Some(snippet.to_string());
        self
    }
}

impl fmt::Display for SdocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: expected {}, found {}", self.expected, self.found)?;
        if self.line == 0 {
            write!(f, "  --> {}", self.file.display())?;
        } else {
            write!(f, "  --> {}:{}:{}", self.file.display(), self.line, self.col)?;
        }
        let gutter = " ".repeat(self.line.to_string().len());
        if let (Some(snippet), true) = (&self.snippet, self.line > 0) {
            // Tabs would shift the caret; show them as one space each.
            let shown: String = snippet.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
            let pad = " ".repeat(self.col.saturating_sub(1));
            write!(f, "\n{gutter} |\n{} | {shown}\n{gutter} | {pad}^", self.line)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SdocError {}
