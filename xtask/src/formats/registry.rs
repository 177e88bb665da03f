//! The signer registry, `signatures/signers.toml` (§11.100, §11.300): who may sign, with which
//! key or OIDC identity, in which roles. Append-only: enrolment appends a `[[signer]]`,
//! revocation a `[[revocation]]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, Role, SignerId};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(title = "Signet signer registry", description = "signatures/signers.toml")]
pub struct Registry {
    pub signer: Vec<Signer>,
    pub revocation: Vec<Revocation>,
    /// Administrators' signatures over enrolments, revocations and delegations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approval: Vec<Approval>,
    /// Delegations of one role's signing authority (`signet delegate`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delegation: Vec<Delegation>,
}

/// A delegation of one role's signing authority from one enrolled person to another, for a
/// window (seed 002 §6.2; Polarion's "on behalf of"), approved by administrators like an
/// enrolment. The delegate signs as themselves, "on behalf of" the delegator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    pub delegator: SignerId,
    pub delegate: SignerId,
    pub role: Role,
    /// UTC, RFC 3339: the window in which the delegate may sign, both ends included.
    pub from: String,
    pub until: String,
    pub reason: String,
    pub recorded_at: String,
}

/// The DSSE payload type of an administrator's approval of a registry entry.
pub const APPROVAL_PAYLOAD_TYPE: &str = "application/vnd.signet.registry-approval+json";

/// The meaning an administrator states when enrolling or revoking (seed 002 §8.1).
pub const APPROVAL_MEANING: &str = "identity verified";

/// An administrator's signature over one registry entry: the evidence that a named
/// administrator, holding their key and password, verified this person's identity (§11.100(b)).
/// What is signed is [`ApprovalStatement`]'s canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// `sha256:` of the approved `[[signer]]` or `[[revocation]]` entry's canonical JSON.
    pub entry_sha256: String,
    /// The administrator, as the trust file names them.
    pub admin: SignerId,
    pub admin_key_id: KeyId,
    /// Always [`APPROVAL_MEANING`].
    pub meaning: String,
    pub signed_at: String,
    /// Base64 DER ECDSA P-256 signature over the DSSE PAE of [`APPROVAL_PAYLOAD_TYPE`] and the
    /// canonical JSON of every other field (`sign::admin::approval_payload`).
    pub sig: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    pub id: SignerId,
    pub name: String,
    pub email: String,
    /// The signer's department (PRS-014 S2), shown with every signature; absent from entries
    /// enrolled before Signet recorded it, so their approved digests are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The signer's job title, shown with every signature; absent like `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub roles: Vec<Role>,
    /// A bot key never satisfies a signature requirement.
    pub kind: SignerKind,
    /// The id of this entry's credential, which signatures name and revocations revoke: the
    /// key's `sha256:` SPKI digest, or for an identity-only entry `oidc:sha256:…` (see
    /// `sign::registry::identity_key_id`).
    pub key_id: KeyId,
    /// PEM public key; empty for an identity-only (keyless) entry.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub public_key: String,
    /// OIDC identity for keyless signing: the Fulcio certificate's SAN (email or URI), exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The OIDC issuer that vouches for `identity` (certificate extension 1.3.6.1.4.1.57264.1.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub enrolled_at: String,
    /// Who enrolled this person: an administrator's id (their signature, in `[[approval]]`, is the evidence).
    pub enrolled_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub signer: SignerId,
    pub key_id: KeyId,
    /// Signatures made before this time stay valid; later ones do not.
    pub at: String,
    pub reason: String,
    pub recorded_at: String,
}

/// Who holds a credential: a person, or a CI or service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    Human,
    Bot,
}

impl std::fmt::Display for SignerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignerKind::Human => "human",
            SignerKind::Bot => "bot",
        })
    }
}
