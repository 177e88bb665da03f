//! Stage 3: the pending-signature request, `signatures/<ID>/request.json` — what must be signed
//! (the bundle, by digest), by which roles, with which meaning, in which order — and a Markdown
//! body that tells each signer exactly what to run. Every signature names this file's digest,
//! so the request cannot be edited after anyone signed.

use std::path::{Path, PathBuf};

use super::policy::SigningConfig;
use super::registry::Registry;
use super::release_record::{file_digest, load};
use super::{SignError, Timestamp, audit, layout, trusted_root};
use crate::digest::Digest;
pub use crate::formats::request::{BundleRef, Request, RequiredSignature, VERSION};
use crate::fsx::atomic;
use crate::output::json;

#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub root: PathBuf,
    pub release: String,
    pub bundle: PathBuf,
    pub sums: Option<PathBuf>,
    pub index: Option<PathBuf>,
    pub commits: Vec<String>,
}

pub fn create(opts: &RequestOptions, policy: &SigningConfig) -> Result<(Request, PathBuf), SignError> {
    let dir = layout::release_dir(&opts.root, &opts.release)?;
    let path = dir.join(layout::REQUEST);
    if path.exists() {
        return finish_interrupted(opts, policy, &dir);
    }
    let (request, (sums, index)) = build_pinning(opts, policy)?;
    super::evidence::keep(&dir, sums.as_deref(), index.as_deref())?;
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
    let path = dir.join(layout::REQUEST);
    let exists = || {
        SignError::Refused(format!(
            "{} already exists: a request is never rewritten once created (signatures may name it); \
             use a new release id",
            path.display()
        ))
    };
    if !audit::Trail::read(dir)?.is_empty() {
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

/// The record's first event: this request, by the digest of its bytes on disk.
fn log_creation(request: &Request, dir: &Path) -> Result<(), SignError> {
    let request_sha = load(dir)?.1;
    let event = audit::NewEvent::new(audit::EventKind::RequestCreated, &request_sha)
        .detail(format!("request {request_sha} for bundle sha256:{}", request.bundle.sha256));
    audit::record(dir, &request.release, event)?;
    Ok(())
}

/// The request as it would be written, without writing it (release-check's preview).
pub fn build(opts: &RequestOptions, policy: &SigningConfig) -> Result<Request, SignError> {
    Ok(build_pinning(opts, policy)?.0)
}

/// The request, and the bytes of the SHA256SUMS and index.json it pins.
fn build_pinning(opts: &RequestOptions, policy: &SigningConfig) -> Result<(Request, Pinned), SignError> {
    policy.validate()?;
    layout::release_dir(&opts.root, &opts.release)?;
    let (sums, index) = pinned_files(opts)?;
    let (bundle_sha, size) = match &sums {
        Some(bytes) => check_sums_describe_bundle(opts, bytes)?,
        None => file_digest(&opts.bundle)?,
    };
    let (_, registry_sha256) = Registry::load(&opts.root)?;
    let trusted_root_sha256 = trusted_root::pinned_root_digest(&opts.root)?;
    let request = Request {
        schema: VERSION.id(),
        release: opts.release.as_str().into(),
        commits: if opts.commits.is_empty() {
            head_commit(&opts.root).into_iter().collect()
        } else {
            opts.commits.clone()
        },
        bundle: BundleRef {
            name: opts.bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            size,
            sha256: bundle_sha.hex(),
        },
        sha256sums_sha256: sums.as_deref().map(crate::digest::tagged),
        index_json_sha256: index.as_deref().map(crate::digest::tagged),
        policy_sha256: policy.digest(),
        registry_sha256,
        created_at: Timestamp::now().to_string(),
        separation_of_duties: policy.separation_of_duties,
        require_trusted_time: policy.require_trusted_time,
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
    };
    Ok((request, (sums, index)))
}

/// The bytes of the SHA256SUMS and of the index.json a request pins, each if any.
pub type Pinned = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The SHA256SUMS and index.json the request pins: a bundle of the seed-001 evidence tree
/// (`bundle::assemble`, what release-check bundles) carries its own, and those are pinned;
/// otherwise the files given, when they exist.
pub fn pinned_files(opts: &RequestOptions) -> Result<Pinned, SignError> {
    use crate::bundle::assemble;
    let limit = 256 << 20;
    let pick = |member: &str, given: Option<&Path>| -> Result<Option<Vec<u8>>, SignError> {
        let inside = assemble::member(&opts.bundle, member, limit).map_err(|e| SignError::input(&opts.bundle, e))?;
        match (inside, given.filter(|p| p.exists())) {
            (Some(bytes), _) => Ok(Some(bytes)),
            (None, Some(path)) => {
                crate::fsx::read::read_bytes(path, limit).map(Some).map_err(|e| SignError::input(path, e))
            }
            (None, None) => Ok(None),
        }
    };
    let index = format!("{}/index.json", assemble::RTM_DIR);
    Ok((pick(assemble::SUMS, opts.sums.as_deref())?, pick(&index, opts.index.as_deref())?))
}

/// The SHA256SUMS a request pins is what signers are shown as the bundle's files: it must list
/// exactly the bundle's files, with their digests. Returns the bundle's digest and size, from the
/// same single read.
fn check_sums_describe_bundle(opts: &RequestOptions, bytes: &[u8]) -> Result<(Digest, u64), SignError> {
    let path = opts.sums.clone().unwrap_or_else(|| opts.bundle.clone());
    let text = std::str::from_utf8(bytes).map_err(|_| SignError::input(&path, "SHA256SUMS is not UTF-8 text"))?;
    let lines = crate::sums::parse(text, &path).map_err(|e| SignError::input(&path, e))?;
    let scan = crate::bundle::assemble::scan(&opts.bundle).map_err(|e| SignError::input(&opts.bundle, e))?;
    crate::bundle::assemble::check_listing(&scan, &lines).map_err(|why| {
        let fix = "pass the SHA256SUMS of this bundle's files";
        SignError::input(&path, format!("does not describe {}: {why}; {fix}", opts.bundle.display()))
    })?;
    Ok((scan.digest, scan.size))
}

/// Writes `request.json` and `request.md` into `dir`.
pub fn write(request: &Request, dir: &Path) -> Result<(), SignError> {
    let path = dir.join(layout::REQUEST);
    atomic::ensure_parent(&path).map_err(|source| SignError::Write { path: path.clone(), source })?;
    atomic::write(&path, json::to_string(request).as_bytes())
        .map_err(|source| SignError::Write { path: path.clone(), source })?;
    write_md(request, dir)
}

/// `request.md`: what each signer runs, rendered from the request.
fn write_md(request: &Request, dir: &Path) -> Result<(), SignError> {
    let md = dir.join(layout::REQUEST_MD);
    let body = crate::templates::render("request.md", request);
    atomic::write(&md, body.as_bytes()).map_err(|source| SignError::Write { path: md, source })?;
    Ok(())
}

/// `git rev-parse HEAD` in the root, when it is a git checkout.
fn head_commit(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(root).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
