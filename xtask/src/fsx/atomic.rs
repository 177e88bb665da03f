//! Outputs appear at their final path complete or not at all: a temp file in the same folder,
//! fsync, then rename. A killed process leaves only a `.signet-tmp-*` file beside the target.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::os;

use tempfile::NamedTempFile;

/// Either way the file appears whole or not at all, even if the process is killed; only
/// `Synced` also survives a power cut. Records (bundles, stamps, signatures) are synced;
/// outputs regenerated from them on every run (the gate's index.json, rtm.html) are `Derived`
/// (their fsync cost 0.3 s of a 1 s gate here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Synced,
    Derived,
}

/// The name every temp file starts with, so readers of a folder can tell one from an output.
pub const TEMP_PREFIX: &str = ".signet-tmp-";

pub struct AtomicFile {
    tmp: NamedTempFile,
    dest: PathBuf,
}

impl AtomicFile {
    /// Refuses a final path that exists and is not a regular file (see [`refuse_special`]).
    pub fn create(dest: &Path) -> io::Result<Self> {
        refuse_special(dest)?;
        let dir = parent_dir(dest);
        let tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)?;
        Ok(AtomicFile { tmp, dest: dest.to_path_buf() })
    }

    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// The temp file's own path, for a second descriptor with other flags (O_DIRECT).
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Makes the file visible at its final path, durably. Until then, dropping `self` deletes it.
    pub fn commit(self) -> io::Result<PathBuf> {
        self.commit_as(Durability::Synced)
    }

    pub fn commit_as(self, durability: Durability) -> io::Result<PathBuf> {
        let AtomicFile { tmp, dest } = self;
        os::set_mode(tmp.as_file(), 0o644)?;
        if durability == Durability::Synced {
            tmp.as_file().sync_all()?;
        }
        // Checked again: something may have appeared at the path while the output was written.
        refuse_special(&dest)?;
        tmp.persist(&dest).map_err(|e| e.error)?;
        if durability == Durability::Synced {
            sync_dir(parent_dir(&dest))?;
        }
        Ok(dest)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Writes `bytes` to `dest` atomically.
pub fn write(dest: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    write_with(dest, Durability::Synced, |w| w.write_all(bytes))
}

/// Writes whatever `fill` streams into `dest`, atomically, through a buffer.
pub fn write_with(
    dest: &Path,
    durability: Durability,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let mut w = io::BufWriter::with_capacity(256 << 10, AtomicFile::create(dest)?);
    fill(&mut w)?;
    w.into_inner().map_err(io::IntoInnerError::into_error)?.commit_as(durability)
}

/// An output replaces only a regular file. Renaming over a device, FIFO, socket, symlink or
/// folder would turn `/dev/null` into a file when run as root, or write where a link points;
/// the path is examined with `lstat`, never followed or opened.
pub fn refuse_special(dest: &Path) -> io::Result<()> {
    let kind = match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
        Ok(m) if m.file_type().is_file() => return Ok(()),
        Ok(m) => {
            let t = m.file_type();
            if t.is_symlink() {
                "a symbolic link"
            } else if t.is_dir() {
                "a folder"
            } else {
                os::special(&t).map_or("not a regular file", os::Special::describe)
            }
        }
    };
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "the path exists and is {kind}; Signet writes an output only over a regular file, and left \
             it untouched; choose another output path"
        ),
    ))
}

/// A rename is durable only once the directory entry is on disk too. Windows cannot open a
/// folder as a file; NTFS journals the rename itself.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) { File::open(dir)?.sync_all() } else { Ok(()) }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates the folder an output goes into, so `--out target/x/y.tar` works on a fresh clone.
pub fn ensure_parent(path: &Path) -> io::Result<()> {
    fs::create_dir_all(parent_dir(path))
}
