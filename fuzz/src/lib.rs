//! Shared by the fuzz targets: some readers take a folder or a file path rather than text
//! (`signet.toml`, `signatures/signers.toml`, an archival manifest). Going through the file
//! keeps the real reader, with its own error reporting, under test.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A folder private to this fuzzing process, in memory when `/dev/shm` exists: every
/// execution rewrites a file here, and a disk would make that the bottleneck.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new("/dev/shm");
        let base = if base.is_dir() { base.to_path_buf() } else { std::env::temp_dir() };
        let dir = base.join(format!("signet-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("signatures")).expect("create the scratch folder");
        dir
    })
}

/// Writes `bytes` to `rel` under [`scratch`] and returns the full path.
pub fn put(rel: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(rel);
    std::fs::write(&path, bytes).expect("write into the scratch folder");
    path
}

/// A fixed "now" for the time checks, so a crash reproduces whatever the date.
pub fn now() -> signet::sign::Timestamp {
    signet::sign::Timestamp::parse("2030-01-01T00:00:00Z").expect("a valid time")
}
