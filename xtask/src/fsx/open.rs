//! Opening an input without following links, and proving it is the file the walk saw.
//! A file swapped for a symlink or a FIFO between the walk and the open is refused, and a FIFO
//! is never waited on (O_NONBLOCK).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use rustix::fs::OFlags;

/// Identity of a file as seen by the directory walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    Symlink,
    NotRegular,
    Replaced,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::Symlink => write!(f, "is a symbolic link"),
            OpenError::NotRegular => write!(f, "is not a regular file"),
            OpenError::Replaced => {
                write!(f, "was replaced between the directory walk and the open")
            }
        }
    }
}

/// Opens `path` for reading; returns the file and its size at open time.
pub fn open_regular(path: &Path, expect: Option<FileId>) -> Result<(File, u64), OpenError> {
    let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = OpenOptions::new().read(true).custom_flags(flags.bits() as i32).open(path).map_err(|e| {
        match e.raw_os_error() {
            Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => OpenError::Symlink,
            _ => OpenError::Io(e),
        }
    })?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.file_type().is_file() {
        return Err(OpenError::NotRegular);
    }
    if let Some(id) = expect
        && (meta.dev() != id.dev || meta.ino() != id.ino)
    {
        return Err(OpenError::Replaced);
    }
    Ok((file, meta.len()))
}
