use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Bundle, DerPublicKey, Sha256Hash, SignatureContent};
use sigstore_verify::{
    CertificateError, PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult, Verifier,
};

use super::{Artifact, Expect, KeylessError, TIME_TIMESTAMP_AUTHORITY, TIME_TRANSPARENCY_LOG, Verified};

/// Checks that `trusted_root_json` is a usable Sigstore trusted root, without verifying anything
/// against it: a malformed pinned root is bad input, not a bad signature.
pub fn check_trusted_root(trusted_root_json: &[u8]) -> Result<(), KeylessError> {
    let root = std::str::from_utf8(trusted_root_json).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    let root = TrustedRoot::from_json(root).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    Verifier::new(&root).map(|_| ()).map_err(|e| KeylessError::TrustedRoot(e.to_string()))
}

/// The DSSE payload of a bundle, read WITHOUT verifying anything: only to learn which subject
/// digest the statement claims, so the bundle can then be verified against it and the subject
/// compared with what it should be. Never trust its content before `verify_bundle` succeeded.
pub fn dsse_payload(bundle_json: &[u8]) -> Result<Vec<u8>, KeylessError> {
    let bundle = std::str::from_utf8(bundle_json).map_err(|e| KeylessError::Bundle(e.to_string()))?;
    let bundle = Bundle::from_json(bundle).map_err(|e| KeylessError::Bundle(e.to_string()))?;
    match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => Ok(envelope.payload.as_bytes().to_vec()),
        _ => Err(KeylessError::Bundle("it holds a message signature, not a DSSE attestation".into())),
    }
}

/// Verifies a Sigstore bundle (v0.1–v0.3) over `artifact` against `trusted_root_json` alone:
/// certificate chain and SCT, identity and issuer (or the managed key), the transparency-log
/// inclusion proof, checkpoint and SET, RFC 3161 timestamps, and the signature or DSSE envelope
/// binding to the artifact. Touches no network; the only ambient input is the clock, to reject a
/// log time in the future.
pub fn verify_bundle(
    bundle_json: &[u8],
    artifact: Artifact,
    expect: &Expect,
    trusted_root_json: &[u8],
) -> Result<Verified, KeylessError> {
    let root = std::str::from_utf8(trusted_root_json).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    let root = TrustedRoot::from_json(root).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    let verifier = Verifier::new(&root).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;

    let bundle = std::str::from_utf8(bundle_json).map_err(|e| KeylessError::Bundle(e.to_string()))?;
    let bundle = Bundle::from_json(bundle).map_err(|e| KeylessError::Bundle(e.to_string()))?;

    let input = match artifact {
        Artifact::Bytes(bytes) => sigstore_verify::types::Artifact::from_blob(bytes),
        Artifact::Sha256(digest) => sigstore_verify::types::Artifact::from_digest(Sha256Hash::new(digest)),
    };
    let result = match expect {
        Expect::Identity { identity, issuer } => {
            verifier.verify(input, &bundle, &VerificationPolicy::new(identity.as_str(), issuer.as_str()))
        }
        Expect::AnyCertificate => verifier.verify(input, &bundle, &VerificationPolicy::any_identity()),
        Expect::Key { public_key_pem } => {
            let key = DerPublicKey::from_pem(public_key_pem).map_err(|e| KeylessError::PublicKey(e.to_string()))?;
            verifier.verify(input, &bundle, &PublicKeyVerificationPolicy::new(key))
        }
    }
    .map_err(|e| KeylessError::Rejected(explain(&e, &bundle)))?;

    let (signed_at, time_source) = signing_time(&result);
    Ok(Verified {
        signed_at,
        time_source: time_source.to_string(),
        identity: result.identity().map(|san| san.as_str().to_string()),
        issuer: result.issuer().map(str::to_string),
        payload: match &bundle.content {
            SignatureContent::DsseEnvelope(envelope) => Some(envelope.payload.as_bytes().to_vec()),
            _ => None,
        },
    })
}

/// The earliest authenticated time is the one that bounds when the signature existed; the
/// certificate was checked against every one of them, so any would do for validity.
fn signing_time(result: &VerificationResult) -> (String, &'static str) {
    match result.verified_timestamps().iter().min() {
        Some(&t) if Some(t) == result.integrated_time() => (t.to_string(), TIME_TRANSPARENCY_LOG),
        Some(t) => (t.to_string(), TIME_TIMESTAMP_AUTHORITY),
        None => (String::new(), "none"),
    }
}

/// The chain check (webpki) runs before the validity-window check and reports an expired leaf
/// as a chain error with Unix times; say it in words, with the certificate's window and the
/// logged signing time, and keep the library's detail.
fn explain(e: &sigstore_verify::Error, bundle: &Bundle) -> String {
    let detail = e.to_string();
    let sigstore_verify::Error::Certificate(CertificateError::ChainInvalid(_)) = e else {
        return detail;
    };
    let Some(info) = bundle.signing_certificate().and_then(|c| sigstore_verify::crypto::parse_certificate_info(c).ok())
    else {
        return detail;
    };
    let logged = bundle.verification_material.tlog_entries.iter().filter_map(|entry| entry.integrated_time);
    for t in logged {
        if t > info.not_after {
            return format!(
                "certificate had expired at the logged signing time {t} (valid {} to {}): {detail}",
                info.not_before, info.not_after
            );
        }
        if t < info.not_before {
            return format!(
                "certificate was not yet valid at the logged signing time {t} (valid {} to {}): {detail}",
                info.not_before, info.not_after
            );
        }
    }
    detail
}
