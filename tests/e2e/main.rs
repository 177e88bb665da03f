//! End-to-end tests: the `signet` binary against the real tools it must agree with
//! (GNU tar, coreutils sha256sum). One test binary, so the build is linked once.

mod support;

mod actions;
mod anchoring;
mod bundle_faults;
mod bundle_invariance;
mod bundle_oracle;
mod bundle_refusals;
mod cli;
mod compliance;
mod delegation;
mod disk_full;
mod faults;
mod forgeries;
mod habits;
mod hostile_files;
mod inspect;
mod keyless;
mod memory_caps;
mod prop_bundle;
mod prop_suspicion;
mod prop_verify;
mod record;
mod reference;
mod release_check;
mod report;
mod rtm;
mod schemas;
mod signer_view;
mod signing;
mod sums;
mod supersede_record;
mod timestamps;
mod tsa;
mod validation;
