//! What one signature says: an in-toto Statement whose subject is the bundle and whose
//! predicate is the Part 11 signature record (§11.50: printed name, date and time, meaning).
//! The types are in `formats::statement`; this is the one place a record is assembled.

use super::Timestamp;
use super::dsse::{self, Statement, Subject};
use super::policy::SigningConfig;
use super::registry::Signer;
use crate::formats::ids::Role;
use crate::formats::request::Request;
pub use crate::formats::statement::{
    OnBehalfOf, PREDICATE_TYPE, PREDICATE_TYPE_V2, PREDICATE_TYPE_V3, Part11Record, Prerequisite, STATEMENT_TYPE,
    STATEMENT_TYPE_V01, Supersession, TimeSource,
};

/// What the signer chose: the role, the meaning, a reason, and the signatures it follows.
#[derive(Debug, Clone)]
pub struct Intent {
    pub role: Role,
    pub meaning: String,
    pub reason: Option<String>,
    pub prerequisites: Vec<Prerequisite>,
}

impl Part11Record {
    /// The record an enrolled signer signs for a request, at `at` by the signer's clock.
    pub fn new(
        signer: &Signer,
        request: &Request,
        request_sha256: &str,
        intent: Intent,
        policy: &SigningConfig,
        at: Timestamp,
    ) -> Part11Record {
        Part11Record {
            signer_id: signer.id.clone(),
            printed_name: signer.name.clone(),
            email: signer.email.clone(),
            key_id: signer.key_id.clone(),
            role: intent.role,
            meaning_text: policy.meaning_text(&intent.meaning).to_string(),
            meaning: intent.meaning,
            reason: intent.reason,
            signed_at: at.to_string(),
            time_source: TimeSource::SignerClock,
            release: request.release.clone(),
            commits: request.commits.clone(),
            request_sha256: request_sha256.to_owned(),
            prerequisites: intent.prerequisites,
            tool: crate::formats::crate_version(),
            failed_attempts: None,
            department: signer.department.clone(),
            title: signer.title.clone(),
            shown_sha256: None,
            supersedes: Vec::new(),
            on_behalf_of: None,
        }
    }
}

/// `Title, Department` as enrolled, or an empty string when neither was recorded.
pub fn post(title: Option<&str>, department: Option<&str>) -> String {
    [title, department].into_iter().flatten().collect::<Vec<_>>().join(", ")
}

impl Part11Record {
    /// `Name <email>`, with `(Title, Department)` when enrolled with them, and `on behalf of
    /// Name (id)` for a delegate: the §11.50 printed name as every text form shows it.
    pub fn who(&self) -> String {
        let mut who = match post(self.title.as_deref(), self.department.as_deref()) {
            p if p.is_empty() => format!("{} <{}>", self.printed_name, self.email),
            p => format!("{} <{}> ({p})", self.printed_name, self.email),
        };
        if let Some(o) = &self.on_behalf_of {
            who.push_str(&format!(" on behalf of {} ({})", o.printed_name, o.signer_id));
        }
        who
    }
}

/// The predicate type a record is written under: v3 when it carries what the signer was shown
/// or the signer's department or title, else v2 when it carries `failed_attempts`.
pub fn predicate_type(record: &Part11Record) -> &'static str {
    if record.shown_sha256.is_some()
        || record.department.is_some()
        || record.title.is_some()
        || !record.supersedes.is_empty()
        || record.on_behalf_of.is_some()
    {
        PREDICATE_TYPE_V3
    } else if record.failed_attempts.is_some() {
        PREDICATE_TYPE_V2
    } else {
        PREDICATE_TYPE
    }
}

/// The DSSE envelope file of a signature: the statement (subject: the request's bundle;
/// predicate: `record`) in canonical JSON, signed with `key`, pretty-printed with one trailing
/// newline. Only the ceremony writes it to a release.
pub fn envelope_text(request: &Request, record: &Part11Record, key: &p256::ecdsa::SigningKey) -> String {
    let statement = Statement {
        type_: STATEMENT_TYPE.into(),
        subject: vec![Subject {
            name: request.bundle.name.clone(),
            digest: [("sha256".to_string(), request.bundle.sha256.clone())].into_iter().collect(),
        }],
        predicate_type: predicate_type(record).into(),
        predicate: record.clone(),
    };
    let payload = crate::output::json::to_canonical_bytes(&statement);
    let env = dsse::sign(dsse::IN_TOTO_PAYLOAD_TYPE, &payload, key, &record.key_id);
    let mut text = crate::output::json::to_string(&env);
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}
