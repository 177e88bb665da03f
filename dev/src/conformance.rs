//! The sigstore-conformance client protocol, so the public test suite can drive our verifier:
//! `signet-dev conformance verify-bundle --bundle F (--certificate-identity I
//! --certificate-oidc-issuer U | --key PEM) [--trusted-root F] FILE_OR_sha256:DIGEST`.

use std::path::{Path, PathBuf};

use signet::cli::{CmdResult, Ctx, Outcome, boxed};
use signet::digest::{self, Digest};
use signet::error::Exit;
use signet::keyless::{self, Artifact, Expect, KeylessError};

/// Where the regulated repository pins the Sigstore trusted root; used when none is given.
pub const DEFAULT_TRUSTED_ROOT: &str = signet::sign::layout::TRUSTED_ROOT;

/// Files above this are hashed as a stream and verified by digest rather than read whole.
const READ_WHOLE_LIMIT: u64 = 256 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Verify a Sigstore bundle offline (exit 0 = verified).
    VerifyBundle(VerifyBundleArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyBundleArgs {
    /// The Sigstore bundle (`*.sigstore.json`).
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// The signer's identity: the certificate SAN (email or URI), matched exactly.
    #[arg(long, value_name = "IDENTITY", requires = "certificate_oidc_issuer", required_unless_present = "key")]
    pub certificate_identity: Option<String>,
    /// The OIDC issuer that vouched for the identity, matched exactly.
    #[arg(long, value_name = "URL", requires = "certificate_identity")]
    pub certificate_oidc_issuer: Option<String>,
    /// Verify a managed-key bundle with this PEM public key instead of an identity.
    #[arg(long, value_name = "PEM", conflicts_with_all = ["certificate_identity", "certificate_oidc_issuer"])]
    pub key: Option<PathBuf>,
    /// The Sigstore trusted root JSON (default: signatures/trusted_root.json under --root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// The signed file, or `sha256:<hex>` of it.
    #[arg(value_name = "FILE_OR_DIGEST")]
    pub artifact: String,
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    match args.command {
        Sub::VerifyBundle(args) => verify_bundle(&args, ctx),
    }
}

fn verify_bundle(args: &VerifyBundleArgs, ctx: &Ctx) -> CmdResult {
    let bundle = read(&ctx.path(&args.bundle)).map_err(boxed)?;
    let root_path = ctx.path(args.trusted_root.as_deref().unwrap_or(Path::new(DEFAULT_TRUSTED_ROOT)));
    let root = read(&root_path).map_err(boxed)?;
    let expect = expectation(args, ctx).map_err(boxed)?;
    let held;
    let artifact = match args.artifact.strip_prefix("sha256:") {
        Some(hex) => Artifact::Sha256(parse_digest(hex, &args.artifact).map_err(boxed)?.0),
        None => {
            held = load_artifact(&ctx.path(Path::new(&args.artifact))).map_err(boxed)?;
            match &held {
                Loaded::Bytes(bytes) => Artifact::Bytes(bytes),
                Loaded::Digest(d) => Artifact::Sha256(d.0),
            }
        }
    };
    let v = keyless::verify_bundle(&bundle, artifact, &expect, &root).map_err(boxed)?;
    let signer = match (&v.identity, &v.issuer) {
        (Some(id), Some(iss)) => format!("{id} ({iss})"),
        _ => "the given key".to_string(),
    };
    let when = if v.signed_at.is_empty() { "no verified time".to_string() } else { v.signed_at.clone() };
    let text = format!("OK: {} verified: signed by {signer} at {when} [{}]\n", args.bundle.display(), v.time_source);
    let json = ctx.json(|| {
        serde_json::json!({
            "verified": true,
            "bundle": args.bundle.display().to_string(),
            "trusted_root": root_path.display().to_string(),
            "signed_at": v.signed_at,
            "time_source": v.time_source,
            "identity": v.identity,
            "issuer": v.issuer,
            "dsse": v.payload.is_some(),
        })
    });
    Ok(Outcome { exit: Exit::Pass, text, json })
}

fn expectation(args: &VerifyBundleArgs, ctx: &Ctx) -> Result<Expect, KeylessError> {
    if let Some(key) = &args.key {
        let pem = read(&ctx.path(key))?;
        let public_key_pem = String::from_utf8(pem).map_err(|e| KeylessError::PublicKey(e.to_string()))?;
        return Ok(Expect::Key { public_key_pem });
    }
    // clap's `requires` already pairs the two; this only guards a caller that builds Args by hand.
    match (&args.certificate_identity, &args.certificate_oidc_issuer) {
        (Some(identity), Some(issuer)) => Ok(Expect::Identity { identity: identity.clone(), issuer: issuer.clone() }),
        _ => Err(KeylessError::NoExpectation),
    }
}

fn parse_digest(hex: &str, arg: &str) -> Result<Digest, KeylessError> {
    Digest::parse_hex(hex).ok_or_else(|| KeylessError::Digest(arg.to_string()))
}

enum Loaded {
    Bytes(Vec<u8>),
    Digest(Digest),
}

fn load_artifact(path: &Path) -> Result<Loaded, KeylessError> {
    let err = |source| KeylessError::Read { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(err)?;
    if file.metadata().map_err(err)?.len() > READ_WHOLE_LIMIT {
        return digest::sha256_reader(file).map(|(d, _)| Loaded::Digest(d)).map_err(err);
    }
    read(path).map(Loaded::Bytes)
}

fn read(path: &Path) -> Result<Vec<u8>, KeylessError> {
    std::fs::read(path).map_err(|source| KeylessError::Read { path: path.to_path_buf(), source })
}
