//! Known answers and tamper cases: every way an envelope can be wrong must map to its own error.

use std::collections::BTreeMap;

use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::EncodePublicKey as _;
use sha2::{Digest as _, Sha256};

use super::*;

const KEYID: &str = "sha256:test-key";

pub(super) fn fresh_key() -> SigningKey {
    SigningKey::generate()
}

fn signed(key: &SigningKey) -> Envelope {
    sign(IN_TOTO_PAYLOAD_TYPE, br#"{"_type":"https://in-toto.io/Statement/v1"}"#, key, KEYID)
}

fn vk(key: &SigningKey) -> &VerifyingKey {
    key.verifying_key()
}

fn b64(bytes: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    Base64::encode_string(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(s).unwrap()
}

#[test]
fn pae_matches_dsse_spec_vector() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
}

#[test]
fn pae_counts_bytes_not_chars_and_allows_empty() {
    assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    assert_eq!(pae("é", b"\x00"), b"DSSEv1 2 \xc3\xa9 1 \x00");
}

#[test]
fn round_trip_returns_payload() {
    let key = fresh_key();
    let env = signed(&key);
    assert_eq!(env.payload_type, IN_TOTO_PAYLOAD_TYPE);
    assert_eq!(verify(&env, vk(&key), KEYID).unwrap(), br#"{"_type":"https://in-toto.io/Statement/v1"}"#);
}

#[test]
fn round_trip_survives_json() {
    let key = fresh_key();
    let json = serde_json::to_string(&signed(&key)).unwrap();
    for field in [r#""payloadType":"#, r#""payload":"#, r#""signatures":"#, r#""keyid":"#, r#""sig":"#] {
        assert!(json.contains(field), "{field} missing from {json}");
    }
    let env: Envelope = serde_json::from_str(&json).unwrap();
    assert!(verify(&env, vk(&key), KEYID).is_ok());
}

#[test]
fn signing_is_deterministic_and_low_s() {
    let key = fresh_key();
    let (a, b) = (signed(&key), signed(&key));
    assert_eq!(a, b);
    let sig = p256::ecdsa::Signature::from_der(&unb64(&a.signatures[0].sig)).unwrap();
    assert_eq!(sig.normalize_s(), sig);
}

#[test]
fn high_s_is_accepted() {
    let key = fresh_key();
    let mut env = signed(&key);
    let sig = p256::ecdsa::Signature::from_der(&unb64(&env.signatures[0].sig)).unwrap();
    let high = p256::ecdsa::Signature::from_scalars(sig.r(), -*sig.s()).unwrap();
    assert_ne!(high.normalize_s(), high);
    env.signatures[0].sig = b64(high.to_der().as_bytes());
    assert!(verify(&env, vk(&key), KEYID).is_ok());
}

#[test]
fn extensions_are_ignored() {
    let key = fresh_key();
    let mut json = serde_json::to_value(signed(&key)).unwrap();
    json["x-extension"] = serde_json::json!({"payload": "AAAA"});
    json["signatures"][0]["x-cert"] = serde_json::json!("ignored");
    let env: Envelope = serde_json::from_value(json).unwrap();
    assert!(verify(&env, vk(&key), KEYID).is_ok());
}

#[test]
fn tampered_payload_byte_fails_signature() {
    let key = fresh_key();
    let mut env = signed(&key);
    let mut body = unb64(&env.payload);
    body[0] ^= 1;
    env.payload = b64(&body);
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::BadSignature));
}

#[test]
fn tampered_payload_type_fails() {
    let key = fresh_key();
    let mut env = signed(&key);
    env.payload_type = "application/json".into();
    assert!(matches!(verify(&env, vk(&key), KEYID), Err(DsseError::WrongPayloadType { .. })));
    // Even when the caller expects the altered type, the PAE binds the original one.
    assert_eq!(verify_typed(&env, "application/json", vk(&key), KEYID), Err(DsseError::BadSignature));
}

#[test]
fn tampered_sig_byte_fails() {
    let key = fresh_key();
    let mut env = signed(&key);
    let mut der = unb64(&env.signatures[0].sig);
    let last = der.len() - 1;
    der[last] ^= 1;
    env.signatures[0].sig = b64(&der);
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::BadSignature));
    der[0] = 0x31; // SET instead of SEQUENCE
    env.signatures[0].sig = b64(&der);
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::MalformedDer));
}

#[test]
fn raw_and_trailing_garbage_sigs_are_malformed() {
    let key = fresh_key();
    let mut env = signed(&key);
    let sig = p256::ecdsa::Signature::from_der(&unb64(&env.signatures[0].sig)).unwrap();
    // 64-byte r||s (JWS style) is not DER.
    env.signatures[0].sig = b64(&sig.to_bytes());
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::MalformedDer));
    let mut der = sig.to_der().as_bytes().to_vec();
    der.push(0);
    env.signatures[0].sig = b64(&der);
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::MalformedDer));
}

#[test]
fn wrong_key_fails_signature() {
    let env = signed(&fresh_key());
    assert_eq!(verify(&env, vk(&fresh_key()), KEYID), Err(DsseError::BadSignature));
}

#[test]
fn keyid_mismatch_fails() {
    let key = fresh_key();
    let mut env = signed(&key);
    env.signatures[0].keyid = "sha256:other".into();
    assert_eq!(
        verify(&env, vk(&key), KEYID),
        Err(DsseError::KeyidMismatch { expected: KEYID.into(), found: "sha256:other".into() })
    );
}

#[test]
fn missing_keyid_reads_as_empty_and_mismatches() {
    let key = fresh_key();
    let mut json = serde_json::to_value(signed(&key)).unwrap();
    json["signatures"][0].as_object_mut().unwrap().remove("keyid");
    let env: Envelope = serde_json::from_value(json).unwrap();
    assert_eq!(
        verify(&env, vk(&key), KEYID),
        Err(DsseError::KeyidMismatch { expected: KEYID.into(), found: String::new() })
    );
}

#[test]
fn signature_count_must_be_one() {
    let key = fresh_key();
    let mut env = signed(&key);
    env.signatures.push(env.signatures[0].clone());
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::MultipleSignatures(2)));
    env.signatures.clear();
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::NoSignature));
}

#[test]
fn non_canonical_base64_is_refused_per_field() {
    let key = fresh_key();
    let good = signed(&key);
    // "e30=" is "{}": drop padding, add whitespace, use non-zero trailing bits, URL-safe alphabet.
    let payload_variants = [good.payload.trim_end_matches('=').to_owned(), format!("{}\n", good.payload)];
    for bad in payload_variants {
        let env = Envelope { payload: bad, ..good.clone() };
        assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::BadBase64(B64Field::Payload)));
    }
    for bad in ["QR==", "Pz8_", "Pz8-"] {
        let env = Envelope { payload: bad.into(), ..good.clone() };
        assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::BadBase64(B64Field::Payload)), "{bad}");
    }
    let mut env = good;
    env.signatures[0].sig.push('=');
    assert_eq!(verify(&env, vk(&key), KEYID), Err(DsseError::BadBase64(B64Field::Sig)));
}

#[test]
fn errors_display_distinctly_and_escape_input() {
    let errors = [
        DsseError::BadBase64(B64Field::Payload),
        DsseError::BadBase64(B64Field::Sig),
        DsseError::WrongPayloadType { expected: "a".into(), found: "b\x1b[2J".into() },
        DsseError::NoSignature,
        DsseError::MultipleSignatures(2),
        DsseError::KeyidMismatch { expected: "a".into(), found: "b\nFAKE LINE".into() },
        DsseError::MalformedDer,
        DsseError::BadSignature,
    ];
    let shown: std::collections::BTreeSet<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), errors.len());
    assert!(shown.iter().all(|s| !s.contains('\n') && !s.contains('\x1b')));
}

#[test]
fn spki_keyid_hashes_the_der_public_key() {
    let key = fresh_key();
    let der = vk(&key).to_public_key_der().unwrap();
    let hex: String = Sha256::digest(der.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(crate::sign::keys::key_id(vk(&key)), format!("sha256:{hex}"));
}

#[test]
fn statement_bytes_are_canonical() {
    #[derive(serde::Serialize)]
    struct Pred {
        zeta: u8,
        alpha: BTreeMap<&'static str, &'static str>,
    }
    let subject =
        Subject { name: "signet-1.0.tar.gz".into(), digest: BTreeMap::from([("sha256".into(), "ab".into())]) };
    let s = Statement::new(
        vec![subject],
        "https://signet.dev/sig/v1",
        Pred { zeta: 1, alpha: BTreeMap::from([("é", "ü")]) },
    );
    let bytes = crate::output::json::to_canonical_bytes(&s);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        r#"{"_type":"https://in-toto.io/Statement/v1","predicate":{"alpha":{"é":"ü"},"zeta":1},"predicateType":"https://signet.dev/sig/v1","subject":[{"digest":{"sha256":"ab"},"name":"signet-1.0.tar.gz"}]}"#
    );
    let back: Statement<serde_json::Value> =
        serde_json::from_slice(&crate::output::json::to_canonical_bytes(&s)).unwrap();
    assert_eq!(back.type_, STATEMENT_TYPE_V1);
}
