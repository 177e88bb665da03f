//! The one HTTP request of the ceremony: an RFC 3161 `TimeStampReq` over the signature, sent
//! with a blocking client (ureq, rustls on aws-lc-rs), a global timeout, a response size cap and
//! no redirects. The answer must be a granted token over exactly this imprint and nonce.

use std::sync::Arc;
use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use p256::elliptic_curve::common::getrandom;
use sha2::{Digest, Sha256};
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::token;

const SHA256_OID: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// A token answer is a few KiB; a TSA sending more is broken or hostile.
const MAX_RESPONSE_BYTES: u64 = super::MAX_TOKEN_BYTES;

/// Where to ask, and how long to wait for the whole exchange.
#[derive(Debug, Clone)]
pub struct Tsa {
    pub url: String,
    pub timeout: Duration,
}

/// The TSA's token (DER `TimeStampToken`) over the SHA-256 of `signature`, checked to answer
/// this request: granted, this imprint, this nonce. Errors say what went wrong, for the signer.
pub fn request_token(tsa: &Tsa, signature: &[u8]) -> Result<Vec<u8>, String> {
    let imprint = sha256_imprint(signature)?;
    let nonce = nonce()?;
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: imprint.clone(),
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    };
    let body = req.to_der().map_err(|e| format!("cannot encode the request: {e}"))?;
    let answer = post(tsa, &body)?;
    let token = granted_token(&answer)?;
    let info = token::tst_info(&token)?;
    let same = info.message_imprint.hash_algorithm.oid == imprint.hash_algorithm.oid
        && info.message_imprint.hashed_message == imprint.hashed_message;
    if !same {
        return Err("the token is over another message imprint than the one sent".into());
    }
    if info.nonce.as_ref() != Some(&nonce) {
        return Err("the token does not carry the request's nonce (a replayed or mixed-up answer)".into());
    }
    Ok(token)
}

fn sha256_imprint(bytes: &[u8]) -> Result<MessageImprint, String> {
    let digest = Sha256::digest(bytes);
    Ok(MessageImprint {
        hash_algorithm: AlgorithmIdentifier { oid: SHA256_OID, parameters: None },
        hashed_message: OctetString::new(digest.to_vec()).map_err(|e| e.to_string())?,
    })
}

/// 64 random bits, positive and minimally encoded (first byte 0x40..=0x7f).
fn nonce() -> Result<Int, String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source for the nonce: {e}"))?;
    bytes[0] = (bytes[0] & 0x3f) | 0x40;
    Int::new(&bytes).map_err(|e| e.to_string())
}

fn post(tsa: &Tsa, body: &[u8]) -> Result<Vec<u8>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(ureq::tls::RootCerts::WebPki)
        .unversioned_rustls_crypto_provider(provider)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(tsa.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&tsa.url)
        .header("Content-Type", "application/timestamp-query")
        .header("Accept", "application/timestamp-reply")
        .send(body)
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s", tsa.timeout.as_secs()),
            other => format!("cannot reach it: {other}"),
        })?;
    let status = resp.status();
    if status != 200 {
        let hint = if status.is_redirection() { " (a redirect: give the URL it redirects to)" } else { "" };
        return Err(format!("it answered HTTP {status}{hint}"));
    }
    resp.body_mut().with_config().limit(MAX_RESPONSE_BYTES).read_to_vec().map_err(|e| match e {
        ureq::Error::Timeout(_) => format!("no complete answer within {} s", tsa.timeout.as_secs()),
        other => format!("cannot read its answer: {other}"),
    })
}

/// The token of a `TimeStampResp` whose status is granted (with or without modifications).
fn granted_token(answer: &[u8]) -> Result<Vec<u8>, String> {
    token::check_shape(answer).map_err(|e| {
        format!("its answer is not an RFC 3161 TimeStampResp ({e}): is this a timestamp authority's URL?")
    })?;
    let resp = TimeStampResp::from_der(answer).map_err(|e| {
        format!("its answer is not an RFC 3161 TimeStampResp ({e}): is this a timestamp authority's URL?")
    })?;
    use cmpv2::status::PkiStatus;
    if !matches!(resp.status.status, PkiStatus::Accepted | PkiStatus::GrantedWithMods) {
        return Err(format!("it refused the request (PKIStatus {:?})", resp.status.status));
    }
    let token = resp.time_stamp_token.ok_or("it granted the request but sent no token")?;
    token.to_der().map_err(|e| format!("cannot re-encode the token: {e}"))
}
