//! Offline verification of a stored token: the CMS signature, the TSA's certificate chain up to
//! the root the trust file pins (with the critical `timeStamping` extended key usage), and the
//! message imprint against this envelope's signature — all by `sigstore-tsa`. Then the
//! authority must be one the trust version in force at the token's time accepts.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use sigstore_tsa::Error as TsaError;
use sigstore_types::{DerCertificate, SignatureBytes, TimestampToken, TsaAuthority};
use x509_cert::Certificate;
use x509_tsp::TstInfo;

use crate::formats::trust::{TimestampAuthority, Trust};
use crate::sign::Timestamp;

/// A token's verified time and the authority (its name in the trust file) that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedTime {
    pub at: Timestamp,
    pub authority: String,
}

/// The `TSTInfo` of a DER `TimeStampToken` (CMS SignedData), unverified.
pub(super) fn tst_info(token: &[u8]) -> Result<TstInfo, String> {
    let bad = |e: &dyn std::fmt::Display| format!("not an RFC 3161 timestamp token ({e})");
    let info = ContentInfo::from_der(token).map_err(|e| bad(&e))?;
    let signed = SignedData::from_der(&info.content.to_der().map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    let content = signed.encap_content_info.econtent.ok_or_else(|| bad(&"no TSTInfo"))?;
    TstInfo::from_der(content.value()).map_err(|e| bad(&e))
}

/// The time a token states, unverified: what the ceremony shows before the gate has judged it.
pub fn gen_time(token: &[u8]) -> Result<Timestamp, String> {
    let t = tst_info(token)?.gen_time.to_unix_duration().as_secs();
    i64::try_from(t).map(Timestamp).map_err(|_| "the token's time is out of range".into())
}

/// The certificates of a PEM chain, leaf first; an authority needs at least its signing
/// certificate and a root.
pub fn authority_certificates(chain_pem: &str) -> Result<Vec<Certificate>, String> {
    let certs =
        Certificate::load_pem_chain(chain_pem.as_bytes()).map_err(|e| format!("not a PEM certificate chain: {e}"))?;
    if certs.len() < 2 {
        return Err(format!(
            "holds {} certificate(s); give the TSA's signing certificate, any intermediates and the root, in that order",
            certs.len()
        ));
    }
    Ok(certs)
}

/// `chain_pem` is usable as an authority (the check `trust init`/`rotate` make).
pub fn check_chain_pem(chain_pem: &str) -> Result<(), String> {
    authority(&TimestampAuthority { name: String::new(), chain_pem: chain_pem.into() }).map(drop)
}

fn authority(a: &TimestampAuthority) -> Result<TsaAuthority, String> {
    let ders = authority_certificates(&a.chain_pem)?
        .iter()
        .map(|c| c.to_der().map(|d| DerCertificate::from_bytes(&d)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let (leaf, rest) = ders.split_first().ok_or("empty chain")?;
    let (root, intermediates) = rest.split_last().ok_or("no root")?;
    Ok(TsaAuthority::new(leaf.clone(), intermediates.to_vec(), root.clone(), None))
}

/// Why a token gave no trusted time, most telling first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    Unreadable(String),
    OtherSignature,
    Invalid(String),
    NotInForce { authority: String, at: Timestamp },
    Unaccepted,
}

/// The trusted time of `token` over `signature`, from an authority of `trust` that was in force
/// at that time. Errors are the gate's sentence.
pub fn verify(token: &[u8], signature: &[u8], trust: &Trust) -> Result<TrustedTime, String> {
    let mut all: Vec<&TimestampAuthority> = Vec::new();
    for a in trust.versions.iter().flat_map(|v| &v.root.timestamp_authorities) {
        if !all.contains(&a) {
            all.push(a);
        }
    }
    if all.is_empty() {
        return Err("has a timestamp token, but the trust file accepts no timestamp authority (add one with `signet trust rotate --tsa NAME=CHAIN.pem`)".into());
    }
    let (token_der, sig) = (TimestampToken::new(token.to_vec()), SignatureBytes::new(signature.to_vec()));
    let mut why = Vec::new();
    for a in all {
        let checked = match authority(a) {
            Err(m) => Err(Why::Invalid(format!("the trust file's authority `{}` is unusable: {m}", a.name))),
            Ok(auth) => sigstore_tsa::verify_timestamp_for_authority(&token_der, &sig, &auth)
                .map(|t| Timestamp(t.as_second()))
                .map_err(why_of),
        };
        match checked {
            Ok(at) if trust.in_force(&at).timestamp_authorities.contains(a) => {
                return Ok(TrustedTime { at, authority: a.name.clone() });
            }
            Ok(at) => why.push(Why::NotInForce { authority: a.name.clone(), at }),
            Err(w) => why.push(w),
        }
    }
    why.sort();
    Err(sentence(why.swap_remove(0)))
}

fn why_of(e: TsaError) -> Why {
    match e {
        TsaError::HashMismatch { .. } => Why::OtherSignature,
        TsaError::Parse(m) => Why::Unreadable(m),
        TsaError::SignatureVerificationError(m) if m.contains("does not match any trusted") => Why::Unaccepted,
        e => Why::Invalid(e.to_string()),
    }
}

fn sentence(why: Why) -> String {
    match why {
        Why::Unreadable(m) => format!("its timestamp token is unreadable ({m}): edited or not a token"),
        Why::OtherSignature => {
            "its timestamp token is over another signature: the token's message imprint is not the SHA-256 of this envelope's signature".into()
        }
        Why::Invalid(m) => format!("its timestamp token does not verify ({m}): edited, or not issued as it claims"),
        Why::NotInForce { authority, at } => format!(
            "its timestamp token is from `{authority}`, which the trust file did not accept at the token's time {at}"
        ),
        Why::Unaccepted => {
            "its timestamp token was issued by a timestamp authority the trust file does not accept".into()
        }
    }
}
