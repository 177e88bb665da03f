use std::fmt;
use std::path::PathBuf;

use crate::error::{Exit, StageError};

/// Why a keyless signature was not accepted.
#[derive(Debug)]
pub enum KeylessError {
    /// A file named on the command line could not be read.
    Read { path: PathBuf, source: std::io::Error },
    /// The trusted root is not a usable Sigstore trusted root.
    TrustedRoot(String),
    /// The expected public key is not a PEM `PUBLIC KEY`.
    PublicKey(String),
    /// Neither a signer identity (with its issuer) nor a public key was given.
    NoExpectation,
    /// A `sha256:` artifact argument is not 64 hex digits.
    Digest(String),
    /// The bundle is not a Sigstore bundle this verifier can parse.
    Bundle(String),
    /// The bundle parsed but does not prove what was expected.
    Rejected(String),
}

impl fmt::Display for KeylessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::TrustedRoot(why) => write!(f, "unusable trusted root: {why}"),
            Self::PublicKey(why) => write!(f, "unusable public key: {why}"),
            Self::NoExpectation => {
                f.write_str("say who must have signed: --key, or --certificate-identity with --certificate-oidc-issuer")
            }
            Self::Digest(arg) => write!(f, "not a sha256 digest (want sha256:<64 hex digits>): {arg}"),
            Self::Bundle(why) => write!(f, "keyless signature rejected: malformed bundle: {why}"),
            Self::Rejected(why) => write!(f, "keyless signature rejected: {why}"),
        }
    }
}

impl std::error::Error for KeylessError {}

impl StageError for KeylessError {
    /// A bundle that fails to parse is a bad signature, not bad usage: it must block a release
    /// exactly like a forged one. Only what the operator supplies around it is a usage error.
    fn exit(&self) -> Exit {
        match self {
            Self::Bundle(_) | Self::Rejected(_) => Exit::Fail,
            Self::Read { .. } | Self::TrustedRoot(_) | Self::PublicKey(_) | Self::NoExpectation | Self::Digest(_) => {
                Exit::Usage
            }
        }
    }

    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            Self::Read { path, .. } => Some((path.display().to_string(), None)),
            _ => None,
        }
    }
}
