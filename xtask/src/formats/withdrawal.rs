//! A signed withdrawal (`signet.withdrawal/v1`, seed 002 §6.3): the one legitimate way a signer
//! takes back their own signature or rejection before the release is approved. The signer's
//! enrolled key signs it (DSSE, payload type [`PAYLOAD_TYPE`]); it names the withdrawn file by
//! name and digest, and lives at `signatures/<ID>/withdrawals/<hex sha256 of that file>.dsse.json`.
//! The withdrawn file is then removed; the final gate accepts its absence only with this record,
//! and shows it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::event::FileRef;
use super::ids::{ReleaseId, Role, SignerId};

pub const VERSION: Version = Version { family: "signet.withdrawal", current: 1 };
pub const PAYLOAD_TYPE: &str = "application/vnd.signet.withdrawal+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.withdrawal/v1", description = "A signer's signed withdrawal of their own signature")]
pub struct Withdrawal {
    pub schema: String,
    pub release: ReleaseId,
    pub request_sha256: String,
    pub signer_id: SignerId,
    pub role: Role,
    /// The signature (or rejection) file withdrawn, by name and digest.
    pub withdrawn: FileRef,
    pub reason: String,
    /// UTC, RFC 3339, the signer's clock.
    pub withdrawn_at: String,
}
