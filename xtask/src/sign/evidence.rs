//! The RTM index and the SHA256SUMS a request pins by digest, kept beside it in the release
//! folder (`signatures/<ID>/index.json`, `signatures/<ID>/SHA256SUMS`). Committed with the
//! request, they let every signer see exactly the evidence the request names, and let a later
//! release show what changed since this one, without the bundle or the build that made it.

use std::path::Path;

use super::{SignError, layout};
use crate::digest::tagged as sha;
use crate::formats::index::{self, Index};
use crate::formats::request::Request;
use crate::fsx::{atomic, read};
use crate::sums::{self, SumLine};

/// Largest `index.json` read back: 100,000 requirements write about 120 MiB.
const MAX_INDEX_BYTES: u64 = 256 << 20;

/// The pinned evidence of one release, as far as its folder keeps it.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub index: Option<Index>,
    pub sums: Option<Vec<SumLine>>,
}

/// Writes the files a request is about to pin into its release folder (before the request is
/// written, so a request never exists without them).
pub fn keep(dir: &Path, sums: Option<&[u8]>, index: Option<&[u8]>) -> Result<(), SignError> {
    for (bytes, name) in [(sums, layout::SUMS_COPY), (index, layout::INDEX_COPY)] {
        let Some(bytes) = bytes else { continue };
        let to = dir.join(name);
        atomic::ensure_parent(&to).map_err(|source| SignError::Write { path: to.clone(), source })?;
        atomic::write(&to, bytes).map_err(|source| SignError::Write { path: to.clone(), source })?;
    }
    Ok(())
}

/// Whether a pinned copy may be missing: only from an earlier release a comparison looks back
/// at (it may predate the copies); the release being signed must have every copy it pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Refused,
    Tolerated,
}

/// The copies in `dir`, each checked against the digest `request` pins. A copy that differs from
/// its pin is refused, never shown; one that is missing is refused unless `missing` tolerates it.
pub fn load(dir: &Path, request: &Request, missing: Missing) -> Result<Evidence, SignError> {
    let pinned = |name: &str, pin: Option<&str>| pinned(dir, name, pin, missing);
    let index = pinned(layout::INDEX_COPY, request.index_json_sha256.as_deref())?
        .map(|(path, bytes)| index::VERSION.read(&bytes).map_err(|e| SignError::input(&path, e)))
        .transpose()?;
    let sums = pinned(layout::SUMS_COPY, request.sha256sums_sha256.as_deref())?
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).map_err(|_| SignError::input(&path, "not UTF-8 text"))?;
            sums::parse(&text, &path).map_err(|e| SignError::input(&path, e))
        })
        .transpose()?;
    Ok(Evidence { index, sums })
}

fn pinned(
    dir: &Path,
    name: &str,
    pin: Option<&str>,
    missing: Missing,
) -> Result<Option<(std::path::PathBuf, Vec<u8>)>, SignError> {
    let path = dir.join(name);
    let Some(pin) = pin else { return Ok(None) };
    if std::fs::symlink_metadata(&path).is_err() {
        return match missing {
            Missing::Tolerated => Ok(None),
            Missing::Refused => Err(SignError::input(
                &path,
                format!(
                    "is missing, but the request pins {pin}: it is what signers are shown; restore it with \
                     `git checkout -- {}`",
                    path.display()
                ),
            )),
        };
    }
    let bytes = read::read_bytes(&path, MAX_INDEX_BYTES).map_err(|e| SignError::input(&path, e))?;
    if sha(&bytes) != pin {
        return Err(SignError::input(
            &path,
            format!(
                "has {}, but the request pins {pin}: the copy was edited after the request; restore it with \
                 `git checkout -- {}`",
                sha(&bytes),
                path.display()
            ),
        ));
    }
    Ok(Some((path, bytes)))
}
