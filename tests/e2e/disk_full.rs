//! A full disk: outputs written to a 64 KiB tmpfs. The command fails with exit 2 and a message
//! naming the file and the cause, and nothing — not even a temp file — is left behind.
//! Mounting needs root (CAP_SYS_ADMIN); without it the tests say so and pass vacuously.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{SIGNET, Test};

/// A tmpfs of `size` mounted on a fresh folder, unmounted on drop.
struct SmallDisk {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mount = dir.path().join("disk");
        fs::create_dir(&mount).expect("mkdir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&mount)
            .output()
            .expect("run mount");
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            signet_dev::missing_prerequisite(&format!("cannot mount a tmpfs (needs root): {}", why.trim()));
            return None;
        }
        Some(SmallDisk { _dir: dir, mount })
    }

    /// Every entry left on the disk, temp files included.
    fn contents(&self) -> Vec<String> {
        let mut names: Vec<String> = walk(&self.mount).iter().map(|p| p.display().to_string()).collect();
        names.sort();
        names
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn bundle_on_a_full_disk_fails_cleanly() {
    let Some(disk) = SmallDisk::mount("64k") else { return };
    let out = disk.mount.join("b.tar");
    let ran = Test::new()
        .file("ev/big.bin", vec![7u8; 200_000])
        .file("ev/small.txt", "small\n")
        .args(["bundle", "--evidence", "ev", "--out"])
        .args([&out])
        .status(2)
        .stderr_contains("No space left on device")
        .stderr_contains(&out.display().to_string())
        .run();
    assert_eq!(disk.contents(), Vec::<String>::new(), "nothing left on the disk\n{}", ran.stderr);
}

#[test]
fn rtm_gate_outputs_on_a_full_disk_fail_cleanly() {
    let Some(disk) = SmallDisk::mount("64k") else { return };
    let corpus = tempfile::tempdir().expect("temp dir");
    // 300 requirements render to well over 64 KiB of HTML and JSON.
    let root = signet_dev::bench::ensure_rtm_corpus(corpus.path(), 300, 0).expect("make the corpus");
    let out_dir = disk.mount.join("rtm");
    let ran = Command::new(SIGNET)
        .arg("--root")
        .arg(&root)
        .args(["rtm-gate", "--out"])
        .arg(&out_dir)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run signet");
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No space left on device") && stderr.contains(&out_dir.display().to_string()), "{stderr}");
    // Outputs that fit are whole (each is written atomically); none is cut short.
    for path in walk(&disk.mount) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(!name.starts_with(".signet-tmp"), "temp file left: {}", path.display());
        if name == "index.json" {
            let bytes = fs::read(&path).expect("read");
            assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(), "index.json is whole");
        }
    }
}
