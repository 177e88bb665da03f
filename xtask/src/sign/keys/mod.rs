//! Signers' keys and the passwords that protect them.
//!
//! A signing key is an ECDSA P-256 key that exists on disk only as an encrypted PKCS#8 PEM
//! (PBES2: scrypt + AES-256-CBC), readable by OpenSSL 3.0 as well as by signet, so an auditor
//! can check a key without trusting signet. Its password is read only from the controlling
//! terminal: 21 CFR 11.200 wants the signer to type it, not a script or a CI variable.

mod algorithm;
mod error;
mod file;
mod private;
mod public;
mod tty;

pub mod password;

pub use error::KeyError;
pub use file::{public_key_path, read_key_file, read_public_key, read_signing_key, write_key_file};
pub use p256::ecdsa::{SigningKey, VerifyingKey};
pub use password::{PolicyViolation, check_policy, read_new_password};
pub use private::{SCRYPT_LOG_N, SCRYPT_P, SCRYPT_R, decrypt_pem, encrypt_pem, generate};
pub use public::{key_id, parse_public_pem, public_pem};
pub use tty::{Console, is_interactive, open_console, read_password};

#[cfg(test)]
mod tests;
