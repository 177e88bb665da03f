//! `index.json` (`signet.rtm.index/v1`): the RTM gate's master list of every regulated UID,
//! written by `rtm-gate`, bundled as evidence, pinned by digest in the request and read back
//! by the report. No timestamps: the same inputs give the same bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;

pub const VERSION: Version = Version { family: "signet.rtm.index", current: 1 };

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "signet.rtm.index/v1", description = "The RTM gate's index.json")]
pub struct Index {
    /// Always `signet.rtm.index/v1` for this type.
    pub schema: String,
    pub generated_by: String,
    pub documents: Vec<String>,
    pub junit_files: Vec<String>,
    pub summary: Summary,
    // Boxed one by one, for the gate's peak memory (`rtm::gate::entries`); written as objects.
    pub requirements: Vec<Box<Entry>>,
    pub orphan_links: Vec<OrphanLink>,
}

/// One requirement: where it is, its review state and its verification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    pub uid: String,
    pub title: String,
    // Shared by the requirements of one document and of one file: 200,000 copies of each were
    // 19 MB of the gate's peak (issue #19). Written as plain strings.
    pub document: Arc<str>,
    pub file: Arc<str>,
    pub line: usize,
    pub state: ReviewState,
    pub fingerprint: String,
    pub reviewed_hash: Option<String>,
    pub reviewed_by: Option<String>,
    pub suspect_causes: Vec<String>,
    pub verification: Verification,
    pub verification_causes: Vec<String>,
    pub tests: Vec<LinkedTest>,
    pub missing_tests: Vec<String>,
    pub parents: Vec<String>,
    pub children: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub requirements: usize,
    /// Requirements per review state (`ReviewState::as_str`); every state is present.
    pub states: BTreeMap<String, usize>,
    /// Requirements per verification result (`Verification::as_str`); every result is present.
    pub verification: BTreeMap<String, usize>,
    pub tests: TestTotals,
    pub orphan_links: usize,
}

impl Summary {
    pub fn state(&self, state: ReviewState) -> usize {
        self.states.get(state.as_str()).copied().unwrap_or(0)
    }

    pub fn verified(&self, result: Verification) -> usize {
        self.verification.get(result.as_str()).copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TestTotals {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    /// Absent from index files written before flaky retries were counted.
    #[serde(default)]
    pub flaky: usize,
}

/// A JUnit test case linked to a requirement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LinkedTest {
    pub id: String,
    pub outcome: TestOutcome,
    pub file: String,
    pub line: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A JUnit test case that names a UID no document defines.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OrphanLink {
    pub test: String,
    pub uid: String,
    pub file: String,
    pub line: usize,
}

/// Whether a requirement was reviewed in its current form, against its ancestors' current form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    Reviewed,
    SuspectInherited,
    SuspectNative,
    Unreviewed,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] =
        [ReviewState::Reviewed, ReviewState::Unreviewed, ReviewState::SuspectNative, ReviewState::SuspectInherited];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Reviewed => "reviewed",
            ReviewState::SuspectInherited => "suspect-inherited",
            ReviewState::SuspectNative => "suspect-native",
            ReviewState::Unreviewed => "unreviewed",
        }
    }
}

/// Whether passing tests verify a requirement (a failing descendant fails it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    Passed,
    Unverified,
    Failed,
}

impl Verification {
    pub const ALL: [Verification; 3] = [Verification::Passed, Verification::Failed, Verification::Unverified];

    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Passed => "passed",
            Verification::Unverified => "unverified",
            Verification::Failed => "failed",
        }
    }
}

/// A linked test's final result, as index.json spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TestOutcome {
    Passed,
    Failed,
    /// Spelled `error` (JUnit's `<error>`); it counts as a failure.
    #[serde(rename = "error")]
    Errored,
    Skipped,
}

impl TestOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Passed => "passed",
            TestOutcome::Failed => "failed",
            TestOutcome::Errored => "error",
            TestOutcome::Skipped => "skipped",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, TestOutcome::Failed | TestOutcome::Errored)
    }
}
