//! Every file format Signet persists, each in one file named after it, with its version id.
//! The type that writes a format is the type that reads it; `schemas/` holds the JSON Schema
//! generated from each (see [`schemas`]), and `docs/formats.md` the versioning rules:
//!
//! - a reader given a newer version of its format refuses by name, never with a parse error;
//! - every version ever written stays readable (a frozen fixture per version in the tests);
//! - new fields mean a new version.
//!
//! This module depends on nothing else in the crate, so a DHF system or an auditor's script can
//! take the formats without the stages.

pub mod audit_event;
pub mod envelope;
pub mod event;
pub mod ids;
pub mod index;
pub mod manifest;
pub mod policy;
pub mod registry;
pub mod report;
pub mod request;
pub mod statement;
pub mod trust;
pub mod validation;
pub mod vsa;
pub mod withdrawal;

use std::fmt;

use serde::de::DeserializeOwned;

/// A format's version id, `<family>/v<N>`, as its `schema` field spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub family: &'static str,
    /// The newest version this Signet writes and reads.
    pub current: u32,
}

/// Why a file is not a readable instance of a format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// A newer version than this Signet knows: the one case an upgrade fixes.
    Newer { found: String, reads: String },
    /// Another format, or no `schema` field at all.
    Foreign { found: Option<String>, expected: String },
    /// The version is known, but the content does not match it.
    Malformed(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Newer { found, reads } => write!(
                f,
                "written in {found}, a newer format than this Signet ({}) reads (up to {reads}); \
                 verify it with the Signet release that wrote it (its `generated_by`/`tool` field names it) or a later one",
                crate_version()
            ),
            FormatError::Foreign { found: Some(found), expected } => write!(f, "schema `{found}` is not {expected}"),
            FormatError::Foreign { found: None, expected } => write!(f, "no `schema` field: not a {expected} file"),
            FormatError::Malformed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FormatError {}

/// `signet X.Y.Z`, as every written format's `generated_by` or `tool` field names its writer.
pub fn crate_version() -> String {
    format!("signet {}", env!("CARGO_PKG_VERSION"))
}

impl Version {
    /// `<family>/v<current>`: what this Signet writes.
    pub fn id(&self) -> String {
        format!("{}/v{}", self.family, self.current)
    }

    /// Accepts every version from 1 up to the current one; names a newer one.
    pub fn check(&self, schema: Option<&str>) -> Result<u32, FormatError> {
        let foreign = || FormatError::Foreign { found: schema.map(str::to_owned), expected: self.id() };
        let rest = schema.and_then(|s| s.strip_prefix(self.family)).and_then(|r| r.strip_prefix("/v"));
        // Only the canonical spelling: `v1`, never `v01` or `v+1`.
        let n: u32 =
            rest.and_then(|r| r.parse().ok().filter(|n: &u32| *n >= 1 && n.to_string() == r)).ok_or_else(foreign)?;
        if n > self.current {
            return Err(FormatError::Newer { found: schema.unwrap_or_default().to_owned(), reads: self.id() });
        }
        Ok(n)
    }

    /// Reads a JSON instance: its version first, so that a newer file is refused by name before
    /// its content can fail to parse.
    pub fn read<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, FormatError> {
        #[derive(serde::Deserialize)]
        struct Probe {
            schema: Option<String>,
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| FormatError::Malformed(e.to_string()))?;
        self.check(probe.schema.as_deref())?;
        serde_json::from_slice(bytes).map_err(|e| FormatError::Malformed(e.to_string()))
    }
}

/// Every format with a JSON Schema, by the file name of its schema under `schemas/`.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    use schemars::schema_for;
    vec![
        ("audit-event.schema.json", schema_for!(audit_event::Event)),
        ("dsse-envelope.schema.json", schema_for!(envelope::Envelope)),
        ("event.schema.json", schema_for!(event::Event)),
        ("index.schema.json", schema_for!(index::Index)),
        ("manifest.schema.json", schema_for!(manifest::Manifest)),
        ("part11-statement.schema.json", schema_for!(statement::Statement<statement::Part11Record>)),
        ("report.schema.json", schema_for!(report::Report)),
        ("request.schema.json", schema_for!(request::Request)),
        ("signers.schema.json", schema_for!(registry::Registry)),
        ("signing-policy.schema.json", schema_for!(policy::SigningConfig)),
        ("trust.schema.json", schema_for!(trust::Trust)),
        ("withdrawal.schema.json", schema_for!(withdrawal::Withdrawal)),
        ("csa-record.schema.json", schema_for!(validation::CsaRecord)),
        ("soup-entry.schema.json", schema_for!(validation::SoupEntry)),
        ("vsa-statement.schema.json", schema_for!(statement::Statement<vsa::VerificationSummary>)),
    ]
}

#[cfg(test)]
mod tests;
