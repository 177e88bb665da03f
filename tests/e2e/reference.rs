//! Differential testing of the final gate (#20): every verification the suite makes through
//! [`verify`] is also judged by `tools/reference-verify.py`, the independent implementation of
//! `docs/verification.md`. Both must reach the same exit code, the same valid signatures, the
//! same awaited roles and the same set of failed checks; a disagreement fails the test and shows
//! both verdicts.
//!
//! `SIGNET_REFERENCE_CASES=DIR` also keeps each case (a copy of the folder, the arguments and
//! Rust's verdict) under `DIR`, to replay against the reference verifier while it is developed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::support::{SIGNET, sh};

/// `signet verify ARGS` in `dir` (e.g. `--bundle B --manifest M [--trust T]`), cross-checked
/// with the reference verifier. Returns Rust's exit code and its text output.
pub fn verify(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = signet(dir, &[], args);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let code = out.status.code().unwrap_or(-1);
    agrees(dir, args);
    (code, text)
}

/// The reference verifier and `signet --format json verify` reach the same verdict on `args`.
pub fn agrees(dir: &Path, args: &[&str]) {
    let args: Vec<&str> = without_vsa(args);
    let out = signet(dir, &["--format", "json"], &args);
    let rust_exit = out.status.code().unwrap_or(-1);
    let rust: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        // Unreadable input (exit 2) prints no report: the reference must refuse it too.
        Err(_) => Value::Null,
    };
    keep_case(dir, &args, rust_exit, &rust);
    let Some(python) = python() else { return };
    let reference = Command::new(python)
        .arg(script())
        .args(&args)
        .args(["--root"])
        .arg(dir)
        .args(["--format", "json"])
        .current_dir(dir)
        .output()
        .expect("run the reference verifier");
    let ref_exit = reference.status.code().unwrap_or(-1);
    let ours = Verdict::of_rust(rust_exit, &rust);
    let theirs = serde_json::from_slice(&reference.stdout)
        .map(|v: Value| Verdict::of_reference(ref_exit, &v))
        .unwrap_or(Verdict { exit: ref_exit, ..Verdict::default() });
    assert_eq!(
        ours,
        theirs,
        "the reference verifier disagrees with `signet verify {}` in {}:\n--- signet ---\n{}\n--- reference ---\n{}{}",
        args.join(" "),
        dir.display(),
        serde_json::to_string_pretty(&rust).unwrap_or_default(),
        String::from_utf8_lossy(&reference.stdout),
        String::from_utf8_lossy(&reference.stderr),
    );
}

/// What both verifiers must agree on: not the sentences, which are each one's own.
#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    exit: i32,
    signatures: BTreeSet<String>,
    awaiting: BTreeSet<String>,
    checks: BTreeSet<String>,
}

impl Verdict {
    fn of_rust(exit: i32, v: &Value) -> Verdict {
        let strings = |key: &str, field: &str| -> BTreeSet<String> {
            v[key].as_array().into_iter().flatten().filter_map(|x| x[field].as_str().map(str::to_owned)).collect()
        };
        let awaiting = v["awaiting"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str()?.split(' ').next().map(str::to_owned))
            .collect();
        Verdict { exit, signatures: strings("signatures", "file"), awaiting, checks: strings("findings", "check") }
    }

    fn of_reference(exit: i32, v: &Value) -> Verdict {
        let strings = |key: &str| -> BTreeSet<String> {
            v[key].as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_owned)).collect()
        };
        let checks =
            v["problems"].as_array().into_iter().flatten().filter_map(|p| p["check"].as_str()).map(str::to_owned);
        Verdict { exit, signatures: strings("signatures"), awaiting: strings("awaiting"), checks: checks.collect() }
    }
}

fn signet(dir: &Path, global: &[&str], args: &[&str]) -> std::process::Output {
    Command::new(SIGNET)
        .arg("--root")
        .arg(dir)
        .args(global)
        .arg("verify")
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run signet verify")
}

/// `--vsa FILE` is an output of Signet's alone.
fn without_vsa<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if *a == "--vsa" {
            it.next();
        } else {
            out.push(*a);
        }
    }
    out
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/reference-verify.py")
}

/// The test venv's interpreter (it has `cryptography`); `scripts/test` sets it, and under
/// `CI=true` its absence fails rather than skips.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("SIGNET_INTOTO_PYTHON").map(PathBuf::from);
    if python.is_none() {
        signet_dev::missing_prerequisite("the reference verifier: SIGNET_INTOTO_PYTHON is not set");
    }
    python
}

fn keep_case(dir: &Path, args: &[&str], rust_exit: i32, rust: &Value) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let Some(cases) = std::env::var_os("SIGNET_REFERENCE_CASES") else { return };
    let test = std::thread::current().name().unwrap_or("case").replace("::", "-");
    let case = Path::new(&cases).join(format!("{test}-{}", N.fetch_add(1, Ordering::Relaxed)));
    let root = case.join("root");
    std::fs::create_dir_all(&root).unwrap();
    sh(&root, &format!("cp -a '{}'/. .", dir.display()));
    let meta = serde_json::json!({
        "cwd": root, "args": args, "now": null, "rust_exit": rust_exit, "rust": rust,
    });
    std::fs::write(case.join("case.json"), serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
}

/// Property (#20): random edits to the signed bytes of an archived manifest — any string of the
/// request, an envelope, an event, a registry entry, an approval or the trust chain — fail the
/// gate, and both verifiers agree on the verdict and on the checks that failed.
#[test]
fn prop_random_edits_to_an_archived_manifest_get_the_same_verdict_from_both_verifiers() {
    use proptest::prelude::*;
    use proptest::test_runner::{TestCaseError, TestRunner};

    let dir = tempfile::tempdir().expect("temp dir");
    let root = signet_dev::fixtures::ensure_signed_release(dir.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = verify(&root, &["--bundle", "dist/bundle.tar", "--manifest", "signatures/bench"]);
    assert_eq!(code, 0, "the untouched release verifies and is archived: {out}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("signatures/release-bench.json")).unwrap()).unwrap();
    let leaves = string_leaves(&manifest, String::new());
    assert!(leaves.len() > 40, "{} strings", leaves.len());
    let args = ["--bundle", "dist/bundle.tar", "--manifest", "edited.json", "--trust", "signatures/trust.json"];

    let edit = (0..leaves.len(), any::<usize>(), 0u8..7, any::<bool>());
    let mut runner = TestRunner::new(crate::support::proptest_config(24));
    let result = runner.run(&edit, |(leaf, at, bit, flip)| {
        let mut m = manifest.clone();
        let Some(Value::String(s)) = m.pointer_mut(&leaves[leaf]) else { unreachable!() };
        let mut bytes = std::mem::take(s).into_bytes();
        let i = at % bytes.len().max(1);
        match (flip, bytes.is_empty()) {
            (true, false) => bytes[i] ^= 1 << bit,
            _ => bytes.insert(i, b'!' + bit),
        }
        *s = String::from_utf8(bytes).map_err(|_| TestCaseError::reject("not UTF-8"))?;
        std::fs::write(root.join("edited.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        let (code, out) = verify(&root, &args);
        prop_assert!(code != 0, "an edit to {} still passes:\n{}", leaves[leaf], out);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// JSON pointers of every string in the manifest that is signed or bound by a digest: all but
/// its format version and the name of the Signet that wrote it.
fn string_leaves(v: &Value, at: String) -> Vec<String> {
    match v {
        Value::String(_) if at != "/schema" && at != "/generated_by" => vec![at],
        Value::Array(items) => {
            items.iter().enumerate().flat_map(|(i, x)| string_leaves(x, format!("{at}/{i}"))).collect()
        }
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, x)| string_leaves(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"))))
            .collect(),
        _ => Vec::new(),
    }
}
