//! `report.json` (`signet.report/v2`): the one data model both renderers of the evidence report
//! read. Every value is taken from the release's own files, so identical inputs give identical
//! bytes. v2 added the signer's `department` and `title`, `on_behalf_of` and `delegation` to each
//! manifestation, and `retired`: the withdrawn and superseded signatures.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::index::{ReviewState, TestOutcome, Verification as RtmVerification};

pub const VERSION: Version = Version { family: "signet.report", current: 2 };

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "signet.report/v2", description = "The evidence report's data model")]
pub struct Report {
    /// `signet.report/v2` for reports this Signet writes.
    pub schema: String,
    pub document: DocumentControl,
    pub signatures: Vec<Manifestation>,
    pub bundle: BundleInfo,
    pub sha256sums: SumsInfo,
    pub rtm: Rtm,
    pub tests: TestTotals,
    pub verification: Verification,
    pub attachments: Vec<AttachmentInfo>,
    /// v2: signatures the record holds that no longer count, and why.
    #[serde(default)]
    pub retired: Vec<Retired>,
}

/// A signature taken out of the count: withdrawn by its signer before approval, or superseded
/// by a replacement after its key's revocation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Retired {
    pub role: String,
    pub file: String,
    pub signer_id: String,
    pub kind: RetiredKind,
    /// When it was withdrawn (signer's clock); none for a supersession.
    pub at: Option<String>,
    pub reason: String,
    /// The replacing signature's file and signer, for a supersession.
    pub replaced_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RetiredKind {
    Withdrawn,
    Superseded,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DocumentControl {
    pub title: String,
    pub release: String,
    pub document_id: String,
    /// The number of signatures present: each one makes a new revision of the record.
    pub revision: usize,
    pub status: DocumentStatus,
    pub status_text: String,
    pub commits: Vec<String>,
    pub request_sha256: String,
    pub generated_by: String,
    pub generated_at: String,
    pub generated_at_basis: String,
    pub marking: String,
}

/// One §11.50 signature manifestation, or the place where a required one is still missing.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Manifestation {
    pub order: usize,
    pub role: String,
    pub status: SignatureStatus,
    pub printed_name: Option<String>,
    pub email: Option<String>,
    /// v2: the signer's department and job title, as enrolled.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// v2: for a delegate's signature, the delegator (`Name (id)`) and the delegation's window
    /// and reason.
    #[serde(default)]
    pub on_behalf_of: Option<String>,
    #[serde(default)]
    pub delegation: Option<String>,
    pub signer_id: Option<String>,
    pub key_id: Option<String>,
    pub meaning: String,
    pub meaning_text: String,
    pub reason: Option<String>,
    pub signed_at: Option<String>,
    pub signed_at_display: Option<String>,
    pub time_source: Option<String>,
    pub time_source_text: Option<String>,
    pub verification: SignatureCheck,
    pub verification_text: String,
    pub prerequisites: Vec<String>,
    pub file: Option<String>,
    pub envelope_sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BundleInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SumsInfo {
    pub file_sha256: String,
    /// Whether the request recorded this file's digest (then nobody can swap it unnoticed).
    pub bound_by_request: bool,
    pub files: Vec<SumEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SumEntry {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Rtm {
    pub index_sha256: String,
    pub bound_by_request: bool,
    pub summary: RtmSummary,
    pub rows: Vec<RtmRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RtmSummary {
    pub requirements: usize,
    pub orphan_links: usize,
    pub states: BTreeMap<String, usize>,
    pub verification: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RtmRow {
    pub uid: String,
    pub title: String,
    pub document: String,
    pub file: String,
    pub line: usize,
    pub state: ReviewState,
    pub suspect_causes: Vec<String>,
    pub verification: RtmVerification,
    pub verification_causes: Vec<String>,
    pub tests: Vec<TestRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TestRef {
    pub id: String,
    pub outcome: TestOutcome,
}

/// The index's test counts, and the JUnit files they come from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct TestTotals {
    #[serde(flatten)]
    pub counts: super::index::TestTotals,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Verification {
    pub result: GateResult,
    pub problems: Vec<String>,
    pub awaiting: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AttachmentInfo {
    pub name: String,
    pub mime: String,
    pub description: String,
}

/// The state of the whole record the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentStatus {
    Signed,
    Pending,
    Failed,
    /// The request is not written yet; nothing is signed or verified.
    Preview,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Signed => "signed",
            DocumentStatus::Pending => "pending",
            DocumentStatus::Failed => "failed",
            DocumentStatus::Preview => "preview",
        }
    }
}

/// What stands in one signature block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    Signed,
    Rejected,
    Invalid,
    Awaiting,
}

/// Whether the final gate accepted the signature in one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureCheck {
    Valid,
    Invalid,
    Awaiting,
}

/// The final gate's verdict as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GateResult {
    Pass,
    Fail,
    /// No problem, but signatures are missing.
    Pending,
    /// No request yet.
    Preview,
}
