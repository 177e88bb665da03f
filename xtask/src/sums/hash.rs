//! Hashing many files on every core.

use super::Target;
use crate::digest::{Digest, sha256_reader};
use crate::fsx::open::open_regular;

/// One result per target, in order; an error is the reason the file could not be hashed.
pub fn hash_files(targets: &[Target]) -> Vec<Result<Digest, String>> {
    crate::par::map(targets, hash_one)
}

fn hash_one(target: &Target) -> Result<Digest, String> {
    let (file, _) = open_regular(&target.path, target.id).map_err(|e| e.to_string())?;
    sha256_reader(file).map(|(d, _)| d).map_err(|e| e.to_string())
}
