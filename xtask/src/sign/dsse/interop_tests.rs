//! Checks Signet envelopes against verifiers and signers that share no code with it: openssl via
//! the auditor's script in `tests/interop/`, and in-toto / securesystemslib from PyPI. A missing
//! tool skips its test with a note on stderr instead of failing, so a bare machine still builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64ct::{Base64, Encoding as _};
use p256::ecdsa::VerifyingKey;
use p256::pkcs8::{DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};

use super::tests::fresh_key;
use super::*;

/// A directory under the system temp dir, removed on drop; std-only so the module adds no deps.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("signet-dsse-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop")
}

fn have(tool: &str, arg: &str) -> bool {
    let found = Command::new(tool).arg(arg).output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIP: `{tool}` not available; interop check not run");
    }
    found
}

/// The interpreter the project's test script sets up with tests/interop/requirements.txt.
fn intoto_python() -> Option<String> {
    let py = std::env::var("SIGNET_INTOTO_PYTHON").ok().filter(|p| !p.is_empty());
    if py.is_none() {
        eprintln!("SKIP: SIGNET_INTOTO_PYTHON not set; in-toto/securesystemslib interop check not run");
    }
    py
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    eprintln!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

fn statement_payload() -> Vec<u8> {
    let subject = Subject {
        name: "signet-1.0.0.tar.gz".into(),
        digest: [("sha256".to_owned(), "a".repeat(64))].into_iter().collect(),
    };
    let predicate = serde_json::json!({"meaning": "approval", "signer": "Zoë Example"});
    crate::output::json::to_canonical_bytes(&Statement::new(
        vec![subject],
        "https://signet.invalid/signature/v1",
        predicate,
    ))
}

/// Writes a freshly signed envelope and its public key; returns their paths and the payload.
fn write_signed(dir: &Scratch) -> (PathBuf, PathBuf, Vec<u8>) {
    let key = fresh_key();
    let payload = statement_payload();
    let env = sign(IN_TOTO_PAYLOAD_TYPE, &payload, &key, &crate::sign::keys::key_id(key.verifying_key()));
    let (env_path, pub_path) = (dir.path("env.dsse.json"), dir.path("pub.pem"));
    std::fs::write(&env_path, serde_json::to_vec_pretty(&env).unwrap()).unwrap();
    std::fs::write(&pub_path, key.verifying_key().to_public_key_pem(LineEnding::LF).unwrap()).unwrap();
    (env_path, pub_path, payload)
}

fn flip_payload_byte(env_path: &Path) {
    let mut env: Envelope = serde_json::from_slice(&std::fs::read(env_path).unwrap()).unwrap();
    let mut body = Base64::decode_vec(&env.payload).unwrap();
    body[10] ^= 0x01;
    env.payload = Base64::encode_string(&body);
    std::fs::write(env_path, serde_json::to_vec_pretty(&env).unwrap()).unwrap();
}

#[test]
fn openssl_auditor_script_verifies_and_catches_tamper() {
    if !have("openssl", "version") || !have("python3", "--version") {
        return;
    }
    let dir = Scratch::new("openssl");
    let (env_path, pub_path, payload) = write_signed(&dir);
    let script = interop_dir().join("openssl-verify.sh");
    let out_path = dir.path("statement.json");

    let out = run(Command::new("sh").arg(&script).arg(&env_path).arg(&pub_path).arg(&out_path));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
    assert_eq!(std::fs::read(&out_path).unwrap(), payload);

    flip_payload_byte(&env_path);
    let out = run(Command::new("sh").arg(&script).arg(&env_path).arg(&pub_path));
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
}

#[test]
fn openssl_auditor_script_refuses_another_key() {
    if !have("openssl", "version") || !have("python3", "--version") {
        return;
    }
    let dir = Scratch::new("openssl-key");
    let (env_path, _, _) = write_signed(&dir);
    let other = dir.path("other.pem");
    std::fs::write(&other, fresh_key().verifying_key().to_public_key_pem(LineEnding::LF).unwrap()).unwrap();
    let out = run(Command::new("sh").arg(interop_dir().join("openssl-verify.sh")).arg(&env_path).arg(&other));
    assert!(!out.status.success());
}

/// openssl picks a random nonce and does not normalise S, so over several signatures this also
/// exercises the decision to accept high-S signatures from other signers.
#[test]
fn verify_accepts_openssl_signatures() {
    if !have("openssl", "version") {
        return;
    }
    let dir = Scratch::new("openssl-sign");
    let (key_pem, pub_pem, pae_bin, sig_der) =
        (dir.path("key.pem"), dir.path("pub.pem"), dir.path("pae.bin"), dir.path("sig.der"));
    let ok = |cmd: &mut Command| assert!(run(cmd).status.success());
    ok(Command::new("openssl")
        .args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"])
        .arg(&key_pem));
    ok(Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&key_pem).arg("-out").arg(&pub_pem));
    let key = VerifyingKey::from_public_key_pem(&std::fs::read_to_string(&pub_pem).unwrap()).unwrap();
    let keyid = crate::sign::keys::key_id(&key);
    let payload = statement_payload();
    std::fs::write(&pae_bin, pae(IN_TOTO_PAYLOAD_TYPE, &payload)).unwrap();

    for _ in 0..8 {
        ok(Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&key_pem)
            .arg("-out")
            .arg(&sig_der)
            .arg(&pae_bin));
        let sig = Base64::encode_string(&std::fs::read(&sig_der).unwrap());
        let env = Envelope {
            payload_type: IN_TOTO_PAYLOAD_TYPE.into(),
            payload: Base64::encode_string(&payload),
            signatures: vec![Signature { keyid: keyid.clone(), sig }],
        };
        assert_eq!(verify(&env, &key, &keyid).unwrap(), payload);
    }
}

#[test]
fn intoto_and_securesystemslib_verify_and_catch_tamper() {
    let Some(py) = intoto_python() else { return };
    let dir = Scratch::new("intoto");
    let (env_path, pub_path, _) = write_signed(&dir);
    let script = interop_dir().join("verify_dsse.py");

    let out = run(Command::new(&py).arg(&script).arg(&env_path).arg(&pub_path));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK"));

    flip_payload_byte(&env_path);
    let out = run(Command::new(&py).arg(&script).arg(&env_path).arg(&pub_path));
    assert!(!out.status.success());
}

#[test]
fn verify_accepts_securesystemslib_envelopes() {
    let Some(py) = intoto_python() else { return };
    let dir = Scratch::new("sslib-sign");
    let key = fresh_key();
    let keyid = crate::sign::keys::key_id(key.verifying_key());
    let (key_pem, payload_path) = (dir.path("key.pem"), dir.path("payload.json"));
    std::fs::write(&key_pem, key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let payload = statement_payload();
    std::fs::write(&payload_path, &payload).unwrap();

    let out =
        run(Command::new(&py).arg(interop_dir().join("sign_dsse.py")).arg(&key_pem).arg(&payload_path).arg(&keyid));
    assert!(out.status.success());
    let env: Envelope = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verify(&env, key.verifying_key(), &keyid).unwrap(), payload);
}
