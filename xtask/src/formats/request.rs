//! `request.json` (`signet.request/v2`): the pending-signature request of one release — what
//! must be signed (the bundle, by digest), by which roles, with which meaning, in which order.
//! Every signature names the digest of this file's exact bytes.
//!
//! v2 added `require_trusted_time`: signers sign that their key-file signatures need an RFC 3161
//! timestamp, so a later edit of `signet.toml` cannot waive it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::ids::{ReleaseId, Role};

pub const VERSION: Version = Version { family: "signet.request", current: 2 };

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleRef {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredSignature {
    pub role: Role,
    pub meaning: String,
    pub meaning_text: String,
    pub after: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.request/v2", description = "A pending-signature request")]
pub struct Request {
    pub schema: String,
    pub release: ReleaseId,
    pub commits: Vec<String>,
    pub bundle: BundleRef,
    pub sha256sums_sha256: Option<String>,
    pub index_json_sha256: Option<String>,
    pub policy_sha256: String,
    pub registry_sha256: String,
    pub created_at: String,
    pub separation_of_duties: bool,
    pub required: Vec<RequiredSignature>,
    pub tool: String,
    /// Digest of the Sigstore trusted root (`signatures/trusted_root.json`) when the request was
    /// made: every signer signs the request's digest, so keyless signatures of this release are
    /// verified only against this root, whatever the file says later. Absent in requests made
    /// without one (and in every request before keyless signing existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_sha256: Option<String>,
    /// v2: every key-file signature must carry a valid RFC 3161 token (`[signing]
    /// require_trusted_time` when the request was made). Absent in v1, where it is false.
    #[serde(default)]
    pub require_trusted_time: bool,
}

/// A request of any version this Signet reads, refusing what its version cannot hold.
pub fn read(bytes: &[u8]) -> Result<Request, String> {
    let request: Request = VERSION.read(bytes).map_err(|e| e.to_string())?;
    let version = VERSION.check(Some(&request.schema)).map_err(|e| e.to_string())?;
    if version < 2 && request.require_trusted_time {
        return Err(format!("{} has `require_trusted_time`, which only v2 has", request.schema));
    }
    Ok(request)
}
