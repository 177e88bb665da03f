//! What one signature says: an in-toto Statement whose subject is the bundle and whose
//! predicate is the Part 11 signature record (§11.50: printed name, date and time, meaning).

use serde::{Deserialize, Serialize};

pub const PREDICATE_TYPE: &str = "https://signet.dev/attestations/part11-signature/v1";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// in-toto Statement v0.1, which cosign 2.x writes for `attest-blob`; same layout as v1 for
/// everything Signet reads, so it is accepted for keyless signatures only.
pub const STATEMENT_TYPE_V01: &str = "https://in-toto.io/Statement/v0.1";

/// `time_source` of a key-file signature, and of a keyless predicate before verification: the
/// signer's own clock, which nobody vouches for.
pub const SIGNER_CLOCK: &str = "signer-clock";
pub use crate::keyless::{TIME_TIMESTAMP_AUTHORITY, TIME_TRANSPARENCY_LOG};

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
    /// Where `signed_at` came from: `signer-clock` for key-file signatures; for a verified keyless
    /// signature `transparency-log` or `timestamp-authority` (see `sign::sigstore`).
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
    format!("{role}--{signer}{DSSE_SUFFIX}")
}

pub const DSSE_SUFFIX: &str = ".dsse.json";
pub const KEYLESS_SUFFIX: &str = ".sigstore.json";

/// `<ROLE>--<signer>.sigstore.json`: a keyless signature, the Sigstore bundle cosign wrote.
pub fn keyless_file_name(role: &str, signer: &str) -> String {
    format!("{role}--{signer}{KEYLESS_SUFFIX}")
}

/// Whether `file` is a signature file, of either kind.
pub fn is_signature_file(file: &str) -> bool {
    file.ends_with(DSSE_SUFFIX) || file.ends_with(KEYLESS_SUFFIX)
}
