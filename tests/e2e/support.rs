//! A fluent builder for CLI tests, in the spirit of `just`'s: lay out a tree, run `signet`
//! in it, state the expected exit code and output.

#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const SIGNET: &str = env!("CARGO_BIN_EXE_signet");

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<OsString>,
    env: Vec<(String, Option<String>)>,
    expect_status: i32,
    /// `ulimit -v` for the run, in KiB.
    address_space_kib: Option<u64>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
    stdout_exact: Option<String>,
}

pub struct Ran {
    pub dir: tempfile::TempDir,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test::in_dir(tempfile::tempdir().expect("temp dir"))
    }

    pub fn in_dir(dir: tempfile::TempDir) -> Test {
        Test {
            dir,
            args: Vec::new(),
            // Tests must not inherit the developer's CI flags or GitHub files.
            env: vec![
                ("GITHUB_ACTIONS".into(), None),
                ("GITHUB_OUTPUT".into(), None),
                ("GITHUB_STEP_SUMMARY".into(), None),
            ],
            expect_status: 0,
            address_space_kib: None,
            stdout_contains: Vec::new(),
            stderr_contains: Vec::new(),
            stdout_exact: None,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Ends the builder without running anything, keeping the prepared folder.
    pub fn into_dir(self) -> tempfile::TempDir {
        self.dir
    }

    pub fn file(self, rel: &str, content: impl AsRef<[u8]>) -> Test {
        let path = self.dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        fs::write(&path, content).expect("write file");
        self
    }

    pub fn mode(self, rel: &str, mode: u32) -> Test {
        fs::set_permissions(self.dir.path().join(rel), fs::Permissions::from_mode(mode)).expect("chmod");
        self
    }

    pub fn with(self, f: impl FnOnce(&Path)) -> Test {
        f(self.dir.path());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    /// Runs signet under `ulimit -v` (its address space, in MiB): a run that needs more aborts
    /// (exit 134) on any machine, however much memory it has.
    pub fn address_space_mib(mut self, mib: u64) -> Test {
        self.address_space_kib = Some(mib << 10);
        self
    }

    pub fn status(mut self, code: i32) -> Test {
        self.expect_status = code;
        self
    }

    pub fn stdout_contains(mut self, s: &str) -> Test {
        self.stdout_contains.push(s.into());
        self
    }

    pub fn stderr_contains(mut self, s: &str) -> Test {
        self.stderr_contains.push(s.into());
        self
    }

    pub fn stdout(mut self, s: &str) -> Test {
        self.stdout_exact = Some(s.into());
        self
    }

    pub fn run(self) -> Ran {
        let mut cmd = match self.address_space_kib {
            None => Command::new(SIGNET),
            Some(kib) => {
                let mut capped = Command::new("bash");
                capped.arg("-c").arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\"")).arg(SIGNET);
                capped
            }
        };
        cmd.args(&self.args).current_dir(self.dir.path()).stdin(Stdio::null());
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let Output { status, stdout, stderr } = cmd.output().expect("run signet");
        let stdout = String::from_utf8_lossy(&stdout).into_owned();
        let stderr = String::from_utf8_lossy(&stderr).into_owned();
        let context = format!("signet {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}", self.args);
        assert_eq!(status.code(), Some(self.expect_status), "unexpected exit status\n{context}");
        for s in &self.stdout_contains {
            assert!(stdout.contains(s.as_str()), "stdout lacks {s:?}\n{context}");
        }
        for s in &self.stderr_contains {
            assert!(stderr.contains(s.as_str()), "stderr lacks {s:?}\n{context}");
        }
        if let Some(exact) = &self.stdout_exact {
            assert_eq!(&stdout, exact, "{context}");
        }
        Ran { dir: self.dir, stdout, stderr }
    }
}

/// The GNU tar oracle of docs/ARCHITECTURE.md §5, run in `dir`; returns the tar bytes.
pub fn oracle_tar(dir: &Path) -> Vec<u8> {
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", signet::bundle::ORACLE])
        .current_dir(dir)
        .env("TAR_OPTIONS", "--format=gnu --sort=inode")
        .output()
        .expect("run GNU tar");
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Runs `signet bundle` on `evidence`, writing `out`; returns the tar bytes.
pub fn signet_tar(evidence: &Path, out: &Path) -> Vec<u8> {
    let status = Command::new(SIGNET)
        .args(["bundle", "--evidence"])
        .arg(evidence)
        .arg("--out")
        .arg(out)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run signet");
    assert!(status.status.success(), "signet bundle failed on {}", evidence.display());
    fs::read(out).expect("read bundle")
}

/// Asserts our bundle of `evidence` is byte-identical to the oracle's; returns the bytes.
pub fn assert_matches_oracle(evidence: &Path) -> Vec<u8> {
    let out = tempfile::tempdir().expect("temp dir");
    let ours = signet_tar(evidence, &out.path().join("b.tar"));
    let theirs = oracle_tar(evidence);
    if ours != theirs {
        let at = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
        panic!(
            "bundle differs from GNU tar at byte {at} (block {}, offset {}); sizes {} vs {}",
            at / 512,
            at % 512,
            ours.len(),
            theirs.len()
        );
    }
    ours
}

pub fn sh(dir: &Path, script: &str) -> Output {
    let out = Command::new("bash").args(["-c", script]).current_dir(dir).output().expect("run bash");
    assert!(
        out.status.success(),
        "`{script}` failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    signet::digest::Digest::of(bytes).hex()
}

/// Property-test settings: `cases` by default, kept small so CI stays quick; set
/// `PROPTEST_CASES` to run more (e.g. `PROPTEST_CASES=2000 cargo test --test e2e prop_`).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    proptest::test_runner::Config { cases, ..proptest::test_runner::Config::default() }
}

/// The event files of a release folder (`<dir>/events/*.json`), one per line, in name order.
pub fn events(release_dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(release_dir.join("events"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap() + "\n").collect()
}
