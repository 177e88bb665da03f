//! Faults during `bundle`: a file that changes while read, and a process killed mid-write.
//! Neither may leave anything at the final path; a re-run succeeds.

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{SIGNET, sh};

fn tmp_files(dir: &std::path::Path) -> usize {
    temp_sizes(dir).len()
}

fn temp_sizes(dir: &std::path::Path) -> Vec<u64> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".signet-tmp"))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .collect()
}

/// Waits until `bundle` has written content to its temp output, i.e. has opened the input
/// and is streaming it.
fn wait_for_tmp(dir: &std::path::Path, child: &mut std::process::Child) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if temp_sizes(dir).iter().any(|&n| n > 0) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

#[test]
fn file_growing_while_read_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    sh(dir.path(), "mkdir ev out && truncate -s 1536M ev/growing.img");
    let mut child = Command::new(SIGNET)
        .args(["bundle", "--evidence", "ev", "--out", "out/b.tar"])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_tmp(&dir.path().join("out"), &mut child), "bundle started streaming");
    fs::OpenOptions::new().append(true).open(dir.path().join("ev/growing.img")).unwrap().write_all(b"late").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("changed size while being read"), "{err}");
    assert!(!dir.path().join("out/b.tar").exists());
    assert!(!dir.path().join("out/b.tar.sha256").exists());
    assert_eq!(tmp_files(&dir.path().join("out")), 0, "temp file removed on error");
}

#[test]
fn sigkill_mid_write_leaves_no_partial_bundle_and_rerun_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    sh(dir.path(), "mkdir ev out && truncate -s 1536M ev/big.img && echo small > ev/small.txt");
    let mut child = Command::new(SIGNET)
        .args(["bundle", "--evidence", "ev", "--out", "out/b.tar"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    assert!(wait_for_tmp(&dir.path().join("out"), &mut child), "bundle started streaming");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.path().join("out/b.tar").exists(), "no partial tar at the final path");
    assert!(!dir.path().join("out/b.tar.sha256").exists());
    let rerun = Command::new(SIGNET)
        .args(["bundle", "--evidence", "ev", "--out", "out/b.tar"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    sh(&dir.path().join("out"), "sha256sum -c --strict b.tar.sha256");
}
