//! Stage 1: the RTM gate — StrictDoc requirements, review fingerprints, suspicion, verification.

pub mod sdoc;
