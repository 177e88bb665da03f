//! The DSSE envelope, and signing and verifying it with ECDSA P-256 / SHA-256.

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{SigningKey, VerifyingKey};

use super::b64;
use super::error::{B64Field, DsseError};
use super::pae::pae;

pub use crate::formats::envelope::{Envelope, IN_TOTO_PAYLOAD_TYPE, Signature};

/// Signs `payload` as one DSSE envelope with a single signature.
///
/// RFC 6979 makes the signature deterministic; it is then normalised to low S so that Signet
/// only ever emits the one canonical form (verifiers that insist on low S accept it too).
pub fn sign(payload_type: &str, payload: &[u8], key: &SigningKey, keyid: &str) -> Envelope {
    // `sign` can only fail if RFC 6979 yields no usable nonce, which a valid SigningKey rules out
    // (probability ~2^-128); no input reaches that path.
    let sig: p256::ecdsa::Signature = key.sign(&pae(payload_type, payload));
    let der = sig.normalize_s().to_der();
    Envelope {
        payload_type: payload_type.to_owned(),
        payload: b64::encode(payload),
        signatures: vec![Signature { keyid: keyid.to_owned(), sig: b64::encode(der.as_bytes()) }],
    }
}

/// Verifies an in-toto envelope and returns the payload bytes it vouches for.
pub fn verify(env: &Envelope, key: &VerifyingKey, expected_keyid: &str) -> Result<Vec<u8>, DsseError> {
    verify_typed(env, IN_TOTO_PAYLOAD_TYPE, key, expected_keyid)
}

/// [`verify`] for an arbitrary payload type.
///
/// High-S signatures are accepted, as OpenSSL, Go and cosign accept and produce them: rejecting
/// them would refuse genuine signatures from those tools. The malleability this allows (s -> n-s)
/// does not matter here because the signature is never used as an identifier; envelopes are
/// named by [`crate::digest::tagged`] of the whole file, which is equally changed by any
/// re-serialisation, and a changed file only fails a chain check, it cannot forge one.
pub fn verify_typed(
    env: &Envelope,
    expected_type: &str,
    key: &VerifyingKey,
    expected_keyid: &str,
) -> Result<Vec<u8>, DsseError> {
    if env.payload_type != expected_type {
        return Err(DsseError::WrongPayloadType {
            expected: expected_type.to_owned(),
            found: env.payload_type.clone(),
        });
    }
    let sig = match env.signatures.as_slice() {
        [] => return Err(DsseError::NoSignature),
        [one] => one,
        many => return Err(DsseError::MultipleSignatures(many.len())),
    };
    if sig.keyid != expected_keyid {
        return Err(DsseError::KeyidMismatch { expected: expected_keyid.to_owned(), found: sig.keyid.clone() });
    }
    let payload = b64::decode_canonical(&env.payload).ok_or(DsseError::BadBase64(B64Field::Payload))?;
    let der = b64::decode_canonical(&sig.sig).ok_or(DsseError::BadBase64(B64Field::Sig))?;
    // from_der also range-checks r and s, so a zero or oversized scalar is "malformed", not
    // merely "does not verify".
    let sig = p256::ecdsa::Signature::from_der(&der).map_err(|_| DsseError::MalformedDer)?;
    key.verify(&pae(&env.payload_type, &payload), &sig).map_err(|_| DsseError::BadSignature)?;
    Ok(payload)
}

/// Verifies a detached signature (base64 DER, as in an envelope) over `payload` of
/// `payload_type`: how administrators' signatures in a trust file or registry are checked.
pub fn verify_detached(payload_type: &str, payload: &[u8], sig_b64: &str, key: &VerifyingKey) -> bool {
    let Some(der) = b64::decode_canonical(sig_b64) else { return false };
    let Ok(sig) = p256::ecdsa::Signature::from_der(&der) else { return false };
    key.verify(&pae(payload_type, payload), &sig).is_ok()
}
