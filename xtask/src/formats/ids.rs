//! Identifiers every record uses, as types: a release, a role, a signer, a signing credential.
//! On the wire each is a plain JSON or TOML string (`#[serde(transparent)]`), so the formats
//! are unchanged; in code a role can no longer be passed where a signer id is expected. The
//! rule that decides which spellings are acceptable lives here, one per type, and runs wherever
//! an id is parsed (serde, the CLI): a conservative ASCII character set, so that an id is a safe
//! file-name part and cannot hide a look-alike. Ids that must be told apart by people are compared
//! by [`fold`]: NFKC, Unicode case folding, then the UTS #39 confusable skeleton.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $rule:expr) => {
        string_id!(@type $(#[$doc])* $name);

        impl $name {
            /// Parses an id, refusing spellings outside its rule (see the module docs).
            pub fn parse(s: &str) -> Result<$name, IdError> {
                $rule(s).map_err(|why| IdError { kind: stringify!($name), value: s.to_owned(), why })?;
                Ok($name(s.to_owned()))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<$name, IdError> {
                $name::parse(s)
            }
        }
    };
    (@type $(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
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
    ReleaseId,
    |s| check_id(s, "+")
);
string_id!(
    /// A role the policy requires, e.g. `QA`.
    Role,
    |s| check_id(s, "")
);
string_id!(
    /// A signer's (or an administrator's) id, e.g. `dana`.
    SignerId,
    |s| check_id(s, "")
);
string_id!(
    /// The id of a signing credential: `sha256:<hex>` of a key's SubjectPublicKeyInfo, or
    /// `oidc:sha256:<hex>` for an enrolled OIDC identity.
    KeyId,
    |_: &str| Ok::<(), String>(())
);

/// An id outside its type's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub kind: &'static str,
    pub value: String,
    pub why: String,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            "ReleaseId" => "release id",
            "Role" => "role",
            _ => "signer id",
        };
        write!(f, "{kind} {:?} {}", self.value, self.why)
    }
}

impl std::error::Error for IdError {}

pub const MAX_ID_CHARS: usize = 64;

/// ASCII letters and digits, plus `.`, `_`, `-` (and `extra`); starting with a letter or digit,
/// not ending in `.` or `-`, without `--` (which separates role and signer in a signature's file
/// name), at most 64 characters. ASCII only, so no id can hide a look-alike from another script.
fn check_id(s: &str, extra: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || extra.contains(c);
    let why = if s.is_empty() {
        "is empty"
    } else if s.chars().count() > MAX_ID_CHARS {
        "is longer than 64 characters"
    } else if let Some(c) = s.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "contains {c:?}: use ASCII letters, digits, `.`, `_` and `-`{} only",
            if extra.is_empty() { String::new() } else { format!(" (and `{extra}`)") }
        ));
    } else if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "must start with a letter or digit"
    } else if s.ends_with(['.', '-']) {
        "must not end with `.` or `-`"
    } else if s.contains("--") {
        "must not contain `--`, which separates role and signer in signature file names"
    } else {
        return Ok(());
    };
    Err(why.to_owned())
}

/// The form in which two spellings people would take for the same are equal: NFKC, Unicode
/// case folding, then the UTS #39 confusable skeleton (`DANA`, `dana` and Cyrillic `dаna` all
/// fold alike; so do `rn` and `m`). Used for ids, printed names and emails.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let nfkc: String = s.trim().nfkc().collect();
    let folded = caseless::default_case_fold_str(&nfkc);
    unicode_security::skeleton(&folded).collect()
}
