//! Part 11 signatures end to end: keys made and used through a real pseudo-terminal, the
//! registry, the request, the ceremony's refusals and lockout, the final gate on the folder and
//! on the archived manifest alone, a tamper matrix, and independent checks with openssl.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{SIGNET, Test, sh};

pub(crate) const POLICY: &str = r#"
[bundle]
evidence = "evidence"

[[signing.required]]
role = "QA"
meaning = "REVIEWER"
[[signing.required]]
role = "ENGINEERING"
meaning = "REVIEWER"
[[signing.required]]
role = "RELEASE"
meaning = "APPROVER"
after = ["QA", "ENGINEERING"]
"#;

pub(crate) const PASSWORD: &str = "correct horse battery staple 42";

/// Runs `signet ARGS` in a pseudo-terminal, answering each prompt in turn.
pub(crate) fn at_terminal(dir: &Path, args: &[&str], dialogue: &[(&str, &str)]) -> (i32, String) {
    let script = dir.join(format!("dialogue-{}.json", std::process::id()));
    fs::write(&script, serde_json::to_string(dialogue).unwrap()).unwrap();
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/pty_drive.py");
    let out = Command::new("python3")
        .arg(driver)
        .arg(&script)
        .arg("--")
        .arg(SIGNET)
        .args(args)
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join(".state"))
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn keygen(dir: &Path, id: &str) {
    let key = format!("keys/{id}.key");
    let (code, out) = at_terminal(
        dir,
        &["keygen", "--signer", id, "--out", &key],
        &[("key password: ", PASSWORD), ("Repeat the password: ", PASSWORD)],
    );
    assert_eq!(code, 0, "{out}");
}

/// The organisation's trust file `signatures/trust.json`, naming one administrator, `admin`
/// (`keys/admin.key`), and accepting these Sigstore trusted roots.
pub(crate) fn trust(dir: &Path, sigstore_roots: &[String]) {
    let at = signet::sign::Timestamp(signet::sign::Timestamp::now().0 - 3600);
    signet_dev::fixtures::write_trust(dir, at, sigstore_roots).unwrap();
}

/// Runs an administrator's `signet enroll`/`revoke ARGS` at a terminal as `admin`: types the
/// signer id and the password. Creates the trust file first if there is none.
pub(crate) fn as_admin(dir: &Path, args: &[&str]) -> (i32, String) {
    if !dir.join("signatures/trust.json").exists() {
        trust(dir, &[]);
    }
    let id = args.iter().skip_while(|a| **a != "--signer").nth(1).copied().unwrap_or_default();
    let mut all = args.to_vec();
    all.extend(["--admin-key", "keys/admin.key"]);
    at_terminal(dir, &all, &[("type the signer id", id), ("Password: ", signet_dev::fixtures::FIXTURE_PASSWORD)])
}

pub(crate) fn enroll(dir: &Path, id: &str, name: &str, role: &str) {
    let email = format!("{id}@pump.example");
    let pubkey = format!("keys/{id}.key.pub");
    let args = ["enroll", "--signer", id, "--name", name, "--email", &email, "--role", role, "--pubkey", &pubkey];
    let (code, out) = as_admin(dir, &args);
    assert_eq!(code, 0, "{out}");
}

/// Signs `role` as `id`, typing the release id, a reason and the password.
pub(crate) fn sign(dir: &Path, id: &str, role: &str) -> (i32, String) {
    sign_with(dir, id, role, &[])
}

/// As [`sign`], with more `signet sign` arguments.
pub(crate) fn sign_with(dir: &Path, id: &str, role: &str, more: &[&str]) -> (i32, String) {
    let key = format!("keys/{id}.key");
    let mut args = vec!["sign", "--release", "v1.4.0", "--role", role, "--key", &key, "--bundle", "dist/bundle.tar"];
    args.extend(more);
    at_terminal(
        dir,
        &args,
        &[("type the release id", "v1.4.0"), ("Reason", "reviewed test evidence"), ("Password: ", PASSWORD)],
    )
}

/// Dana signs QA, typing these passwords in turn (the ceremony stops at the right one or at the
/// lockout).
pub(crate) fn dana_signs_qa_with(dir: &Path, passwords: &[&str]) -> (i32, String) {
    let mut dialogue = vec![("type the release id", "v1.4.0"), ("Reason", "")];
    dialogue.extend(passwords.iter().map(|p| ("Password: ", *p)));
    at_terminal(dir, &["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/dana.key"], &dialogue)
}

/// `signet verify`; an archived manifest is verified with `trust.json` beside it, if there is one.
pub(crate) fn verify(dir: &Path, manifest: &str) -> (i32, String) {
    let bundle = if dir.join("dist/bundle.tar").exists() { "dist/bundle.tar" } else { "bundle.tar" };
    let mut args = vec!["--bundle", bundle, "--manifest", manifest];
    if manifest.ends_with(".json") && dir.join("trust.json").exists() {
        args.extend(["--trust", "trust.json"]);
    }
    crate::reference::verify(dir, &args)
}

/// A repository with four enrolled people, a bundle and a request for v1.4.0.
pub(crate) fn release_repo() -> tempfile::TempDir {
    release_repo_with(POLICY, |_| {})
}

/// As [`release_repo`], under `policy`, with `setup` run in the folder before anyone enrols
/// (e.g. to write a trust file of its own).
pub(crate) fn release_repo_with(policy: &str, setup: impl FnOnce(&Path)) -> tempfile::TempDir {
    let t = Test::new().file("signet.toml", policy).file("evidence/report.txt", "all tests passed\n");
    let dir = t.path().to_path_buf();
    setup(&dir);
    for (id, name, role) in [
        ("dana", "Dana Whitfield", "QA"),
        ("eli", "Eli Novak", "ENGINEERING"),
        ("rosa", "Rosa Lindqvist", "RELEASE"),
        ("sam", "Sam Okafor", "QA"),
    ] {
        keygen(&dir, id);
        enroll(&dir, id, name, role);
    }
    let t = Test::in_dir(t.into_dir()).args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"]).run();
    let t = Test::in_dir(t.dir)
        .args([
            "request",
            "--release",
            "v1.4.0",
            "--bundle",
            "dist/bundle.tar",
            "--commit",
            "0123456789abcdef0123456789abcdef01234567",
        ])
        .run();
    t.dir
}

pub(crate) fn signed_release() -> tempfile::TempDir {
    let repo = release_repo();
    let d = repo.path();
    for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        let (code, out) = sign(d, id, role);
        assert_eq!(code, 0, "{out}");
    }
    repo
}

#[test]
fn full_ceremony_verifies_and_the_archive_verifies_alone() {
    let repo = release_repo();
    let d = repo.path();
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("REVIEWER") && out.contains("independent verification of record quality"),
        "definition shown: {out}"
    );
    assert!(out.contains("Bundle dist/bundle.tar recomputed: sha256 matches"), "{out}");

    // Order: RELEASE needs both reviewers first.
    let (code, out) = sign(d, "rosa", "RELEASE");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("still missing: ENGINEERING"), "{out}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("awaiting ENGINEERING (REVIEWER)"), "{out}");
    assert!(out.contains("awaiting RELEASE (APPROVER) — needs ENGINEERING first"), "{out}");

    // Separation of duties and one signature per role.
    let (code, out) = sign(d, "sam", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("QA is already signed for v1.4.0 by Dana Whitfield"), "{out}");

    for (id, role) in [("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        let (code, out) = sign(d, id, role);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   RELEASE (APPROVER) by Rosa Lindqvist <rosa@pump.example>"), "{out}");
    assert!(d.join("signatures/release-v1.4.0.json").exists());

    // The DHF archival job: only the bundle and the manifest, in an empty folder.
    let dhf = tempfile::tempdir().unwrap();
    fs::create_dir(dhf.path().join("dist")).unwrap();
    fs::copy(d.join("dist/bundle.tar"), dhf.path().join("dist/bundle.tar")).unwrap();
    fs::copy(d.join("signatures/release-v1.4.0.json"), dhf.path().join("release-v1.4.0.json")).unwrap();
    // Without the organisation's trust file, nothing anchors the signers: never PASS.
    let (code, out) = verify(dhf.path(), "release-v1.4.0.json");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("nothing anchors the signers") && out.contains("--trust FILE"), "{out}");
    // With it (a copy from the QMS), the archive verifies alone.
    fs::copy(d.join("signatures/trust.json"), dhf.path().join("trust.json")).unwrap();
    let (code, out) = verify(dhf.path(), "release-v1.4.0.json");
    assert_eq!(code, 0, "{out}");
    // Another organisation's trust file makes the same release FAIL.
    let other = tempfile::tempdir().unwrap();
    trust(other.path(), &[]);
    fs::copy(other.path().join("signatures/trust.json"), dhf.path().join("trust.json")).unwrap();
    let (code, out) = verify(dhf.path(), "release-v1.4.0.json");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not continue the trust file"), "{out}");
}

#[test]
fn signing_refuses_without_a_terminal() {
    let repo = release_repo();
    Test::in_dir(repo)
        .args(["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/dana.key"])
        .status(2)
        .stderr_contains("signing needs a terminal")
        .run();
}

#[test]
fn three_wrong_passwords_lock_signing_and_are_audited() {
    let repo = release_repo();
    let d = repo.path();
    let (code, out) = dana_signs_qa_with(d, &["wrong one 1", "wrong one 2", "wrong one 3"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signing is locked for `dana` until"), "{out}");
    let audit = crate::support::events(&d.join("signatures/v1.4.0"));
    assert_eq!(audit.matches("\"failed-attempt\"").count(), 3, "{audit}");
    assert_eq!(audit.matches("\"lockout\"").count(), 1, "{audit}");
    assert!(audit.contains("\"signer\":\"dana\""));
    // Even the right password is refused while locked.
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signing is locked for `dana`"), "{out}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("problem  "), "failed attempts are events, not problems: {out}");
}

#[test]
fn keygen_key_opens_with_openssl_and_enroll_rules_hold() {
    let repo = release_repo();
    let d = repo.path();
    fs::write(d.join("pw.txt"), PASSWORD).unwrap();
    let out = sh(d, "openssl pkey -in keys/dana.key -passin file:pw.txt -pubout");
    assert_eq!(String::from_utf8_lossy(&out.stdout), fs::read_to_string(d.join("keys/dana.key.pub")).unwrap());
    let mode = fs::metadata(d.join("keys/dana.key")).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    // The same key never under two ids; one active key per person.
    let root = d.display().to_string();
    for (args, msg) in [
        (vec!["--signer", "mallory", "--pubkey", "keys/dana.key.pub"], "already enrolled for `dana`"),
        (vec!["--signer", "dana", "--pubkey", "keys/eli.key.pub"], "already has an active key"),
    ] {
        let mut all = vec![
            "--root",
            &root,
            "enroll",
            "--name",
            "X",
            "--email",
            "x@pump.example",
            "--role",
            "QA",
            "--admin-key",
            "keys/admin.key",
        ];
        all.extend(args);
        Test::new().args(all).status(2).stderr_contains(msg).run();
    }
}

#[test]
fn an_auditor_checks_a_signature_with_stock_openssl() {
    let repo = signed_release();
    let d = repo.path();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/openssl-verify.sh");
    let out = sh(d, &format!("sh {} signatures/v1.4.0/QA--dana.dsse.json keys/dana.key.pub", script.display()));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
    // And with PyPI's in-toto / securesystemslib, when scripts/test has set up their venv.
    let Some(python) = std::env::var_os("SIGNET_INTOTO_PYTHON") else {
        signet_dev::missing_prerequisite("the in-toto check: SIGNET_INTOTO_PYTHON is not set");
        return;
    };
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/verify_dsse.py");
    for env in ["QA--dana", "ENGINEERING--eli", "RELEASE--rosa"] {
        let id = env.split("--").nth(1).unwrap();
        let out = Command::new(&python)
            .arg(&checker)
            .arg(format!("signatures/v1.4.0/{env}.dsse.json"))
            .arg(format!("keys/{id}.key.pub"))
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "in-toto rejected {env}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Every way to alter a signed release must fail the final gate with its own message.
#[test]
fn tamper_matrix() {
    let repo = signed_release();
    let d = repo.path();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "untampered release passes: {out}");
    let cases = tamper_cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for (name, expect, tamper) in cases {
        let copy = tempfile::tempdir().unwrap();
        sh(copy.path(), &format!("cp -a {}/. .", d.display()));
        tamper(copy.path());
        let (code, out) = verify(copy.path(), "signatures/v1.4.0");
        assert_ne!(code, 0, "tamper `{name}` was not detected:\n{out}");
        assert!(out.contains(expect), "tamper `{name}`: expected {expect:?} in:\n{out}");
    }
}

type Tamper = Box<dyn Fn(&Path)>;

fn edit_json(path: PathBuf, f: impl Fn(&mut serde_json::Value) + 'static) -> Tamper {
    Box::new(move |root: &Path| {
        let p = root.join(&path);
        let mut v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
        f(&mut v);
        fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    })
}

/// Re-encodes the payload of an envelope after `f` edits the statement: the signature no
/// longer matches, whatever the edit.
fn edit_payload(file: &str, f: impl Fn(&mut serde_json::Value) + 'static) -> Tamper {
    let path = PathBuf::from("signatures/v1.4.0").join(file);
    edit_json(path, move |env| {
        use base64ct::{Base64, Encoding};
        let raw = Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
        let mut st: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        f(&mut st);
        env["payload"] = Base64::encode_string(&serde_json::to_vec(&st).unwrap()).into();
    })
}

fn replace_in(file: &'static str, from: &'static str, to: &'static str) -> Tamper {
    Box::new(move |root: &Path| {
        let p = root.join(file);
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{from} not in {file}");
        fs::write(&p, text.replacen(from, to, 1)).unwrap();
    })
}

fn shell(script: &'static str) -> Tamper {
    Box::new(move |root: &Path| {
        sh(root, script);
    })
}

fn tamper_cases() -> Vec<(&'static str, &'static str, Tamper)> {
    let rel = "signatures/v1.4.0";
    let qa = "QA--dana.dsse.json";
    let pred = |field: &'static str, value: serde_json::Value| {
        edit_payload(qa, move |st| st["predicate"][field] = value.clone())
    };
    vec![
        (
            "bundle byte flipped",
            "this is not the signed bundle",
            shell("printf 'X' | dd of=dist/bundle.tar bs=1 seek=600 conv=notrunc status=none"),
        ),
        (
            "bundle replaced",
            "this is not the signed bundle",
            shell("echo other > evidence/x && rm dist/bundle.tar && echo junk > dist/bundle.tar"),
        ),
        ("payload: printed name", "signature does not verify", pred("printed_name", "Mallory".into())),
        ("payload: signer id", "signature does not verify", pred("signer_id", "sam".into())),
        ("payload: email", "signature does not verify", pred("email", "m@evil".into())),
        ("payload: role", "signature does not verify", pred("role", "ENGINEERING".into())),
        ("payload: meaning", "signature does not verify", pred("meaning", "APPROVER".into())),
        ("payload: meaning text", "signature does not verify", pred("meaning_text", "anything".into())),
        ("payload: reason", "signature does not verify", pred("reason", "nothing".into())),
        ("payload: signed_at", "signature does not verify", pred("signed_at", "2020-01-01T00:00:00Z".into())),
        ("payload: release", "signature does not verify", pred("release", "v9".into())),
        ("payload: request digest", "signature does not verify", pred("request_sha256", "sha256:00".into())),
        ("payload: commits", "signature does not verify", pred("commits", serde_json::json!(["deadbeef"]))),
        (
            "payload: subject digest",
            "signature does not verify",
            edit_payload(qa, |st| st["subject"][0]["digest"]["sha256"] = "00".into()),
        ),
        (
            "payload: subject name",
            "signature does not verify",
            edit_payload(qa, |st| st["subject"][0]["name"] = "other.tar".into()),
        ),
        (
            "payloadType",
            "signature does not verify",
            edit_json(PathBuf::from(rel).join(qa), |e| e["payloadType"] = "text/plain".into()),
        ),
        (
            "signature bytes",
            "signature does not verify",
            edit_json(PathBuf::from(rel).join(qa), |e| {
                let s = e["signatures"][0]["sig"].as_str().unwrap().to_string();
                let flipped = match s.strip_prefix('M') {
                    Some(rest) => format!("N{rest}"),
                    None => format!("M{}", &s[1..]),
                };
                e["signatures"][0]["sig"] = flipped.into();
            }),
        ),
        (
            "keyid swapped to another signer",
            "signature does not verify",
            Box::new(|root: &Path| {
                let reg = fs::read_to_string(root.join("signatures/signers.toml")).unwrap();
                let sam = reg.split("[[signer]]").find(|b| b.contains("\"sam\"")).unwrap();
                let sam_key =
                    sam.lines().find(|l| l.starts_with("key_id")).unwrap().split('"').nth(1).unwrap().to_string();
                let p = root.join("signatures/v1.4.0/QA--dana.dsse.json");
                let mut e: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                e["signatures"][0]["keyid"] = sam_key.into();
                fs::write(&p, e.to_string()).unwrap();
            }),
        ),
        (
            "unknown keyid",
            "which is not enrolled",
            edit_json(PathBuf::from(rel).join(qa), |e| e["signatures"][0]["keyid"] = "sha256:feed".into()),
        ),
        ("envelope not JSON", "not a DSSE envelope", shell("echo '{' > signatures/v1.4.0/QA--dana.dsse.json")),
        ("signature deleted", "awaiting QA (REVIEWER)", shell("rm signatures/v1.4.0/QA--dana.dsse.json")),
        (
            "signature renamed to another role",
            "file name does not match",
            shell("mv signatures/v1.4.0/QA--dana.dsse.json signatures/v1.4.0/ENGINEERING--dana.dsse.json"),
        ),
        (
            "request edited",
            "signed a different request",
            replace_in("signatures/v1.4.0/request.json", "\"v1.4.0\"", "\"v1.4.0\" "),
        ),
        (
            "request bundle digest edited",
            "this is not the signed bundle",
            Box::new(|root: &Path| {
                let p = root.join("signatures/v1.4.0/request.json");
                let mut v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                v["bundle"]["sha256"] = "0".repeat(64).into();
                fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            }),
        ),
        (
            "request created_at moved later",
            "before the request existed",
            Box::new(|root: &Path| {
                let p = root.join("signatures/v1.4.0/request.json");
                let mut v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                v["created_at"] = "2099-01-01T00:00:00Z".into();
                fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            }),
        ),
        (
            "signature event deleted",
            "no signature-created event in the record",
            shell("rm $(grep -l '\"role\":\"QA\"' signatures/v1.4.0/events/*.json)"),
        ),
        (
            "event edited",
            "the file name does not match its content",
            shell("sed -i 's/\"dana\"/\"mallory\"/' $(grep -l '\"role\":\"QA\"' signatures/v1.4.0/events/*.json)"),
        ),
        (
            "request's creation event deleted",
            "does not hold the creation of this request",
            shell("rm $(grep -l request-created signatures/v1.4.0/events/*.json)"),
        ),
        ("events emptied", "does not hold the creation", shell("rm signatures/v1.4.0/events/*.json")),
        (
            "signature and rejection kept, file gone",
            "but the file is missing",
            shell("mv signatures/v1.4.0/QA--dana.dsse.json signatures/v1.4.0/QA--dana.dsse.json.bak"),
        ),
        (
            "registry: printed name changed",
            "does not match the registry",
            replace_in("signatures/signers.toml", "Dana Whitfield", "Dana Impostor"),
        ),
        (
            "registry: role removed",
            "not enrolled for role QA",
            replace_in("signatures/signers.toml", "roles = [\"QA\"]", "roles = [\"AUDIT\"]"),
        ),
        (
            "registry: signer made a bot",
            "only a person can sign",
            replace_in("signatures/signers.toml", "kind = \"human\"", "kind = \"bot\""),
        ),
        (
            "registry: key revoked before signing",
            "was revoked at",
            shell(
                "printf '\\n[[revocation]]\\nsigner = \"dana\"\\nkey_id = \"%s\"\\nat = \"2000-01-01T00:00:00Z\"\\nreason = \"laptop stolen\"\\nrecorded_at = \"2000-01-02T00:00:00Z\"\\n' \"$(grep -A8 'id = \"dana\"' signatures/signers.toml | grep key_id | cut -d'\"' -f2)\" >> signatures/signers.toml",
            ),
        ),
        (
            "registry: key expired before signing",
            "expired at",
            shell(
                "sed -i '0,/enrolled_by = \"admin\"/s//enrolled_by = \"admin\"\\nvalid_until = \"2001-01-01T00:00:00Z\"/' signatures/signers.toml",
            ),
        ),
        (
            "registry: enrolled after signing",
            "was enrolled only at",
            shell(
                "sed -i '0,/enrolled_at = \"[^\"]*\"/s//enrolled_at = \"2099-01-01T00:00:00Z\"/' signatures/signers.toml",
            ),
        ),
        (
            "request commits edited",
            "signed a different request",
            Box::new(|root: &Path| {
                let p = root.join("signatures/v1.4.0/request.json");
                let mut v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                v["commits"] = serde_json::json!(["ffffffffffffffffffffffffffffffffffffffff"]);
                fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            }),
        ),
        (
            "policy changed after the request",
            "signing policy differs",
            replace_in("signet.toml", "meaning = \"APPROVER\"", "meaning = \"VERIFIER\""),
        ),
        (
            "prerequisite replaced after approval",
            "has changed since this signature was made",
            Box::new(|root: &Path| {
                // Re-serialise the ENGINEERING envelope: same signature, different bytes.
                let p = root.join("signatures/v1.4.0/ENGINEERING--eli.dsse.json");
                let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                fs::write(&p, v.to_string()).unwrap();
            }),
        ),
    ]
}

#[test]
fn a_signature_copied_to_another_release_is_refused() {
    let repo = signed_release();
    let d = repo.path();
    Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args([
            "--root",
            &d.display().to_string(),
            "request",
            "--release",
            "v1.4.1",
            "--bundle",
            "dist/bundle.tar",
            "--commit",
            "0123456789abcdef0123456789abcdef01234567",
        ])
        .run();
    fs::copy(d.join("signatures/v1.4.0/QA--dana.dsse.json"), d.join("signatures/v1.4.1/QA--dana.dsse.json")).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.1");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("signed a different request"), "{out}");
}

fn frozen_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest-v1")
}

/// Writes `tests/fixtures/manifest-v<N>/` (bundle, manifest, trust file) from a fresh ceremony,
/// N being the version this Signet writes. Run only when the manifest format gains a new
/// version; every earlier fixture must then stay as it is, forever.
#[test]
#[ignore]
fn regenerate_frozen_manifest_fixture() {
    let repo = signed_release();
    let d = repo.path();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    let manifest = d.join("signatures/release-v1.4.0.json");
    let schema = serde_json::from_slice::<serde_json::Value>(&fs::read(&manifest).unwrap()).unwrap()["schema"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = schema.rsplit_once('/').unwrap().1;
    let dir = frozen_fixture().with_file_name(format!("manifest-{version}"));
    assert!(!dir.exists(), "{} is frozen; it is never regenerated", dir.display());
    fs::create_dir_all(&dir).unwrap();
    fs::copy(d.join("dist/bundle.tar"), dir.join("bundle.tar")).unwrap();
    fs::copy(&manifest, dir.join("release-v1.4.0.json")).unwrap();
    fs::copy(d.join("signatures/trust.json"), dir.join("trust.json")).unwrap();
}

/// Manifests written by earlier Signets (signet.manifest/v1 and v2, whose releases were
/// recorded in the chained `audit.jsonl` layout; v3, with one file per event; v4, before
/// delegations and predicate v3) verify with this version, from the bundle, the
/// manifest and the trust file alone; an edit to one does not.
#[test]
fn frozen_manifests_still_verify_and_resist_edits() {
    for (version, edited_event) in [
        ("manifest-v1", "chain broken"),
        ("manifest-v2", "chain broken"),
        ("manifest-v3", "not a Signet event"),
        ("manifest-v4", "not a Signet event"),
    ] {
        frozen_manifest_still_verifies_and_resists_edits(&frozen_fixture().with_file_name(version), edited_event);
    }
}

fn frozen_manifest_still_verifies_and_resists_edits(dir: &Path, edited_event: &str) {
    let (code, out) = verify(dir, "release-v1.4.0.json");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   RELEASE (APPROVER) by Rosa Lindqvist"), "{out}");
    let copy = tempfile::tempdir().unwrap();
    fs::copy(dir.join("bundle.tar"), copy.path().join("bundle.tar")).unwrap();
    let text = fs::read_to_string(dir.join("release-v1.4.0.json")).unwrap();
    for (from, to, expect) in [
        ("Dana Whitfield", "Dana Impostor", "does not match the registry"),
        ("\\\"release\\\": \\\"v1.4.0\\\"", "\\\"release\\\": \\\"v1.4.1\\\"", "signed a different request"),
        ("\"kind\": \"human\"", "\"kind\": \"bot\"", "only a person can sign"),
        ("request-created", "request-creatad", edited_event),
    ] {
        assert!(text.contains(from), "fixture lacks {from}");
        fs::write(copy.path().join("m.json"), text.replacen(from, to, 1)).unwrap();
        let trust = dir.join("trust.json").display().to_string();
        let (code, all) = crate::reference::verify(
            copy.path(),
            &["--bundle", "bundle.tar", "--manifest", "m.json", "--trust", &trust],
        );
        assert_eq!(code, 1, "{from}: {all}");
        assert!(all.contains(expect), "{from}: expected {expect:?} in {all}");
    }
}

/// `verify --vsa` writes the verdict as an in-toto Statement with SLSA's verification summary
/// predicate — PASSED or FAILED, unsigned or signed with a Signet key whose password is asked on
/// the terminal — and PyPI's in-toto reads each strictly.
#[test]
fn verify_writes_a_slsa_verification_summary_that_in_toto_reads() {
    let repo = signed_release();
    let d = repo.path();
    let run = |bundle: &str, vsa: &str| {
        let out = Command::new(SIGNET)
            .args(["verify", "--bundle", bundle, "--manifest", "signatures/v1.4.0", "--vsa", vsa])
            .current_dir(d)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = run("dist/bundle.tar", "vsa/passed.json");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("(unsigned SLSA verification summary: PASSED)"), "{out}");
    fs::write(d.join("other.tar"), vec![1u8; 10_240]).unwrap();
    let (code, out) = run("other.tar", "vsa/failed.json");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("(unsigned SLSA verification summary: FAILED)"), "{out}");
    let vsa: serde_json::Value = serde_json::from_slice(&fs::read(d.join("vsa/passed.json")).unwrap()).unwrap();
    let request = crate::support::sha256_hex(&fs::read(d.join("signatures/v1.4.0/request.json")).unwrap());
    assert_eq!(vsa["predicate"]["policy"]["digest"]["sha256"], request.as_str());
    assert_eq!(vsa["predicate"]["inputAttestations"].as_array().unwrap().len(), 4, "trust file + 3 signatures");

    let args = ["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/v1.4.0"];
    let mut signed = args.to_vec();
    signed.extend(["--vsa", "vsa/signed.json", "--vsa-key", "keys/sam.key"]);
    let (code, out) = at_terminal(d, &signed, &[("Password for the VSA key: ", PASSWORD)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(signed SLSA verification summary: PASSED)"), "{out}");

    let Some(python) = std::env::var_os("SIGNET_INTOTO_PYTHON") else {
        signet_dev::missing_prerequisite("the in-toto check: SIGNET_INTOTO_PYTHON is not set");
        return;
    };
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/verify_vsa.py");
    for (file, result, key) in [
        ("vsa/passed.json", "PASSED", None),
        ("vsa/failed.json", "FAILED", None),
        ("vsa/signed.json", "PASSED", Some("keys/sam.key.pub")),
    ] {
        let out = Command::new(&python).arg(&checker).args([file, result]).args(key).current_dir(d).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && text.starts_with("OK: "), "in-toto rejected {file}: {text}");
    }
}
