//! in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const STATEMENT_TYPE_V1: &str = "https://in-toto.io/Statement/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement<P> {
    /// Always [`STATEMENT_TYPE_V1`] for statements Signet writes.
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: P,
}

/// An in-toto ResourceDescriptor reduced to what a subject needs: a name and its digests
/// (algorithm -> lowercase hex, e.g. `"sha256"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

impl<P> Statement<P> {
    pub fn new(subject: Vec<Subject>, predicate_type: impl Into<String>, predicate: P) -> Self {
        Statement { type_: STATEMENT_TYPE_V1.to_owned(), subject, predicate_type: predicate_type.into(), predicate }
    }
}

/// Canonical JSON bytes of a statement: object keys sorted at every depth, compact, UTF-8, no
/// trailing newline. The same statement always signs to the same payload, so a re-run of a
/// signing step is byte-for-byte reproducible.
///
/// Fails only if `P`'s `Serialize` impl fails or produces a map with non-string keys.
pub fn statement_bytes<P: Serialize>(s: &Statement<P>) -> Result<Vec<u8>, serde_json::Error> {
    let mut value = serde_json::to_value(s)?;
    // A no-op with serde_json's default BTreeMap, but keeps keys sorted even if some crate in the
    // build turns on `preserve_order` (Cargo features unify across the dependency graph).
    value.sort_all_objects();
    serde_json::to_vec(&value)
}
