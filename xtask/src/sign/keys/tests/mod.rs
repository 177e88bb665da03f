//! Tests for keys: crypto round trips, OpenSSL interop (real `openssl` runs), password policy,
//! key files and the terminal reader (driven through a pseudo-terminal from `script`).

#[cfg(unix)]
mod file;
mod openssl;
mod policy;
mod private;
#[cfg(unix)]
mod tty;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub(super) const PASSWORD: &[u8] = b"correct horse battery staple 42";

/// A fresh folder under the system temp dir, removed on drop.
pub(super) struct TempDir(PathBuf);

impl TempDir {
    pub(super) fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("signet-keys-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether the `openssl` CLI can run; without it a test is skipped (and fails under CI).
pub(super) fn have_openssl() -> bool {
    let found = Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    if !found {
        signet_dev::missing_prerequisite("openssl is not installed");
    }
    found
}

/// Runs `openssl args…` in `dir` and returns its output, failing the test if it exits non-zero.
pub(super) fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// libtest's name for a test in the module `module` (from `module_path!()`), minus the crate.
pub(super) fn test_name(module: &str, test: &str) -> String {
    let path = module.split_once("::").map_or(module, |(_, rest)| rest);
    format!("{path}::{test}")
}
