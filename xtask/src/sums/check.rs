//! `sums --check`: every listed file matches, and the folder holds exactly the listed files.

use std::collections::BTreeSet;
use std::path::Path;

use super::{SumsError, hash_paths, parse};
use crate::fsx::open::FileId;
use crate::fsx::tree::{self, WalkError};

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct CheckReport {
    pub ok: usize,
    pub mismatched: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    /// Listed files that exist but could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.mismatched.is_empty() && self.missing.is_empty() && self.extra.is_empty() && self.unreadable.is_empty()
    }
}

/// Largest SHA256SUMS read: about two million files at 100 bytes a line.
pub const MAX_SUMS_BYTES: u64 = 256 << 20;

pub fn check(sums_file: &Path, root: &Path) -> Result<CheckReport, SumsError> {
    let text = crate::fsx::read::read_bytes(sums_file, MAX_SUMS_BYTES)
        .map_err(|source| SumsError::Read { path: sums_file.to_path_buf(), source })?;
    let text = String::from_utf8(text).map_err(|e| SumsError::Malformed {
        file: sums_file.to_path_buf(),
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count(),
        message: "not valid UTF-8".into(),
    })?;
    let listed = parse(&text, sums_file)?;
    drop(text);
    let on_disk = tree::walk(root).map_err(|e| match e {
        WalkError::Root(path, source) => SumsError::Read { path, source },
        WalkError::Refused(problems) => SumsError::Refused { root: root.to_path_buf(), problems },
    })?;
    let itself = place_in(root, sums_file);
    let present: BTreeSet<&str> =
        on_disk.iter().map(|f| f.rel.as_str()).filter(|rel| Some(*rel) != itself.as_deref()).collect();

    let mut report = CheckReport::default();
    let listed_set: BTreeSet<&str> = listed.iter().map(|l| l.path.as_str()).collect();
    report.extra = present.difference(&listed_set).map(|s| s.to_string()).collect();
    let (found, missing): (Vec<_>, Vec<_>) = listed.iter().partition(|l| present.contains(l.path.as_str()));
    report.missing = missing.into_iter().map(|l| l.path.clone()).collect();

    let by_rel: std::collections::HashMap<&str, &tree::TreeFile> =
        on_disk.iter().map(|f| (f.rel.as_str(), f)).collect();
    let files: Vec<(&Path, Option<FileId>)> = found
        .iter()
        .map(|l| {
            let f = by_rel[l.path.as_str()];
            (f.path.as_path(), Some(f.id))
        })
        .collect();
    for (line, result) in found.iter().zip(hash_paths(&files)) {
        match result {
            Ok(d) if d == line.digest => report.ok += 1,
            Ok(_) => report.mismatched.push(line.path.clone()),
            Err(reason) => report.unreadable.push((line.path.clone(), reason)),
        }
    }
    report.missing.sort();
    Ok(report)
}

/// Where the SHA256SUMS sits in the folder it lists, if it does: it is not an extra file. Found
/// once, from the two real paths; a canonicalize() per listed file cost six readlink calls each
/// (issue #19). The walk refuses links, so the tree's paths are real under the real root.
fn place_in(root: &Path, sums_file: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let file = sums_file.canonicalize().ok()?;
    let rel = file.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}
