//! Hashing many files on every core.

use std::path::Path;

use crate::digest::{Digest, sha256_reader};
use crate::fsx::open::{FileId, open_regular, open_regular_beneath};
use crate::fsx::os::Beneath;

/// One result per item, in order; an error is the reason the file could not be hashed. Each item
/// names a file by its path under `root` and the identity the walk saw (if any); no list of paths
/// is built beside the items.
///
/// On Unix each file is opened beneath `root` through no link, as `bundle` opens them: a folder
/// swapped for a link while the walk read the tree could make the walk see, and record the inode
/// of, a file elsewhere, which an open by path would then read and call the same file.
pub fn hash_each<T: Sync>(
    root: &Path,
    items: &[T],
    file: impl Fn(&T) -> (&str, Option<FileId>) + Sync,
) -> Vec<Result<Digest, String>> {
    let beneath = Beneath::open(root);
    crate::par::map(items, |item| {
        let (rel, id) = file(item);
        let opened = match &beneath {
            Ok(dir) => open_regular_beneath(dir, rel, id),
            // Never by path where the open beneath exists: a link on the path would be followed.
            Err(e) if cfg!(unix) => {
                return Err(format!("cannot open the folder {} to read beneath it: {e}", root.display()));
            }
            Err(_) => open_regular(&root.join(rel), id),
        };
        let (file, _) = opened.map_err(|e| e.to_string())?;
        sha256_reader(file).map(|(d, _)| d).map_err(|e| e.to_string())
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;

    use crate::fsx::os::file_id;

    /// Even when the walk was fooled (a folder swapped for a link while it read the tree, so the
    /// identity it recorded is that of a file elsewhere), the file is not read through the link.
    #[test]
    fn a_file_through_a_link_is_never_hashed_even_with_its_identity() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ev, outside) = (dir.path().join("ev"), dir.path().join("outside"));
        fs::create_dir_all(&ev).expect("mkdir");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(outside.join("key.pem"), "SECRET").expect("write");
        symlink(&outside, ev.join("a")).expect("symlink");
        let fooled = file_id(&fs::metadata(outside.join("key.pem")).expect("stat"));
        let digests = super::hash_each(&ev, &[("a/key.pem", Some(fooled))], |(rel, id)| (*rel, *id));
        let reason = digests[0].as_ref().expect_err("refused");
        assert!(reason.contains("symbolic link"), "{reason}");
    }
}
