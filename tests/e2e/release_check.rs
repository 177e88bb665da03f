//! `release-check` on the bundled example project: the README's main command.

use std::path::Path;

use crate::support::{Test, sh};

#[test]
fn example_project_is_blocked_for_the_right_reasons_and_writes_only_under_target() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump");
    let t = Test::new().with(|d| {
        sh(d, &format!("cp -r {}/. proj && rm -rf proj/target", example.display()));
    });
    let before = sh(t.path(), "cd proj && find . -type f | sort").stdout;
    let t = t
        .args(["--root", "proj", "release-check"])
        .status(1)
        .stdout_contains(
            "BLOCK  rtm-gate 9 requirements: 3 reviewed, 1 unreviewed, 1 suspect-native, 4 suspect-inherited",
        )
        .stdout_contains("SW-5: suspect-inherited: SW-5 ← SW-2 ← SYS-1 changed since SW-5 was reviewed")
        .stdout_contains("SW-4: verification failed: pump-firmware::alarm::volume_at_least_65_dba")
        .stdout_contains("fix: review SW-1, SW-2, SW-5, SW-4, SW-6, SYS-3 against their parents")
        .stdout_contains("regulatory-docs/software.sdoc:121: SW-6: unverified (no passing linked test)")
        .stdout_contains("fix: add a passing test that verifies each of SW-1, SW-6")
        .stdout_contains(" PASS  bundle")
        .stdout_contains(" PASS  sums")
        .stdout_contains(" PASS  request  preview written to request.json/request.md; signatures needed: QA (REVIEWER), ENGINEERING (REVIEWER), RELEASE (APPROVER)")
        .run();
    assert!(!t.path("proj/signatures").exists(), "release-check never touches signatures/");
    sh(
        &t.path("proj/target/release-check"),
        "test -s request.json && grep -q 'signet sign --release preview --role QA' request.md",
    );
    let after = sh(t.dir.path(), "cd proj && find . -type f -not -path './target/*' | sort").stdout;
    assert_eq!(before, after, "nothing outside target/ changed");
    sh(&t.path("proj/target/release-check"), "sha256sum -c --strict bundle.tar.sha256");
    sh(&t.path("proj/evidence"), "sha256sum -c --strict ../target/release-check/SHA256SUMS");
}

#[test]
fn a_blocked_release_says_how_to_fix_it() {
    Test::new()
        .file("signet.toml", "[bundle]\nevidence = \"ev\"\n")
        .file("ev/a.txt", "a")
        .with(|d| std::os::unix::fs::symlink("a.txt", d.join("ev/link")).unwrap())
        .args(["release-check"])
        .status(1)
        .stdout_contains("BLOCK  bundle")
        .stdout_contains("fix:")
        .run();
}

#[test]
fn a_typo_in_signet_toml_is_named_with_line_and_column() {
    Test::new()
        .file("signet.toml", "[bundle]\nevidense = \"ev\"\n")
        .args(["release-check"])
        .status(2)
        .stderr_contains("signet.toml:2:1")
        .stderr_contains("unknown field `evidense`")
        .run();
}

#[test]
fn release_check_verifies_collected_signatures_read_only() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump");
    let t = Test::new().with(|d| {
        sh(d, &format!("cp -r {}/. proj && rm -rf proj/target", example.display()));
    });
    let t = t
        .args(["--root", "proj", "release-check", "--release", "v1.4.0"])
        .status(1)
        .stdout_contains("BLOCK  verify")
        .stdout_contains("create it first with `signet request")
        .run();
    assert!(!t.path("proj/signatures").exists(), "release-check never touches signatures/");
}
