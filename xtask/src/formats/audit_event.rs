//! One line of a release's audit trail, `signatures/<ID>/audit.jsonl` (§11.10(e)): one event in
//! canonical JSON per line, each carrying the SHA-256 of the line before it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Signet audit event", description = "One line of audit.jsonl")]
pub struct Event {
    pub seq: u64,
    pub at: String,
    /// `request-created`, `signature-created`, `failed-attempt`, `lockout`.
    pub event: String,
    pub release: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// SHA-256 of the previous line's bytes (without its newline).
    pub prev: String,
}
