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
    sh(&t.path("proj/target/release-check/evidence-tree"), "sha256sum -c --strict SHA256SUMS");
}

#[test]
fn a_blocked_release_says_how_to_fix_it() {
    Test::new()
        .file("signet.toml", "[bundle]\nevidence = \"ev\"\n")
        .file("ev/a.txt", "a")
        .with(|d| std::os::unix::fs::symlink("a.txt", d.join("ev/link")).unwrap())
        .args(["release-check"])
        .status(1)
        .stdout_contains("BLOCK  assemble")
        .stdout_contains("link: symbolic link to `a.txt`")
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

/// Seed 001's bundle: release-check bundles one evidence tree — the evidence, the RTM gate's
/// index.json, rtm.html and rtm-junit.xml, and a SHA256SUMS of every other file — exactly as GNU
/// tar would; the request pins the tree's own SHA256SUMS and index.json, and the report reads
/// them from the bundle when no loose copy is at hand.
#[test]
fn the_bundle_carries_the_rtm_and_its_checksums_and_the_report_needs_nothing_else() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump");
    let t = Test::new().with(|d| {
        sh(d, &format!("cp -r {}/. proj && rm -rf proj/target", example.display()));
    });
    let t = t.args(["--root", "proj", "release-check"]).status(1).stdout_contains(" PASS  assemble 8 files").run();
    let out = t.path("proj/target/release-check");
    let tree = out.join("evidence-tree");
    crate::support::assert_matches_oracle(&tree);
    let listed = sh(&out, "tar -tf bundle.tar").stdout;
    let listed = String::from_utf8_lossy(&listed);
    for name in ["SHA256SUMS", "rtm/index.json", "rtm/rtm.html", "rtm/rtm-junit.xml", "build/pump-firmware-1.4.0.bin"] {
        assert!(listed.lines().any(|l| l == name), "{name} not in the bundle:\n{listed}");
    }
    assert!(
        sh(&out, "mkdir x && tar -xf bundle.tar -C x && cd x && sha256sum -c --strict SHA256SUMS").status.success()
    );

    let t = Test::in_dir(t.dir)
        .args(["--root", "proj", "request", "--release", "v1.4.0", "--bundle", "target/release-check/bundle.tar"])
        .args(["--commit", "0123456789abcdef0123456789abcdef01234567"])
        .run();
    let request: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("proj/signatures/v1.4.0/request.json")).unwrap()).unwrap();
    let digest = |p: &Path| format!("sha256:{}", crate::support::sha256_hex(&std::fs::read(p).unwrap()));
    assert_eq!(request["sha256sums_sha256"], digest(&tree.join("SHA256SUMS")));
    assert_eq!(request["index_json_sha256"], digest(&tree.join("rtm/index.json")));

    // Only the bundle: no evidence tree, no gate output beside it.
    sh(t.dir.path(), "rm -rf proj/target/release-check/evidence-tree proj/target/release-check/rtm proj/target/rtm");
    let t = Test::in_dir(t.dir)
        .args(["--root", "proj", "report", "--release", "v1.4.0", "--bundle", "target/release-check/bundle.tar"])
        .args(["--out", "rep"])
        .run();
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("proj/rep/report.json")).unwrap()).unwrap();
    assert_eq!(model["rtm"]["bound_by_request"], true, "{model}");
    assert_eq!(model["sha256sums"]["bound_by_request"], true);
    assert_eq!(model["rtm"]["summary"]["requirements"], 9);
}
