//! Reading a release's files for the report, and refusing any set of files that do not belong
//! together: the report must describe exactly the bytes that were (or will be) signed.

use std::path::{Path, PathBuf};

use base64ct::Encoding as _;

use super::ReportError;
use crate::digest;
use crate::formats::index::Index;
use crate::sign::release_record::file_digest;
use crate::sign::request::Request;
use crate::sign::verify::ReleaseRecord;
use crate::sums::{self, SumLine};

/// A file read whole, with its tagged digest.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub value: T,
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// The request recorded this digest, and it matched.
    pub bound: bool,
}

/// Largest SHA256SUMS or index.json read: 100,000 requirements write about 120 MiB.
const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Reads a file the request may have pinned by digest; a pinned file that differs is refused.
/// When `path` does not exist, the file of that name inside the bundle (the seed-001 evidence
/// tree, `bundle::assemble`) is read instead, so an archive needs no loose copies.
fn read_pinned(
    (path, bundle, member): (&Path, &Path, &str),
    pinned: Option<&str>,
    what: &str,
    fix: &str,
) -> Result<(Vec<u8>, String, bool), ReportError> {
    let bytes = if path.exists() || !bundle.exists() {
        crate::fsx::read::read_bytes(path, MAX_INPUT_BYTES)
            .map_err(|e| ReportError::input(path, format!("cannot read the {what} ({e}); {fix}")))?
    } else {
        crate::bundle::assemble::member(bundle, member, MAX_INPUT_BYTES)
            .map_err(|e| ReportError::input(bundle, format!("cannot read {member} from the bundle: {e}")))?
            .ok_or_else(|| {
                ReportError::input(
                    path,
                    format!("cannot read the {what}: no such file, and the bundle holds no {member}; {fix}"),
                )
            })?
    };
    let sha = digest::tagged(&bytes);
    match pinned {
        Some(p) if p != sha => Err(ReportError::Inconsistent(format!(
            "{} has {sha}, but the request recorded {p} for the {what}: this is not the file the release was requested with; pass the right one",
            path.display()
        ))),
        Some(_) => Ok((bytes, sha, true)),
        None => Ok((bytes, sha, false)),
    }
}

pub fn index(paths: &Paths, request: &Request) -> Result<Loaded<Index>, ReportError> {
    let fix = "run `signet rtm-gate` first, or pass --index";
    let path = paths.index.as_path();
    let source = (path, paths.bundle.as_path(), "rtm/index.json");
    let (bytes, sha256, bound) = read_pinned(source, request.index_json_sha256.as_deref(), "RTM index.json", fix)?;
    let value: Index = crate::formats::index::VERSION
        .read(&bytes)
        .map_err(|e| ReportError::input(path, format!("not an RTM index.json ({e}); {fix}")))?;
    Ok(Loaded { value, bytes, sha256, bound })
}

pub fn sha256sums(paths: &Paths, request: &Request) -> Result<Loaded<Vec<SumLine>>, ReportError> {
    let fix = "run `signet sums` over the evidence first, or pass --sums";
    let path = paths.sums.as_path();
    let source = (path, paths.bundle.as_path(), "SHA256SUMS");
    let (bytes, sha256, bound) = read_pinned(source, request.sha256sums_sha256.as_deref(), "SHA256SUMS", fix)?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| ReportError::input(path, "is not UTF-8 text"))?;
    let value = sums::parse(&text, path).map_err(|e| ReportError::input(path, e))?;
    Ok(Loaded { value, bytes, sha256, bound })
}

/// The bundle on disk must be the one the request (and so every signature) names.
pub fn bundle(path: &Path, request: &Request) -> Result<(), ReportError> {
    let (sha, _) = file_digest(path)
        .map_err(|e| ReportError::input(path, format!("{e}; pass the release bundle with --bundle")))?;
    let sha = sha.hex();
    if sha != request.bundle.sha256 {
        return Err(ReportError::Inconsistent(format!(
            "{} has sha256 {sha}, but release {} was requested (and signed) for {}: pass the signed bundle with --bundle",
            path.display(),
            request.release,
            request.bundle.sha256
        )));
    }
    Ok(())
}

/// Refuses a signature that names another bundle before verification even starts: rendering it
/// as merely "invalid" would put a foreign release's signer into this release's record.
pub fn envelopes_name_this_bundle(record: &ReleaseRecord, request: &Request) -> Result<(), ReportError> {
    for (file, text) in &record.envelopes {
        let Some(subject) = subject_digest(text) else { continue };
        if subject != request.bundle.sha256 {
            return Err(ReportError::Inconsistent(format!(
                "signature {file} is for bundle sha256 {subject}, not release {}'s bundle {}: remove it from the release folder",
                request.release, request.bundle.sha256
            )));
        }
    }
    Ok(())
}

/// The subject digest a signature claims, read without checking it (verify does that): a DSSE
/// envelope, or the one inside a Sigstore bundle.
fn subject_digest(text: &str) -> Option<String> {
    let file: serde_json::Value = serde_json::from_str(text).ok()?;
    let env = file.get("dsseEnvelope").unwrap_or(&file);
    let payload = base64ct::Base64::decode_vec(env["payload"].as_str()?).ok()?;
    let statement: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    statement["subject"][0]["digest"]["sha256"].as_str().map(str::to_owned)
}

/// Where the inputs are, after defaults.
#[derive(Debug, Clone)]
pub struct Paths {
    pub bundle: PathBuf,
    pub sums: PathBuf,
    pub index: PathBuf,
}
