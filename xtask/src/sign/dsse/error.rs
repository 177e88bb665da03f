//! Why an envelope was refused: one variant per check, so callers and audit logs can tell a
//! wrong key from a damaged file from a forgery.

use std::fmt;

/// Which base64 field of the envelope failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum B64Field {
    Payload,
    Sig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsseError {
    /// Not canonical standard base64 (padding, alphabet, whitespace or trailing bits).
    BadBase64(B64Field),
    WrongPayloadType {
        expected: String,
        found: String,
    },
    NoSignature,
    /// Signet writes one signature per envelope; more would make "who signed" ambiguous.
    MultipleSignatures(usize),
    KeyidMismatch {
        expected: String,
        found: String,
    },
    /// `sig` is not a DER ECDSA-Sig-Value with r, s in [1, n-1].
    MalformedDer,
    /// Well-formed, but not made by this key over this payload type and payload.
    BadSignature,
}

impl fmt::Display for DsseError {
    // Strings from the envelope are untrusted: `{:?}` escapes control characters so they cannot
    // forge or hide lines in a terminal or an audit log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DsseError::BadBase64(B64Field::Payload) => f.write_str("DSSE envelope: `payload` is not canonical base64"),
            DsseError::BadBase64(B64Field::Sig) => f.write_str("DSSE envelope: `sig` is not canonical base64"),
            DsseError::WrongPayloadType { expected, found } => {
                write!(f, "DSSE envelope: payloadType is {found:?}, expected {expected:?}")
            }
            DsseError::NoSignature => f.write_str("DSSE envelope has no signature"),
            DsseError::MultipleSignatures(n) => write!(f, "DSSE envelope has {n} signatures, expected exactly 1"),
            DsseError::KeyidMismatch { expected, found } => {
                write!(f, "DSSE envelope: signature keyid is {found:?}, expected {expected:?}")
            }
            DsseError::MalformedDer => f.write_str("DSSE envelope: `sig` is not a DER-encoded ECDSA P-256 signature"),
            DsseError::BadSignature => f.write_str(
                "DSSE envelope: signature does not verify (payload, payloadType or sig altered, or wrong key)",
            ),
        }
    }
}

impl std::error::Error for DsseError {}
