//! What one signature says: an in-toto Statement v1 (github.com/in-toto/attestation,
//! spec/v1/statement.md) whose subject is the bundle and whose predicate is the Part 11 signature
//! record (§11.50: printed name, date and time, meaning). The DSSE envelope carries it as its
//! payload, in canonical JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, ReleaseId, Role, SignerId};

pub const STATEMENT_TYPE_V1: &str = "https://in-toto.io/Statement/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "Signet Part 11 signature statement",
    description = "The in-toto Statement a Signet signature signs"
)]
pub struct Statement<P> {
    /// Always [`STATEMENT_TYPE_V1`] for statements Signet writes.
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: P,
}

/// An in-toto ResourceDescriptor reduced to what a subject needs: a name and its digests
/// (algorithm -> lowercase hex, e.g. `"sha256"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Subject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

impl<P> Statement<P> {
    pub fn new(subject: Vec<Subject>, predicate_type: impl Into<String>, predicate: P) -> Self {
        Statement { type_: STATEMENT_TYPE_V1.to_owned(), subject, predicate_type: predicate_type.into(), predicate }
    }
}

pub const PREDICATE_TYPE: &str = "https://signet.dev/attestations/part11-signature/v1";
/// v2 adds `failed_attempts`; the ceremony writes it for key-file signatures. Keyless
/// predicates stay v1 (the identity provider, not Signet, sees their logins).
pub const PREDICATE_TYPE_V2: &str = "https://signet.dev/attestations/part11-signature/v2";
/// v3 adds `department`, `title` (the signer's, as enrolled), `shown_sha256` (what the
/// ceremony showed before the password), `supersedes` and `on_behalf_of`; the ceremony writes it
/// for key-file signatures.
pub const PREDICATE_TYPE_V3: &str = "https://signet.dev/attestations/part11-signature/v3";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// in-toto Statement v0.1, which cosign 2.x writes for `attest-blob`; same layout as v1 for
/// everything Signet reads, so it is accepted for keyless signatures only.
pub const STATEMENT_TYPE_V01: &str = "https://in-toto.io/Statement/v0.1";

/// Where a record's `signed_at` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TimeSource {
    /// The signer's own clock, which nobody vouches for: every key-file signature, and a keyless
    /// predicate before verification.
    SignerClock,
    /// A transparency log's verified integration time (keyless).
    TransparencyLog,
    /// An RFC 3161 timestamp authority's verified time.
    TimestampAuthority,
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::SignerClock => "signer-clock",
            TimeSource::TransparencyLog => "transparency-log",
            TimeSource::TimestampAuthority => "timestamp-authority",
        }
    }
}

impl std::fmt::Display for TimeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Part11Record {
    pub signer_id: SignerId,
    pub printed_name: String,
    pub email: String,
    pub key_id: KeyId,
    pub role: Role,
    pub meaning: String,
    pub meaning_text: String,
    pub reason: Option<String>,
    /// UTC, RFC 3339.
    pub signed_at: String,
    /// Where `signed_at` came from: `signer-clock` for key-file signatures; for a verified keyless
    /// signature `transparency-log` or `timestamp-authority` (see `sign::sigstore`).
    pub time_source: TimeSource,
    pub release: ReleaseId,
    pub commits: Vec<String>,
    pub request_sha256: String,
    /// The envelopes of the roles this one had to follow: the order is proven by digests.
    pub prerequisites: Vec<Prerequisite>,
    pub tool: String,
    /// v2: the consecutive wrong passwords the signer's ceremony saw before this signature (on
    /// that machine, since the last success), so that the signer signs them too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_attempts: Option<u32>,
    /// v3: the signer's department, as their enrolment records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// v3: the signer's job title, as their enrolment records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// v3: `sha256:` of the exact text the ceremony showed the signer before the password
    /// (`sign --show` prints the same text and digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_sha256: Option<String>,
    /// v3: the signatures of this role this one replaces, each made with a key revoked before it
    /// signed (seed 002 §7.4), by file and digest, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<Supersession>,
    /// v3: the enrolled person whose role this signer fills by an approved delegation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// Whose signing authority a delegate exercises, and the registry's delegation entry, by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnBehalfOf {
    pub signer_id: SignerId,
    pub printed_name: String,
    /// `sha256:` of the `[[delegation]]` entry's canonical JSON.
    pub delegation_sha256: String,
}

/// A signature a replacement supersedes: the file, its exact digest, and the reason recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Supersession {
    pub file: String,
    pub envelope_sha256: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    pub role: Role,
    pub signer_id: SignerId,
    pub envelope_sha256: String,
}
