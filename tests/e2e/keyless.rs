//! Keyless (Sigstore) signatures in the signing flow, end to end and offline: signers enrolled
//! with an OIDC identity prepare the predicate with `signet sign --keyless-predicate`, "sign" it
//! with a stand-in for Fulcio, Rekor and `cosign attest-blob` (tests/fixtures/keyless/
//! make_fixtures.py, with a throwaway trust root made for each test), add the bundle with
//! `signet sign --keyless-bundle`, and the final gate verifies them beside key-file signatures —
//! from the release folder and from the archived manifest alone. Every forgery fails with its
//! own message.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::signing::{self, POLICY};
use crate::support::{SIGNET, Test, sha256_hex};

const PREDICATE_TYPE: &str = "https://signet.dev/attestations/part11-signature/v1";
const ISSUER: &str = "https://accounts.example.com";
const RELEASE: &str = "v1.4.0";

/// The interpreter with `cryptography`: scripts/test's venv when set, else python3.
fn python() -> OsString {
    std::env::var_os("SIGNET_INTOTO_PYTHON").unwrap_or_else(|| "python3".into())
}

/// Runs tests/fixtures/keyless/make_fixtures.py in `dir`.
fn fixtures(dir: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/keyless/make_fixtures.py");
    let out = Command::new(python()).arg(script).args(args).current_dir(dir).output().expect("run python3");
    assert!(
        out.status.success(),
        "make_fixtures.py {args:?} failed (it needs python3 with `cryptography`; scripts/test provides one):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `signet ARGS` in `dir`: exit code, and stdout and stderr together.
fn signet(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(SIGNET)
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run signet");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out) = signet(dir, args);
    assert_eq!(code, 0, "signet {args:?}:\n{out}");
    out
}

fn enroll_identity(dir: &Path, id: &str, name: &str, role: &str, identity: &str) {
    let (code, out) = signing::as_admin(
        dir,
        &[
            "enroll",
            "--signer",
            id,
            "--name",
            name,
            "--email",
            identity,
            "--role",
            role,
            "--identity",
            identity,
            "--issuer",
            ISSUER,
        ],
    );
    assert_eq!(code, 0, "{out}");
}

/// A repository whose trusted root is a throwaway test CA (`.testca/`), with keyless signers
/// alice (QA), carol (QA) and rosa (RELEASE), key-file signer eli (ENGINEERING), a bundle, and a
/// request for v1.4.0 that pins the trusted root.
fn keyless_repo() -> tempfile::TempDir {
    let t = Test::new().file("signet.toml", POLICY).file("evidence/report.txt", "all tests passed\n");
    let dir = t.path().to_path_buf();
    fixtures(&dir, &["ca", ".testca"]);
    fs::create_dir_all(dir.join("signatures")).unwrap();
    fs::copy(dir.join(".testca/trusted_root.json"), dir.join("signatures/trusted_root.json")).unwrap();
    let root = signet::digest::tagged(&fs::read(dir.join("signatures/trusted_root.json")).unwrap());
    signing::trust(&dir, &[root]);
    enroll_identity(&dir, "alice", "Alice Example", "QA", "alice@example.com");
    enroll_identity(&dir, "carol", "Carol Example", "QA", "carol@example.com");
    enroll_identity(&dir, "rosa", "Rosa Lindqvist", "RELEASE", "rosa@example.com");
    signing::keygen(&dir, "eli");
    signing::enroll(&dir, "eli", "Eli Novak", "ENGINEERING");
    ok(&dir, &["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar"]);
    let commit = "0123456789abcdef0123456789abcdef01234567";
    ok(&dir, &["request", "--release", RELEASE, "--bundle", "dist/bundle.tar", "--commit", commit]);
    t.into_dir()
}

/// `signet sign --keyless-predicate`: returns the predicate's path (pred/ROLE--ID.json).
fn predicate(dir: &Path, role: &str, id: &str) -> String {
    let out = format!("pred/{role}--{id}.json");
    let text = ok(
        dir,
        &[
            "sign",
            "--release",
            RELEASE,
            "--role",
            role,
            "--signer",
            id,
            "--keyless-predicate",
            "--bundle",
            "dist/bundle.tar",
            "--out",
            &out,
        ],
    );
    assert!(text.contains("cosign attest-blob --new-bundle-format"), "{text}");
    out
}

/// The stand-in for `cosign attest-blob --new-bundle-format --type … --predicate P --bundle B
/// dist/bundle.tar` after an OIDC login as `identity`; `extra` adds make_fixtures options.
fn attest(dir: &Path, ca: &str, pred: &str, identity: &str, bundle: &str, extra: &[&str]) -> String {
    let mut args = vec!["attest", ca, "--predicate", pred, "--type", PREDICATE_TYPE, "--identity", identity];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--bundle", bundle, "dist/bundle.tar"]);
    if let Some(parent) = Path::new(bundle).parent() {
        fs::create_dir_all(dir.join(parent)).unwrap();
    }
    fixtures(dir, &args);
    bundle.to_string()
}

/// Prepares, signs and adds the keyless signature of `id` for `role`.
fn sign_keyless(dir: &Path, role: &str, id: &str, identity: &str) -> String {
    let pred = predicate(dir, role, id);
    let bundle = attest(dir, ".testca", &pred, identity, &format!("out/{role}--{id}.sigstore.json"), &[]);
    let out = ok(dir, &["sign", "--release", RELEASE, "--keyless-bundle", &bundle]);
    assert!(out.contains(&format!("signatures/{RELEASE}/{role}--{id}.sigstore.json: {role} (")), "{out}");
    bundle
}

/// `signet verify`; an archived manifest with the `trust.json` beside it, if there is one.
fn verify(dir: &Path, manifest: &str) -> (i32, String) {
    let mut args = vec!["verify", "--bundle", "dist/bundle.tar", "--manifest", manifest];
    if manifest.ends_with(".json") && dir.join("trust.json").exists() {
        args.extend(["--trust", "trust.json"]);
    }
    signet(dir, &args)
}

fn folder() -> String {
    format!("signatures/{RELEASE}")
}

#[test]
fn keyless_and_key_file_signatures_pass_together_and_the_manifest_verifies_alone() {
    let repo = keyless_repo();
    let d = repo.path();
    let request: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("signatures/v1.4.0/request.json")).unwrap()).unwrap();
    let root_text = fs::read_to_string(d.join("signatures/trusted_root.json")).unwrap();
    let root_sha = format!("sha256:{}", sha256_hex(root_text.as_bytes()));
    assert_eq!(request["trusted_root_sha256"], root_sha.as_str(), "the request pins the trusted root");

    // The predicate is the Part 11 record, with the signer's clock until verified.
    let pred = predicate(d, "QA", "alice");
    let record: serde_json::Value = serde_json::from_str(&fs::read_to_string(d.join(&pred)).unwrap()).unwrap();
    assert_eq!(record["signer_id"], "alice");
    assert_eq!(record["meaning"], "REVIEWER");
    assert_eq!(record["time_source"], "signer-clock");
    assert!(record["key_id"].as_str().unwrap().starts_with("oidc:sha256:"), "{record}");
    let bundle = attest(d, ".testca", &pred, "alice@example.com", "out/QA--alice.sigstore.json", &[]);
    let out = ok(d, &["sign", "--release", RELEASE, "--role", "QA", "--keyless-bundle", &bundle]);
    assert!(out.contains("[transparency-log]"), "{out}");
    assert_eq!(
        fs::read(d.join(&bundle)).unwrap(),
        fs::read(d.join("signatures/v1.4.0/QA--alice.sigstore.json")).unwrap()
    );
    let audit = crate::support::events(&d.join("signatures/v1.4.0"));
    assert!(audit.contains("keyless") && audit.contains("\"signer\":\"alice\""), "{audit}");

    // A key-file signature after a keyless one, then a keyless one that needs both.
    let (code, out) = signing::sign(d, "eli", "ENGINEERING");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("QA (REVIEWER) by Alice Example <"), "the ceremony shows the keyless signature: {out}");
    // cosign 2.x writes in-toto Statement v0.1: accepted alike.
    let pred = predicate(d, "RELEASE", "rosa");
    let extra = ["--statement-type", "v0.1"];
    let rosa = attest(d, ".testca", &pred, "rosa@example.com", "out/RELEASE--rosa.sigstore.json", &extra);
    ok(d, &["sign", "--release", RELEASE, "--keyless-bundle", &rosa]);
    let prereqs: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("pred/RELEASE--rosa.json")).unwrap()).unwrap();
    assert_eq!(prereqs["prerequisites"].as_array().unwrap().len(), 2, "{prereqs}");

    let (code, out) = verify(d, &folder());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   QA (REVIEWER) by Alice Example <alice@example.com> at "), "{out}");
    assert!(out.contains("[transparency-log]"), "{out}");
    assert!(out.contains("signed   ENGINEERING (REVIEWER) by Eli Novak <eli@pump.example>"), "{out}");

    // The same VerifiedSignature for both kinds; the keyless one carries the log's time.
    let (code, json) =
        signet(d, &["--format", "json", "verify", "--bundle", "dist/bundle.tar", "--manifest", &folder()]);
    assert_eq!(code, 0, "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sigs = report["signatures"].as_array().unwrap();
    let by_file = |f: &str| sigs.iter().find(|s| s["file"] == f).unwrap_or_else(|| panic!("{f} in {json}"));
    let qa = by_file("QA--alice.sigstore.json");
    assert_eq!(qa["record"]["time_source"], "transparency-log");
    let logged: serde_json::Value = serde_json::from_str(&fs::read_to_string(d.join(&bundle)).unwrap()).unwrap();
    let integrated: i64 =
        logged["verificationMaterial"]["tlogEntries"][0]["integratedTime"].as_str().unwrap().parse().unwrap();
    let signed_at = qa["record"]["signed_at"].as_str().unwrap();
    assert_eq!(signet::sign::Timestamp::parse(signed_at), Some(signet::sign::Timestamp(integrated)), "{qa}");
    assert_eq!(by_file("ENGINEERING--eli.dsse.json")["record"]["time_source"], "signer-clock");

    // The evidence report shows each kind with its own time source (§11.50 manifestation).
    fs::create_dir_all(d.join("regulatory-docs")).unwrap();
    let sdoc = "[DOCUMENT]\nTITLE: System\n\n[REQUIREMENT]\nUID: SYS-1\nTITLE: Dose\nSTATEMENT: The pump shall dose.\n";
    fs::write(d.join("regulatory-docs/system.sdoc"), sdoc).unwrap();
    let (code, out) = signet(d, &["rtm-gate"]);
    assert!(code <= 1, "{out}");
    ok(d, &["sums", "evidence", "--out", "dist/SHA256SUMS"]);
    ok(d, &["report", "--release", RELEASE, "--bundle", "dist/bundle.tar", "--out", "report"]);
    let model: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("report/report.json")).unwrap()).unwrap();
    let shown =
        |role: &str| model["signatures"].as_array().unwrap().iter().find(|s| s["role"] == role).unwrap().clone();
    assert_eq!(shown("QA")["time_source"], "transparency-log");
    assert_eq!(shown("QA")["signed_at"], qa["record"]["signed_at"]);
    assert!(shown("QA")["time_source_text"].as_str().unwrap().contains("transparency log"), "{model}");
    assert_eq!(shown("ENGINEERING")["time_source"], "signer-clock");

    // The manifest embeds the trusted root and its digest, and the keyless envelopes.
    let manifest_text = fs::read_to_string(d.join("signatures/release-v1.4.0.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    assert_eq!(manifest["trusted_root_sha256"], root_sha.as_str());
    assert_eq!(manifest["trusted_root"], root_text.as_str());
    assert!(manifest["envelopes"].as_array().unwrap().iter().any(|e| e["file"] == "RELEASE--rosa.sigstore.json"));

    // The DHF archival job: the bundle and the manifest in an empty folder, nothing else.
    let dhf = tempfile::tempdir().unwrap();
    fs::create_dir(dhf.path().join("dist")).unwrap();
    fs::copy(d.join("dist/bundle.tar"), dhf.path().join("dist/bundle.tar")).unwrap();
    fs::write(dhf.path().join("release.json"), &manifest_text).unwrap();
    fs::copy(d.join("signatures/trust.json"), dhf.path().join("trust.json")).unwrap();
    let (code, out) = verify(dhf.path(), "release.json");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("by Rosa Lindqvist <rosa@example.com> at ") && out.contains("[transparency-log]"), "{out}");

    // Forgery 5: keyless signatures under a Sigstore root the organisation does not accept
    // (its trust file, the anchor, lists the roots it accepts): FAIL, whatever the record pins.
    let text = fs::read_to_string(d.join("signatures/trust.json")).unwrap();
    let mut unaccepted: serde_json::Value = serde_json::from_str(&text).unwrap();
    unaccepted["versions"][0]["root"]["sigstore_roots"] = serde_json::json!([]);
    fs::write(d.join("signatures/trust.json"), serde_json::to_string_pretty(&unaccepted).unwrap()).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("which the organisation's trust file does not accept"), "{out}");
    fs::write(d.join("signatures/trust.json"), text).unwrap();

    // The embedded trusted root swapped for another one: caught by the recorded and pinned digests.
    let other = tempfile::tempdir().unwrap();
    fixtures(other.path(), &["ca", "ca"]);
    let other_root = fs::read_to_string(other.path().join("ca/trusted_root.json")).unwrap();
    let mut swapped = manifest.clone();
    swapped["trusted_root"] = other_root.into();
    fs::write(dhf.path().join("swapped.json"), serde_json::to_string_pretty(&swapped).unwrap()).unwrap();
    let (code, out) = verify(dhf.path(), "swapped.json");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the trusted root was swapped after the manifest was written"), "{out}");
    assert!(out.contains("not the one the request pinned"), "{out}");
    // … and with its digest edited to match: the request, which every signer signed, still pins the old one.
    swapped["trusted_root_sha256"] =
        format!("sha256:{}", sha256_hex(swapped["trusted_root"].as_str().unwrap().as_bytes())).into();
    fs::write(dhf.path().join("swapped.json"), serde_json::to_string_pretty(&swapped).unwrap()).unwrap();
    let (code, out) = verify(dhf.path(), "swapped.json");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the trusted root was swapped after the request"), "{out}");
    // A manifest with keyless signatures but no trusted root is bad input.
    let mut rootless = manifest.clone();
    rootless.as_object_mut().unwrap().remove("trusted_root");
    fs::write(dhf.path().join("rootless.json"), serde_json::to_string_pretty(&rootless).unwrap()).unwrap();
    let (code, out) = verify(dhf.path(), "rootless.json");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no embedded trusted_root"), "{out}");

    // Revoking alice's enrolment from before she signed invalidates her signature.
    let key_id = record["key_id"].as_str().unwrap();
    let mut registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    registry.push_str(&format!(
        "\n[[revocation]]\nsigner = \"alice\"\nkey_id = \"{key_id}\"\nat = \"2000-01-01T00:00:00Z\"\nreason = \"left\"\nrecorded_at = \"2000-01-02T00:00:00Z\"\n"
    ));
    fs::write(d.join("signatures/signers.toml"), registry).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--alice.sigstore.json: key of `alice` was revoked at 2000-01-01T00:00:00Z"), "{out}");
}

type Forge = Box<dyn Fn(&Path) -> String>;

/// Bundles that must not count as alice's QA signature; each message is its own.
fn forgeries() -> Vec<(&'static str, &'static str, Forge)> {
    let as_alice = |identity: &'static str, extra: &'static [&'static str]| -> Forge {
        Box::new(move |d: &Path| {
            attest(d, ".testca", "pred/QA--alice.json", identity, "forged/QA--alice.sigstore.json", extra)
        })
    };
    let edited_predicate = |field: &'static str, value: serde_json::Value| -> Forge {
        Box::new(move |d: &Path| {
            let mut p: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(d.join("pred/QA--alice.json")).unwrap()).unwrap();
            p[field] = value.clone();
            fs::write(d.join("pred/edited.json"), p.to_string()).unwrap();
            attest(d, ".testca", "pred/edited.json", "alice@example.com", "forged/QA--alice.sigstore.json", &[])
        })
    };
    vec![
        (
            "identity nobody enrolled",
            "signed by mallory@example.com (issuer https://accounts.example.com), an identity that is not enrolled",
            as_alice("mallory@example.com", &[]),
        ),
        (
            "enrolled identity, another issuer",
            "the certificate for alice@example.com was issued on the word of https://evil.example.com",
            as_alice("alice@example.com", &["--issuer", "https://evil.example.com"]),
        ),
        (
            "another enrolled signer's identity",
            "the record names `alice`, but the certificate is carol@example.com, enrolled as `carol`",
            as_alice("carol@example.com", &[]),
        ),
        (
            "certificate expired at log time",
            "certificate had expired at the logged signing time",
            as_alice("alice@example.com", &["--cert-expired"]),
        ),
        (
            "certificate from a CA the trusted root does not hold",
            "keyless signature rejected: certificate chain is invalid",
            Box::new(|d: &Path| {
                if !d.join(".evilca").exists() {
                    fixtures(d, &["ca", ".evilca"]);
                }
                attest(
                    d,
                    ".testca",
                    "pred/QA--alice.json",
                    "alice@example.com",
                    "forged/QA--alice.sigstore.json",
                    &["--ca-dir", ".evilca"],
                )
            }),
        ),
        (
            "logged by a log the trusted root does not hold",
            "keyless signature rejected: invalid inclusion promise: No log key valid",
            Box::new(|d: &Path| {
                if !d.join(".evilca").exists() {
                    fixtures(d, &["ca", ".evilca"]);
                }
                attest(d, ".evilca", "pred/QA--alice.json", "alice@example.com", "forged/QA--alice.sigstore.json", &[])
            }),
        ),
        (
            "subject is another bundle",
            "subject is not this release's bundle",
            Box::new(|d: &Path| {
                fs::create_dir_all(d.join("forged")).unwrap();
                fs::create_dir_all(d.join("other/dist")).unwrap();
                fs::write(d.join("other/dist/bundle.tar"), "not the release\n").unwrap();
                fs::create_dir_all(d.join("other/pred")).unwrap();
                fs::copy(d.join("pred/QA--alice.json"), d.join("other/pred/QA--alice.json")).unwrap();
                fixtures(
                    &d.join("other"),
                    &[
                        "attest",
                        "../.testca",
                        "--predicate",
                        "pred/QA--alice.json",
                        "--type",
                        PREDICATE_TYPE,
                        "--identity",
                        "alice@example.com",
                        "--bundle",
                        "../forged/QA--alice.sigstore.json",
                        "dist/bundle.tar",
                    ],
                );
                "forged/QA--alice.sigstore.json".to_string()
            }),
        ),
        (
            "payload edited after signing",
            "DSSE signature verification failed",
            Box::new(|d: &Path| {
                use base64ct::{Base64, Encoding};
                let genuine = attest(
                    d,
                    ".testca",
                    "pred/QA--alice.json",
                    "alice@example.com",
                    "forged/genuine.sigstore.json",
                    &[],
                );
                let mut b: serde_json::Value =
                    serde_json::from_str(&fs::read_to_string(d.join(genuine)).unwrap()).unwrap();
                let raw = Base64::decode_vec(b["dsseEnvelope"]["payload"].as_str().unwrap()).unwrap();
                let mut st: serde_json::Value = serde_json::from_slice(&raw).unwrap();
                st["predicate"]["reason"] = "approved without reading".into();
                b["dsseEnvelope"]["payload"] = Base64::encode_string(&serde_json::to_vec(&st).unwrap()).into();
                fs::write(d.join("forged/QA--alice.sigstore.json"), b.to_string()).unwrap();
                "forged/QA--alice.sigstore.json".to_string()
            }),
        ),
        (
            "predicate prepared two days before signing",
            "more than 24 hours before it was signed",
            edited_predicate(
                "signed_at",
                signet::sign::Timestamp(signet::sign::Timestamp::now().0 - 2 * 86_400).to_string().into(),
            ),
        ),
        (
            "predicate dated an hour after the log's time",
            "by more than the 5 minutes of clock skew allowed",
            edited_predicate(
                "signed_at",
                signet::sign::Timestamp(signet::sign::Timestamp::now().0 + 3600).to_string().into(),
            ),
        ),
        (
            "predicate claims the log's time itself",
            "a keyless predicate records the signer's clock",
            edited_predicate("time_source", "transparency-log".into()),
        ),
        (
            "predicate names another meaning",
            "meaning APPROVER where the policy requires REVIEWER for QA",
            edited_predicate("meaning", "APPROVER".into()),
        ),
        (
            "not a Sigstore bundle",
            "malformed bundle",
            Box::new(|d: &Path| {
                fs::create_dir_all(d.join("forged")).unwrap();
                fs::write(d.join("forged/QA--alice.sigstore.json"), "{\"mediaType\": \"nonsense\"}").unwrap();
                "forged/QA--alice.sigstore.json".to_string()
            }),
        ),
    ]
}

#[test]
fn keyless_forgeries_are_refused_each_with_its_own_message() {
    let repo = keyless_repo();
    let d = repo.path();
    predicate(d, "QA", "alice");
    let cases = forgeries();
    for (name, expect, forge) in &cases {
        let file = forge(d);
        // Adding it is refused …
        let (code, out) = signet(d, &["sign", "--release", RELEASE, "--keyless-bundle", &file]);
        assert_eq!(code, 2, "`{name}` was added:\n{out}");
        assert!(out.contains(expect), "`{name}`: expected {expect:?} when adding it, got:\n{out}");
        assert!(!d.join("signatures/v1.4.0/QA--alice.sigstore.json").exists(), "`{name}` left a file");
        // … and dropped into the folder by hand, it fails the gate.
        let placed = d.join("signatures/v1.4.0/QA--alice.sigstore.json");
        fs::copy(d.join(&file), &placed).unwrap();
        let (code, out) = verify(d, &folder());
        assert_eq!(code, 1, "`{name}` passed the gate:\n{out}");
        assert!(out.contains(expect), "`{name}`: expected {expect:?} from verify, got:\n{out}");
        assert!(!out.contains("signed   QA"), "`{name}` counted as a signature:\n{out}");
        fs::remove_file(&placed).unwrap();
        fs::remove_dir_all(d.join("forged")).unwrap();
    }
    assert!(cases.len() >= 13, "{} cases", cases.len());
    // The genuine one, dropped in by hand, verifies but lacks its audit event: verify says how to add it.
    let genuine = attest(d, ".testca", "pred/QA--alice.json", "alice@example.com", "out/QA--alice.sigstore.json", &[]);
    let placed = d.join("signatures/v1.4.0/QA--alice.sigstore.json");
    fs::copy(d.join(&genuine), &placed).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "QA--alice.sigstore.json: no signature-created event in the record for this signature (add a keyless \
             signature with `signet sign --release … --keyless-bundle FILE`"
        ),
        "{out}"
    );
    fs::remove_file(&placed).unwrap();
    ok(d, &["sign", "--release", RELEASE, "--keyless-bundle", &genuine]);
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("signed   QA (REVIEWER) by Alice Example") && !out.contains("problem  "), "{out}");
}

#[test]
fn a_keyless_signature_copied_to_another_release_is_refused() {
    let repo = keyless_repo();
    let d = repo.path();
    let bundle = sign_keyless(d, "QA", "alice", "alice@example.com");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    ok(d, &["request", "--release", "v1.4.1", "--bundle", "dist/bundle.tar", "--commit", commit]);
    let (code, out) = signet(d, &["sign", "--release", "v1.4.1", "--keyless-bundle", &bundle]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signed a different request"), "{out}");
    fs::copy(d.join(&bundle), d.join("signatures/v1.4.1/QA--alice.sigstore.json")).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.1");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--alice.sigstore.json: signed a different request"), "{out}");
    // Signing the same role twice is refused, whoever signs.
    let pred = predicate_refused(d, "QA", "carol");
    assert!(pred.contains("QA is already signed for v1.4.0 by Alice Example"), "{pred}");
}

fn predicate_refused(dir: &Path, role: &str, id: &str) -> String {
    let (code, out) =
        signet(dir, &["sign", "--release", RELEASE, "--role", role, "--signer", id, "--keyless-predicate"]);
    assert_eq!(code, 2, "{out}");
    out
}

#[test]
fn a_swapped_trusted_root_is_detected_by_the_pinned_digest() {
    let repo = keyless_repo();
    let d = repo.path();
    sign_keyless(d, "QA", "alice", "alice@example.com");
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("awaiting ENGINEERING") && !out.contains("problem  "), "{out}");

    // An attacker's CA and log, whose root replaces the pinned one, and a bundle it vouches for:
    // cryptographically valid under the swapped root, refused because the request pinned another.
    fixtures(d, &["ca", ".evilca"]);
    let forged = attest(d, ".evilca", "pred/QA--alice.json", "alice@example.com", "evil/QA--alice.sigstore.json", &[]);
    fs::copy(d.join(".evilca/trusted_root.json"), d.join("signatures/trusted_root.json")).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the trusted root was swapped after the request"), "{out}");
    assert!(
        out.contains("QA--alice.sigstore.json: not verified: the trusted root is not the one this release pinned"),
        "{out}"
    );
    fs::copy(d.join(&forged), d.join("signatures/v1.4.0/QA--alice.sigstore.json")).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the trusted root was swapped after the request"), "{out}");
    let (code, out) = signet(d, &["sign", "--release", RELEASE, "--keyless-bundle", &forged]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("the trusted root was swapped after the request"), "{out}");

    // Garbage in place of the root: still the digest first (a gate finding, exit 1).
    fs::write(d.join("signatures/trusted_root.json"), "{}").unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the trusted root was swapped after the request"), "{out}");
    // The root deleted: keyless signatures cannot be read at all (bad input, exit 2).
    fs::remove_file(d.join("signatures/trusted_root.json")).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signatures/trusted_root.json") && out.contains("pinned Sigstore trusted root"), "{out}");
    // A request made without a trusted root pins none: keyless signing is refused for it.
    let commit = "0123456789abcdef0123456789abcdef01234567";
    ok(d, &["request", "--release", "v1.5.0", "--bundle", "dist/bundle.tar", "--commit", commit]);
    let (code, out) =
        signet(d, &["sign", "--release", "v1.5.0", "--role", "QA", "--signer", "alice", "--keyless-predicate"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("the request pins no Sigstore trusted root"), "{out}");
    // An unusable root is refused when the request is made, not discovered at the gate.
    fs::write(d.join("signatures/trusted_root.json"), "{\"mediaType\": 7}").unwrap();
    let (code, out) = signet(d, &["request", "--release", "v1.6.0", "--bundle", "dist/bundle.tar", "--commit", commit]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unusable trusted root"), "{out}");
}

#[test]
fn enrolling_an_identity_follows_the_same_rules_as_a_key() {
    let t = Test::new().file("signet.toml", POLICY);
    let d = t.path().to_path_buf();
    enroll_identity(&d, "alice", "Alice Example", "QA", "alice@example.com");
    let registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    assert!(
        registry.contains("identity = \"alice@example.com\"")
            && registry.contains("issuer = \"https://accounts.example.com\""),
        "{registry}"
    );
    assert!(registry.contains("key_id = \"oidc:sha256:") && !registry.contains("public_key"), "{registry}");
    let base = |id: &'static str| {
        vec![
            "enroll",
            "--signer",
            id,
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--role",
            "QA",
            "--admin-key",
            "keys/admin.key",
        ]
    };
    let refused = |extra: &[&str], expect: &str| {
        let mut args = base("bob");
        args.extend_from_slice(extra);
        let (code, out) = signet(&d, &args);
        assert_eq!(code, 2, "{extra:?}: {out}");
        assert!(out.contains(expect), "{extra:?}: expected {expect:?} in {out}");
    };
    refused(&["--identity", "bob@example.com"], "--issuer");
    refused(&["--issuer", ISSUER], "--identity");
    refused(&[], "--pubkey");
    refused(
        &["--identity", "bob@example.com", "--issuer", "http://accounts.example.com"],
        "must be the OIDC issuer's https URL",
    );
    refused(
        &["--identity", "bob@example.com", "--issuer", "accounts.example.com"],
        "must be the OIDC issuer's https URL",
    );
    refused(&["--identity", "", "--issuer", ISSUER], "must be the exact certificate identity");
    refused(&["--identity", " bob@example.com", "--issuer", ISSUER], "must be the exact certificate identity");
    // An identity is never reassigned to another person, whatever the case or the issuer.
    refused(
        &["--identity", "Alice@Example.com", "--issuer", "https://other.example.com"],
        "already enrolled for `alice`",
    );
    // One active credential per person.
    let (code, out) = signet(
        &d,
        &[
            "enroll",
            "--signer",
            "alice",
            "--name",
            "A",
            "--email",
            "a@example.com",
            "--role",
            "QA",
            "--identity",
            "alice2@example.com",
            "--issuer",
            ISSUER,
            "--admin-key",
            "keys/admin.key",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("already has an active key or identity"), "{out}");
    // No self-enrolment.
    let (code, out) = signet(
        &d,
        &[
            "enroll",
            "--signer",
            "ADMIN",
            "--name",
            "B",
            "--email",
            "b@example.com",
            "--role",
            "QA",
            "--identity",
            "bob@example.com",
            "--issuer",
            ISSUER,
            "--admin-key",
            "keys/admin.key",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("cannot enrol themselves"), "{out}");
    // After a revocation the same person may enrol the same identity again, as a new entry the
    // old revocation does not touch.
    let (code, out) = signing::as_admin(
        &d,
        &["revoke", "--signer", "alice", "--at", "2000-01-01T00:00:00Z", "--reason", "role change"],
    );
    assert_eq!(code, 0, "{out}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    enroll_identity(&d, "alice", "Alice Example", "QA", "alice@example.com");
    let registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    let ids: Vec<&str> = registry.lines().filter(|l| l.starts_with("key_id = \"oidc:")).collect();
    assert_eq!(ids.len(), 3, "two entries and one revocation: {registry}");
    assert_ne!(ids[0], ids[2], "{registry}");
    // A key and an identity in one entry.
    let pem = d.join("bob.pub");
    let out = Command::new("sh")
        .args(["-c", "openssl ecparam -name prime256v1 -genkey -noout | openssl ec -pubout 2>/dev/null"])
        .output()
        .unwrap();
    fs::write(&pem, &out.stdout).unwrap();
    let (code, out) = signing::as_admin(
        &d,
        &[
            "enroll",
            "--signer",
            "bob",
            "--name",
            "Bob",
            "--email",
            "bob@example.com",
            "--role",
            "QA",
            "--pubkey",
            "bob.pub",
            "--identity",
            "bob@example.com",
            "--issuer",
            ISSUER,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("with key sha256:") && out.contains("and identity bob@example.com"), "{out}");
}

#[test]
fn a_key_only_signer_cannot_prepare_a_keyless_predicate() {
    let repo = keyless_repo();
    let out = predicate_refused(repo.path(), "ENGINEERING", "eli");
    assert!(out.contains("`eli` has no enrolled OIDC identity"), "{out}");
    let out = predicate_refused(repo.path(), "RELEASE", "rosa");
    assert!(out.contains("RELEASE signs after QA, ENGINEERING; still missing: QA, ENGINEERING"), "{out}");
    let out = predicate_refused(repo.path(), "RELEASE", "alice");
    assert!(out.contains("`alice` is not enrolled for role RELEASE"), "{out}");
}

#[test]
fn a_key_file_signature_may_follow_a_keyless_one() {
    let repo = keyless_repo();
    let d = repo.path();
    signing::keygen(d, "kim");
    signing::enroll(d, "kim", "Kim Larsen", "RELEASE");
    sign_keyless(d, "QA", "alice", "alice@example.com");
    let (code, out) = signing::sign(d, "eli", "ENGINEERING");
    assert_eq!(code, 0, "{out}");
    let (code, out) = signing::sign(d, "kim", "RELEASE");
    assert_eq!(code, 0, "{out}");
    let envelope: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("signatures/v1.4.0/RELEASE--kim.dsse.json")).unwrap()).unwrap();
    use base64ct::{Base64, Encoding};
    let statement: serde_json::Value =
        serde_json::from_slice(&Base64::decode_vec(envelope["payload"].as_str().unwrap()).unwrap()).unwrap();
    let keyless_sha =
        format!("sha256:{}", sha256_hex(&fs::read(d.join("signatures/v1.4.0/QA--alice.sigstore.json")).unwrap()));
    let prerequisites = statement["predicate"]["prerequisites"].as_array().unwrap();
    assert!(
        prerequisites.iter().any(|p| p["role"] == "QA" && p["envelope_sha256"] == keyless_sha.as_str()),
        "{statement}"
    );
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 0, "{out}");
    // The keyless prerequisite re-serialised after the approval: the digest chain breaks.
    let p = d.join("signatures/v1.4.0/QA--alice.sigstore.json");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    fs::write(&p, v.to_string()).unwrap();
    let (code, out) = verify(d, &folder());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("RELEASE--kim.dsse.json: prerequisite QA by `alice` has changed since this signature was made"),
        "{out}"
    );
}
