//! Forgeries the final gate refuses whatever trust anchor is (or is not) given: a record that
//! requires no signature, a registry entry whose key was swapped under a genuine key id, a
//! release folder copied to another release id, and an archived manifest whose summary fields
//! disagree with its content. Each was a PASS before; each now FAILS (exit 1) with its own
//! message. (Issue #13 forgeries 1, 2, 3, 4, 9 and 10.)

use std::fs;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding as _};
use serde_json::Value;
use signet::sign::{keys, record};

use crate::signing::verify;

/// A signed three-role release (`signatures/bench/`) and its archived manifest.
fn signed(dir: &Path) -> PathBuf {
    let root = signet_dev::fixtures::ensure_signed_release(dir, 3).unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = verify(&root, "signatures/bench");
    assert_eq!(code, 0, "the untouched release verifies: {out}");
    assert!(root.join("signatures/release-bench.json").exists());
    root
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write_json(path: &Path, v: &Value) {
    fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn sha(bytes: &[u8]) -> String {
    signet::digest::tagged(bytes)
}

/// An event file as an attacker with write access would make one: canonical JSON (sorted
/// keys, compact), named by its time and digest.
fn forge_event(v: &Value) -> (String, String) {
    let text = serde_json::to_string(v).unwrap();
    let at = signet::sign::Timestamp::parse(v["at"].as_str().unwrap()).unwrap();
    (signet::sign::audit::file_name(at, text.as_bytes()), text)
}

/// The events with the `signature-created` event of the `old` envelope text logging `new`
/// instead, re-named to match.
fn relog(events: &[(String, String)], old: &str, new: &str) -> Vec<(String, String)> {
    events
        .iter()
        .map(|(file, text)| {
            let mut e: Value = serde_json::from_str(text).unwrap();
            if e["envelope"]["sha256"] == sha(old.as_bytes()).as_str() {
                e["envelope"]["sha256"] = sha(new.as_bytes()).into();
                return forge_event(&e);
            }
            (file.clone(), text.clone())
        })
        .collect()
}

fn manifest_events(m: &Value) -> Vec<(String, String)> {
    let list = m["events"].as_array().unwrap();
    list.iter().map(|e| (e["file"].as_str().unwrap().into(), e["text"].as_str().unwrap().into())).collect()
}

fn set_manifest_events(m: &mut Value, events: &[(String, String)]) {
    m["events"] = events.iter().map(|(file, text)| serde_json::json!({"file": file, "text": text})).collect();
}

fn folder_events(rel: &Path) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = fs::read_dir(rel.join("events"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    list.sort();
    list
}

fn set_folder_events(rel: &Path, events: &[(String, String)]) {
    fs::remove_dir_all(rel.join("events")).unwrap();
    fs::create_dir(rel.join("events")).unwrap();
    for (file, text) in events {
        fs::write(rel.join("events").join(file), text).unwrap();
    }
}

fn expect_fail(out: (i32, String), message: &str) {
    let (code, text) = out;
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(message), "expected `{message}` in:\n{text}");
    assert!(text.contains("FAIL: release"), "{text}");
}

/// #1: a manifest for a trojan bundle whose policy and request require no role, with no
/// signatures and a request-created event forged for the new request.
#[test]
fn a_manifest_that_requires_no_signature_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    fs::write(root.join("dist/trojan.tar"), b"trojan").unwrap();
    let trojan = signet::digest::Digest::of(b"trojan").hex();
    let path = root.join("signatures/release-bench.json");
    let mut m = read_json(&path);
    let mut request: Value = serde_json::from_str(m["request"].as_str().unwrap()).unwrap();
    request["required"] = Value::Array(Vec::new());
    request["bundle"]["sha256"] = trojan.clone().into();
    request["bundle"]["name"] = "trojan.tar".into();
    let request_text = serde_json::to_string_pretty(&request).unwrap() + "\n";
    let request_sha = sha(request_text.as_bytes());
    let created = forge_event(&serde_json::json!({
        "schema": "signet.event/v1", "at": request["created_at"], "event": "request-created", "release": "bench",
        "request_sha256": request_sha, "detail": format!("request {request_sha} for bundle sha256:{trojan}"),
    }));
    m["request"] = request_text.into();
    m["request_sha256"] = request_sha.into();
    m["policy"]["required"] = Value::Array(Vec::new());
    m["envelopes"] = Value::Array(Vec::new());
    set_manifest_events(&mut m, &[created]);
    m["bundle_sha256"] = trojan.into();
    let forged = root.join("forged.json");
    write_json(&forged, &m);
    expect_fail(
        crate::reference::verify(&root, &["--bundle", "dist/trojan.tar", "--manifest", "forged.json"]),
        "the signing policy is invalid: no [[signing.required]] roles: a release needs at least one required signature",
    );
}

/// #2: the same in a release folder: `signet.toml` without required roles and a request that
/// requires none, its signatures removed and its events forged to match.
#[test]
fn a_folder_whose_policy_requires_no_signature_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let rel = root.join("signatures/bench");
    fs::write(root.join("signet.toml"), "").unwrap();
    let mut request = read_json(&rel.join("request.json"));
    request["required"] = Value::Array(Vec::new());
    let request_text = serde_json::to_string_pretty(&request).unwrap() + "\n";
    fs::write(rel.join("request.json"), &request_text).unwrap();
    for f in fs::read_dir(&rel).unwrap().map(|e| e.unwrap().path()) {
        if f.to_string_lossy().ends_with(".dsse.json") {
            fs::remove_file(f).unwrap();
        }
    }
    let (_, first) = folder_events(&rel).into_iter().find(|(_, t)| t.contains("request-created")).unwrap();
    let mut first: Value = serde_json::from_str(&first).unwrap();
    first["request_sha256"] = sha(request_text.as_bytes()).into();
    set_folder_events(&rel, &[forge_event(&first)]);
    expect_fail(verify(&root, "signatures/bench"), "the signing policy is invalid: no [[signing.required]] roles");
}

/// #3: a manifest that keeps a genuine signer's key id, name and email but carries the
/// attacker's public key, with that signer's signature re-made by the attacker and its event
/// forged to match.
#[test]
fn a_manifest_with_a_swapped_key_under_a_genuine_key_id_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let path = root.join("signatures/release-bench.json");
    let mut m = read_json(&path);
    let attacker = keys::generate();
    // ROLE03 signs last: no other signature names its envelope's digest.
    let i = m["envelopes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["file"].as_str().unwrap().starts_with("ROLE03--"))
        .unwrap();
    let old_text = m["envelopes"][i]["envelope"].as_str().unwrap().to_string();
    let env: signet::sign::dsse::Envelope = serde_json::from_str(&old_text).unwrap();
    let payload = Base64::decode_vec(&env.payload).unwrap();
    let statement: signet::sign::dsse::Statement<signet::sign::record::Part11Record> =
        serde_json::from_slice(&payload).unwrap();
    let request: signet::sign::request::Request = serde_json::from_str(m["request"].as_str().unwrap()).unwrap();
    let new_text = record::envelope_text(&request, &statement.predicate, &attacker);
    let signer_id = statement.predicate.signer_id.to_string();
    for s in m["signers"].as_array_mut().unwrap() {
        if s["id"] == signer_id.as_str() {
            s["public_key"] = keys::public_pem(attacker.verifying_key()).into();
        }
    }
    m["envelopes"][i]["envelope"] = new_text.clone().into();
    m["envelopes"][i]["sha256"] = sha(new_text.as_bytes()).into();
    let events = relog(&manifest_events(&m), &old_text, &new_text);
    set_manifest_events(&mut m, &events);
    write_json(&path, &m);
    expect_fail(verify(&root, "signatures/release-bench.json"), &format!("registry entry `{signer_id}` names key id"));
}

/// #4: the same edit in `signatures/signers.toml`: only one signer's PEM lines changed.
#[test]
fn a_registry_entry_with_a_swapped_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let registry = root.join("signatures/signers.toml");
    let text = fs::read_to_string(&registry).unwrap();
    let reg: signet::sign::registry::Registry = toml::from_str(&text).unwrap();
    let victim = &reg.signer[0];
    let attacker = keys::public_pem(keys::generate().verifying_key());
    // The base64 lines, whichever way the TOML string spells the line breaks.
    let mut forged = text.clone();
    for (genuine, swapped) in victim.public_key.lines().zip(attacker.lines()).filter(|(g, _)| !g.starts_with("-----")) {
        forged = forged.replacen(genuine, swapped, 1);
    }
    assert_ne!(forged, text, "the key was swapped");
    fs::write(&registry, forged).unwrap();
    expect_fail(
        verify(&root, "signatures/bench"),
        &format!("registry entry `{}` names key id {}, but its credential's id is", victim.id, victim.key_id),
    );
}

/// #9: the release folder copied to another release id.
#[test]
fn a_release_folder_copied_to_another_release_id_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let copy = crate::support::sh(&root, "cp -r signatures/bench signatures/v9.9.9");
    assert!(copy.status.success());
    expect_fail(
        verify(&root, "signatures/v9.9.9"),
        "the release folder is `v9.9.9`, but its request is for release bench",
    );
}

/// An edit to a manifest's JSON.
type Edit = fn(&mut Value);

/// #10: an archived manifest's summary fields edited away from the content they summarise.
#[test]
fn a_manifest_whose_summary_disagrees_with_its_content_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let path = root.join("signatures/release-bench.json");
    let genuine = read_json(&path);
    let cases: [(&str, Edit, &str); 4] = [
        (
            "release",
            |m| m["release"] = "v9.9.9".into(),
            "the manifest says release v9.9.9, but its request is for release bench",
        ),
        (
            "request_sha256",
            |m| m["request_sha256"] = format!("sha256:{}", "1".repeat(64)).into(),
            "the manifest records request_sha256 sha256:1111",
        ),
        ("bundle_sha256", |m| m["bundle_sha256"] = "2".repeat(64).into(), "the manifest records bundle_sha256 2222"),
        (
            "envelope sha256",
            |m| m["envelopes"][0]["sha256"] = format!("sha256:{}", "3".repeat(64)).into(),
            "the manifest records sha256 sha256:3333",
        ),
    ];
    for (what, edit, message) in cases {
        let mut m = genuine.clone();
        edit(&mut m);
        write_json(&path, &m);
        let (code, text) = verify(&root, "signatures/release-bench.json");
        assert_eq!(code, 1, "{what}: {text}");
        assert!(text.contains(message), "{what}: expected `{message}` in:\n{text}");
    }
}

/// A key-file signature whose holder re-signed it claiming a trusted time source: only a
/// verified keyless signature may say its time is vouched for. (Before, it passed and the report
/// showed "the transparency log's verified integration time" for the signer's own clock.)
#[test]
fn a_key_file_signature_claiming_a_trusted_time_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let rel = root.join("signatures/bench");
    let file = fs::read_dir(&rel)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("ROLE03--"))
        .unwrap();
    let old_text = fs::read_to_string(&file).unwrap();
    let env: signet::sign::dsse::Envelope = serde_json::from_str(&old_text).unwrap();
    let payload = Base64::decode_vec(&env.payload).unwrap();
    let mut statement: signet::sign::dsse::Statement<signet::sign::record::Part11Record> =
        serde_json::from_slice(&payload).unwrap();
    statement.predicate.time_source = signet::sign::record::TimeSource::TransparencyLog;
    let pem = fs::read_to_string(root.join(format!("keys/{}.key", statement.predicate.signer_id))).unwrap();
    let key = keys::decrypt_pem(&pem, signet_dev::fixtures::FIXTURE_PASSWORD.as_bytes()).unwrap();
    let request: signet::sign::request::Request =
        serde_json::from_slice(&fs::read(rel.join("request.json")).unwrap()).unwrap();
    let new_text = record::envelope_text(&request, &statement.predicate, &key);
    fs::write(&file, &new_text).unwrap();
    set_folder_events(&rel, &relog(&folder_events(&rel), &old_text, &new_text));
    expect_fail(
        verify(&root, "signatures/bench"),
        "a key-file signature's time is the signer's own clock (`signer-clock`), but it claims `transparency-log`",
    );
}
