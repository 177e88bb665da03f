//! What one signature says: an in-toto Statement whose subject is the bundle and whose
//! predicate is the Part 11 signature record (§11.50: printed name, date and time, meaning).

use serde::{Deserialize, Serialize};

pub const PREDICATE_TYPE: &str = "https://signet.dev/attestations/part11-signature/v1";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part11Record {
    pub signer_id: String,
    pub printed_name: String,
    pub email: String,
    pub key_id: String,
    pub role: String,
    pub meaning: String,
    pub meaning_text: String,
    pub reason: Option<String>,
    /// UTC, RFC 3339.
    pub signed_at: String,
    /// Where `signed_at` came from: `signer-clock` for key-file signatures.
    pub time_source: String,
    pub release: String,
    pub commits: Vec<String>,
    pub request_sha256: String,
    /// The envelopes of the roles this one had to follow: the order is proven by digests.
    pub prerequisites: Vec<Prerequisite>,
    pub tool: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    pub role: String,
    pub signer_id: String,
    pub envelope_sha256: String,
}

/// `<ROLE>--<signer>.dsse.json`: one file per signature, so signers in separate pull requests
/// never touch the same file.
pub fn file_name(role: &str, signer: &str) -> String {
    format!("{role}--{signer}.dsse.json")
}
