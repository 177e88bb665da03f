//! Key files on disk: created owner-only and never overwritten, read with a size cap.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use p256::ecdsa::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::{KeyError, decrypt_pem, parse_public_pem};
use crate::fsx::{atomic, os};

/// A P-256 key PEM is under 1 KiB; anything far larger is not a key and is not read into memory.
const MAX_KEY_FILE: u64 = 64 << 10;

/// Writes `pem` to a new file `path` with mode 0600. Fails with `AlreadyExists` if `path` exists:
/// losing a signer's only key to a typo is not recoverable. The text goes to a 0600 temp file in
/// the same folder first, which is then hard-linked into place (link never replaces a name), so
/// `path` appears complete or not at all and is never readable by others, whatever the umask.
pub fn write_key_file(path: &Path, pem: &str) -> io::Result<()> {
    if path.symlink_metadata().is_ok() {
        return Err(already_exists(path));
    }
    let dir = parent_dir(path);
    let mut tmp = TempKey::create(dir)?;
    tmp.file.write_all(pem.as_bytes())?;
    tmp.file.sync_all()?;
    tmp.publish(path)?;
    drop(tmp);
    atomic::sync_dir(dir)
}

/// Reads a key file's PEM text (at most 64 KiB), kept in memory that is wiped on drop.
pub fn read_key_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    let io_error = |source| KeyError::Io { file: path.to_path_buf(), action: "read", source };
    let (file, _) = crate::fsx::read::open_file(path).map_err(io_error)?;
    let mut text = Zeroizing::new(String::with_capacity(4096));
    file.take(MAX_KEY_FILE + 1).read_to_string(&mut text).map_err(io_error)?;
    if text.len() as u64 > MAX_KEY_FILE {
        let detail = format!("larger than {} KiB, so not a key", MAX_KEY_FILE >> 10);
        return Err(KeyError::Malformed { file: Some(path.to_path_buf()), detail });
    }
    Ok(text)
}

/// Reads and decrypts the encrypted signing key at `path`; errors name the file.
pub fn read_signing_key(path: &Path, password: &[u8]) -> Result<SigningKey, KeyError> {
    decrypt_pem(&read_key_file(path)?, password).map_err(|e| e.with_file(path))
}

/// Reads the public key PEM at `path`; errors name the file.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    parse_public_pem(&read_key_file(path)?).map_err(|e| e.with_file(path))
}

fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} already exists; signet never overwrites a key file: move it away or choose another path",
            path.display()
        ),
    )
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A 0600 temp file that removes its name when dropped unless it was renamed into place.
struct TempKey {
    file: File,
    path: PathBuf,
    renamed: bool,
}

impl TempKey {
    fn create(dir: &Path) -> io::Result<TempKey> {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let mut last = None;
        for attempt in 0..16u32 {
            let path = dir.join(format!(".signet-key-tmp-{}-{nanos:09}-{attempt}", std::process::id()));
            match os::create_private(OpenOptions::new().write(true).create_new(true)).open(&path) {
                Ok(file) => {
                    let temp = TempKey { file, path, renamed: false };
                    // A umask can only take bits away; this makes the owner's read-write exact.
                    os::set_mode(&temp.file, 0o600)?;
                    return Ok(temp);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temp file name")))
    }

    fn publish(&mut self, dest: &Path) -> io::Result<()> {
        match fs::hard_link(&self.path, dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already_exists(dest)),
            // Some filesystems have no hard links; an exclusive rename is just as safe.
            Err(link_error) => self.rename_no_replace(dest).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => already_exists(dest),
                _ => link_error,
            }),
        }
    }

    #[cfg(target_os = "linux")]
    fn rename_no_replace(&mut self, dest: &Path) -> io::Result<()> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, &self.path, CWD, dest, RenameFlags::NOREPLACE)?;
        self.renamed = true;
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn rename_no_replace(&mut self, _dest: &Path) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

impl Drop for TempKey {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// `KEY.pub`, written by `keygen` beside the encrypted key: says whose key it is without the
/// password, so a failed attempt can be logged against the right signer.
pub fn public_key_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}
