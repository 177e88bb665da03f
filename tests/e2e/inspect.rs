//! `signet inspect`: the inspection package of one signed release, from its folder and from its
//! archive alone; checked with coreutils (`sha256sum -c --strict`), the final gate on the
//! package's own manifest and trust file, and byte for byte across runs.

use std::fs;
use std::path::Path;

use crate::report::example_release;
use crate::support::{Test, sh};

fn inspect(d: &Path, source: &[&str], out: &str, status: i32) -> crate::support::Ran {
    let root = d.display().to_string();
    let bundle = d.join("dist/bundle.tar").display().to_string();
    let out = d.join(out).display().to_string();
    let mut args = vec!["--root", &root, "inspect", "--bundle", &bundle, "--out", &out];
    args.extend(source);
    Test::in_dir(tempfile::TempDir::new_in(d).unwrap()).args(args).status(status).run()
}

#[test]
fn the_inspection_package_holds_the_whole_record_and_checks_itself() {
    let repo = example_release(&["QA", "ENGINEERING", "RELEASE"]);
    let d = repo.path();
    let ran = inspect(d, &["--release", "v1.4.0"], "pkg", 0);
    assert!(ran.stdout.contains("PASS: release v1.4.0 — 3 signature(s) valid"), "{}", ran.stdout);
    let pkg = d.join("pkg");
    let mut names: Vec<String> =
        fs::read_dir(&pkg).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "audit-trail.html",
            "audit-trail.json",
            "evidence-report.html",
            "evidence-report.pdf",
            "index.html",
            "registry-history.json",
            "release-v1.4.0.json",
            "report.json",
            "signet.json",
            "trust.json",
            "verdict.json",
            "verdict.txt",
        ]
    );
    assert!(sh(&pkg, "sha256sum -c --strict SHA256SUMS").status.success());
    // The package's own manifest and trust file give the verdict again, without the repository.
    let bundle = d.join("dist/bundle.tar").display().to_string();
    Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["verify", "--bundle", &bundle, "--manifest"])
        .args([pkg.join("release-v1.4.0.json").display().to_string(), "--trust".into()])
        .args([pkg.join("trust.json").display().to_string()])
        .stdout_contains("PASS: release v1.4.0")
        .run();

    let trail = fs::read_to_string(pkg.join("audit-trail.html")).unwrap();
    for want in [
        "request-created",
        "signature-created",
        "Dana Whitfield &lt;dana@pump.example&gt; — REVIEWER (QA)",
        "Enrolments",
        "identity verified",
    ] {
        assert!(trail.contains(want), "`{want}` not in the audit trail");
    }
    let history: serde_json::Value =
        serde_json::from_slice(&fs::read(pkg.join("registry-history.json")).unwrap()).unwrap();
    assert_eq!(history["enrolments"].as_array().unwrap().len(), 3);
    assert_eq!(history["approvals"].as_array().unwrap().len(), 3);
    let soup: serde_json::Value = serde_json::from_slice(&fs::read(pkg.join("signet.json")).unwrap()).unwrap();
    assert_eq!(soup["licence"], "Apache-2.0");
    let binary = fs::read(crate::support::SIGNET).unwrap();
    assert_eq!(soup["binary_sha256"], format!("sha256:{}", crate::support::sha256_hex(&binary)));
    let index = fs::read_to_string(pkg.join("index.html")).unwrap();
    assert!(index.contains("Final gate: PASS") && index.contains("release-v1.4.0.json"), "{index}");

    // Deterministic, and the same from the archive alone as from the folder.
    inspect(d, &["--release", "v1.4.0"], "again", 0);
    let archive = pkg.join("release-v1.4.0.json").display().to_string();
    let trust = pkg.join("trust.json").display().to_string();
    inspect(d, &["--manifest", &archive, "--trust", &trust], "archived", 0);
    for other in ["again", "archived"] {
        for name in &names {
            let (a, b) = (fs::read(pkg.join(name)).unwrap(), fs::read(d.join(other).join(name)).unwrap());
            assert!(a == b, "{other}/{name} differs from pkg/{name}");
        }
    }

    // A package is never written over another.
    let ran = inspect(d, &["--release", "v1.4.0"], "pkg", 2);
    assert!(ran.stderr.contains("already holds files"), "{}", ran.stderr);
}
