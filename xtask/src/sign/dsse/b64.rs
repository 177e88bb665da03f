//! Standard base64 with padding, decoded strictly.

use base64ct::{Base64, Encoding};

pub(super) fn encode(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Accepts only the one canonical spelling of the bytes: padding present, no whitespace, no
/// URL-safe alphabet, unused trailing bits zero. The re-encode check makes that last rule hold
/// whatever the decoder tolerates, so one envelope file has exactly one meaning.
pub(super) fn decode_canonical(s: &str) -> Option<Vec<u8>> {
    let bytes = Base64::decode_vec(s).ok()?;
    (Base64::encode_string(&bytes) == s).then_some(bytes)
}
