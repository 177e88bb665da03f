//! Which key algorithm a PKCS#8 or SPKI structure declares, so a key of another curve is
//! refused by name rather than with a generic decoding error.

use pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier};

use super::KeyError;

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Curves and algorithms people are likely to hand us by mistake, named as OpenSSL names them.
const KNOWN: [(&str, &str); 9] = [
    ("1.3.132.0.34", "EC secp384r1 (P-384)"),
    ("1.3.132.0.35", "EC secp521r1 (P-521)"),
    ("1.3.132.0.10", "EC secp256k1"),
    ("1.2.840.10045.3.1.1", "EC prime192v1 (P-192)"),
    ("1.3.132.0.33", "EC secp224r1 (P-224)"),
    ("1.2.840.113549.1.1.1", "RSA"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.2.840.10040.4.1", "DSA"),
];

pub(super) fn require_p256(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<(), KeyError> {
    let found = if algorithm.oid == EC_PUBLIC_KEY {
        match algorithm.parameters_oid() {
            Ok(curve) if curve == SECP256R1 => return Ok(()),
            Ok(curve) => name(curve, "EC curve"),
            // Explicit curve parameters instead of a named curve: legal, but never P-256 from a sane tool.
            Err(_) => "EC key with explicit (unnamed) curve parameters".to_string(),
        }
    } else {
        name(algorithm.oid, "algorithm")
    };
    Err(KeyError::NotP256 { file: None, found })
}

fn name(oid: ObjectIdentifier, kind: &str) -> String {
    let dotted = oid.to_string();
    match KNOWN.iter().find(|(known, _)| *known == dotted) {
        Some((_, name)) => format!("{name} ({dotted})"),
        None => format!("{kind} {dotted}"),
    }
}
