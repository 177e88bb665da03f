//! What the signer sees, and who they are, end to end on the example project: department and
//! title from the signed enrolment to the ceremony, the record, `verify`, JSON and HTML;
//! `sign --show` and its digest in the signature; TRAINEE and AUDITOR built in; and change
//! control between two signed releases (`signet diff --since`, and the ceremony's own view).

use std::fs;
use std::path::{Path, PathBuf};

use crate::signing::{PASSWORD, as_admin, at_terminal, enroll, keygen, verify};
use crate::support::{Test, sh};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump")
}

/// The RTM gate, SHA256SUMS, bundle and request of `release`, from the project as it is now.
fn prepare(d: &Path, release: &str) {
    let root = d.display().to_string();
    let run = |args: &[&str], status: i32| {
        let owned = tempfile::TempDir::new_in(d).unwrap();
        let mut all = vec!["--root", &root];
        all.extend(args);
        Test::in_dir(owned).args(all).status(status).run();
    };
    let gate = std::process::Command::new(crate::support::SIGNET).args(["--root", &root, "rtm-gate"]).output().unwrap();
    assert!(d.join("target/rtm/index.json").exists(), "{gate:?}");
    let sums = d.join("dist/SHA256SUMS").display().to_string();
    let bundle = d.join("dist/bundle.tar").display().to_string();
    run(&["bundle", "--evidence", "evidence", "--out", &bundle, "--sums", &sums], 0);
    run(&["request", "--release", release, "--bundle", &bundle, "--commit", COMMIT], 0);
}

fn sign(d: &Path, id: &str, role: &str, release: &str) -> String {
    let key = format!("keys/{id}.key");
    let (code, out) = at_terminal(
        d,
        &["sign", "--release", release, "--role", role, "--key", &key, "--bundle", "dist/bundle.tar"],
        &[("type the release id", release), ("Reason", ""), ("Password: ", PASSWORD)],
    );
    assert_eq!(code, 0, "{out}");
    out
}

fn show(d: &Path, release: &str) -> (String, String) {
    let ran = Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root", d.to_str().unwrap(), "sign", "--show", "--release", release])
        .run();
    let digest = ran.stdout.lines().find_map(|l| l.strip_prefix("shown_sha256 ")).unwrap().to_owned();
    (ran.stdout, digest)
}

fn predicate(path: PathBuf) -> (String, serde_json::Value) {
    use base64ct::Encoding as _;
    let env: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let payload = base64ct::Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    (statement["predicateType"].as_str().unwrap().to_owned(), statement["predicate"].clone())
}

#[test]
fn the_signer_sees_the_record_and_its_changes_and_is_manifested_with_department_and_title() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    assert!(sh(&d, &format!("cp -r {}/. . && rm -rf target", example().display())).status.success());
    for id in ["dana", "eli", "rosa"] {
        keygen(&d, id);
    }
    let (code, out) = as_admin(
        &d,
        &[
            "enroll",
            "--signer",
            "dana",
            "--name",
            "Dana Whitfield",
            "--email",
            "dana@pump.example",
            "--department",
            "Quality Assurance",
            "--title",
            "QA Lead",
            "--role",
            "QA",
            "--pubkey",
            "keys/dana.key.pub",
        ],
    );
    assert_eq!(code, 0, "{out}");
    enroll(&d, "eli", "Eli Novak", "ENGINEERING");
    enroll(&d, "rosa", "Rosa Lindqvist", "RELEASE");
    let registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    assert!(registry.contains("department = \"Quality Assurance\"") && registry.contains("title = \"QA Lead\""));

    prepare(&d, "v1.3.0");
    let (shown, digest) = show(&d, "v1.3.0");
    for part in [
        "Release:        v1.3.0",
        "Evidence files: 4 (SHA256SUMS sha256:",
        "  docs/release-notes.md",
        "RTM:            9 requirements (index.json sha256:",
        "review:       reviewed 3, unreviewed 1, suspect-native 1, suspect-inherited 4",
        "verification: passed",
        "SW-4  ",
        "Signatures:     none yet",
        "Changes:        no earlier signed release of this project to compare with",
    ] {
        assert!(shown.contains(part), "`{part}` not in:\n{shown}");
    }

    let out = sign(&d, "dana", "QA", "v1.3.0");
    assert!(out.contains(&format!("(what you were shown: {digest};")), "{out}");
    assert!(
        out.contains("Signer:         Dana Whitfield <dana@pump.example>, QA Lead, Quality Assurance (dana)"),
        "{out}"
    );
    let (ptype, p) = predicate(d.join("signatures/v1.3.0/QA--dana.dsse.json"));
    assert_eq!(ptype, "https://signet.dev/attestations/part11-signature/v3");
    assert_eq!((p["department"].as_str(), p["title"].as_str()), (Some("Quality Assurance"), Some("QA Lead")));
    assert_eq!(p["shown_sha256"].as_str(), Some(digest.as_str()), "the signature records what was shown");
    let (_, after) = show(&d, "v1.3.0");
    assert_ne!(after, digest, "the view now lists dana's signature");

    sign(&d, "eli", "ENGINEERING", "v1.3.0");
    let out = sign(&d, "rosa", "RELEASE", "v1.3.0");
    assert!(
        out.contains("QA (REVIEWER) by Dana Whitfield <dana@pump.example> (QA Lead, Quality Assurance) at"),
        "{out}"
    );
    let (code, out) = verify(&d, "signatures/v1.3.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("by Dana Whitfield <dana@pump.example> (QA Lead, Quality Assurance) at"), "{out}");
    assert!(d.join("signatures/release-v1.3.0.json").exists(), "{out}");
    let report = d.join("report").display().to_string();
    let bundle = d.join("dist/bundle.tar").display().to_string();
    Test::in_dir(tempfile::TempDir::new_in(&d).unwrap())
        .args(["--root", d.to_str().unwrap(), "report", "--release", "v1.3.0", "--out", &report, "--bundle", &bundle])
        .run();
    let html = fs::read_to_string(d.join("report/evidence-report.html")).unwrap();
    assert!(html.contains("<th scope=\"row\">Department / title</th><td>Quality Assurance / QA Lead</td>"));
    let model: serde_json::Value = serde_json::from_slice(&fs::read(d.join("report/report.json")).unwrap()).unwrap();
    assert_eq!(model["schema"], "signet.report/v2");
    assert_eq!(model["signatures"][0]["department"], "Quality Assurance");

    // The next release: one requirement reworded, the failing test fixed, evidence changed.
    let sdoc = d.join("regulatory-docs/software.sdoc");
    let text = fs::read_to_string(&sdoc).unwrap().replacen(
        "TITLE: Pressure sampling",
        "TITLE: Pressure sampling at 100 Hz",
        1,
    );
    fs::write(&sdoc, text).unwrap();
    let junit = d.join("evidence/junit/firmware-unit.xml");
    let xml = fs::read_to_string(&junit).unwrap();
    let (start, end) = (xml.find("<failure").unwrap(), xml.find("</failure>").unwrap() + "</failure>".len());
    fs::write(&junit, format!("{}{}", &xml[..start], &xml[end..])).unwrap();
    fs::write(d.join("evidence/docs/known-anomalies.md"), "none\n").unwrap();
    prepare(&d, "v1.4.0");

    let ran = Test::in_dir(tempfile::TempDir::new_in(&d).unwrap())
        .args(["--root", d.to_str().unwrap(), "diff", "--since", "v1.3.0"])
        .run();
    let diff = ran.stdout;
    for part in [
        "Changes from v1.3.0 to v1.4.0:",
        "Requirements changed (1):\n    SW-1  Pressure sampling at 100 Hz  [suspect-native,",
        "Tests whose verdict changed (1):\n    pump-firmware::alarm::volume_at_least_65_dba: failed -> passed",
        "Evidence files added (1):\n    docs/known-anomalies.md",
        "Evidence files changed (1):\n    junit/firmware-unit.xml",
    ] {
        assert!(diff.contains(part), "`{part}` not in:\n{diff}");
    }
    assert!(!diff.contains("Requirements added") && !diff.contains("removed"), "{diff}");
    let (shown, _) = show(&d, "v1.4.0");
    let block = diff.split_once('\n').unwrap().1;
    assert!(shown.contains(&format!("Changes since v1.3.0 (the previous signed release):\n{block}")), "{shown}");

    // A folder with a file merely named like an archival manifest is no signed release.
    let v140 = d.join("signatures/v1.4.0");
    sh(
        &d,
        "mkdir signatures/v1.3.9 && cp signatures/v1.4.0/index.json signatures/v1.4.0/SHA256SUMS signatures/v1.3.9/",
    );
    let mut stub: serde_json::Value = serde_json::from_slice(&fs::read(v140.join("request.json")).unwrap()).unwrap();
    stub["release"] = "v1.3.9".into();
    let v130: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("signatures/v1.3.0/request.json")).unwrap()).unwrap();
    stub["created_at"] = v130["created_at"].clone();
    fs::write(d.join("signatures/v1.3.9/request.json"), serde_json::to_string(&stub).unwrap()).unwrap();
    fs::write(d.join("signatures/release-v1.3.9.json"), "{}").unwrap();
    let (shown, _) = show(&d, "v1.4.0");
    assert!(shown.contains("Changes since v1.3.0 (the previous signed release)"), "{shown}");

    // A copy the request pins cannot be removed or edited under the signer's eyes.
    fs::rename(v140.join("index.json"), d.join("index.json.bak")).unwrap();
    Test::in_dir(tempfile::TempDir::new_in(&d).unwrap())
        .args(["--root", d.to_str().unwrap(), "sign", "--show", "--release", "v1.4.0"])
        .status(2)
        .stderr_contains("index.json: is missing, but the request pins sha256:")
        .run();
    fs::rename(d.join("index.json.bak"), v140.join("index.json")).unwrap();
    fs::write(d.join("signatures/v1.4.0/SHA256SUMS"), "0".repeat(64) + "  a\n").unwrap();
    Test::in_dir(tempfile::TempDir::new_in(&d).unwrap())
        .args(["--root", d.to_str().unwrap(), "sign", "--show", "--release", "v1.4.0"])
        .status(2)
        .stderr_contains("but the request pins sha256:")
        .stderr_contains("git checkout --")
        .run();
}

#[test]
fn trainee_and_auditor_are_built_in_meanings() {
    let policy = "[bundle]\nevidence = \"evidence\"\n\n[[signing.required]]\nrole = \"TRAINING\"\nmeaning = \"TRAINEE\"\n\
                  [[signing.required]]\nrole = \"AUDIT\"\nmeaning = \"AUDITOR\"\n";
    let t = Test::new()
        .file("signet.toml", policy)
        .file("evidence/a.txt", "a\n")
        .args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"])
        .run();
    let t = Test::in_dir(t.dir).args(["request", "--release", "v1", "--bundle", "dist/bundle.tar"]).run();
    let request: serde_json::Value =
        serde_json::from_slice(&fs::read(t.path("signatures/v1/request.json")).unwrap()).unwrap();
    let text = |i: usize| request["required"][i]["meaning_text"].as_str().unwrap().to_owned();
    assert!(text(0).contains("training was completed"), "{request}");
    assert!(text(1).contains("audited the record"), "{request}");
}

/// On a terminal the evidence file list comes 40 files a page; the signer presses Enter for the
/// next, and sees every file before the release id is asked.
#[test]
fn a_long_file_list_is_paged_at_the_terminal() {
    let repo = crate::signing::release_repo_with(crate::signing::POLICY, |d| {
        for i in 0..45 {
            fs::create_dir_all(d.join("evidence/logs")).unwrap();
            fs::write(d.join(format!("evidence/logs/run-{i:02}.log")), format!("run {i}\n")).unwrap();
        }
        fs::create_dir_all(d.join("dist")).unwrap();
        let listed =
            "cd evidence && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum > ../dist/SHA256SUMS";
        assert!(sh(d, listed).status.success());
    });
    let d = repo.path();
    let (code, out) = at_terminal(
        d,
        &["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/dana.key", "--bundle", "dist/bundle.tar"],
        &[("Enter for the next page", ""), ("type the release id", "v1.4.0"), ("Reason", ""), ("Password: ", PASSWORD)],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Evidence files: 46 (SHA256SUMS sha256:"), "{out}");
    assert!(out.contains("-- 40 of 46 files shown; Enter for the next page --"), "{out}");
    let (page, rest) = out.split_once("Enter for the next page").unwrap();
    assert!(page.contains("logs/run-38.log") && !page.contains("  report.txt"), "{page}");
    assert!(rest.contains("  report.txt") && rest.contains("type the release id"), "{rest}");
}

/// The SHA256SUMS a request pins is what signers are shown as the bundle's files: one that does
/// not list exactly the bundle's files, with their digests, is refused.
#[test]
fn a_request_refuses_checksums_that_do_not_describe_the_bundle() {
    let t = Test::new()
        .file("signet.toml", crate::signing::POLICY)
        .file("evidence/firmware.bin", "clean build\n")
        .args(["bundle", "--evidence", "evidence", "--out", "clean/bundle.tar", "--sums", "clean/SHA256SUMS"])
        .run();
    fs::write(t.path("evidence/firmware.bin"), "tampered build\n").unwrap();
    fs::write(t.path("evidence/backdoor.bin"), "x\n").unwrap();
    let t = Test::in_dir(t.dir).args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"]).run();
    Test::in_dir(t.dir)
        .args(["request", "--release", "v1", "--bundle", "dist/bundle.tar", "--sums", "clean/SHA256SUMS"])
        .status(2)
        .stderr_contains("does not describe")
        .stderr_contains("the bundle holds backdoor.bin, which SHA256SUMS does not list")
        .stderr_contains("firmware.bin in the bundle differs from its SHA256SUMS line")
        .run();
}
