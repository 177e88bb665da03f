//! The signing policy, `[signing]` in `signet.toml`: which roles must sign a release, with which
//! meaning, in which order. Its canonical JSON digest is pinned in every request.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::Role;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(title = "Signet signing policy", description = "[signing] in signet.toml")]
pub struct SigningConfig {
    pub required: Vec<Required>,
    pub meanings: Vec<CustomMeaning>,
    /// One person may fill only one role of a release (default). Turning it off is recorded
    /// in the policy digest every signature carries.
    pub separation_of_duties: bool,
    /// The RFC 3161 timestamp authority the ceremony asks for trusted time (`sign --tsa`
    /// overrides it). Absent from the policy digest when unset, as before it existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsa: Option<String>,
    /// Key-file signatures without a valid timestamp token fail the final gate. Recorded in each
    /// request, which every signer signs. Absent from the policy digest when false.
    #[serde(skip_serializing_if = "is_false")]
    pub require_trusted_time: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for SigningConfig {
    fn default() -> Self {
        SigningConfig {
            required: Vec::new(),
            meanings: Vec::new(),
            separation_of_duties: true,
            tsa: None,
            require_trusted_time: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub role: Role,
    pub meaning: String,
    #[serde(default)]
    pub after: Vec<Role>,
}

/// A meaning the policy declares beyond the built-in six, with its full text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomMeaning {
    pub code: String,
    pub text: String,
}
