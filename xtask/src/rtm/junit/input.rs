//! Getting bytes off disk without trusting their size, and turning them into UTF-8 text.

use std::io::Read;
use std::path::Path;

use super::MAX_FILE_BYTES;
use super::error::{HINT_IO, HINT_SIZE, HINT_UTF8, JunitError};
use super::position::line_col;

/// Reads `path`, refusing before allocation when metadata says it is too large, and capping the
/// read itself in case the file grows (or lies about its size) in between.
pub(super) fn read_capped(path: &Path) -> Result<Vec<u8>, JunitError> {
    let io_error = |what: &str, e: std::io::Error| JunitError::whole_file(path, format!("cannot {what}: {e}"), HINT_IO);
    let meta = std::fs::metadata(path).map_err(|e| io_error("read file metadata", e))?;
    // FIFOs and devices report size 0 and could block or stream forever.
    if !meta.is_file() {
        return Err(JunitError::whole_file(path, "not a regular file", HINT_IO));
    }
    check_size(path, meta.len())?;
    // Opened without waiting: the file may have been swapped for a FIFO since the check above.
    let (file, _) = crate::fsx::read::open_file(path).map_err(|e| io_error("open file", e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| io_error("read file", e))?;
    check_len(path, bytes.len())?;
    Ok(bytes)
}

pub(super) fn check_len(path: &Path, len: usize) -> Result<(), JunitError> {
    check_size(path, u64::try_from(len).unwrap_or(u64::MAX))
}

fn check_size(path: &Path, size: u64) -> Result<(), JunitError> {
    if size > MAX_FILE_BYTES {
        let msg = format!("file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for one JUnit report");
        return Err(JunitError::whole_file(path, msg, HINT_SIZE));
    }
    Ok(())
}

/// Accepts UTF-8 only (with or without BOM); other encodings would need a transcoder, and
/// every tool Signet supports writes UTF-8.
pub(super) fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, JunitError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(JunitError::new(path, 1, 1, "file is UTF-16 or UTF-32 (byte order mark found)", HINT_UTF8));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|e| {
        let valid = body.get(..e.valid_up_to()).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default();
        let (line, col) = line_col(valid, valid.len());
        let byte = body.get(e.valid_up_to()).copied().unwrap_or_default();
        JunitError::new(path, line, col, format!("invalid UTF-8 (byte 0x{byte:02X})"), HINT_UTF8)
    })
}
