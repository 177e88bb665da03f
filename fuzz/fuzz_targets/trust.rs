//! The organisation's trust file (`signatures/trust.json`, `verify --trust`) → its chain checked
//! (versions, thresholds, administrators' keys and signatures), then every question the gate
//! asks of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::sign::trust::{Anchoring, TrustFile};
use signet_fuzz::{now, put};

fuzz_target!(|data: &[u8]| {
    let path = put("trust.json", data);
    let file = match TrustFile::load(&path) {
        Ok(f) => f,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let t = &file.trust;
    let _ = t.in_force(&now());
    let _ = t.latest();
    let _ = t.accepts_sigstore_root("sha256:00");
    let _ = t.versions.iter().map(|v| v.root.vouched_entries.len()).sum::<usize>();
    assert!(t.is_extended_by(t), "a chain extends itself");
    assert!(matches!(Anchoring::resolve(&file, Some(t)), Anchoring::Anchored { .. }));
});
