//! Stage 2: the canonical evidence bundle ("ctar v1") and its SHA-256 — the bytes every
//! signature is bound to. Byte-identical to the GNU tar oracle in docs/ARCHITECTURE.md §5.

pub mod assemble;
pub mod ctar;
mod error;
mod pipeline;
mod prefetch;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use error::BundleError;
use pipeline::{ProduceError, Producer, SinkOutput};
use prefetch::{Body, Opener, Prefetch};

use crate::digest::Digest;
use crate::fsx::tree::{self, WalkError};
use crate::fsx::{AtomicFile, atomic, os};
use crate::output::progress::Progress;
use crate::sums::{self, SumLine};

/// The GNU tar oracle of docs/ARCHITECTURE.md §5, to stdout: a ctar v1 bundle is byte-identical to
/// what it writes, run inside the evidence folder.
pub const ORACLE: &str = "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | \
env -u POSIXLY_CORRECT -u TAR_OPTIONS LC_ALL=C tar --format=posix \
--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
--owner=0 --group=0 --numeric-owner --mtime=@1 --mode=u=rwX,go=rX \
--hard-dereference --no-recursion --null -T - -b1 -cf -";

#[derive(Debug, Clone, Default)]
pub struct BundleOptions {
    pub evidence: PathBuf,
    /// Where the tar goes; `None` computes the hash without writing anything.
    pub out: Option<PathBuf>,
    /// Also write `<out>.gz` (needs `out`).
    pub gzip: bool,
    /// Also write the SHA256SUMS of the bundle's entries, from the same read.
    pub sums: Option<PathBuf>,
    pub progress: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BundleReport {
    /// SHA-256 of the uncompressed tar: the digest that gets signed.
    pub sha256: Digest,
    /// Size of the uncompressed tar in bytes.
    pub size: u64,
    /// Number of files in the bundle.
    pub entries: usize,
    pub tar: Option<PathBuf>,
    pub sha256_file: Option<PathBuf>,
    pub gzip: Option<PathBuf>,
    pub sums: Option<PathBuf>,
}

pub fn bundle(opts: &BundleOptions) -> Result<BundleReport, BundleError> {
    if let Some(out) = &opts.out {
        refuse_output_inside(&opts.evidence, out)?;
    }
    let beneath = os::Beneath::open(&opts.evidence).ok();
    let (files, ids): (Vec<String>, Vec<_>) = match &beneath {
        Some(dir) => {
            let names = tree::walk_names(&opts.evidence).map_err(|e| walk_error(opts, e))?;
            // The names must be those of the folder the opens read: one swapped in meanwhile
            // would give its names and the first one's contents.
            if !dir.is_at(&opts.evidence) {
                let moved = std::io::Error::other(
                    "it was replaced while `bundle` walked it; run `bundle` again with nothing moving it",
                );
                return Err(BundleError::Evidence { path: opts.evidence.clone(), source: moved });
            }
            (names, Vec::new())
        }
        None => {
            let walked = tree::walk(&opts.evidence).map_err(|e| walk_error(opts, e))?;
            walked.into_iter().map(|f| (f.rel, f.id)).unzip()
        }
    };
    if files.is_empty() {
        return Err(BundleError::Empty { path: opts.evidence.clone() });
    }
    let opener = match &beneath {
        Some(dir) => Opener::Beneath(dir),
        None => Opener::Walked(&ids),
    };
    let outputs = pipeline::run(
        sinks(opts)?,
        |p| produce(p, &opts.evidence, &files, opener, opts.progress),
        |source| BundleError::Write { path: opts.out.clone().unwrap_or_default(), source },
    )
    .map_err(|e| refusals_first(opts, e))?;
    commit(opts, &files, outputs)
}

fn walk_error(opts: &BundleOptions, e: WalkError) -> BundleError {
    match e {
        WalkError::Root(path, source) => BundleError::Evidence { path, source },
        WalkError::Refused(problems) => BundleError::Refused { root: opts.evidence.clone(), problems },
    }
}

/// `walk_names` left the regular files to their open. When one cannot be opened or read, the
/// full walk lists every refusal in the tree, as it would have before anything was read: one
/// unreadable file is seldom the only one. A tree it accepts leaves the read error as it was.
fn refusals_first(opts: &BundleOptions, e: BundleError) -> BundleError {
    if !matches!(e, BundleError::Read { .. }) {
        return e;
    }
    match tree::walk(&opts.evidence) {
        Err(walked) => walk_error(opts, walked),
        Ok(_) => e,
    }
}

fn sinks(opts: &BundleOptions) -> Result<Vec<Box<dyn pipeline::Sink>>, BundleError> {
    let create = |path: &Path| {
        atomic::ensure_parent(path)
            .and_then(|()| AtomicFile::create(path))
            .map_err(|source| BundleError::Write { path: path.to_path_buf(), source })
    };
    let mut sinks = vec![pipeline::TarHasher::boxed()];
    if opts.sums.is_some() {
        sinks.push(pipeline::EntryHasher::boxed());
    }
    if let Some(out) = &opts.out {
        sinks.push(pipeline::FileWriter::boxed(create(out)?));
        if opts.gzip {
            sinks.push(pipeline::GzWriter::boxed(create(&gz_path(out))?));
        }
    }
    Ok(sinks)
}

fn produce(
    p: &mut Producer,
    root: &Path,
    files: &[String],
    opener: Opener,
    progress: bool,
) -> Result<(), ProduceError<BundleError>> {
    let mut bar = if progress { Progress::new("bundle", files.len()) } else { Progress::hidden() };
    let mut header = Vec::with_capacity(3 * ctar::BLOCK);
    Prefetch::new(root, files, opener).run(|prefetch| {
        let mut done = None;
        for (i, rel) in files.iter().enumerate() {
            let fetched = prefetch.take(i, done.take()).map_err(ProduceError::Failed)?;
            let size = match &fetched.body {
                Body::Whole(content) => content.len() as u64,
                Body::Open(_, size) => *size,
            };
            header.clear();
            ctar::write_entry_header(rel, size, fetched.executable, &mut header);
            p.push(&header)?;
            match fetched.body {
                Body::Whole(content) => {
                    p.push_content(&content)?;
                    bar.advance(size);
                    done = Some(content);
                }
                Body::Open(mut handle, size) => copy_exact(p, &mut handle, &root.join(rel), size, &mut bar)?,
            }
            p.zeros(ctar::padding(size))?;
            p.end_entry();
            bar.file_done();
        }
        Ok::<(), ProduceError<BundleError>>(())
    })?;
    bar.finish();
    p.push(&ctar::TRAILER)?;
    Ok(())
}

/// Copies exactly `size` bytes; a file that grows or shrinks meanwhile is an error, since
/// the header already promised its size.
fn copy_exact(
    p: &mut Producer,
    r: &mut impl Read,
    path: &Path,
    size: u64,
    bar: &mut Progress,
) -> Result<(), ProduceError<BundleError>> {
    let changed =
        |read: u64| ProduceError::Failed(BundleError::Changed { path: path.to_path_buf(), expected: size, read });
    let read_err =
        |e: std::io::Error| ProduceError::Failed(BundleError::Read { path: path.to_path_buf(), reason: e.to_string() });
    let mut left = size;
    while left > 0 {
        match p.read_content(r, left)?.map_err(read_err)? {
            0 => return Err(changed(size - left)),
            n => {
                left -= n as u64;
                bar.advance(n as u64);
            }
        }
    }
    let mut probe = [0u8; 1];
    match r.read(&mut probe).map_err(read_err)? {
        0 => Ok(()),
        _ => Err(changed(size + 1)),
    }
}

fn commit(opts: &BundleOptions, files: &[String], outputs: Vec<SinkOutput>) -> Result<BundleReport, BundleError> {
    let mut report = BundleReport {
        sha256: Digest([0; 32]),
        size: 0,
        entries: files.len(),
        tar: None,
        sha256_file: None,
        gzip: None,
        sums: None,
    };
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BundleError::Write { path, source }
    };
    let mut written = Vec::new();
    for output in outputs {
        match output {
            SinkOutput::TarDigest(d, size) => (report.sha256, report.size) = (d, size),
            SinkOutput::EntryDigests(digests) => {
                let path = opts.sums.as_deref().expect("entry digests only when sums requested");
                let lines: Vec<SumLine> =
                    files.iter().zip(digests).map(|(f, digest)| SumLine { digest, path: f.clone() }).collect();
                atomic::ensure_parent(path).map_err(write_err(path))?;
                let written = atomic::write_with(path, atomic::Durability::Synced, |w| sums::write_lines(&lines, w));
                report.sums = Some(written.map_err(write_err(path))?);
            }
            SinkOutput::File(file) => written.push(*file),
        }
    }
    for file in written {
        let dest = file.dest().to_path_buf();
        let path = file.commit().map_err(write_err(&dest))?;
        if path.extension().is_some_and(|e| e == "gz") {
            report.gzip = Some(path);
        } else {
            report.tar = Some(path);
        }
    }
    if let Some(tar) = &report.tar {
        let sidecar = sidecar_path(tar);
        let name = tar.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let line = sums::render(&[SumLine { digest: report.sha256, path: name }]);
        report.sha256_file = Some(atomic::write(&sidecar, line.as_bytes()).map_err(write_err(&sidecar))?);
    }
    Ok(report)
}

/// `FILE.tar` → `FILE.tar.sha256`.
pub fn sidecar_path(tar: &Path) -> PathBuf {
    append_ext(tar, "sha256")
}

fn gz_path(tar: &Path) -> PathBuf {
    append_ext(tar, "gz")
}

fn append_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// The bundle would contain its own temp file: refuse before writing anything.
fn refuse_output_inside(evidence: &Path, out: &Path) -> Result<(), BundleError> {
    let evidence_abs =
        evidence.canonicalize().map_err(|source| BundleError::Evidence { path: evidence.to_path_buf(), source })?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(parent_abs) = parent.canonicalize()
        && parent_abs.starts_with(&evidence_abs)
    {
        return Err(BundleError::OutputInsideEvidence { out: out.to_path_buf(), evidence: evidence.to_path_buf() });
    }
    Ok(())
}
