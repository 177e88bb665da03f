//! `signatures/signers.toml` → the registry, then every question `verify` and `enroll` ask
//! of it: each public key, and each key's standing at its own times.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::sign::registry::Registry;
use signet::sign::{Timestamp, keys};
use signet_fuzz::{now, put, scratch};

fuzz_target!(|data: &[u8]| {
    put(signet::sign::layout::REGISTRY, data);
    let reg = match Registry::load(scratch()) {
        Ok((reg, _digest)) => reg,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    for signer in &reg.signer {
        let _ = keys::parse_public_pem(&signer.public_key);
        let times = [Some(now()), Timestamp::parse(&signer.enrolled_at)];
        let revoked = reg.revocation(&signer.key_id).and_then(|r| Timestamp::parse(&r.at));
        for at in times.into_iter().chain([revoked]).flatten() {
            let _ = reg.standing(signer, &at);
        }
        let _ = reg.active(&signer.id, &now());
        let digest = signet::sign::trust::entry_sha256(signer);
        let _ = reg.approval.iter().filter(|a| a.entry_sha256 == digest).count();
        let _ = reg.same_person(&signer.id, &signer.email);
    }
});
