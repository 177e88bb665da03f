//! The archival manifest, `signatures/release-<ID>.json` (`signet.manifest/v5`): the assembled,
//! self-contained signature record of one release — request, signatures, the registry entries
//! and revocations they used with the administrators' approvals of them, the organisation's
//! trust chain, policy, audit trail — which the final gate re-verifies alone, years later,
//! against the bundle and the organisation's trust file.
//!
//! v2 added `approvals` and `trust`; a v1 manifest has neither, and verifies only against a
//! trust file that vouches for its signers' keys directly. v3 added `events`, the release's
//! event files, and `withdrawals`, and made `audit` (the v1 layout's chained trail) optional.
//! v4 added `timestamps`, the RFC 3161 tokens of key-file signatures (the TSA chains they
//! verify against are in `trust`). v5 added `delegations`, the registry's delegation entries that
//! its delegated signatures exercise (their approvals are in `approvals`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::ids::ReleaseId;
use super::policy::SigningConfig;
use super::registry::{Approval, Delegation, Revocation, Signer};
use super::trust::Trust;

pub const VERSION: Version = Version { family: "signet.manifest", current: 5 };

/// The assembled, self-contained archival record: `signatures/release-<ID>.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.manifest/v5", description = "The archival signature record of one release")]
pub struct Manifest {
    pub schema: String,
    pub release: ReleaseId,
    pub request_sha256: String,
    pub request: String,
    pub envelopes: Vec<ManifestEnvelope>,
    pub signers: Vec<Signer>,
    pub revocations: Vec<Revocation>,
    pub policy: SigningConfig,
    /// The hash-chained `audit.jsonl` of a release recorded in the v1 layout (required before v3).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub audit: String,
    pub bundle_sha256: String,
    pub generated_by: String,
    /// `sha256:` of `trusted_root`; both present only when the release has keyless signatures,
    /// absent from every manifest written before keyless signing existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_sha256: Option<String>,
    /// The exact Sigstore trusted root the keyless signatures were verified against, so the
    /// manifest re-verifies them alone, years later, without the repository or the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
    /// v2: the administrators' approvals of the `signers` and `revocations` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// v2: the organisation's trust chain when the release was archived; it must continue the
    /// trust file the verifier holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
    /// v3: the release's event files (`events/<TIME>-<SHA256>.json`), by name, with their exact text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<RecordFile>,
    /// v3: signers' signed withdrawals (`withdrawals/<SHA256>.dsse.json`), with their exact text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawals: Vec<RecordFile>,
    /// v4: the RFC 3161 timestamp tokens of key-file signatures (`<ROLE>--<signer>.tst`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<TokenFile>,
    /// v5: the delegations the release's delegated signatures exercise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Delegation>,
}

/// A timestamp token file of the release folder, by name, with its DER bytes in base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    pub file: String,
    pub token_base64: String,
}

/// One file of the release folder, by name, with its exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFile {
    pub file: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestEnvelope {
    pub file: String,
    pub sha256: String,
    pub envelope: String,
}
