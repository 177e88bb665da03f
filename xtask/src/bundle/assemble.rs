//! The seed-001 evidence tree: the evidence folder's files as they are, the RTM gate's outputs
//! under `rtm/` (`index.json`, `rtm.html`, `rtm-junit.xml`), and at its root a `SHA256SUMS` of
//! every other file. `release-check` bundles this tree, so the one digest every signature names
//! covers the traceability matrix and the checksums too, and an archive needs only the bundle and
//! its manifest to rebuild the report.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Exit, StageError};
use crate::fsx::{atomic, tree};
use crate::sums;

/// The folder of the RTM gate's outputs inside the tree.
pub const RTM_DIR: &str = "rtm";
/// The RTM gate's outputs the tree carries.
pub const RTM_FILES: [&str; 3] = ["index.json", "rtm.html", "rtm-junit.xml"];
/// The checksums of every other file, at the tree's root.
pub const SUMS: &str = "SHA256SUMS";

#[derive(Debug, Clone, serde::Serialize)]
pub struct Assembled {
    pub tree: PathBuf,
    /// Files in the tree, SHA256SUMS included.
    pub files: usize,
}

#[derive(Debug)]
pub enum AssembleError {
    /// The evidence folder already has what the tree adds at its root.
    Reserved {
        evidence: PathBuf,
        name: &'static str,
    },
    Evidence(tree::WalkError, PathBuf),
    MissingRtm(PathBuf),
    Io {
        path: PathBuf,
        source: io::Error,
    },
    Sums(sums::SumsError),
}

impl fmt::Display for AssembleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssembleError::Reserved { evidence, name } => write!(
                f,
                "{} has `{name}` at its top: the evidence tree puts the RTM gate's outputs in `{RTM_DIR}/` and the \
                 checksums in `{SUMS}` there; rename it",
                evidence.display()
            ),
            AssembleError::Evidence(tree::WalkError::Root(path, e), _) => {
                write!(f, "cannot read evidence folder {}: {e}", path.display())
            }
            AssembleError::Evidence(tree::WalkError::Refused(problems), root) => {
                writeln!(
                    f,
                    "evidence folder {} has {} path(s) that cannot be evidence:",
                    root.display(),
                    problems.len()
                )?;
                for p in problems {
                    writeln!(f, "  {p}")?;
                }
                write!(f, "fix every path listed, then run it again")
            }
            AssembleError::MissingRtm(path) => {
                write!(
                    f,
                    "{} is missing: run `signet rtm-gate` first (it writes index.json, rtm.html, rtm-junit.xml)",
                    path.display()
                )
            }
            AssembleError::Io { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            AssembleError::Sums(e) => e.fmt(f),
        }
    }
}

impl StageError for AssembleError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

/// Builds the tree at `out` (replacing what a previous run left there) from `evidence` and the
/// RTM gate's output folder `rtm`.
pub fn assemble(evidence: &Path, rtm: &Path, out: &Path) -> Result<Assembled, AssembleError> {
    for name in [RTM_DIR, SUMS] {
        if std::fs::symlink_metadata(evidence.join(name)).is_ok() {
            return Err(AssembleError::Reserved { evidence: evidence.to_path_buf(), name });
        }
    }
    let files = tree::walk(evidence).map_err(|e| AssembleError::Evidence(e, evidence.to_path_buf()))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AssembleError::Io { path, source }
    };
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io(out))?;
    }
    let mut copies: Vec<(PathBuf, PathBuf)> = files.iter().map(|f| (f.path(evidence), out.join(&f.rel))).collect();
    for name in RTM_FILES {
        let from = rtm.join(name);
        if !from.is_file() {
            return Err(AssembleError::MissingRtm(from));
        }
        copies.push((from, out.join(RTM_DIR).join(name)));
    }
    for (from, to) in &copies {
        atomic::ensure_parent(to).map_err(io(to))?;
        // `copy` keeps the permission bits, so an executable stays one in the bundle.
        std::fs::copy(from, to).map_err(io(to))?;
    }
    let lines = sums::compute(out, &[PathBuf::from(".")]).map_err(AssembleError::Sums)?;
    let sums_path = out.join(SUMS);
    atomic::write_with(&sums_path, atomic::Durability::Synced, |w| sums::write_lines(&lines, w))
        .map_err(io(&sums_path))?;
    Ok(Assembled { tree: out.to_path_buf(), files: lines.len() + 1 })
}

/// The bytes of the regular file `name` inside the bundle tar at `bundle` (at most `limit`
/// bytes), or `None` when the bundle holds no such file.
pub fn member(bundle: &Path, name: &str, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let (file, _) = crate::fsx::open::open_regular(bundle, None)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries_with_seek()? {
        let entry = entry?;
        if entry.header().entry_type().is_file() && entry.path()?.as_ref() == Path::new(name) {
            if entry.size() > limit {
                let msg = format!("`{name}` in the bundle is larger than {limit} bytes");
                return Err(io::Error::new(io::ErrorKind::InvalidData, msg));
            }
            let mut bytes = Vec::new();
            entry.take(limit).read_to_end(&mut bytes)?;
            return Ok(Some(bytes));
        }
    }
    Ok(None)
}

/// One read of a bundle: the digest and size of its bytes, and the digest of each regular file
/// it holds, so checking its SHA256SUMS costs no second pass over a large bundle.
#[derive(Debug, Clone)]
pub struct Scan {
    pub digest: crate::digest::Digest,
    pub size: u64,
    pub files: std::collections::BTreeMap<String, crate::digest::Digest>,
}

/// Counts and hashes every byte read through it.
struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
    size: u64,
}

impl<R: io::Read> io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use sha2::Digest as _;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

pub fn scan(bundle: &Path) -> io::Result<Scan> {
    use sha2::Digest as _;
    let (file, _) = crate::fsx::read::open_file(bundle)?;
    let mut archive = tar::Archive::new(Hashing { inner: file, hasher: sha2::Sha256::new(), size: 0 });
    let mut files = std::collections::BTreeMap::new();
    for entry in archive.entries()? {
        let entry = entry?;
        if entry.header().entry_type().is_file() {
            let name = entry.path()?.to_string_lossy().into_owned();
            files.insert(name, crate::digest::sha256_reader(entry)?.0);
        }
    }
    // The end-of-archive blocks after the last entry belong to the bundle's digest too.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink())?;
    Ok(Scan { digest: crate::digest::Digest::from_hasher(rest.hasher), size: rest.size, files })
}

/// Whether `lines` (a SHA256SUMS) lists exactly the files of the scanned bundle, with their
/// digests (the bundle's own SHA256SUMS aside): what signers are shown must be what they sign.
pub fn check_listing(scan: &Scan, lines: &[sums::SumLine]) -> Result<(), String> {
    use std::collections::BTreeMap;
    let mut held = scan.files.clone();
    let listed: BTreeMap<&str, &crate::digest::Digest> = lines.iter().map(|l| (l.path.as_str(), &l.digest)).collect();
    if !listed.contains_key(SUMS) {
        held.remove(SUMS);
    }
    let mut wrong = Vec::new();
    for (name, digest) in &held {
        match listed.get(name.as_str()) {
            None => wrong.push(format!("the bundle holds {name}, which SHA256SUMS does not list")),
            Some(d) if *d != digest => wrong.push(format!("{name} in the bundle differs from its SHA256SUMS line")),
            Some(_) => {}
        }
    }
    wrong.extend(
        listed
            .keys()
            .filter(|n| !held.contains_key(**n))
            .map(|n| format!("SHA256SUMS lists {n}, which the bundle does not hold")),
    );
    if wrong.is_empty() { Ok(()) } else { Err(wrong.join("; ")) }
}
