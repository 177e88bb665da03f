//! A DSSE envelope file → signature check (base64, DER, ECDSA) and the Part 11 statement it
//! would carry. Keys come from the frozen v1 manifest, so its envelopes (the seeds) verify and
//! mutations reach every refusal before and after the signature check; the statement is also
//! parsed directly, since a mutated payload never verifies.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use p256::ecdsa::VerifyingKey;
use signet::sign::dsse::{self, Envelope, Statement};
use signet::sign::keys;
use signet::sign::record::Part11Record;
use signet::sign::verify::ReleaseRecord;

/// (key id, key) of every signer in the frozen manifest.
fn keys() -> &'static [(String, VerifyingKey)] {
    static KEYS: OnceLock<Vec<(String, VerifyingKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest-v1/release-v1.4.0.json");
        let (record, _) = ReleaseRecord::from_manifest(&fixture).expect("the frozen manifest reads");
        let pems = record.registry.signer.iter();
        pems.map(|s| (s.key_id.to_string(), keys::parse_public_pem(&s.public_key).expect("a fixture key"))).collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = signet::digest::tagged(data);
    let _ = serde_json::from_slice::<Statement<Part11Record>>(data);
    let Ok(env) = serde_json::from_slice::<Envelope>(data) else { return };
    let keyid = env.signatures.first().map(|s| s.keyid.as_str()).unwrap_or_default();
    let key = keys().iter().find(|(id, _)| id == keyid).or(keys().first()).map(|(_, k)| k);
    if let Some(key) = key
        && let Err(e) = dsse::verify(&env, key, keyid)
    {
        let _ = e.to_string();
    }
});
