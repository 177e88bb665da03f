//! SHA256SUMS files: `%064x␠␠path\n`, lowercase, LF, paths in byte order — exactly what
//! `sha256sum -c --strict` reads — and a `--check` stricter than coreutils'.

mod check;
mod error;
mod hash;
mod parse;

use std::path::{Path, PathBuf};

pub use check::{CheckReport, check};
pub use error::SumsError;
pub use hash::hash_each;
pub use parse::parse;

use crate::digest::Digest;
use crate::fsx::path_safety;
use crate::fsx::tree::{self, WalkError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SumLine {
    pub digest: Digest,
    pub path: String,
}

/// The file's bytes. Paths are written as they are: `path_safety` already refused every name
/// (backslash, newline) that coreutils would have to escape.
pub fn render(lines: &[SumLine]) -> String {
    let mut text = Vec::with_capacity(lines.iter().map(|l| 67 + l.path.len()).sum());
    write_lines(lines, &mut text).expect("writing to memory cannot fail");
    String::from_utf8(text).expect("digests and paths are UTF-8")
}

/// [`render`] streamed to `out`, so a list of 200,000 files is never held as one text.
pub fn write_lines(lines: &[SumLine], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    lines.iter().try_for_each(|l| writeln!(out, "{}  {}", l.digest, l.path))
}

/// A file to hash: its path relative to the root (on disk it is `root.join(rel)`).
#[derive(Debug, Clone)]
pub struct Target {
    pub rel: String,
    pub id: Option<crate::fsx::open::FileId>,
}

/// Expands `paths` (files or folders, relative to `root`) into the sorted, de-duplicated list
/// of files they name.
pub fn targets(root: &Path, paths: &[PathBuf]) -> Result<Vec<Target>, SumsError> {
    let mut out = Vec::new();
    for given in paths {
        let rel = relative_to(root, given)?;
        let path = if rel.is_empty() { root.to_path_buf() } else { root.join(&rel) };
        let meta = std::fs::symlink_metadata(&path).map_err(|source| SumsError::Read { path: path.clone(), source })?;
        if rel.is_empty() && !meta.is_dir() {
            let why = "is not a folder (a link to one is not followed); give the folder itself";
            return Err(SumsError::Read { path, source: std::io::Error::new(std::io::ErrorKind::NotADirectory, why) });
        }
        if meta.is_dir() {
            let files = tree::walk(&path).map_err(|e| match e {
                WalkError::Root(path, source) => SumsError::Read { path, source },
                WalkError::Refused(problems) => SumsError::Refused { root: path.clone(), problems },
            })?;
            let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
            out.reserve(files.len());
            out.extend(files.into_iter().map(|f| Target {
                rel: if prefix.is_empty() { f.rel } else { format!("{prefix}{}", f.rel) },
                id: Some(f.id),
            }));
        } else {
            out.push(Target { rel, id: None });
        }
    }
    out.sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    out.dedup_by(|a, b| a.rel == b.rel);
    Ok(out)
}

/// `given` as a `/`-separated path under `root`, checked by the one path-safety rule.
fn relative_to(root: &Path, given: &Path) -> Result<String, SumsError> {
    let stripped = if given.is_absolute() {
        let root_abs = root.canonicalize().map_err(|source| SumsError::Read { path: root.to_path_buf(), source })?;
        given
            .strip_prefix(&root_abs)
            .map_err(|_| SumsError::OutsideRoot { path: given.to_path_buf(), root: root.to_path_buf() })?
    } else {
        given
    };
    let text = stripped.to_str().ok_or_else(|| SumsError::BadPath {
        path: given.display().to_string(),
        problem: path_safety::PathProblem::NotUtf8,
    })?;
    let text = text.trim_end_matches('/');
    let text = text.strip_prefix("./").unwrap_or(text);
    if text.is_empty() || text == "." {
        return Ok(String::new());
    }
    path_safety::check_relative(text).map_err(|problem| SumsError::BadPath { path: text.to_string(), problem })?;
    Ok(text.to_string())
}

/// `sums PATH…`: the lines of a SHA256SUMS for these files.
pub fn compute(root: &Path, paths: &[PathBuf]) -> Result<Vec<SumLine>, SumsError> {
    let targets = targets(root, paths)?;
    let digests = hash_each(root, &targets, |t| (t.rel.as_str(), t.id));
    targets
        .into_iter()
        .zip(digests)
        .map(|(t, d)| match d {
            Ok(digest) => Ok(SumLine { digest, path: t.rel }),
            Err(reason) => Err(SumsError::Unreadable { path: root.join(&t.rel), reason }),
        })
        .collect()
}
