//! Stages 3, 4 and 6: Part 11 signatures. The signer registry and policy, the pending-signature
//! request, the signing ceremony, and the final gate that verifies the human-signed record
//! against the bundle — from the release folder today, from the archived manifest years later.

pub mod audit;
pub mod ceremony;
pub mod dsse;
mod error;
pub mod keys;
pub mod lockout;
pub mod meaning;
pub mod policy;
pub mod record;
pub mod registry;
pub mod request;
pub mod sigstore;
mod time;
pub mod verify;

pub use error::SignError;
pub use time::Timestamp;
