//! `sums --check`: every listed file matches, and the folder holds exactly the listed files.

use std::cmp::Ordering;
use std::path::Path;

use super::{SumLine, SumsError, hash_each, parse};
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
    let mut listed = parse(&text, sums_file)?;
    drop(text);
    listed.sort_unstable_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let on_disk = tree::walk(root).map_err(|e| match e {
        WalkError::Root(path, source) => SumsError::Read { path, source },
        WalkError::Refused(problems) => SumsError::Refused { root: root.to_path_buf(), problems },
    })?;
    let itself = place_in(root, sums_file);
    let on_disk: Vec<&tree::TreeFile> = on_disk.iter().filter(|f| Some(f.rel.as_str()) != itself.as_deref()).collect();
    // Both lists are in byte order, so one merge pass pairs them: no set or map of 200,000 paths.
    let mut report = CheckReport::default();
    // Pairs are hashed a chunk at a time, so no list of every pair or every digest is held either.
    let mut found: Vec<(&SumLine, &tree::TreeFile)> = Vec::with_capacity(CHUNK);
    let (mut listed_left, mut disk_left) = (listed.iter().peekable(), on_disk.iter().peekable());
    loop {
        let order = match (listed_left.peek(), disk_left.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(l), Some(f)) => l.path.as_bytes().cmp(f.rel.as_bytes()),
        };
        match order {
            Ordering::Less => report.missing.extend(listed_left.next().map(|l| l.path.clone())),
            Ordering::Greater => report.extra.extend(disk_left.next().map(|f| f.rel.clone())),
            Ordering::Equal => {
                let (l, f) = (listed_left.next().expect("peeked"), disk_left.next().expect("peeked"));
                found.push((l, *f));
                if found.len() == CHUNK {
                    tally(&mut report, root, &found);
                    found.clear();
                }
            }
        }
    }
    tally(&mut report, root, &found);
    Ok(report)
}

const CHUNK: usize = 4096;

/// Hashes each pair's file and records whether it matches its line.
fn tally(report: &mut CheckReport, root: &Path, found: &[(&SumLine, &tree::TreeFile)]) {
    let digests = hash_each(root, found, |(_, f)| (f.rel.as_str(), Some(f.id)));
    for ((line, _), result) in found.iter().zip(digests) {
        match result {
            Ok(d) if d == line.digest => report.ok += 1,
            Ok(_) => report.mismatched.push(line.path.clone()),
            Err(reason) => report.unreadable.push((line.path.clone(), reason)),
        }
    }
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
