//! What one `<testcase>` means to the gate, and how requirement references find it.

use std::path::PathBuf;

/// The final result of one test case. `Errored` counts as a failure for the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Passed,
    Failed,
    Errored,
    Skipped,
}

impl Outcome {
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Errored)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "errored",
            Outcome::Skipped => "skipped",
        }
    }

    /// Combines two signals about one case, keeping the worse: a `<failure>` next to a
    /// `<skipped>` (some reporters write both) must never read as skipped.
    pub(super) fn worst(self, other: Outcome) -> Outcome {
        if other.rank() > self.rank() { other } else { self }
    }

    fn rank(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Skipped => 1,
            Outcome::Failed => 2,
            Outcome::Errored => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    pub name: String,
    /// `None` when the attribute is absent or empty.
    pub classname: Option<String>,
    /// Name of the innermost enclosing `<testsuite>`; empty when there is none or it is unnamed.
    pub suite: String,
    /// The JUnit file the case came from.
    pub file: PathBuf,
    /// 1-based line of the `<testcase>` start tag in `file`.
    pub line: usize,
    pub outcome: Outcome,
    /// Seconds, when present, finite and non-negative.
    pub time: Option<f64>,
    /// First failure/error/skipped message: its `message` attribute, else its text, else its
    /// `type`; trimmed and cut to at most [`MAX_MESSAGE_BYTES`](super::MAX_MESSAGE_BYTES).
    pub message: Option<String>,
    /// Per-case `<property>` entries in document order (suite-level properties are not included).
    pub properties: Vec<(String, String)>,
    /// From properties named `verifies` or `requirement` (any case), split on commas and
    /// whitespace, deduplicated in first-seen order.
    pub requirements: Vec<String>,
    /// Number of `<flakyFailure>`, `<flakyError>`, `<rerunFailure>` and `<rerunError>` elements.
    pub flaky_retries: usize,
    /// The test's source file as the tool reported it (`file` attribute: GoogleTest, pytest xunit1).
    pub source_file: Option<String>,
    /// The test's source line as the tool reported it (`line` attribute).
    pub source_line: Option<usize>,
}

impl TestCase {
    /// `classname::name`, or just `name` when there is no classname or the name already starts
    /// with it (ctest repeats the name as classname; some tools prefix `Class.`).
    pub fn id(&self) -> String {
        match &self.classname {
            Some(class) if !starts_at_boundary(&self.name, class) => format!("{class}::{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether a reference from a requirement document names this case: the name, the id,
    /// `classname.name`, or a tail of the id (or of `classname.name`) that starts right after a
    /// `::` or `.` separator, so `occlusion_raised_within_two_seconds` matches
    /// `alarm::occlusion_raised_within_two_seconds` but `seconds` does not.
    pub fn matches(&self, reference: &str) -> bool {
        let reference = reference.trim();
        if reference.is_empty() {
            return false;
        }
        let id = self.id();
        if reference == self.name || reference == id || ends_at_boundary(&id, reference) {
            return true;
        }
        match &self.classname {
            Some(class) => {
                let dotted = format!("{class}.{}", self.name);
                reference == dotted || ends_at_boundary(&dotted, reference)
            }
            None => false,
        }
    }
}

fn ends_at_boundary(full: &str, tail: &str) -> bool {
    full.strip_suffix(tail).is_some_and(|head| head.ends_with("::") || head.ends_with('.'))
}

fn starts_at_boundary(full: &str, head: &str) -> bool {
    full.strip_prefix(head).is_some_and(|rest| rest.is_empty() || rest.starts_with("::") || rest.starts_with('.'))
}
