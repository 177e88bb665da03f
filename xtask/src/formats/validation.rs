//! Signet's own validation package (issue #18): the Computer Software Assurance record
//! (`validation/csa-record.toml`, `signet.csa-record/v1`), written by the maintainers for each
//! release, and the SOUP entry (`soup-entry.json`, `signet.soup-entry/v1`), generated from
//! `cargo metadata` and the release binaries. An adopter files both as Signet's SOUP / CSA
//! evidence; `signet validation` renders them, with the release's own traceability figures, to
//! HTML and PDF/A.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Version;

pub const CSA_VERSION: Version = Version { family: "signet.csa-record", current: 1 };
pub const SOUP_VERSION: Version = Version { family: "signet.soup-entry", current: 1 };

/// The CSA record, in the terms of FDA's "Computer Software Assurance for Production and Quality
/// System Software" (final guidance, September 2025): intended use, risk per feature, assurance
/// activities, issues and their disposition, conclusion, who and when.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.csa-record/v1", description = "validation/csa-record.toml: the CSA record of one release")]
pub struct CsaRecord {
    /// `signet.csa-record/v1`.
    pub schema: String,
    /// The software assured, and the version this record covers.
    pub software: String,
    pub version: String,
    pub intended_use: String,
    pub features: Vec<Feature>,
    pub activities: Vec<Activity>,
    /// Issues found, each with its disposition (SECURITY.md's known limits among them).
    pub issues: Vec<Issue>,
    pub conclusion: String,
    pub performed_by: Vec<Person>,
    /// The date the record was concluded (YYYY-MM-DD).
    pub date: String,
}

/// One feature, its process risk and the activities that assure it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    pub name: String,
    pub risk: Risk,
    /// Why this risk: what a failure of the feature would do to the record.
    pub rationale: String,
    /// The `id`s of the activities that assure it.
    pub assurance: Vec<String>,
    /// The requirements of regulatory-docs/ the feature covers.
    #[serde(default)]
    pub requirements: Vec<String>,
}

/// Process risk: high where a failure would compromise a record's integrity or a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    High,
    Low,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: String,
    /// scripted testing, unscripted testing, fuzzing, fault injection, property testing,
    /// interoperability, review.
    pub kind: String,
    pub description: String,
    /// Where its evidence is: a test file, a script, a CI log.
    pub evidence: String,
    /// What it measured, in figures.
    pub figures: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    pub summary: String,
    pub disposition: String,
    /// Where it is documented: SECURITY.md's section, an issue.
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    pub role: String,
}

/// The SOUP register entry of one Signet release.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "signet.soup-entry/v1", description = "Signet's SOUP register entry for one release")]
pub struct SoupEntry {
    /// `signet.soup-entry/v1`.
    pub schema: String,
    pub name: String,
    pub version: String,
    /// SPDX expression of Signet's own licence.
    pub license: String,
    pub source: String,
    /// Each release binary by file name, with its SHA-256.
    pub binaries: Vec<Binary>,
    /// Every crate a Signet binary links, on any platform it is built for, with its licence.
    pub dependencies: Vec<Dependency>,
    /// Known anomalies, from the CSA record's issues.
    pub anomalies: Vec<Issue>,
    pub generated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Binary {
    pub file: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    /// SPDX expression, as the crate declares it.
    pub license: String,
    /// `crates.io`, or the path or git source it is built from.
    pub source: String,
}
