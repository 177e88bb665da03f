//! The `sha256:<hex>` identifiers that Signet files use for envelopes and keys.

use p256::ecdsa::VerifyingKey;
use sha2::{Digest as _, Sha256};

/// SubjectPublicKeyInfo header for an uncompressed P-256 point (RFC 5480): SEQUENCE {
/// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, BIT STRING (65 bytes) }. Fixed for this
/// curve, so the SPKI is built without a fallible encoder.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// `sha256:<hex>` of an envelope file's bytes, exactly as stored: a later signature chains to its
/// prerequisites by this digest, so reformatting an envelope file breaks the chain on purpose.
pub fn envelope_digest(bytes: &[u8]) -> String {
    sha256_id(bytes)
}

/// `sha256:<hex>` of the key's DER SubjectPublicKeyInfo (uncompressed point), the `keyid` Signet
/// writes. Same value as `openssl pkey -pubin -outform DER | sha256sum` on the public key PEM.
pub fn spki_keyid(key: &VerifyingKey) -> String {
    let point = key.to_sec1_point(false);
    let mut spki = Vec::with_capacity(P256_SPKI_PREFIX.len() + point.as_bytes().len());
    spki.extend_from_slice(&P256_SPKI_PREFIX);
    spki.extend_from_slice(point.as_bytes());
    sha256_id(&spki)
}

fn sha256_id(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in Sha256::digest(bytes) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";
