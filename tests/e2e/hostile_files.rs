//! Input files that are not files: an attacker's pull request can commit a symlink (git stores
//! them) to `/dev/zero`, and a local user can leave a FIFO or a huge file where a record is
//! expected. Each is an error (exit 2, naming the file) in well under a second — never a hang,
//! never unbounded memory.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{SIGNET, sh};

/// Runs `signet ARGS` in `dir` and returns (exit code, stderr); fails if it takes over 20 s
/// (a blocked read would take forever).
fn signet_bounded(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(SIGNET)
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run signet");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("signet {args:?} hung on a hostile file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("collect output");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_refused(dir: &Path, args: &[&str], file: &str, why: &str) {
    let (code, stderr) = signet_bounded(dir, args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(file) && stderr.contains(why), "expected `{file}` and `{why}` in: {stderr}");
}

/// A release signed in place (the benchmark's generator), ready for `verify`.
fn signed_release() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = signet_dev::fixtures::ensure_signed_release(dir.path(), 2).unwrap_or_else(|e| panic!("{e}"));
    (dir, root)
}

const VERIFY: [&str; 5] = ["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/bench"];

#[test]
fn verify_refuses_a_signature_linked_to_dev_zero_or_a_fifo() {
    let (_keep, root) = signed_release();
    symlink("/dev/zero", root.join("signatures/bench/X--zero.dsse.json")).expect("symlink");
    assert_refused(&root, &VERIFY, "X--zero.dsse.json", "not a regular file");

    fs::remove_file(root.join("signatures/bench/X--zero.dsse.json")).expect("rm");
    sh(&root, "mkfifo signatures/bench/X--fifo.dsse.json");
    assert_refused(&root, &VERIFY, "X--fifo.dsse.json", "not a regular file");
}

#[test]
fn verify_refuses_an_oversized_record_before_reading_it() {
    let (_keep, root) = signed_release();
    // Sparse: 1 GiB on paper, nothing on disk; reading it would allocate the lot.
    sh(&root, "truncate -s 1G \"$(ls signatures/bench/events/*.json | head -1)\"");
    assert_refused(&root, &VERIFY, "/events/", "larger than 65536 bytes");
    sh(&root, "truncate -s 1G signatures/release-bench.json");
    let args = ["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/release-bench.json"];
    assert_refused(&root, &args, "release-bench.json", "larger than");
}

#[test]
fn a_linked_registry_or_config_is_refused_cleanly() {
    let (_keep, root) = signed_release();
    fs::remove_file(root.join("signatures/signers.toml")).expect("rm");
    symlink("/dev/zero", root.join("signatures/signers.toml")).expect("symlink");
    assert_refused(&root, &VERIFY, "signers.toml", "not a regular file");

    let dir = tempfile::tempdir().expect("temp dir");
    sh(dir.path(), "mkfifo signet.toml");
    assert_refused(dir.path(), &["rtm-gate"], "signet.toml", "not a regular file");
}

#[test]
fn rtm_gate_refuses_a_document_linked_to_dev_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("regulatory-docs")).expect("mkdir");
    let main = "[DOCUMENT]\nTITLE: Main\n\n[DOCUMENT_FROM_FILE]\nFILE: zero.sdoc\n";
    fs::write(dir.path().join("regulatory-docs/main.sdoc"), main).expect("write");
    symlink("/dev/zero", dir.path().join("regulatory-docs/zero.sdoc")).expect("symlink");
    assert_refused(dir.path(), &["rtm-gate"], "zero.sdoc", "an existing document file");
}

#[test]
fn sums_check_refuses_a_fifo_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    sh(dir.path(), "mkdir ev && echo a > ev/a && mkfifo SUMS");
    assert_refused(dir.path(), &["sums", "--check", "SUMS", "--root", "ev"], "SUMS", "not a regular file");
}
