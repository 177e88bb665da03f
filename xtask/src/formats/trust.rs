//! The organisation's trust file, `signet.trust/v1`: the anchor held outside the record (in the
//! QMS / DHF, and CODEOWNERS-protected as `signatures/trust.json`). It names the registry
//! administrators, whose signatures make an enrolment or revocation count, the Sigstore trusted
//! roots the organisation accepts for keyless signers, and (for records made before signed
//! enrolment) signer keys it vouches for directly.
//!
//! A trust file is a chain of versions, as TUF's root is: version 1 is anchored by its digest,
//! kept outside the repository; each later version is signed by a threshold of the previous
//! version's administrators and of its own, so that an old trust file still verifies what
//! came later through the chain.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;
use super::ids::{KeyId, SignerId};

pub const VERSION: Version = Version { family: "signet.trust", current: 1 };

/// The DSSE payload type of an administrator's signature over a trust root version.
pub const ROOT_PAYLOAD_TYPE: &str = "application/vnd.signet.trust-root+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.trust/v1", description = "An organisation's trust anchor: signatures/trust.json")]
pub struct Trust {
    pub schema: String,
    /// Oldest first; `versions[i].root.version == i + 1`.
    pub versions: Vec<SignedRoot>,
}

/// One version of the trust root and the administrators' signatures over its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedRoot {
    pub root: TrustRoot,
    #[serde(default)]
    pub signatures: Vec<RootSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustRoot {
    pub version: u32,
    /// The organisation this anchor belongs to, as shown to auditors.
    pub organisation: String,
    /// When this version took effect (RFC 3339 UTC); approvals are judged by the version in force.
    pub issued_at: String,
    pub admins: Vec<Admin>,
    /// How many distinct administrators must sign an enrolment, a revocation, or the next version.
    pub threshold: u32,
    /// `sha256:` digests of the Sigstore trusted roots (`trusted_root.json`) accepted for keyless signers.
    #[serde(default)]
    pub sigstore_roots: Vec<String>,
    /// The RFC 3161 timestamp authorities whose tokens give key-file signatures trusted time.
    /// (Reserved, and always empty, before Signet read timestamps.)
    #[serde(default)]
    pub timestamp_authorities: Vec<TimestampAuthority>,
    /// Registry entries the organisation vouches for directly, without an administrator's signed
    /// enrolment: the signers of records archived before signed enrolment existed.
    #[serde(default)]
    pub vouched_entries: Vec<VouchedEntry>,
}

/// A timestamp authority the organisation accepts: its name as reports show it, and the exact
/// certificate chain its tokens must chain to. The signing certificate is pinned, as in a
/// Sigstore trusted root: a new TSA certificate is a new trust version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimestampAuthority {
    pub name: String,
    /// PEM certificates: the TSA's signing certificate first, then any intermediates, the root last.
    pub chain_pem: String,
}

/// A registry administrator: a person with their own encrypted key (`signet keygen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub id: SignerId,
    /// `sha256:` of the key's SubjectPublicKeyInfo DER.
    pub key_id: KeyId,
    /// PEM public key.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VouchedEntry {
    pub signer: SignerId,
    pub key_id: KeyId,
    /// `sha256:` of the whole `[[signer]]` entry's canonical JSON: its roles, kind, name, email
    /// and dates are vouched for too, not only its key.
    pub entry_sha256: String,
}

/// An administrator's signature (base64 DER ECDSA P-256 over the DSSE PAE of
/// [`ROOT_PAYLOAD_TYPE`] and the root's canonical JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootSignature {
    pub key_id: KeyId,
    pub sig: String,
}
