//! One event of a release's record, `signatures/<ID>/events/<TIME>-<SHA256>.json`
//! (`signet.event/v1`, §11.10(e)): one immutable file per event, named by its time and the
//! SHA-256 of its exact bytes, so two signers' pull requests from the same base add different
//! files and merge with plain `git merge`, and an edited event no longer matches its name.
//!
//! Releases recorded before this format keep their hash-chained `audit.jsonl`
//! ([`super::audit_event`]), which stays readable.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::ids::{ReleaseId, Role, SignerId};

pub const VERSION: Version = Version { family: "signet.event", current: 1 };

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.event/v1", description = "One immutable event of a release's record")]
pub struct Event {
    pub schema: String,
    /// UTC, RFC 3339, the writing machine's clock.
    pub at: String,
    pub event: EventKind,
    pub release: ReleaseId,
    /// `sha256:` of the request's exact bytes: every event is bound to one request.
    pub request_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The signature file an event concerns (`signature-created`), by name and digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<FileRef>,
    /// The end of a lockout window (`lockout`): no signature by this signer may fall inside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    RequestCreated,
    SignatureCreated,
    FailedAttempt,
    Lockout,
    /// The archival manifest was assembled from this record (`envelope` names it).
    ManifestAssembled,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::RequestCreated => "request-created",
            EventKind::SignatureCreated => "signature-created",
            EventKind::FailedAttempt => "failed-attempt",
            EventKind::Lockout => "lockout",
            EventKind::ManifestAssembled => "manifest-assembled",
        }
    }
}

/// A file of the release folder, by name and the `sha256:` of its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub file: String,
    pub sha256: String,
}
