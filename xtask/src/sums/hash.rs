//! Hashing many files on every core.

use std::path::Path;

use crate::digest::{Digest, sha256_reader};
use crate::fsx::open::{FileId, open_regular};

/// One result per item, in order; an error is the reason the file could not be hashed. Each item
/// names a file by its path under `root` and the identity the walk saw (if any); no list of paths
/// is built beside the items.
pub fn hash_each<T: Sync>(
    root: &Path,
    items: &[T],
    file: impl Fn(&T) -> (&str, Option<FileId>) + Sync,
) -> Vec<Result<Digest, String>> {
    crate::par::map(items, |item| {
        let (rel, id) = file(item);
        hash_one(&root.join(rel), id)
    })
}

fn hash_one(path: &Path, id: Option<FileId>) -> Result<Digest, String> {
    let (file, _) = open_regular(path, id).map_err(|e| e.to_string())?;
    sha256_reader(file).map(|(d, _)| d).map_err(|e| e.to_string())
}
