//! `signet validation` (issue #18): Signet's own CSA record, rendered with a release's traceability
//! figures and its SOUP entry to HTML and PDF/A, and refusals of records that do not hold together.

use std::fs;
use std::path::{Path, PathBuf};

use crate::report::tool;
use crate::support::{Test, sh};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example project gated (it blocks: exit 1), for an index.json with real figures.
fn gated_example() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    sh(d.path(), &format!("cp -r '{}/examples/infusion-pump/.' .", repo().display()));
    Test::in_dir(tempfile::TempDir::new_in(d.path()).unwrap())
        .args(["--root".into(), d.path().as_os_str().to_owned()])
        .args(["rtm-gate", "--out", "target/rtm"])
        .status(1)
        .run();
    d
}

fn soup(version: &str) -> String {
    format!(
        r#"{{"schema":"signet.soup-entry/v1","name":"Signet","version":"{version}","license":"Apache-2.0","source":"https://github.com/signet-dev/signet","binaries":[{{"file":"signet-x86_64-unknown-linux-musl","size":3,"sha256":"{h}"}}],"dependencies":[{{"name":"sha2","version":"0.11.0","license":"MIT OR Apache-2.0","source":"crates.io"}}],"anomalies":[],"generated_by":"signet test"}}"#,
        h = "a".repeat(64)
    )
}

fn record_version() -> String {
    let text = fs::read_to_string(repo().join("validation/csa-record.toml")).unwrap();
    let line = text.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_string()
}

fn validation(d: &Path, record: &Path, extra: &[&str], status: i32) -> crate::support::Ran {
    Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root".into(), d.as_os_str().to_owned()])
        .args(["validation", "--record", record.to_str().unwrap(), "--rtm", "target/rtm/index.json"])
        .args(extra.iter().copied())
        .status(status)
        .run()
}

#[test]
fn the_csa_record_renders_to_html_and_pdf_a_with_the_figures_and_the_soup_entry() {
    let ex = gated_example();
    let d = ex.path();
    fs::write(d.join("soup-entry.json"), soup(&record_version())).unwrap();
    let record = repo().join("validation/csa-record.toml");
    let ran = validation(d, &record, &["--soup", "soup-entry.json", "--out", "csa", "--pdf"], 0);
    assert!(ran.stdout.contains("Computer Software Assurance record:"), "{}", ran.stdout);
    let index: serde_json::Value = serde_json::from_slice(&fs::read(d.join("target/rtm/index.json")).unwrap()).unwrap();
    let reqs = index["requirements"].as_array().unwrap().len();
    assert!(ran.stdout.contains(&format!(": {reqs} requirements, ")), "{}", ran.stdout);

    let html = fs::read_to_string(d.join("csa/csa-record.html")).unwrap();
    for want in
        ["1. Intended use", "Signing ceremony", "<td>high</td>", "<td>low</td>", "reference-verifier", "5. Conclusion"]
    {
        assert!(html.contains(want), "the HTML lacks {want}");
    }
    assert!(html.contains(&format!("{reqs} requirements:")), "the figures come from index.json");
    assert!(html.contains("signet-x86_64-unknown-linux-musl") && html.contains("MIT OR Apache-2.0"), "SOUP entry");
    // High-risk features come first.
    assert!(html.find("<td>high</td>").unwrap() < html.find("<td>low</td>").unwrap());

    let pdf = d.join("csa/csa-record.pdf");
    let info = tool(d, "pdfinfo", &["-meta", pdf.to_str().unwrap()]);
    assert!(info.contains("<pdfaid:part>3</pdfaid:part>"), "PDF/A-3 (it embeds the record): {info}");
    tool(d, "qpdf", &["--check", pdf.to_str().unwrap()]);
    let text = tool(d, "pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for want in
        ["Intended use", "Risk-based assessment per feature", "Issues found and their disposition", "SOUP entry"]
    {
        assert!(text.contains(want), "the PDF lacks {want}:\n{text}");
    }
    let saved = d.join("detached");
    fs::create_dir_all(&saved).unwrap();
    tool(d, "pdfdetach", &["-saveall", "-o", saved.to_str().unwrap(), pdf.to_str().unwrap()]);
    assert_eq!(fs::read(saved.join("csa-record.toml")).unwrap(), fs::read(&record).unwrap());
    assert_eq!(fs::read(saved.join("soup-entry.json")).unwrap(), fs::read(d.join("soup-entry.json")).unwrap());

    // Nothing comes from the clock: a second render is byte-identical.
    validation(d, &record, &["--soup", "soup-entry.json", "--out", "again", "--pdf"], 0);
    assert_eq!(fs::read(&pdf).unwrap(), fs::read(d.join("again/csa-record.pdf")).unwrap());
}

#[test]
fn a_record_that_does_not_hold_together_is_refused_by_file_and_reason() {
    let ex = gated_example();
    let d = ex.path();
    let original = fs::read_to_string(repo().join("validation/csa-record.toml")).unwrap();
    let refused = |name: &str, text: String, extra: &[&str], want: &str| {
        let path = d.join(name);
        fs::write(&path, text).unwrap();
        let out = format!("out-{name}");
        let ran = validation(d, &path, &[&["--out", out.as_str()], extra].concat(), 2);
        assert!(ran.stderr.contains(name) || want.contains("SOUP"), "{name}: {}", ran.stderr);
        assert!(ran.stderr.contains(want), "{name}: {}", ran.stderr);
        assert!(!d.join(&out).exists(), "nothing is written for a refused record");
    };
    refused(
        "unknown-activity.toml",
        original.replacen("assurance = [\"scripted-e2e\", \"unit\"", "assurance = [\"scripted-e2e\", \"hope\"", 1),
        &[],
        "names activity `hope`, which no [[activities]] entry defines",
    );
    refused(
        "newer.toml",
        original.replace("signet.csa-record/v1", "signet.csa-record/v2"),
        &[],
        "a newer format than this Signet",
    );
    refused("typo.toml", original.replace("intended_use =", "intended_usage ="), &[], "line ");
    fs::write(d.join("old-soup.json"), soup("0.0.1")).unwrap();
    refused(
        "mismatch.toml",
        original.clone(),
        &["--soup", "old-soup.json"],
        "is the SOUP entry of version 0.0.1, but the CSA record covers",
    );
}
