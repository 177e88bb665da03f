//! Stage 3: the pending-signature request, `signatures/<ID>/request.json` — what must be signed
//! (the bundle, by digest), by which roles, with which meaning, in which order — and a Markdown
//! body that tells each signer exactly what to run. Every signature names this file's digest,
//! so the request cannot be edited after anyone signed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::policy::SigningConfig;
use super::registry::Registry;
use super::{SignError, Timestamp, audit};
use crate::digest::sha256_reader;
use crate::fsx::{atomic, path_safety};
use crate::output::json;

pub const SCHEMA: &str = "signet.request/v1";
pub const FILE: &str = "request.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRef {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredSignature {
    pub role: String,
    pub meaning: String,
    pub meaning_text: String,
    pub after: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub schema: String,
    pub release: String,
    pub commits: Vec<String>,
    pub bundle: BundleRef,
    pub sha256sums_sha256: Option<String>,
    pub index_json_sha256: Option<String>,
    pub policy_sha256: String,
    pub registry_sha256: String,
    pub created_at: String,
    pub separation_of_duties: bool,
    pub required: Vec<RequiredSignature>,
    pub tool: String,
    /// Digest of the Sigstore trusted root (`signatures/trusted_root.json`) when the request was
    /// made: every signer signs the request's digest, so keyless signatures of this release are
    /// verified only against this root, whatever the file says later. Absent in requests made
    /// without one (and in every request before keyless signing existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub root: PathBuf,
    pub release: String,
    pub bundle: PathBuf,
    pub sums: Option<PathBuf>,
    pub index: Option<PathBuf>,
    pub commits: Vec<String>,
}

pub fn release_dir(root: &Path, release: &str) -> Result<PathBuf, SignError> {
    path_safety::check_name(release)
        .map_err(|p| SignError::Refused(format!("release id `{release}`: {p}; use something like v1.4.0")))?;
    Ok(root.join("signatures").join(release))
}

pub fn file_digest(path: &Path) -> Result<(String, u64), SignError> {
    let f = std::fs::File::open(path).map_err(|e| SignError::input(path, e))?;
    let (d, size) = sha256_reader(f).map_err(|e| SignError::input(path, e))?;
    Ok((format!("sha256:{d}"), size))
}

pub fn create(opts: &RequestOptions, policy: &SigningConfig) -> Result<(Request, PathBuf), SignError> {
    let dir = release_dir(&opts.root, &opts.release)?;
    let path = dir.join(FILE);
    if path.exists() {
        return finish_interrupted(opts, policy, &dir);
    }
    let request = build(opts, policy)?;
    write(&request, &dir)?;
    log_creation(&request, &dir)?;
    Ok((request, path))
}

/// A `request` killed after writing `request.json` but before the audit trail's first line
/// leaves a folder no signature could ever pass. Running it again completes that creation, but
/// only while nothing is logged yet and the file is exactly what these options make (bar its
/// time and tool version); otherwise the request stands and is never rewritten.
fn finish_interrupted(
    opts: &RequestOptions,
    policy: &SigningConfig,
    dir: &Path,
) -> Result<(Request, PathBuf), SignError> {
    let path = dir.join(FILE);
    let exists = || {
        SignError::Refused(format!(
            "{} already exists: a request is never rewritten once created (signatures may name it); \
             use a new release id",
            path.display()
        ))
    };
    if dir.join(audit::FILE).exists() {
        return Err(exists());
    }
    let (existing, _) = load(dir)?;
    let same = Request { created_at: existing.created_at.clone(), tool: existing.tool.clone(), ..build(opts, policy)? };
    if same != existing {
        return Err(exists());
    }
    write_md(&existing, dir)?;
    log_creation(&existing, dir)?;
    Ok((existing, path))
}

/// The audit trail's first line: this request, by the digest of its bytes on disk.
fn log_creation(request: &Request, dir: &Path) -> Result<(), SignError> {
    let detail = Some(format!("request {} for bundle sha256:{}", load(dir)?.1, request.bundle.sha256));
    let event = audit::NewEvent { event: "request-created", signer: None, role: None, detail };
    audit::append(dir, &request.release, event)?;
    Ok(())
}

/// The request as it would be written, without writing it (release-check's preview).
pub fn build(opts: &RequestOptions, policy: &SigningConfig) -> Result<Request, SignError> {
    policy.validate()?;
    release_dir(&opts.root, &opts.release)?;
    let (bundle_sha, size) = file_digest(&opts.bundle)?;
    let optional =
        |p: &Option<PathBuf>| p.as_ref().filter(|p| p.exists()).map(|p| file_digest(p).map(|(d, _)| d)).transpose();
    let (_, registry_sha256) = Registry::load(&opts.root)?;
    let trusted_root_sha256 = super::sigstore::pinned_root_digest(&opts.root)?;
    Ok(Request {
        schema: SCHEMA.into(),
        release: opts.release.clone(),
        commits: if opts.commits.is_empty() {
            head_commit(&opts.root).into_iter().collect()
        } else {
            opts.commits.clone()
        },
        bundle: BundleRef {
            name: opts.bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            size,
            sha256: bundle_sha.trim_start_matches("sha256:").to_string(),
        },
        sha256sums_sha256: optional(&opts.sums)?,
        index_json_sha256: optional(&opts.index)?,
        policy_sha256: policy.digest(),
        registry_sha256,
        created_at: Timestamp::now().to_string(),
        separation_of_duties: policy.separation_of_duties,
        required: policy
            .required
            .iter()
            .map(|r| RequiredSignature {
                role: r.role.clone(),
                meaning: r.meaning.clone(),
                meaning_text: policy.meaning_text(&r.meaning).to_string(),
                after: r.after.clone(),
            })
            .collect(),
        tool: format!("signet {}", env!("CARGO_PKG_VERSION")),
        trusted_root_sha256,
    })
}

/// Writes `request.json` and `request.md` into `dir`.
pub fn write(request: &Request, dir: &Path) -> Result<(), SignError> {
    let path = dir.join(FILE);
    atomic::ensure_parent(&path).map_err(|source| SignError::Write { path: path.clone(), source })?;
    atomic::write(&path, json::to_string(request).as_bytes())
        .map_err(|source| SignError::Write { path: path.clone(), source })?;
    write_md(request, dir)
}

/// `request.md`: what each signer runs, rendered from the request.
fn write_md(request: &Request, dir: &Path) -> Result<(), SignError> {
    let md = dir.join("request.md");
    let body = crate::templates::render("request.md", request);
    atomic::write(&md, body.as_bytes()).map_err(|source| SignError::Write { path: md, source })?;
    Ok(())
}

/// The request and the digest of its exact bytes.
pub fn load(dir: &Path) -> Result<(Request, String), SignError> {
    let path = dir.join(FILE);
    let bytes = crate::fsx::read::read_bytes(&path, crate::fsx::read::MAX_RECORD_BYTES).map_err(|e| {
        SignError::input(&path, format!("{e}; create it first with `signet request --release … --bundle …`"))
    })?;
    let request: Request = serde_json::from_slice(&bytes).map_err(|e| SignError::input(&path, e))?;
    if request.schema != SCHEMA {
        return Err(SignError::input(&path, format!("schema `{}` is not {SCHEMA}", request.schema)));
    }
    Ok((request, crate::digest::tagged(&bytes)))
}

/// `git rev-parse HEAD` in the root, when it is a git checkout.
fn head_commit(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(root).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
