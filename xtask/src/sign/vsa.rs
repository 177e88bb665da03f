//! `verify --vsa`: the final gate's verdict as a SLSA Verification Summary Attestation
//! (`formats::vsa`), unsigned or in a DSSE envelope signed with a Signet key.

use super::Timestamp;
use super::dsse;
use super::keys;
use super::verify::Verdict;
use crate::formats::statement::{Statement, Subject};
use crate::formats::vsa::{Descriptor, PREDICATE_TYPE, VERIFIED_LEVEL, VerificationSummary, Verifier};
use crate::output::json;

/// What the verdict was about, besides the verdict: the bundle's file name and where the trust
/// file came from.
pub struct Inputs<'a> {
    pub bundle_name: &'a str,
    pub trust_uri: &'a str,
}

/// The statement: subject the bundle; policy the request; the trust file and every signature
/// verified as input attestations.
pub fn statement(verdict: &Verdict, inputs: &Inputs<'_>, now: Timestamp) -> Statement<VerificationSummary> {
    let report = &verdict.report;
    let sha = |hex: &str| [("sha256".to_string(), hex.trim_start_matches("sha256:").to_string())].into_iter().collect();
    let mut input_attestations = Vec::new();
    if let Some(anchor) = &verdict.anchor_sha256 {
        input_attestations.push(Descriptor { uri: inputs.trust_uri.to_owned(), digest: sha(anchor) });
    }
    input_attestations
        .extend(report.signatures.iter().map(|s| Descriptor { uri: s.file.clone(), digest: sha(&s.envelope_sha256) }));
    let passed = report.passed();
    let predicate = VerificationSummary {
        verifier: Verifier { id: format!("https://signet.dev/verify/{}", crate::formats::crate_version()) },
        time_verified: now.to_string(),
        resource_uri: inputs.bundle_name.to_owned(),
        policy: Descriptor {
            uri: format!("signatures/{}/request.json", report.release),
            digest: sha(&verdict.request_sha256),
        },
        input_attestations,
        verification_result: if passed { "PASSED" } else { "FAILED" }.into(),
        verified_levels: if passed { vec![VERIFIED_LEVEL.into()] } else { Vec::new() },
    };
    let subject = Subject { name: inputs.bundle_name.to_owned(), digest: sha(&report.bundle_sha256) };
    Statement::new(vec![subject], PREDICATE_TYPE, predicate)
}

/// The statement as a file: pretty JSON, or a DSSE envelope signed with `key`.
pub fn file_text(statement: &Statement<VerificationSummary>, key: Option<&keys::SigningKey>) -> String {
    let mut text = match key {
        None => json::to_string(statement),
        Some(key) => {
            let key_id = keys::key_id(key.verifying_key());
            let payload = json::to_canonical_bytes(statement);
            json::to_string(&dsse::sign(dsse::IN_TOTO_PAYLOAD_TYPE, &payload, key, &key_id))
        }
    };
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}
