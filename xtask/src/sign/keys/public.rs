//! Public keys as SPKI PEM, and the key id that names a key in signer registries and signatures.

use base64ct::{Base64, Encoding};
use p256::ecdsa::VerifyingKey;
use pkcs8::{DecodePublicKey, Document, SubjectPublicKeyInfoRef};

use super::KeyError;
use super::algorithm::require_p256;

/// DER of `SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 }` up to the BIT STRING contents:
/// every P-256 SPKI is this followed by the 65-byte uncompressed point, as OpenSSL writes it.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";

/// SPKI DER with the point uncompressed: one canonical byte string per key, so the key id is
/// stable whoever encodes it. Built by hand because it cannot fail, unlike the generic encoder.
pub(super) fn spki_der(key: &VerifyingKey) -> Vec<u8> {
    let point = key.to_sec1_point(false);
    let mut der = Vec::with_capacity(P256_SPKI_PREFIX.len() + point.as_bytes().len());
    der.extend_from_slice(&P256_SPKI_PREFIX);
    der.extend_from_slice(point.as_bytes());
    der
}

/// `-----BEGIN PUBLIC KEY-----` PEM (SPKI, uncompressed point, LF line endings), byte for byte
/// what `openssl pkey -pubout` prints for the same key.
pub fn public_pem(key: &VerifyingKey) -> String {
    let body = Base64::encode_string(&spki_der(key));
    let mut pem = format!("-----BEGIN {PUBLIC_KEY_LABEL}-----\n");
    // Base64 output is ASCII, so splitting the bytes never splits a character.
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {PUBLIC_KEY_LABEL}-----\n"));
    pem
}

/// Reads a `-----BEGIN PUBLIC KEY-----` PEM holding a P-256 key.
pub fn parse_public_pem(pem: &str) -> Result<VerifyingKey, KeyError> {
    let malformed = |detail: String| KeyError::Malformed { file: None, detail };
    let (label, doc) = Document::from_pem(pem.trim()).map_err(|e| malformed(format!("not a PEM block ({e})")))?;
    if label != PUBLIC_KEY_LABEL {
        return Err(malformed(format!("expected -----BEGIN PUBLIC KEY-----, found -----BEGIN {label}-----")));
    }
    let spki = SubjectPublicKeyInfoRef::try_from(doc.as_bytes())
        .map_err(|e| malformed(format!("not a SubjectPublicKeyInfo ({e})")))?;
    require_p256(&spki.algorithm)?;
    VerifyingKey::from_public_key_der(doc.as_bytes()).map_err(|e| malformed(format!("invalid P-256 point ({e})")))
}

/// The key's id: `"sha256:"` followed by the lowercase hex SHA-256 of its SPKI DER (uncompressed
/// point), i.e. what `openssl pkey -pubin -in PUB.pem -outform DER | sha256sum` prints.
pub fn key_id(key: &VerifyingKey) -> String {
    crate::digest::tagged(&spki_der(key))
}
