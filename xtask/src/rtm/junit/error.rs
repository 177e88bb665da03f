//! One error type for I/O, encoding, XML and JUnit-shape problems, each carrying the fix.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunitError {
    pub file: PathBuf,
    /// 1-based; 0 when the error concerns the file as a whole (missing, too large).
    pub line: usize,
    /// 1-based, counted in characters; 0 together with `line`.
    pub col: usize,
    pub message: String,
    /// What the user should do about it.
    pub hint: &'static str,
}

impl JunitError {
    pub(super) fn new(file: &Path, line: usize, col: usize, message: impl Into<String>, hint: &'static str) -> Self {
        JunitError { file: file.to_path_buf(), line, col, message: message.into(), hint }
    }

    pub(super) fn whole_file(file: &Path, message: impl Into<String>, hint: &'static str) -> Self {
        JunitError::new(file, 0, 0, message, hint)
    }
}

impl fmt::Display for JunitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}; {}", self.file.display(), self.message, self.hint)
        } else {
            write!(f, "{}:{}:{}: {}; {}", self.file.display(), self.line, self.col, self.message, self.hint)
        }
    }
}

impl std::error::Error for JunitError {}

pub(super) const HINT_IO: &str = "check that the path exists, is a regular file and is readable";
pub(super) const HINT_SIZE: &str = "split the test run into several JUnit reports";
pub(super) const HINT_UTF8: &str =
    "JUnit reports must be UTF-8: configure the test tool to write UTF-8 or re-encode the file";
pub(super) const HINT_MALFORMED: &str =
    "regenerate the report with the test tool; a truncated or hand-edited file is not trustworthy evidence";
pub(super) const HINT_NO_DTD: &str =
    "JUnit reports never need a DTD or entity declarations; remove them or fix the tool that wrote them";
pub(super) const HINT_ENTITY: &str =
    "only &lt; &gt; &amp; &quot; &apos; and numeric character references are allowed in JUnit reports";
pub(super) const HINT_NOT_JUNIT: &str =
    "pass the JUnit XML the test tool wrote (e.g. nextest's junit.xml or pytest --junitxml)";
pub(super) const HINT_LIMIT: &str = "this does not look like a real test report; check the tool that wrote it";
