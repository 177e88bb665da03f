use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Bundle, DerPublicKey, Sha256Hash, SignatureContent};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult, Verifier};

use super::{Artifact, Expect, KeylessError, Verified};

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
        Expect::Key { public_key_pem } => {
            let key = DerPublicKey::from_pem(public_key_pem).map_err(|e| KeylessError::PublicKey(e.to_string()))?;
            verifier.verify(input, &bundle, &PublicKeyVerificationPolicy::new(key))
        }
    }
    .map_err(|e| KeylessError::Rejected(e.to_string()))?;

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
        Some(&t) if Some(t) == result.integrated_time() => (t.to_string(), "rekor-integrated-time"),
        Some(t) => (t.to_string(), "tsa"),
        None => (String::new(), "none"),
    }
}
