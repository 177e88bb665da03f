//! Opening an input without following links, and proving it is the file the walk saw.
//! A file swapped for a symlink or a FIFO between the walk and the open is refused, and a FIFO
//! is never waited on (O_NONBLOCK).

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

use super::os;

pub use super::os::FileId;

#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    Symlink,
    /// `open_regular_beneath`: the file or a folder on its path is a link.
    LinkOnPath,
    NotRegular,
    Replaced,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::Symlink => write!(f, "is a symbolic link"),
            OpenError::LinkOnPath => write!(f, "is, or lies under, a symbolic link"),
            OpenError::NotRegular => write!(f, "is not a regular file"),
            OpenError::Replaced => {
                write!(f, "was replaced between the directory walk and the open")
            }
        }
    }
}

/// Opens `path` for reading; returns the file and what `fstat` said of it at open time.
pub fn open_regular(path: &Path, expect: Option<FileId>) -> Result<(File, Metadata), OpenError> {
    regular(os::read_options(true).open(path), expect)
}

/// Opens `rel` beneath `dir`, through no symbolic link; as `open_regular`. `bundle` has no inode
/// to compare: the open itself is where the file is examined (`tree::walk_names`).
pub fn open_regular_beneath(
    dir: &os::Beneath,
    rel: &str,
    expect: Option<FileId>,
) -> Result<(File, Metadata), OpenError> {
    match dir.open_file(rel) {
        Err(e) if os::is_symlink_refusal(&e) => Err(OpenError::LinkOnPath),
        opened => regular(opened, expect),
    }
}

fn regular(opened: io::Result<File>, expect: Option<FileId>) -> Result<(File, Metadata), OpenError> {
    let file = opened.map_err(|e| match os::is_symlink_refusal(&e) {
        true => OpenError::Symlink,
        false => OpenError::Io(e),
    })?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if meta.file_type().is_symlink() {
        return Err(OpenError::Symlink);
    }
    if !meta.file_type().is_file() {
        return Err(OpenError::NotRegular);
    }
    if let Some(id) = expect
        && os::file_id(&meta) != id
    {
        return Err(OpenError::Replaced);
    }
    Ok((file, meta))
}

#[cfg(all(test, unix))]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;

    use super::{OpenError, open_regular};
    use crate::fsx::tree;

    /// The race the walk-then-open design closes: the walk saw regular files, and by the time
    /// each is opened it has become a symlink (to a file outside the tree), another file, or a
    /// FIFO. Each is refused; the FIFO is not waited on.
    #[test]
    fn a_file_swapped_between_walk_and_open_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ev = dir.path().join("ev");
        fs::create_dir(&ev).expect("mkdir");
        for name in ["link.txt", "replaced.txt", "fifo.txt", "kept.txt"] {
            fs::write(ev.join(name), name).expect("write");
        }
        fs::write(dir.path().join("secret"), "outside the evidence").expect("write");
        let walked = tree::walk(&ev).expect("walk");
        let id = |rel: &str| walked.iter().find(|f| f.rel == rel).map(|f| f.id);

        fs::remove_file(ev.join("link.txt")).expect("rm");
        symlink(dir.path().join("secret"), ev.join("link.txt")).expect("symlink");
        assert!(matches!(open_regular(&ev.join("link.txt"), id("link.txt")), Err(OpenError::Symlink)));

        fs::write(ev.join("new"), "same name, other file").expect("write");
        fs::rename(ev.join("new"), ev.join("replaced.txt")).expect("rename");
        assert!(matches!(open_regular(&ev.join("replaced.txt"), id("replaced.txt")), Err(OpenError::Replaced)));

        fs::remove_file(ev.join("fifo.txt")).expect("rm");
        let made = std::process::Command::new("mkfifo").arg(ev.join("fifo.txt")).status().expect("run mkfifo");
        assert!(made.success());
        // Opened non-blocking: without a writer, a blocking open would never return.
        assert!(matches!(open_regular(&ev.join("fifo.txt"), id("fifo.txt")), Err(OpenError::NotRegular)));

        assert!(open_regular(&ev.join("kept.txt"), id("kept.txt")).is_ok(), "an untouched file opens");
    }

    /// The bundle's open, with no inode from the walk to compare: a folder on the path swapped
    /// for a link to a secret elsewhere is refused, where an open by path (even `O_NOFOLLOW`,
    /// which guards the last name only) would read the secret. With `openat2`, as here.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_folder_swapped_for_a_link_is_refused_beneath_the_evidence_folder() {
        links_are_refused_beneath(crate::fsx::os::Beneath::open);
    }

    /// The same where `openat2` is missing (Linux before 5.6, a seccomp filter, another Unix):
    /// one folder at a time, each opened `O_NOFOLLOW` from the one above.
    #[test]
    fn a_folder_swapped_for_a_link_is_refused_one_folder_at_a_time() {
        links_are_refused_beneath(crate::fsx::os::Beneath::open_by_steps);
    }

    /// A path longer than one system call takes is refused one folder at a time as `openat2`
    /// refuses it, so a tree is accepted or refused alike with and without it (GNU tar, the
    /// oracle, takes no longer path either).
    #[test]
    fn a_path_too_long_for_one_call_is_refused_in_both_ways() {
        use crate::fsx::os::Beneath;
        let dir = tempfile::tempdir().expect("temp dir");
        let long = format!("{}f", "d/".repeat(2048));
        let opens: [fn(&std::path::Path) -> std::io::Result<Beneath>; 2] = [Beneath::open, Beneath::open_by_steps];
        for open in opens {
            let beneath = open(dir.path()).expect("the folder opens");
            let refused = beneath.open_file(&long).expect_err("too long");
            assert_eq!(refused.raw_os_error(), Some(36), "ENAMETOOLONG: {refused}");
        }
    }

    fn links_are_refused_beneath(open: fn(&std::path::Path) -> std::io::Result<crate::fsx::os::Beneath>) {
        use super::open_regular_beneath;
        let dir = tempfile::tempdir().expect("temp dir");
        let (ev, outside) = (dir.path().join("ev"), dir.path().join("outside"));
        for folder in [ev.join("zz"), ev.join("deep/zz"), outside.join("sub")] {
            fs::create_dir_all(&folder).expect("mkdir");
        }
        fs::write(ev.join("zz/f"), "inside").expect("write");
        fs::write(ev.join("deep/zz/f"), "inside").expect("write");
        fs::write(ev.join("plain"), "plain").expect("write");
        fs::write(outside.join("f"), "SECRET").expect("write");
        fs::write(outside.join("sub/f"), "SECRET").expect("write");
        let beneath = open(&ev).expect("the evidence folder opens");
        let (_, meta) = open_regular_beneath(&beneath, "deep/zz/f", None).expect("a file two folders down opens");
        assert_eq!(meta.len(), 6);

        for swapped in ["zz", "deep/zz"] {
            fs::rename(ev.join(swapped), dir.path().join("moved")).expect("mv");
            symlink(&outside, ev.join(swapped)).expect("symlink");
            let rel = format!("{swapped}/f");
            assert!(open_regular(&ev.join(&rel), None).is_ok(), "by path, the link is followed");
            assert!(matches!(open_regular_beneath(&beneath, &rel, None), Err(OpenError::LinkOnPath)), "{rel}");
            let below = format!("{swapped}/sub/f");
            assert!(matches!(open_regular_beneath(&beneath, &below, None), Err(OpenError::LinkOnPath)), "{below}");
            fs::remove_dir_all(dir.path().join("moved")).expect("rm");
        }

        symlink(outside.join("f"), ev.join("link")).expect("symlink");
        assert!(matches!(open_regular_beneath(&beneath, "link", None), Err(OpenError::LinkOnPath)));
        let made = std::process::Command::new("mkfifo").arg(ev.join("fifo")).status().expect("run mkfifo");
        assert!(made.success());
        assert!(matches!(open_regular_beneath(&beneath, "fifo", None), Err(OpenError::NotRegular)));
        assert!(matches!(open_regular_beneath(&beneath, "plain/f", None), Err(OpenError::Io(_))), "a file as a folder");
        let (_, meta) = open_regular_beneath(&beneath, "plain", None).expect("a plain file opens");
        assert_eq!(meta.len(), 5);

        // The evidence folder itself swapped for another: its walk would list other names.
        assert!(beneath.is_at(&ev), "the folder it was opened on");
        fs::rename(&ev, dir.path().join("ev-before")).expect("mv");
        fs::create_dir(&ev).expect("mkdir");
        assert!(!beneath.is_at(&ev), "another folder under the same name");
    }
}
