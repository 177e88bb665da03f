//! Fault injection beyond `bundle_faults.rs`: SIGKILL at every write, fsync and rename of the
//! commands that write records (`stamp`, `request`, `sign`, `verify`'s archival manifest), and a
//! full disk under `bundle` and `rtm-gate`. After a kill nothing partial sits at a final path
//! (an unused `.signet-tmp-*` may), and running the command again succeeds.
//!
//! Kills are placed with strace's fault injection — `-e inject=SYSCALL:signal=KILL:when=N`
//! delivers SIGKILL as the process enters its Nth such call — rather than after a delay, so
//! every step of every write is hit whatever the machine's speed.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{SIGNET, Test, sh};

/// The system calls an interrupted write can stop at: data written, data synced, file renamed.
const KILL_POINTS: [&str; 3] = ["write", "fsync", "rename"];

#[derive(Debug, PartialEq, Eq)]
enum Ending {
    Killed,
    Exited(i32),
}

/// Runs `cmd` under strace, killing it as it enters its `n`th `syscall`.
fn run_killed_at(dir: &Path, cmd: &[&str], syscall: &str, n: usize) -> Ending {
    let status = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("trace={syscall}"))
        .arg("-e")
        .arg(format!("inject={syscall}:signal=KILL:when={n}"))
        .args(cmd)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("XDG_STATE_HOME", dir.join(".state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace");
    match (status.code(), status.signal()) {
        (_, Some(9)) | (Some(137), _) => Ending::Killed,
        (Some(code), _) => Ending::Exited(code),
        (None, sig) => panic!("ended by signal {sig:?}"),
    }
}

fn signet_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(SIGNET)
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("XDG_STATE_HOME", dir.join(".state"))
        .stdin(Stdio::null())
        .output()
        .expect("run signet")
}

fn copy_tree(from: &Path, to: &Path) {
    sh(Path::new("/"), &format!("cp -a '{}/.' '{}'", from.display(), to.display()));
}

/// For each kill point and each N until the command finishes unharmed: a fresh copy of
/// `template`, `cmd` killed at its Nth call, `after_kill` on the remains, then `rerun` (which
/// runs the command again and checks the result). Returns how many kills were made.
fn sweep(template: &Path, cmd: &[&str], after_kill: impl Fn(&Path), rerun: impl Fn(&Path)) -> usize {
    let mut kills = 0;
    for syscall in KILL_POINTS {
        for n in 1.. {
            assert!(n < 500, "{syscall}: the command never finished");
            let work = tempfile::tempdir().expect("temp dir");
            copy_tree(template, work.path());
            match run_killed_at(work.path(), cmd, syscall, n) {
                Ending::Killed => kills += 1,
                Ending::Exited(0) => break,
                Ending::Exited(code) => panic!("{cmd:?} exited {code} at {syscall} #{n} without being killed"),
            }
            after_kill(work.path());
            rerun(work.path());
        }
    }
    kills
}

/// Files under `dir` (relative paths, sorted), leaving out unused temp files.
fn files(dir: &Path) -> Vec<String> {
    let out = sh(dir, "find . -type f ! -name '.signet-tmp-*' -printf '%P\\n' | LC_ALL=C sort").stdout;
    String::from_utf8_lossy(&out).lines().map(String::from).collect()
}

fn read(path: PathBuf) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

#[test]
fn stamp_killed_at_any_write_leaves_whole_files_and_reruns() {
    let template = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump/regulatory-docs");
    fs::create_dir_all(template.path().join("regulatory-docs")).expect("mkdir");
    copy_tree(&example, &template.path().join("regulatory-docs"));
    let cmd = [SIGNET, "stamp", "--all", "--by", "Rita Reviewer"];
    let expected = tempfile::tempdir().expect("temp dir");
    copy_tree(template.path(), expected.path());
    assert!(signet_in(expected.path(), &cmd[1..]).status.success(), "a clean stamp succeeds");
    let docs = files(&template.path().join("regulatory-docs"));
    assert!(docs.len() >= 2, "{docs:?}");

    let whole = |dir: &Path| {
        for doc in &docs {
            let rel = format!("regulatory-docs/{doc}");
            let now = read(dir.join(&rel));
            let ok = now == read(template.path().join(&rel)) || now == read(expected.path().join(&rel));
            assert!(ok, "{rel} is neither the original nor the stamped file");
        }
        assert_eq!(files(&dir.join("regulatory-docs")), docs, "no other file appears");
    };
    let kills = sweep(template.path(), &cmd, whole, |dir| {
        let out = signet_in(dir, &cmd[1..]);
        assert!(out.status.success(), "re-run: {}", String::from_utf8_lossy(&out.stderr));
        for doc in &docs {
            let rel = format!("regulatory-docs/{doc}");
            assert_eq!(read(dir.join(&rel)), read(expected.path().join(&rel)), "{rel} after the re-run");
        }
    });
    assert!(kills >= 6, "only {kills} kill points");
}

#[test]
fn verify_killed_while_writing_the_manifest_leaves_none_and_reruns() {
    let template = tempfile::tempdir().expect("temp dir");
    let root = signet_dev::fixtures::ensure_signed_release(template.path(), 2).unwrap_or_else(|e| panic!("{e}"));
    let cmd = [SIGNET, "verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/bench"];
    let manifest = "signatures/release-bench.json";
    let expected = tempfile::tempdir().expect("temp dir");
    copy_tree(&root, expected.path());
    let out = signet_in(expected.path(), &cmd[1..]);
    assert!(out.status.success(), "a clean verify passes: {}", String::from_utf8_lossy(&out.stdout));
    let written = read(expected.path().join(manifest)).expect("the manifest is written");

    let kills = sweep(
        &root,
        &cmd,
        |dir| {
            let now = read(dir.join(manifest));
            assert!(now.is_none() || now.as_ref() == Some(&written), "a partial manifest at {manifest}");
        },
        |dir| {
            assert!(signet_in(dir, &cmd[1..]).status.success(), "re-run");
            assert_eq!(read(dir.join(manifest)).as_ref(), Some(&written));
        },
    );
    assert!(kills >= 3, "only {kills} kill points");
}

const POLICY: &str = "[[signing.required]]\nrole = \"QA\"\nmeaning = \"REVIEWER\"\n";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// `verify`'s findings about a release folder that has no signatures yet: only "awaiting" lines
/// are expected; any "problem" means the folder is inconsistent.
fn problems(dir: &Path, release: &str) -> Vec<String> {
    let out =
        signet_in(dir, &["verify", "--bundle", "dist/bundle.tar", "--manifest", &format!("signatures/{release}")]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().filter(|l| l.starts_with("problem") || l.starts_with("error")).map(String::from).collect()
}

fn verifies(dir: &Path) -> bool {
    signet_in(dir, &["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/v2.0.0"]).status.success()
}

#[test]
fn request_killed_at_any_write_can_be_completed_by_a_rerun() {
    let template = Test::new()
        .file("signet.toml", POLICY)
        .file("evidence/report.txt", "all tests passed\n")
        .args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"])
        .run()
        .dir;
    crate::signing::trust(template.path(), &[]);
    let cmd = [SIGNET, "request", "--release", "v2.0.0", "--bundle", "dist/bundle.tar", "--commit", COMMIT];
    let kills = sweep(
        template.path(),
        &cmd,
        |dir| {
            if let Some(bytes) = read(dir.join("signatures/v2.0.0/request.json")) {
                let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&bytes);
                assert!(parsed.is_ok(), "request.json is whole JSON");
            }
        },
        |dir| {
            // Killed after the last file was in place: the request exists, and is never rewritten.
            if problems(dir, "v2.0.0").is_empty() {
                return;
            }
            let out = signet_in(dir, &cmd[1..]);
            assert!(out.status.success(), "re-run: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(problems(dir, "v2.0.0"), Vec::<String>::new());
        },
    );
    assert!(kills >= 6, "only {kills} kill points");
}

const PASSWORD: &str = "correct horse battery staple 42";

/// A release with a request for v2.0.0 and one enrolled QA signer, `dana`, whose encrypted key
/// is made here (no terminal needed: `keygen`'s terminal dialogue is tested in `signing.rs`).
fn release_awaiting_qa() -> tempfile::TempDir {
    let t = Test::new().file("signet.toml", POLICY).file("evidence/report.txt", "all tests passed\n");
    let key = signet::sign::keys::generate();
    let pem = signet::sign::keys::encrypt_pem(&key, PASSWORD.as_bytes()).expect("encrypt");
    fs::create_dir_all(t.path().join("keys")).expect("mkdir");
    signet::sign::keys::write_key_file(&t.path().join("keys/dana.key"), &pem).expect("write key");
    let public = signet::sign::keys::public_pem(key.verifying_key());
    fs::write(t.path().join("keys/dana.key.pub"), public).expect("write public key");
    let dir = t.into_dir();
    crate::signing::trust(dir.path(), &[]);
    for args in [
        &["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"][..],
        &["request", "--release", "v2.0.0", "--bundle", "dist/bundle.tar", "--commit", COMMIT],
    ] {
        let out = signet_in(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    crate::signing::enroll(dir.path(), "dana", "Dana Whitfield", "QA");
    dir
}

/// `signet sign` as dana, in a pseudo-terminal, optionally under strace killing it at the
/// `n`th `syscall`; returns the ending.
fn sign_at_terminal(dir: &Path, kill: Option<(&str, usize)>) -> Ending {
    let dialogue = [("type the release id", "v2.0.0"), ("Reason", "reviewed"), ("Password: ", PASSWORD)];
    let script = dir.join("dialogue.json");
    fs::write(&script, serde_json::to_string(&dialogue).expect("json")).expect("write dialogue");
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/pty_drive.py");
    let mut cmd = Command::new("python3");
    cmd.arg(driver).arg(&script).arg("--");
    if let Some((syscall, n)) = kill {
        cmd.args(["strace", "-f", "-qq", "-o", "/dev/null", "-e"])
            .arg(format!("trace={syscall}"))
            .arg("-e")
            .arg(format!("inject={syscall}:signal=KILL:when={n}"));
    }
    let out = cmd
        .args([SIGNET, "sign", "--release", "v2.0.0", "--role", "QA", "--key", "keys/dana.key"])
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join(".state"))
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run the pty driver");
    match out.status.code() {
        // The driver exits with -SIGKILL & 0xff when the command was killed.
        Some(247) | Some(137) => Ending::Killed,
        Some(code) => Ending::Exited(code),
        None => panic!("the pty driver was killed"),
    }
}

#[test]
fn sign_killed_at_any_sync_or_rename_leaves_whole_files_and_reruns() {
    let template = release_awaiting_qa();
    let envelope = "signatures/v2.0.0/QA--dana.dsse.json";
    let mut kills = 0;
    // Every write to the terminal is a `write` too; fsync and rename are the steps of each file.
    for syscall in ["fsync", "rename"] {
        for n in 1.. {
            assert!(n < 50, "{syscall}: sign never finished");
            let work = tempfile::tempdir().expect("temp dir");
            copy_tree(template.path(), work.path());
            match sign_at_terminal(work.path(), Some((syscall, n))) {
                Ending::Killed => kills += 1,
                Ending::Exited(0) => break,
                Ending::Exited(code) => panic!("sign exited {code} at {syscall} #{n} without being killed"),
            }
            if let Some(bytes) = read(work.path().join(envelope)) {
                assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(), "a partial envelope");
            }
            // Killed after the signature was complete: signing the role again is rightly refused.
            if !verifies(work.path()) {
                let again = sign_at_terminal(work.path(), None);
                assert_eq!(again, Ending::Exited(0), "re-run of sign after a kill at {syscall} #{n}");
                assert!(verifies(work.path()), "the release verifies after a kill at {syscall} #{n} and a re-run");
            }
        }
    }
    assert!(kills >= 4, "only {kills} kill points");
}

/// Completing an interrupted request never adopts a different one: with other options the
/// existing file stands and the command refuses, as for any existing request.
#[test]
fn only_the_same_interrupted_request_is_completed() {
    let t = Test::new()
        .file("signet.toml", POLICY)
        .file("evidence/report.txt", "all tests passed\n")
        .args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"])
        .run();
    crate::signing::trust(t.dir.path(), &[]);
    let dir = t.dir.path();
    let request = ["request", "--release", "v2.0.0", "--bundle", "dist/bundle.tar", "--commit", COMMIT];
    assert!(signet_in(dir, &request).status.success());
    // As if killed before the record's first event.
    fs::remove_dir_all(dir.join("signatures/v2.0.0/events")).expect("rm");
    let before = read(dir.join("signatures/v2.0.0/request.json"));

    let mut other = request;
    other[6] = "fedcba9876543210fedcba9876543210fedcba98";
    let out = signet_in(dir, &other);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert!(!dir.join("signatures/v2.0.0/events").exists(), "nothing logged for a refused request");

    assert!(signet_in(dir, &request).status.success(), "the same request is completed");
    assert_eq!(read(dir.join("signatures/v2.0.0/request.json")), before, "and not rewritten");
    assert_eq!(problems(dir, "v2.0.0"), Vec::<String>::new());
}
