//! Hashing many files on every core.

use std::path::Path;

use super::Target;
use crate::digest::{Digest, sha256_reader};
use crate::fsx::open::{FileId, open_regular};

/// One result per target, in order; an error is the reason the file could not be hashed.
pub fn hash_files(targets: &[Target]) -> Vec<Result<Digest, String>> {
    let files: Vec<(&Path, Option<FileId>)> = targets.iter().map(|t| (t.path.as_path(), t.id)).collect();
    hash_paths(&files)
}

/// As [`hash_files`], for files named by path and the identity the walk saw (if any).
pub fn hash_paths(files: &[(&Path, Option<FileId>)]) -> Vec<Result<Digest, String>> {
    crate::par::map(files, |&(path, id)| hash_one(path, id))
}

fn hash_one(path: &Path, id: Option<FileId>) -> Result<Digest, String> {
    let (file, _) = open_regular(path, id).map_err(|e| e.to_string())?;
    sha256_reader(file).map(|(d, _)| d).map_err(|e| e.to_string())
}
