//! The command-line contract (docs/ARCHITECTURE.md §4): help, exit codes, `--format json`, `--root`,
//! and quiet, structured output in GitHub Actions.

use crate::support::Test;

#[test]
fn help_lists_the_commands() {
    let t = Test::new().args(["--help"]).run();
    for cmd in ["bundle", "sums", "release-check", "verify"] {
        assert!(t.stdout.contains(cmd), "{}", t.stdout);
    }
    // Developer tooling lives in `cargo xtask` (signet-dev), never in the shipped binary.
    for cmd in ["bench", "conformance"] {
        assert!(!t.stdout.contains(cmd), "{}", t.stdout);
    }
    Test::new().args(["bench"]).status(2).run();
}

#[test]
fn bad_usage_exits_2() {
    Test::new().args(["bundle"]).status(2).stderr_contains("--evidence").run();
    Test::new().args(["no-such-command"]).status(2).run();
    Test::new().file("ev/a", "a").args(["bundle", "--evidence", "ev", "--gzip", "--hash-only"]).status(2).run();
}

#[test]
fn bundle_json_and_sidecar() {
    let t = Test::new()
        .file("ev/a.txt", "a")
        .file("ev/b/c.txt", "c")
        .args(["--format", "json", "bundle", "--evidence", "ev", "--out", "dist/release.tar"])
        .run();
    let j = t.json();
    let tar = std::fs::read(t.path("dist/release.tar")).unwrap();
    assert_eq!(j["sha256"], crate::support::sha256_hex(&tar));
    assert_eq!(j["size"], tar.len());
    assert_eq!(j["entries"], 2);
    assert_eq!(
        std::fs::read_to_string(t.path("dist/release.tar.sha256")).unwrap(),
        format!("{}  release.tar\n", crate::support::sha256_hex(&tar))
    );
    crate::support::sh(&t.path("dist"), "sha256sum -c --strict release.tar.sha256");
}

#[test]
fn root_flag_resolves_relative_paths() {
    let t = Test::new().file("proj/ev/a.txt", "a");
    let root = t.path().join("proj");
    let t = t
        .args([
            "--root".as_ref(),
            root.as_os_str(),
            "bundle".as_ref(),
            "--evidence".as_ref(),
            "ev".as_ref(),
            "--hash-only".as_ref(),
        ])
        .run();
    assert_eq!(t.stdout.len(), 64 + 4, "{}", t.stdout);
}

#[test]
fn errors_in_json_mode_are_json() {
    let t = Test::new().args(["--format", "json", "bundle", "--evidence", "missing", "--hash-only"]).status(2).run();
    assert_eq!(t.json()["exit"], 2);
    assert!(t.json()["error"].as_str().unwrap().contains("missing"));
}

#[test]
fn github_actions_gets_outputs_annotations_and_no_progress() {
    let t = Test::new().file("ev/a.txt", "a").file("gh-out", "");
    let out = t.path().join("gh-out").display().to_string();
    let t = t
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .args(["bundle", "--evidence", "ev", "--out", "b.tar"])
        .run();
    assert_eq!(t.stderr, "", "quiet in CI");
    let outputs = std::fs::read_to_string(t.path("gh-out")).unwrap();
    let sha = t.stdout.split_whitespace().next().unwrap();
    assert!(outputs.contains("bundle-sha256<<") && outputs.contains(sha), "{outputs}");
    let t =
        Test::new().env("GITHUB_ACTIONS", "true").file("S", "abc  x\n").args(["sums", "--check", "S"]).status(2).run();
    assert!(t.stdout.starts_with("::error file=S,line=1::"), "{}", t.stdout);
}

/// A reader that stops early (`| head -1`) is not an error: nothing on stderr and the command's
/// own exit code, as ripgrep does — 0 for a listing. 2,000 lines overflow the pipe buffer, so the
/// write really meets a closed pipe.
#[test]
fn broken_pipe_is_success() {
    let mut t = Test::new();
    for i in 0..2000 {
        t = t.file(&format!("ev/file-{i:04}.txt"), "x");
    }
    let dir = t.into_dir();
    let out = std::process::Command::new("bash")
        .args(["-c", r#""$0" sums ev | head -1; echo "signet-exit=${PIPESTATUS[0]}""#, crate::support::SIGNET])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.ends_with("signet-exit=0\n"), "stdout: {stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

/// A closed pipe never turns a failure into success: the verdict's exit code survives it, for a
/// result and for an error written to stdout (`--format json`, GitHub Actions annotations).
#[test]
fn broken_pipe_keeps_a_failing_exit_code() {
    let dir = Test::new().file("ev/a.txt", "a").into_dir();
    for (script, code) in [
        (
            r#"printf '%064d  ev/a.txt\n' 0 > bad.sums; "$0" sums --check bad.sums | true; echo "exit=${PIPESTATUS[0]}""#,
            1,
        ),
        (r#""$0" --format json bundle --evidence missing --out x.tar | true; echo "exit=${PIPESTATUS[0]}""#, 2),
        (r#"GITHUB_ACTIONS=true "$0" bundle --evidence missing --out x.tar | true; echo "exit=${PIPESTATUS[0]}""#, 2),
    ] {
        let out = std::process::Command::new("bash")
            .args(["-c", script, crate::support::SIGNET])
            .current_dir(dir.path())
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.ends_with(&format!("exit={code}\n")), "{script}: {stdout}");
    }
}
