//! Trusted time for key-file signatures: RFC 3161 timestamps. The ceremony asks a timestamp
//! authority (TSA) for a token over the signature bytes (`client`); the final gate verifies the
//! token offline against the authorities the organisation's trust file accepts (`token`), and
//! the token's time becomes the signature's time for every check that depends on time.
//!
//! A token is kept beside its envelope as `<ROLE>--<signer>.tst` (DER, as `openssl ts` writes
//! it), and embedded in the archival manifest.

mod client;
mod token;

pub use client::{Tsa, request_token};
pub use token::{TrustedTime, authority_certificates, check_chain_pem, gen_time, verify};

/// How far the signer's clock (the record's `signed_at`) and the TSA's time may differ. The
/// token is requested right after the signature is made, so more than this is a wrong clock
/// or a signature made at another time than it says.
pub const CLOCK_TOLERANCE_SECS: i64 = 300;

/// A token with its certificates is a few KiB; anything near this is not a token.
pub const MAX_TOKEN_BYTES: u64 = 64 << 10;

/// An `http://` or `https://` URL with nothing in it a terminal would interpret.
pub fn check_url(url: &str) -> Result<(), String> {
    let scheme = url.starts_with("https://") || url.starts_with("http://");
    if !scheme || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("{url:?} is not an http:// or https:// URL of an RFC 3161 timestamp authority"));
    }
    Ok(())
}

/// The DSSE signature bytes a token's message imprint covers: the first signature of the
/// envelope, base64-decoded.
pub fn signature_bytes(env: &super::dsse::Envelope) -> Option<Vec<u8>> {
    let sig = env.signatures.first()?;
    base64ct::Base64::decode_vec(&sig.sig).ok()
}

use base64ct::Encoding as _;
