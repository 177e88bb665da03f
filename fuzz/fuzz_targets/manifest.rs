//! The final gate's input: an archival manifest (`signatures/release-<ID>.json`) → the release
//! record → `verify` against the bundle digest the manifest names, then the manifest it would
//! re-assemble. Seeded with a real signed release, so mutations that keep every signature
//! valid (policy, registry, audit, order) reach the gate's checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::sign::verify::{ReleaseRecord, verify};
use signet_fuzz::{now, put};

fuzz_target!(|data: &[u8]| {
    let path = put("release.json", data);
    let (record, manifest) = match ReleaseRecord::from_manifest(&path) {
        Ok(read) => read,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    match verify(&record, &manifest.bundle_sha256, now()) {
        Ok(report) => {
            let _ = report.passed();
            let _ = record.manifest(&report);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
