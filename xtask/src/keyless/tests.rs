//! Bundles from tests/fixtures/keyless/ (make_fixtures.py): a throwaway Fulcio-like CA, CT log
//! and Rekor-like log, one genuine attestation and forgeries of it.

use sha2::{Digest as _, Sha256};

use super::*;
use crate::error::{Exit, StageError};

const ROOT: &[u8] = include_bytes!("../../../tests/fixtures/keyless/trusted_root.json");
const PUBLIC_GOOD: &[u8] = include_bytes!("../../../tests/fixtures/keyless/sigstore-public-good.trusted_root.json");
const ARTIFACT: &[u8] = include_bytes!("../../../tests/fixtures/keyless/artifact.txt");
const VALID: &[u8] = include_bytes!("../../../tests/fixtures/keyless/valid.sigstore.json");
const WRONG_IDENTITY: &[u8] = include_bytes!("../../../tests/fixtures/keyless/wrong-identity.sigstore.json");
const TAMPERED: &[u8] = include_bytes!("../../../tests/fixtures/keyless/tampered-payload.sigstore.json");
const EXPIRED: &[u8] = include_bytes!("../../../tests/fixtures/keyless/cert-expired-at-log-time.sigstore.json");

fn alice() -> Expect {
    Expect::Identity { identity: "alice@example.com".into(), issuer: "https://accounts.example.com".into() }
}

fn rejected(result: Result<Verified, KeylessError>, why: &str) {
    match result {
        Err(e @ KeylessError::Rejected(_)) => {
            assert_eq!(e.exit(), Exit::Fail);
            assert!(e.to_string().to_lowercase().contains(why), "{e} should mention {why:?}");
        }
        other => panic!("expected a rejection mentioning {why:?}, got {other:?}"),
    }
}

#[test]
fn genuine_attestation_verifies_from_bytes_and_from_digest() {
    let digest: [u8; 32] = Sha256::digest(ARTIFACT).into();
    for artifact in [Artifact::Bytes(ARTIFACT), Artifact::Sha256(digest)] {
        let v = verify_bundle(VALID, artifact, &alice(), ROOT).expect("genuine bundle verifies");
        assert_eq!(v.identity.as_deref(), Some("alice@example.com"));
        assert_eq!(v.issuer.as_deref(), Some("https://accounts.example.com"));
        assert_eq!(v.time_source, TIME_TRANSPARENCY_LOG);
        assert_eq!(v.signed_at, "2025-06-02T10:00:00Z");
        let statement: serde_json::Value = serde_json::from_slice(&v.payload.expect("DSSE payload")).unwrap();
        assert_eq!(statement["subject"][0]["digest"]["sha256"], crate::digest::Digest(digest).hex());
    }
}

#[test]
fn another_signer_is_rejected_though_their_bundle_is_genuine() {
    rejected(verify_bundle(WRONG_IDENTITY, Artifact::Bytes(ARTIFACT), &alice(), ROOT), "identity mismatch");
    let mallory =
        Expect::Identity { identity: "mallory@example.com".into(), issuer: "https://accounts.example.com".into() };
    assert!(verify_bundle(WRONG_IDENTITY, Artifact::Bytes(ARTIFACT), &mallory, ROOT).is_ok());
}

#[test]
fn wrong_issuer_is_rejected() {
    let other = Expect::Identity { identity: "alice@example.com".into(), issuer: "https://evil.example.com".into() };
    rejected(verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &other, ROOT), "issuer mismatch");
}

#[test]
fn tampered_payload_is_rejected() {
    rejected(verify_bundle(TAMPERED, Artifact::Bytes(ARTIFACT), &alice(), ROOT), "signature");
}

#[test]
fn certificate_expired_at_log_time_is_rejected() {
    rejected(verify_bundle(EXPIRED, Artifact::Bytes(ARTIFACT), &alice(), ROOT), "expired");
}

#[test]
fn other_artifact_is_rejected() {
    rejected(verify_bundle(VALID, Artifact::Bytes(b"not the subject\n"), &alice(), ROOT), "");
    rejected(verify_bundle(VALID, Artifact::Sha256([0; 32]), &alice(), ROOT), "");
}

#[test]
fn bundle_from_an_untrusted_instance_is_rejected() {
    rejected(verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &alice(), PUBLIC_GOOD), "");
}

#[test]
fn key_expectation_does_not_accept_a_certificate_bundle() {
    let key = Expect::Key {
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh99xuRi6slBFd8VUJoK/rLigy4bYeSYWO/fE6Br7r0D8NpMI94+A63LR/WvLxpUUGBpY8IJA3iU2telag5CRpA==\n-----END PUBLIC KEY-----\n".into(),
    };
    rejected(verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &key, ROOT), "");
}

#[test]
fn malformed_inputs_say_which_input_is_wrong() {
    let e = verify_bundle(b"{not json", Artifact::Bytes(ARTIFACT), &alice(), ROOT).unwrap_err();
    assert!(matches!(e, KeylessError::Bundle(_)) && e.exit() == Exit::Fail, "{e:?}");
    let e = verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &alice(), b"\xff").unwrap_err();
    assert!(matches!(e, KeylessError::TrustedRoot(_)) && e.exit() == Exit::Usage, "{e:?}");
    let bad_key = Expect::Key { public_key_pem: "not a key".into() };
    let e = verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &bad_key, ROOT).unwrap_err();
    assert!(matches!(e, KeylessError::PublicKey(_)) && e.exit() == Exit::Usage, "{e:?}");
}

#[test]
fn any_certificate_verifies_everything_but_who_and_reports_who() {
    let v = verify_bundle(WRONG_IDENTITY, Artifact::Bytes(ARTIFACT), &Expect::AnyCertificate, ROOT).unwrap();
    assert_eq!(v.identity.as_deref(), Some("mallory@example.com"));
    assert_eq!(v.issuer.as_deref(), Some("https://accounts.example.com"));
    // Everything else is still checked.
    rejected(verify_bundle(TAMPERED, Artifact::Bytes(ARTIFACT), &Expect::AnyCertificate, ROOT), "signature");
    rejected(verify_bundle(EXPIRED, Artifact::Bytes(ARTIFACT), &Expect::AnyCertificate, ROOT), "expired");
    rejected(verify_bundle(VALID, Artifact::Bytes(ARTIFACT), &Expect::AnyCertificate, PUBLIC_GOOD), "");
}

#[test]
fn the_payload_can_be_read_before_verification_and_roots_are_checked_alone() {
    let payload = dsse_payload(VALID).unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["subject"][0]["name"], "artifact.txt");
    assert!(matches!(dsse_payload(b"{}"), Err(KeylessError::Bundle(_))));
    assert!(check_trusted_root(ROOT).is_ok() && check_trusted_root(PUBLIC_GOOD).is_ok());
    let e = check_trusted_root(b"{\"mediaType\": 7}").unwrap_err();
    assert!(matches!(e, KeylessError::TrustedRoot(_)) && e.exit() == Exit::Usage, "{e:?}");
}
