//! Keyless signatures: Sigstore bundles (`cosign sign-blob --bundle`, `cosign attest-blob`)
//! verified completely offline against a trusted root read from a file.
//!
//! The signer's identity comes from the certificate Fulcio issued after an OIDC login, and the
//! signing time from the transparency log or a timestamp authority, never from the signer's clock.
//! The trusted root is always the caller's bytes: the one built into `sigstore-verify` goes stale,
//! and fetching one over TUF at verify time would make an old release's verdict depend on today's
//! network (docs/ARCHITECTURE.md §6).

mod error;
mod verify;

pub use error::KeylessError;
pub use verify::{check_trusted_root, dsse_payload, verify_bundle};

/// `time_source` of a time the transparency log vouched for (Rekor v1 integrated time, with its
/// signed entry timestamp verified against the trusted root's log key).
pub const TIME_TRANSPARENCY_LOG: &str = "transparency-log";
/// `time_source` of an RFC 3161 timestamp verified against the trusted root's TSA certificates.
pub const TIME_TIMESTAMP_AUTHORITY: &str = "timestamp-authority";

/// Who must have signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A Fulcio certificate whose SAN equals `identity` and whose OIDC issuer extension equals
    /// `issuer`, both compared exactly.
    Identity { identity: String, issuer: String },
    /// Any certificate that chains to the trusted root's Fulcio CA, with the same chain, SCT,
    /// log and signature checks as `Identity`. The caller MUST then authorise the returned
    /// `identity` and `issuer` itself (the signing flow looks them up in the signer registry).
    AnyCertificate,
    /// A managed-key bundle (no certificate) signed by this PEM `PUBLIC KEY`.
    Key { public_key_pem: String },
}

/// What was signed: the bytes themselves, or their SHA-256 when the file is too big to hold or
/// only its digest is known (the bundle's `sha256:` subject).
#[derive(Debug, Clone, Copy)]
pub enum Artifact<'a> {
    Bytes(&'a [u8]),
    Sha256([u8; 32]),
}

/// A bundle that verified, and the facts a report needs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// RFC 3339 UTC of the earliest verified signing time; empty when `time_source` is `"none"`.
    pub signed_at: String,
    /// Where `signed_at` comes from: [`TIME_TRANSPARENCY_LOG`] (the log's SET-signed integrated
    /// time), [`TIME_TIMESTAMP_AUTHORITY`] (an RFC 3161 timestamp), or `"none"` (a managed-key
    /// bundle with neither).
    pub time_source: String,
    /// The certificate's SAN (email or URI); `None` for a managed-key bundle.
    pub identity: Option<String>,
    /// The certificate's OIDC issuer; `None` for a managed-key bundle.
    pub issuer: Option<String>,
    /// The DSSE payload (an in-toto statement) when the bundle holds an envelope, else `None`.
    pub payload: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests;
