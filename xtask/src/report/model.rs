//! `report.json` (`signet.report/v1`): the one data model both renderers read. Every value is
//! taken from the release's own files, so identical inputs give identical bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "signet.report/v1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub document: DocumentControl,
    pub signatures: Vec<Manifestation>,
    pub bundle: BundleInfo,
    pub sha256sums: SumsInfo,
    pub rtm: Rtm,
    pub tests: TestTotals,
    pub verification: Verification,
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentControl {
    pub title: String,
    pub release: String,
    pub document_id: String,
    /// The number of signatures present: each one makes a new revision of the record.
    pub revision: usize,
    /// `signed`, `pending`, `failed` or `preview`.
    pub status: &'static str,
    pub status_text: String,
    pub commits: Vec<String>,
    pub request_sha256: String,
    pub generated_by: String,
    pub generated_at: String,
    pub generated_at_basis: String,
    pub marking: String,
}

/// One §11.50 signature manifestation, or the place where a required one is still missing.
#[derive(Debug, Clone, Serialize)]
pub struct Manifestation {
    pub order: usize,
    pub role: String,
    /// `signed`, `rejected`, `invalid` or `awaiting`.
    pub status: &'static str,
    pub printed_name: Option<String>,
    pub email: Option<String>,
    pub signer_id: Option<String>,
    pub key_id: Option<String>,
    pub meaning: String,
    pub meaning_text: String,
    pub reason: Option<String>,
    pub signed_at: Option<String>,
    pub signed_at_display: Option<String>,
    pub time_source: Option<String>,
    pub time_source_text: Option<String>,
    /// `valid`, `invalid` or `awaiting`.
    pub verification: &'static str,
    pub verification_text: String,
    pub prerequisites: Vec<String>,
    pub file: Option<String>,
    pub envelope_sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SumsInfo {
    pub file_sha256: String,
    /// Whether the request recorded this file's digest (then nobody can swap it unnoticed).
    pub bound_by_request: bool,
    pub files: Vec<SumEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SumEntry {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rtm {
    pub index_sha256: String,
    pub bound_by_request: bool,
    pub summary: RtmSummary,
    pub rows: Vec<RtmRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RtmSummary {
    pub requirements: usize,
    pub orphan_links: usize,
    pub states: BTreeMap<String, usize>,
    pub verification: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RtmRow {
    pub uid: String,
    pub title: String,
    pub document: String,
    pub file: String,
    pub line: usize,
    pub state: String,
    pub suspect_causes: Vec<String>,
    pub verification: String,
    pub verification_causes: Vec<String>,
    pub tests: Vec<TestRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestRef {
    pub id: String,
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TestTotals {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub flaky: usize,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `pass`, `fail`, `pending` (no problem, signatures missing) or `preview` (no request yet).
    pub result: &'static str,
    pub problems: Vec<String>,
    pub awaiting: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    pub name: String,
    pub mime: String,
    pub description: String,
}
