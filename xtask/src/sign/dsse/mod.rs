//! DSSE v1 envelopes whose payload is an in-toto Statement v1: the wire form of a Signet signature.
//!
//! The format is the one cosign and in-toto write (ECDSA P-256, SHA-256, DER signature over the
//! DSSE pre-authentication encoding), so an auditor can check a Signet signature with stock tools
//! and no Signet code: see `tests/interop/`.

mod b64;
mod envelope;
mod error;
mod pae;
mod statement;

#[cfg(test)]
mod interop_tests;
#[cfg(test)]
mod tests;

pub use envelope::{Envelope, IN_TOTO_PAYLOAD_TYPE, Signature, sign, verify, verify_detached, verify_typed};
pub use error::{B64Field, DsseError};
pub use pae::pae;
pub use statement::{STATEMENT_TYPE_V1, Statement, Subject};
