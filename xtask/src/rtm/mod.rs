//! Stage 1: the RTM gate — StrictDoc requirements, review fingerprints, transitive suspicion,
//! test verification, and `stamp`.

pub mod changed;
mod error;
pub mod explain;
pub mod findings;
pub mod fingerprint;
pub mod gate;
mod inherited;
pub mod junit;
pub mod model;
pub mod outputs;
pub mod review;
pub mod sdoc;
pub mod shown;
pub mod stamp;
pub mod verification;

pub use error::RtmError;
