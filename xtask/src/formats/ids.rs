//! Identifiers every record uses, as types: a release, a role, a signer, a signing credential.
//! On the wire each is a plain JSON or TOML string (`#[serde(transparent)]`), so the formats
//! are unchanged; in code a role can no longer be passed where a signer id is expected. The
//! rules that decide which spellings are acceptable (allowed characters, case folding) belong in
//! these types, one place each.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        #[schemars(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(s: impl Into<String>) -> $name {
                $name(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> $name {
                $name(s.clone())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

string_id!(
    /// A release id, e.g. `v1.4.0`: the name of its folder under `signatures/`.
    ReleaseId
);
string_id!(
    /// A role the policy requires, e.g. `QA`.
    Role
);
string_id!(
    /// A signer's id in the registry, e.g. `dana`.
    SignerId
);
string_id!(
    /// The id of a signing credential: `sha256:<hex>` of a key's SubjectPublicKeyInfo, or
    /// `oidc:sha256:<hex>` for an enrolled OIDC identity.
    KeyId
);
