//! Stages 3, 4 and 6: Part 11 signatures. The signer registry and policy, the pending-signature
//! request, the signing ceremony, and the final gate that verifies the human-signed record
//! against the bundle — from the release folder today, from the archived manifest years later.

// The five flows: each imports the lower floor below, never another flow.
pub mod admin;
pub mod ceremony;
pub mod request;
pub mod sigstore;
pub mod verify;
pub mod vsa;
pub mod withdraw;

// The lower floor the flows share.
pub mod anchored;
pub mod audit;
pub mod changes;
pub mod delegation;
pub mod dsse;
pub mod eligibility;
mod error;
pub mod evidence;
pub mod gate;
pub mod keyless_check;
pub mod keys;
pub mod layout;
pub mod lockout;
pub mod meaning;
pub mod policy;
pub mod record;
pub mod registry;
pub mod release_record;
pub mod signed;
pub mod supersede;
pub mod terminal;
mod time;
pub mod trust;
pub mod trusted_root;
pub(crate) mod trusted_time;
pub mod tsa;
pub mod verdict;
pub mod view;
pub mod withdrawal;

pub use error::SignError;
pub use time::Timestamp;
