//! Reading a whole input file that someone else wrote — a record in the release folder, the
//! registry, `signet.toml`, a SHA256SUMS, a requirements document — without trusting it to be
//! a file of reasonable size. A FIFO would block a plain read forever, and a link to
//! `/dev/zero` (git stores symlinks) would grow it until memory runs out; both are refused,
//! and a file over the limit is refused before it is read.

use std::io::{self, Read};
use std::path::Path;

use super::os;

/// Largest signature record, request, audit trail, manifest, registry or `signet.toml` read.
/// A release with a hundred signatures assembles to about 1 MiB.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Reads `path` (links followed: documents in a repository may be linked) if it is a regular
/// file of at most `limit` bytes. Other files are an `InvalidInput` error saying why.
pub fn read_bytes(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, meta) = open_file(path)?;
    let too_large = || {
        let msg = format!("larger than {limit} bytes, the most Signet reads from such a file: is it the right file?");
        io::Error::new(io::ErrorKind::InvalidInput, msg)
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow after the size check; the read stops one byte past the limit regardless.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Opens `path` (links followed) for reading if it is a regular file: a FIFO, device or folder
/// is an `InvalidInput` error at once, never a read that waits forever or never ends.
pub fn open_file(path: &Path) -> io::Result<(std::fs::File, std::fs::Metadata)> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before we can see what it is.
    let file = os::read_options(false).open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file (a FIFO, device or folder)"));
    }
    Ok((file, meta))
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_bytes(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}
