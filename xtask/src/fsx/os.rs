//! The file-system calls that differ between Unix and Windows, in one place. Every stage runs on
//! both, so that signers and auditors on Windows can sign and verify; a few guarantees are
//! Unix's alone and are documented as such (README, "Install"): a file swapped between the walk
//! and the open for a link, a FIFO or a device is refused (by `Beneath`: `openat2` on Linux 5.6
//! and later, one `O_NOFOLLOW` folder at a time elsewhere on Unix), executable bits are recorded, FIFOs and devices are named,
//! and key files are created mode 0600 (on Windows they take the folder's ACL).

use std::ffi::OsStr;
use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io;

/// Identity of a file as seen by the directory walk (device and inode on Unix).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

/// A file that is neither regular, a folder nor a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Fifo,
    Socket,
    Device,
}

impl Special {
    pub fn describe(self) -> &'static str {
        match self {
            Special::Fifo => "a FIFO",
            Special::Socket => "a socket",
            Special::Device => "a device",
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{FileExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};

    use rustix::fs::OFlags;

    use super::*;

    /// Read-only, never waiting on a FIFO (O_NONBLOCK); with `nofollow`, a final symlink fails.
    pub fn read_options(nofollow: bool) -> OpenOptions {
        let mut flags = OFlags::NONBLOCK | OFlags::CLOEXEC;
        if nofollow {
            flags |= OFlags::NOFOLLOW;
        }
        let mut options = OpenOptions::new();
        options.read(true).custom_flags(flags.bits() as i32);
        options
    }

    /// Linux's limit on a path given to one system call, terminating NUL included.
    const PATH_MAX: usize = 4096;

    /// A folder whose files are opened beneath it: no part of a file's path may be a symbolic
    /// link, and none may lead out. A folder on the path swapped for a link to elsewhere after
    /// the walk is refused, as is the file itself (issue #19: the bundle's walk no longer records
    /// each file's inode; and a walk fooled by such a swap records the inode behind the link).
    /// On Linux 5.6 and later it is one `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`;
    /// elsewhere (an older kernel, a seccomp filter that refuses `openat2`, another Unix) it is
    /// one `openat` per folder on the path, each `O_NOFOLLOW | O_DIRECTORY`, from this folder's
    /// descriptor down.
    pub struct Beneath {
        fd: rustix::fd::OwnedFd,
        id: FileId,
        one_call: bool,
    }

    impl Beneath {
        /// An error where the folder cannot be opened, or is not a folder. On Linux it is
        /// opened `O_PATH`: a folder its user may enter but not list (mode 0711) is one too.
        /// Elsewhere `O_DIRECTORY | O_NONBLOCK`: a root that is a FIFO or a device is refused,
        /// never waited on.
        pub fn open(root: &std::path::Path) -> io::Result<Beneath> {
            let fd = rustix::fs::open(root, Self::root_flags(), rustix::fs::Mode::empty())?;
            let stat = rustix::fs::fstat(&fd)?;
            let one_call = Self::has_openat2(&fd);
            Ok(Beneath { fd, id: FileId { dev: stat.st_dev as u64, ino: stat.st_ino as u64 }, one_call })
        }

        /// The same, opening one folder at a time as where `openat2` is missing: for tests.
        #[cfg(test)]
        pub fn open_by_steps(root: &std::path::Path) -> io::Result<Beneath> {
            Self::open(root).map(|b| Beneath { one_call: false, ..b })
        }

        #[cfg(target_os = "linux")]
        fn root_flags() -> OFlags {
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC
        }

        #[cfg(not(target_os = "linux"))]
        fn root_flags() -> OFlags {
            Self::folder_flags()
        }

        /// Whether `root` still names the folder this was opened on: a walk of `root` then
        /// listed the files that the opens beneath it read.
        pub fn is_at(&self, root: &std::path::Path) -> bool {
            std::fs::metadata(root).is_ok_and(|meta| file_id(&meta) == self.id)
        }

        /// Read-only and non-blocking, as `read_options(true)`; `rel` is `/`-separated, checked
        /// by `path_safety` (no `..`, no empty part).
        pub fn open_file(&self, rel: &str) -> io::Result<File> {
            let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOFOLLOW;
            #[cfg(target_os = "linux")]
            if self.one_call {
                let fd = rustix::fs::openat2(&self.fd, rel, flags, rustix::fs::Mode::empty(), Self::resolve())?;
                return Ok(File::from(fd));
            }
            // As `openat2` does: a path that one call could not take is refused either way, so a
            // tree is accepted or refused alike with and without it (and GNU tar, the oracle,
            // takes no longer path).
            if rel.len() >= PATH_MAX {
                return Err(io::Error::from(rustix::io::Errno::NAMETOOLONG));
            }
            let (folders, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            let mut at: Option<rustix::fd::OwnedFd> = None;
            for folder in folders.split('/').filter(|f| !f.is_empty()) {
                if folder == ".." || folder == "." {
                    return Err(io::Error::new(io::ErrorKind::InvalidInput, "`.` or `..` in a path"));
                }
                let parent = at.as_ref().unwrap_or(&self.fd);
                at = Some(Self::open_folder(parent, folder)?);
            }
            let fd = rustix::fs::openat(at.as_ref().unwrap_or(&self.fd), name, flags, rustix::fs::Mode::empty())?;
            Ok(File::from(fd))
        }

        /// One folder beneath `parent`, never through a link: `O_NOFOLLOW | O_DIRECTORY` refuses
        /// a link with "not a directory", so that case is told apart and given as a link.
        fn open_folder(parent: &rustix::fd::OwnedFd, name: &str) -> io::Result<rustix::fd::OwnedFd> {
            let flags = Self::folder_flags() | OFlags::NOFOLLOW;
            match rustix::fs::openat(parent, name, flags, rustix::fs::Mode::empty()) {
                Err(rustix::io::Errno::NOTDIR) => {
                    let stat = rustix::fs::statat(parent, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?;
                    let link = rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Symlink;
                    Err(io::Error::from(if link { rustix::io::Errno::LOOP } else { rustix::io::Errno::NOTDIR }))
                }
                opened => Ok(opened?),
            }
        }

        fn folder_flags() -> OFlags {
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK
        }

        #[cfg(target_os = "linux")]
        fn has_openat2(fd: &rustix::fd::OwnedFd) -> bool {
            rustix::fs::openat2(fd, ".", Self::folder_flags(), rustix::fs::Mode::empty(), Self::resolve()).is_ok()
        }

        #[cfg(not(target_os = "linux"))]
        fn has_openat2(_: &rustix::fd::OwnedFd) -> bool {
            false
        }

        #[cfg(target_os = "linux")]
        fn resolve() -> rustix::fs::ResolveFlags {
            use rustix::fs::ResolveFlags;
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS
        }
    }

    /// The error `read_options(true)` gives for a symlink (and `Beneath::open_file` for a link
    /// anywhere on the path).
    pub fn is_symlink_refusal(e: &io::Error) -> bool {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }

    pub fn file_id(meta: &Metadata) -> FileId {
        FileId { dev: meta.dev(), ino: meta.ino() }
    }

    pub fn is_executable(meta: &Metadata) -> bool {
        meta.permissions().mode() & 0o111 != 0
    }

    pub fn special(ft: &FileType) -> Option<Special> {
        if ft.is_fifo() {
            Some(Special::Fifo)
        } else if ft.is_socket() {
            Some(Special::Socket)
        } else if ft.is_block_device() || ft.is_char_device() {
            Some(Special::Device)
        } else {
            None
        }
    }

    /// A file whose mode lets everyone read it needs no `access` call (one system call and path
    /// lookup per file in a walk of 200,000); should an ACL deny it anyway, the open that
    /// follows fails with the file's name.
    pub fn check_readable(path: &std::path::Path, meta: &Metadata) -> io::Result<()> {
        if meta.mode() & 0o444 == 0o444 {
            return Ok(());
        }
        rustix::fs::access(path, rustix::fs::Access::READ_OK).map_err(io::Error::from)
    }

    /// A directory entry's name as shown in messages (lossy for names that are not UTF-8).
    pub fn name_lossy(name: &OsStr) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(name.as_bytes())
    }

    /// Sets the permission bits exactly, whatever the umask took away.
    pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }

    /// A new file only its owner can read (0600 from the first byte).
    pub fn create_private(options: &mut OpenOptions) -> &mut OpenOptions {
        options.mode(0o600)
    }

    /// A second descriptor that bypasses the page cache (O_DIRECT), where the filesystem has it.
    pub fn open_direct(path: &std::path::Path) -> Option<File> {
        OpenOptions::new().write(true).custom_flags((OFlags::DIRECT | OFlags::CLOEXEC).bits() as i32).open(path).ok()
    }

    /// The error a filesystem that refuses O_DIRECT writes gives.
    pub fn is_invalid_argument(e: &io::Error) -> bool {
        e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error())
    }

    pub fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
        file.write_all_at(bytes, offset)
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::fs::{FileExt, OpenOptionsExt};

    use super::*;

    /// FILE_FLAG_OPEN_REPARSE_POINT: open a symlink itself, so that it can be seen and refused.
    const OPEN_REPARSE_POINT: u32 = 0x0020_0000;

    pub fn read_options(nofollow: bool) -> OpenOptions {
        let mut options = OpenOptions::new();
        options.read(true);
        if nofollow {
            options.custom_flags(OPEN_REPARSE_POINT);
        }
        options
    }

    /// No `openat2` on Windows: callers check each file against the walk (module docs).
    pub struct Beneath;

    impl Beneath {
        pub fn open(_: &std::path::Path) -> io::Result<Beneath> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }

        pub fn open_file(&self, _: &str) -> io::Result<File> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }

        pub fn is_at(&self, _: &std::path::Path) -> bool {
            false
        }
    }

    /// Windows opens the link itself (see `read_options`); `open_regular` then sees it.
    pub fn is_symlink_refusal(_: &io::Error) -> bool {
        false
    }

    /// No stable file index in std on Windows: the swap check is Unix's (module docs).
    pub fn file_id(_: &Metadata) -> FileId {
        FileId { dev: 0, ino: 0 }
    }

    pub fn is_executable(_: &Metadata) -> bool {
        false
    }

    pub fn special(_: &FileType) -> Option<Special> {
        None
    }

    pub fn check_readable(path: &std::path::Path, _: &Metadata) -> io::Result<()> {
        File::open(path).map(drop)
    }

    pub fn name_lossy(name: &OsStr) -> std::borrow::Cow<'_, str> {
        name.to_string_lossy()
    }

    pub fn set_mode(_: &File, _: u32) -> io::Result<()> {
        Ok(())
    }

    pub fn create_private(options: &mut OpenOptions) -> &mut OpenOptions {
        options
    }

    pub fn open_direct(_: &std::path::Path) -> Option<File> {
        None
    }

    pub fn is_invalid_argument(_: &io::Error) -> bool {
        false
    }

    pub fn write_all_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = file.seek_write(bytes, offset)?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero));
            }
            bytes = &bytes[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

pub use imp::*;
