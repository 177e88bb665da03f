//! An RFC 3161 timestamp token (`<ROLE>--<signer>.tst`, a manifest's `timestamps`) → its shape
//! checked and its TSTInfo decoded; then verified against a trust file accepting one real TSA,
//! as the final gate does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::formats::trust::{SignedRoot, TimestampAuthority, Trust, TrustRoot};
use signet::sign::tsa;

fn trust() -> Trust {
    let authority = TimestampAuthority {
        name: "Fixture TSA".into(),
        chain_pem: include_str!("../../tests/fixtures/timestamp/chain.pem").into(),
    };
    let root = TrustRoot {
        version: 1,
        organisation: "Fuzz".into(),
        issued_at: "2000-01-01T00:00:00Z".into(),
        admins: Vec::new(),
        threshold: 1,
        sigstore_roots: Vec::new(),
        timestamp_authorities: vec![authority],
        vouched_entries: Vec::new(),
    };
    Trust { schema: "signet.trust/v1".into(), versions: vec![SignedRoot { root, signatures: Vec::new() }] }
}

fuzz_target!(|data: &[u8]| {
    let _ = tsa::gen_time(data);
    if let Err(why) = tsa::verify(data, b"hi\n", &trust()) {
        assert!(!why.is_empty());
    }
});
