//! Private keys: generated from OS randomness, stored only as encrypted PKCS#8 PEM.

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::common::getrandom;
use pkcs8::der::pem::PemLabel;
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::{
    DecodePrivateKey, EncodePrivateKey, EncryptedPrivateKeyInfoRef, LineEnding, PrivateKeyInfoRef, SecretDocument,
};
use zeroize::Zeroizing;

use super::KeyError;
use super::algorithm::require_p256;

/// scrypt cost exponent: N = 2^14. OpenSSL 3.0 refuses scrypt parameters that need more than
/// its fixed 32 MiB (`memory limit exceeded`), and N = 2^15 with r = 8 needs 32 MiB + 2 KiB, so
/// 2^14 is the largest N an auditor's `openssl pkey` can open. The work factor comes from p.
pub const SCRYPT_LOG_N: u8 = 14;
/// scrypt block size, the usual 8 (1 KiB blocks).
pub const SCRYPT_R: u32 = 8;
/// scrypt parallelism 4: four times the CPU work of p = 1 without raising the memory OpenSSL
/// checks (p runs one after another in 16 MiB). One decryption then takes 0.15–0.17 s here
/// (2-core AMD EPYC; OpenSSL 0.24 s), where p = 2 measured 0.08–0.10 s: short of 0.1 s.
pub const SCRYPT_P: u32 = 4;

/// Refuse before deriving: a hostile file could otherwise ask for gigabytes or hours of scrypt.
const MAX_SCRYPT_MEMORY: u128 = 256 << 20;
const MAX_SCRYPT_WORK: u128 = 1 << 24;
/// About 5 s of PBKDF2-SHA256; OpenSSL writes 2048 by default, OWASP asks for 600 000.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// A new P-256 signing key from the operating system's random source.
///
/// # Panics
/// Only if the OS random source (getrandom) fails, which on Linux means a broken kernel.
pub fn generate() -> SigningKey {
    SigningKey::generate()
}

/// `key` as `-----BEGIN ENCRYPTED PRIVATE KEY-----` PEM: PKCS#8 with PBES2, scrypt
/// ([`SCRYPT_LOG_N`], [`SCRYPT_R`], [`SCRYPT_P`]) and AES-256-CBC, fresh random salt and IV.
/// OpenSSL 3.0 opens it with `openssl pkey -in KEY -passin file:PWFILE`.
pub fn encrypt_pem(key: &SigningKey, password: &[u8]) -> Result<Zeroizing<String>, KeyError> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut salt)
        .and_then(|()| getrandom::fill(&mut iv))
        .map_err(|e| encrypt_error("the OS random source failed", e))?;
    let cost = pkcs5::scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
        .map_err(|e| encrypt_error("bad scrypt parameters", e))?;
    let params =
        pbes2::Parameters::generate_scrypt_aes256cbc(cost, &salt, iv).map_err(|e| encrypt_error("PBES2", e))?;
    let plain = key.to_pkcs8_der().map_err(|e| encrypt_error("PKCS#8 encoding", e))?;
    let info = PrivateKeyInfoRef::try_from(plain.as_bytes()).map_err(|e| encrypt_error("PKCS#8 encoding", e))?;
    let encrypted = info.encrypt_with_params(params, password).map_err(|e| encrypt_error("encryption", e))?;
    encrypted.to_pem(EncryptedPrivateKeyInfoRef::PEM_LABEL, LineEnding::LF).map_err(|e| encrypt_error("PEM", e))
}

/// Opens an encrypted PKCS#8 PEM (any PBES2 scheme OpenSSL writes: scrypt or PBKDF2, AES-CBC or
/// AES-GCM). Refuses unencrypted keys outright, so no code path accepts a key stored in the clear.
pub fn decrypt_pem(pem: &str, password: &[u8]) -> Result<SigningKey, KeyError> {
    let (label, doc) = SecretDocument::from_pem(pem.trim()).map_err(|e| malformed(format!("not a PEM block ({e})")))?;
    if label != EncryptedPrivateKeyInfoRef::PEM_LABEL {
        return Err(KeyError::NotEncrypted { file: None, label: label.to_string() });
    }
    let info = EncryptedPrivateKeyInfoRef::try_from(doc.as_bytes())
        .map_err(|e| malformed(format!("not a PKCS#8 EncryptedPrivateKeyInfo ({e})")))?;
    check_scheme(&info.encryption_algorithm)?;
    let plain = info.decrypt(password).map_err(|e| match e {
        // CBC padding that does not check out, or a GCM tag mismatch.
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) => KeyError::WrongPassword { file: None },
        // Padding that happens to be valid (about 1 in 256 wrong passwords) leaves bytes that are not DER.
        pkcs8::Error::Asn1(_) => KeyError::WrongPassword { file: None },
        other => unsupported(format!(
            "cannot decrypt this key ({other}); re-encrypt it with `openssl pkcs8 -topk8 -scrypt -in OLD -out NEW`"
        )),
    })?;
    let inner = PrivateKeyInfoRef::try_from(plain.as_bytes()).map_err(|_| KeyError::WrongPassword { file: None })?;
    require_p256(&inner.algorithm)?;
    SigningKey::from_pkcs8_der(plain.as_bytes())
        .map_err(|e| malformed(format!("the decrypted P-256 key is invalid ({e})")))
}

fn check_scheme(scheme: &pkcs5::EncryptionScheme) -> Result<(), KeyError> {
    let Some(pbes2) = scheme.pbes2() else {
        return Err(unsupported(
            "is encrypted with legacy PBES1, which signet does not accept; re-encrypt it with \
             `openssl pkcs8 -topk8 -scrypt -in OLD -out NEW`"
                .to_string(),
        ));
    };
    if let Some(scrypt) = pbes2.kdf.scrypt() {
        let (n, r, p) =
            (u128::from(scrypt.cost_parameter), u128::from(scrypt.block_size), u128::from(scrypt.parallelization));
        // pkcs5 takes log2(N) with arithmetic that panics on N = 0, so odd values stop here.
        if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
            return Err(malformed(format!("invalid scrypt parameters N={n}, r={r}, p={p}")));
        }
        if 128 * n * r > MAX_SCRYPT_MEMORY || n * r * p > MAX_SCRYPT_WORK {
            return Err(unsupported(format!(
                "asks for scrypt N={n}, r={r}, p={p}, beyond what signet will compute (at most {} MiB and N·r·p ≤ {}); \
                 re-encrypt it with signet or `openssl pkcs8 -topk8 -scrypt`",
                MAX_SCRYPT_MEMORY >> 20,
                MAX_SCRYPT_WORK
            )));
        }
    }
    if let Some(pbkdf2) = pbes2.kdf.pbkdf2()
        && pbkdf2.iteration_count > MAX_PBKDF2_ITERATIONS
    {
        return Err(unsupported(format!(
            "asks for {} PBKDF2 iterations, beyond the {MAX_PBKDF2_ITERATIONS} signet will compute; \
             re-encrypt it with signet or `openssl pkcs8 -topk8 -scrypt`",
            pbkdf2.iteration_count
        )));
    }
    Ok(())
}

fn encrypt_error(step: &str, error: impl std::fmt::Display) -> KeyError {
    KeyError::Encrypt { detail: format!("{step}: {error}") }
}

fn malformed(detail: String) -> KeyError {
    KeyError::Malformed { file: None, detail }
}

fn unsupported(detail: String) -> KeyError {
    KeyError::Unsupported { file: None, detail }
}
