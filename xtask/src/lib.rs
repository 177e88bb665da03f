//! Signet: release evidence for 21 CFR Part 11. Each stage is a library function over typed
//! inputs and outputs; the CLI (`cli`), the Action steps and the tests are thin callers.
//!
//! Pipeline order: `rtm` (gate) → `sums` → `bundle` → `request` → `sign` → `report` → `verify`.

pub mod bundle;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod digest;
pub mod drift;
pub mod error;
pub mod formats;
pub mod fsx;
pub mod inspect;
pub mod keyless;
pub mod output;
pub mod par;
pub mod sums;
pub mod templates;
pub mod validation;

pub mod release_check;
pub mod report;
pub mod rtm;
pub mod sign;

#[cfg(test)]
mod module_graph_tests;
