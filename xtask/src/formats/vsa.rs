//! The final gate's verdict for other tools: an in-toto Statement v1 whose predicate is a SLSA
//! Verification Summary Attestation (`https://slsa.dev/verification_summary/v1`). Subject and
//! `resourceUri` are the bundle; `policy` is the request every signer signed, by digest; the
//! trust file and each signature verified are `inputAttestations`; the result PASSED or FAILED.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// What a PASSED verdict verified: Signet's Part 11 signature policy, version 1.
pub const VERIFIED_LEVEL: &str = "SIGNET_PART11_SIGNATURES_V1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "SLSA verification_summary/v1", description = "The predicate of `signet verify --vsa`")]
pub struct VerificationSummary {
    pub verifier: Verifier,
    /// UTC, RFC 3339.
    pub time_verified: String,
    pub resource_uri: String,
    pub policy: Descriptor,
    pub input_attestations: Vec<Descriptor>,
    /// `PASSED` or `FAILED`.
    pub verification_result: String,
    pub verified_levels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verifier {
    pub id: String,
}

/// A resource by URI and digests (algorithm -> lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Descriptor {
    pub uri: String,
    pub digest: BTreeMap<String, String>,
}
