//! Every format a real run writes validates against its committed JSON Schema (`schemas/`), as
//! PyPI's `check-jsonschema` reads it: index.json, request.json, each envelope and the Part 11
//! statement inside it, every audit line, the signer registry (TOML), the signing policy, the
//! archival manifest and report.json. And a newer format version is refused by name, end to end.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64ct::{Base64, Encoding as _};

use crate::support::Test;

fn schema(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas").join(name).display().to_string()
}

fn check(cj: &Path, schema_file: &str, instances: &[PathBuf]) {
    assert!(!instances.is_empty(), "no instances for {schema_file}");
    let out = Command::new(cj)
        .arg("--schemafile")
        .arg(schema(schema_file))
        .args(instances)
        .output()
        .expect("run check-jsonschema");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "check-jsonschema --schemafile {schema_file} {instances:?}:\n{text}");
}

fn write_json(dir: &Path, name: &str, value: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

#[test]
fn a_real_runs_outputs_validate_against_the_committed_schemas() {
    let Some(cj) = crate::actions::tool("check-jsonschema", "schema validation of outputs") else { return };
    let repo = crate::report::example_release(&["QA", "ENGINEERING", "RELEASE"]);
    let d = repo.path();
    let (code, out) = crate::signing::verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    crate::report::report(d, "out", &[]);
    Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root", d.to_str().unwrap(), "verify", "--bundle", "dist/bundle.tar"])
        .args(["--manifest", "signatures/v1.4.0", "--vsa", "out/vsa.json"])
        .run();
    let rel = d.join("signatures/v1.4.0");
    let scratch = tempfile::tempdir().unwrap();
    let s = scratch.path();

    let envelopes: Vec<PathBuf> = fs::read_dir(&rel)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".dsse.json"))
        .collect();
    assert_eq!(envelopes.len(), 3);
    let statements: Vec<PathBuf> = envelopes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let env: serde_json::Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
            let payload = Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
            write_json(s, &format!("statement-{i}.json"), &serde_json::from_slice(&payload).unwrap())
        })
        .collect();
    let events: Vec<PathBuf> = fs::read_dir(rel.join("events")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(events.len() >= 4, "request and three signatures: {events:?}");
    // The v1 layout's chained lines, from the frozen manifests that hold them.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut chained = Vec::new();
    for v in ["manifest-v1", "manifest-v2"] {
        let m: serde_json::Value =
            serde_json::from_slice(&fs::read(fixtures.join(v).join("release-v1.4.0.json")).unwrap()).unwrap();
        for (i, line) in m["audit"].as_str().unwrap().lines().enumerate() {
            chained.push(write_json(s, &format!("{v}-line-{i}.json"), &serde_json::from_str(line).unwrap()));
        }
    }
    let config: toml::Table = toml::from_str(&fs::read_to_string(d.join("signet.toml")).unwrap()).unwrap();
    let policy = write_json(s, "policy.json", &serde_json::to_value(&config["signing"]).unwrap());

    check(&cj, "index.schema.json", &[d.join("target/rtm/index.json")]);
    check(&cj, "request.schema.json", &[rel.join("request.json")]);
    check(&cj, "dsse-envelope.schema.json", &envelopes);
    check(&cj, "part11-statement.schema.json", &statements);
    check(&cj, "event.schema.json", &events);
    check(&cj, "audit-event.schema.json", &chained);
    check(&cj, "signers.schema.json", &[d.join("signatures/signers.toml")]);
    check(&cj, "signing-policy.schema.json", &[policy]);
    check(&cj, "manifest.schema.json", &[d.join("signatures/release-v1.4.0.json")]);
    check(&cj, "report.schema.json", &[d.join("out/report.json")]);
    check(&cj, "vsa-statement.schema.json", &[d.join("out/vsa.json")]);
    let frozen: Vec<PathBuf> =
        ["manifest-v1", "manifest-v2"].iter().map(|v| fixtures.join(v).join("trust.json")).collect();
    check(&cj, "trust.schema.json", &[&[d.join("signatures/trust.json")], &frozen[..]].concat());
    let manifests: Vec<PathBuf> =
        ["manifest-v1", "manifest-v2"].iter().map(|v| fixtures.join(v).join("release-v1.4.0.json")).collect();
    check(&cj, "manifest.schema.json", &manifests);
}

/// A manifest from a newer Signet (`signet.manifest/v4`, with a field v3 does not know) is
/// refused by its version, with what to do, never with a parse error.
#[test]
fn a_newer_manifest_version_is_refused_by_name() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest-v1");
    let t = Test::new();
    let d = t.path().to_path_buf();
    let copy = crate::support::sh(&d, &format!("cp -r {}/. .", fixture.display()));
    assert!(copy.status.success());
    let manifest = fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("release-")))
        .expect("the frozen manifest");
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&manifest).unwrap()).unwrap();
    m["schema"] = "signet.manifest/v6".into();
    m["trust"] = serde_json::json!({"anchors": []});
    fs::write(&manifest, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let bundle = fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "tar"))
        .expect("the frozen bundle");
    let (bundle, manifest) = (bundle.display().to_string(), manifest.display().to_string());
    Test::in_dir(t.into_dir())
        .args(["verify", "--bundle", &bundle, "--manifest", &manifest])
        .status(2)
        .stderr_contains("written in signet.manifest/v6, a newer format than this Signet")
        .stderr_contains("reads (up to signet.manifest/v5)")
        .run();
}
