//! Offline verification of a stored token: the CMS signature, the TSA's certificate chain up to
//! the root the trust file pins (with the critical `timeStamping` extended key usage), and the
//! message imprint against this envelope's signature — all by `sigstore-tsa`. Then the
//! authority must be one the trust version in force at the token's time accepts.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::oid::ObjectIdentifier;
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

/// The `TSTInfo` of a DER `TimeStampToken` (CMS SignedData), unverified. The token's shape
/// (and its TSTInfo's) is checked first, so nothing after it decodes a hostile one slowly.
pub(super) fn tst_info(token: &[u8]) -> Result<TstInfo, String> {
    let bad = |e: &dyn std::fmt::Display| format!("not an RFC 3161 timestamp token ({e})");
    check_shape(token).map_err(|e| bad(&e))?;
    let info = ContentInfo::from_der(token).map_err(|e| bad(&e))?;
    let signed = SignedData::from_der(&info.content.to_der().map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    let content = signed.encap_content_info.econtent.ok_or_else(|| bad(&"no TSTInfo"))?;
    check_shape(content.value()).map_err(|e| bad(&e))?;
    TstInfo::from_der(content.value()).map_err(|e| bad(&e))
}

/// A token nests a few levels deep, with a handful of elements per SET or SEQUENCE.
const MAX_DEPTH: usize = 16;
const MAX_ELEMENTS: usize = 64;

/// The DER tree's depth and width are what a token's can be. `der` sorts each SET OF it
/// decodes by insertion, so a crafted token with thousands of elements in one SET would take
/// minutes to decode; it is refused here, before any decoding, in time linear in its size.
pub(super) fn check_shape(bytes: &[u8]) -> Result<(), String> {
    fn walk(mut rest: &[u8], depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        for _ in 0..MAX_ELEMENTS {
            if rest.is_empty() {
                return Ok(());
            }
            let mut reader = der::SliceReader::new(rest).map_err(|e| e.to_string())?;
            let header = der::Header::decode(&mut reader).map_err(|e| e.to_string())?;
            let start = usize::try_from(der::Reader::position(&reader)).map_err(|e| e.to_string())?;
            let len = usize::try_from(header.length).map_err(|e| e.to_string())?;
            let content = rest.get(start..start + len).ok_or("truncated")?;
            if header.tag.is_constructed() {
                walk(content, depth + 1)?;
            }
            rest = &rest[start + len..];
        }
        if rest.is_empty() { Ok(()) } else { Err(format!("more than {MAX_ELEMENTS} elements in one structure")) }
    }
    walk(bytes, 0)
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

const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// A TSA's signing certificate as RFC 3161 §2.3 requires it: the `timeStamping` extended key
/// usage, critical and alone; not a CA; and (for `sigstore-tsa`) an ECDSA key.
fn check_leaf(leaf: &Certificate) -> Result<(), String> {
    let tbs = &leaf.tbs_certificate;
    let ext = |oid| tbs.extensions.iter().flatten().find(|e| e.extn_id == oid);
    let eku =
        ext(EXTENDED_KEY_USAGE).ok_or("the signing certificate has no extended key usage; a TSA's is timeStamping")?;
    let usages =
        x509_cert::ext::pkix::ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).map_err(|e| e.to_string())?;
    if !eku.critical || usages.0 != [TIME_STAMPING] {
        return Err(
            "the signing certificate's extended key usage must be timeStamping only, and critical (RFC 3161 §2.3)"
                .into(),
        );
    }
    if let Some(bc) = ext(BASIC_CONSTRAINTS) {
        let bc =
            x509_cert::ext::pkix::BasicConstraints::from_der(bc.extn_value.as_bytes()).map_err(|e| e.to_string())?;
        if bc.ca {
            return Err("the first certificate is a CA certificate; give the TSA's signing certificate first".into());
        }
    }
    if tbs.subject_public_key_info.algorithm.oid != EC_PUBLIC_KEY {
        return Err("the TSA's key is not an ECDSA key; Signet verifies ECDSA P-256/P-384 TSAs only".into());
    }
    Ok(())
}

/// `chain_pem` is usable as an authority (the check `trust init`/`rotate` make).
pub fn check_chain_pem(chain_pem: &str) -> Result<(), String> {
    authority(&TimestampAuthority { name: String::new(), chain_pem: chain_pem.into() }).map(drop)
}

fn authority(a: &TimestampAuthority) -> Result<TsaAuthority, String> {
    let certs = authority_certificates(&a.chain_pem)?;
    check_leaf(&certs[0])?;
    let ders = certs
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
    // Once, before any authority: the shape check that keeps a hostile token cheap.
    tst_info(token).map_err(|m| sentence(Why::Unreadable(m)))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::trust::{SignedRoot, TrustRoot};

    const TOKEN: &[u8] = include_bytes!("../../../../tests/fixtures/timestamp/token.tst");
    const CHAIN: &str = include_str!("../../../../tests/fixtures/timestamp/chain.pem");

    fn trust(issued_at: &str, authorities: Vec<TimestampAuthority>) -> Trust {
        let root = TrustRoot {
            version: 1,
            organisation: "Pump Medical".into(),
            issued_at: issued_at.into(),
            admins: Vec::new(),
            threshold: 1,
            sigstore_roots: Vec::new(),
            timestamp_authorities: authorities,
            vouched_entries: Vec::new(),
        };
        Trust { schema: "signet.trust/v1".into(), versions: vec![SignedRoot { root, signatures: Vec::new() }] }
    }

    fn fixture() -> TimestampAuthority {
        TimestampAuthority { name: "Fixture TSA".into(), chain_pem: CHAIN.into() }
    }

    /// The fixture token (openssl ts, over `hi\n`) verifies against its pinned chain, and says
    /// why not for other bytes, no authority, or a chain whose signing certificate is another.
    #[test]
    fn a_token_verifies_only_over_its_bytes_and_against_its_authority() {
        let t = verify(TOKEN, b"hi\n", &trust("2000-01-01T00:00:00Z", vec![fixture()])).unwrap();
        assert_eq!((t.authority.as_str(), t.at), ("Fixture TSA", gen_time(TOKEN).unwrap()));
        let other = verify(TOKEN, b"ho\n", &trust("2000-01-01T00:00:00Z", vec![fixture()])).unwrap_err();
        assert!(other.contains("over another signature"), "{other}");
        let none = verify(TOKEN, b"hi\n", &trust("2000-01-01T00:00:00Z", Vec::new())).unwrap_err();
        assert!(none.contains("accepts no timestamp authority"), "{none}");
        let certs: Vec<&str> = CHAIN.split_inclusive("-----END CERTIFICATE-----\n").collect();
        let swapped =
            TimestampAuthority { name: "Root as leaf".into(), chain_pem: format!("{}{}", certs[1], certs[1]) };
        let refused = verify(TOKEN, b"hi\n", &trust("2000-01-01T00:00:00Z", vec![swapped])).unwrap_err();
        assert!(refused.contains("does not verify"), "{refused}");
    }

    #[test]
    fn a_hostile_shape_is_refused_before_decoding() {
        let mut deep = vec![0x05, 0x00];
        for _ in 0..40 {
            deep = [vec![0x30, u8::try_from(deep.len()).unwrap()], deep].concat();
        }
        assert!(check_shape(&deep).unwrap_err().contains("levels deep"));
        assert!(check_shape(TOKEN).is_ok());
        assert!(check_shape(&TOKEN[..TOKEN.len() - 1]).is_err(), "a truncated token");
    }
}
