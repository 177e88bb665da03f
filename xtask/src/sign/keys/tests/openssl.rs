//! Real `openssl` runs: OpenSSL 3.0 must open our keys, and we must open OpenSSL's.

use std::process::{Command, Stdio};

use super::super::{
    SCRYPT_LOG_N, SCRYPT_P, SCRYPT_R, decrypt_pem, encrypt_pem, generate, key_id, parse_public_pem, public_pem,
};
use super::{PASSWORD, TempDir, have_openssl, openssl};

fn write_password(dir: &TempDir) {
    let mut line = PASSWORD.to_vec();
    line.push(b'\n');
    std::fs::write(dir.path().join("pw.txt"), line).unwrap();
}

#[test]
fn openssl_opens_our_encrypted_key_and_agrees_on_the_public_key() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("interop");
    let key = generate();
    std::fs::write(dir.path().join("k.pem"), encrypt_pem(&key, PASSWORD).unwrap().as_bytes()).unwrap();
    write_password(&dir);

    let out = openssl(dir.path(), &["pkey", "-in", "k.pem", "-passin", "file:pw.txt", "-pubout"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), public_pem(key.verifying_key()));

    // `pkey -text` shows the key, not how it was stored, so the scheme is read from the ASN.1.
    let out = openssl(dir.path(), &["pkey", "-in", "k.pem", "-passin", "file:pw.txt", "-noout", "-text"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("prime256v1") || text.contains("P-256"), "{text}");
    let out = openssl(dir.path(), &["asn1parse", "-in", "k.pem"]);
    let asn1 = String::from_utf8(out.stdout).unwrap();
    assert!(asn1.contains("PBES2"), "{asn1}");
    assert!(asn1.contains(":scrypt") || asn1.contains("1.3.6.1.4.1.11591.4.11"), "{asn1}");
    assert!(asn1.contains(":aes-256-cbc"), "{asn1}");
    // OpenSSL's own reading of the scrypt parameters: the first INTEGERs are N, r, p (hex).
    let integers: Vec<u64> = asn1
        .lines()
        .filter(|line| line.contains("prim: INTEGER"))
        .filter_map(|line| u64::from_str_radix(line.rsplit(':').next()?.trim(), 16).ok())
        .collect();
    assert_eq!(integers[..3], [1 << SCRYPT_LOG_N, u64::from(SCRYPT_R), u64::from(SCRYPT_P)], "{asn1}");

    let wrong = Command::new("openssl")
        .args(["pkey", "-in", "k.pem", "-passin", "pass:not the password", "-noout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!wrong.status.success(), "openssl accepted a wrong password");
}

#[test]
fn key_id_is_sha256_of_the_spki_der_as_openssl_writes_it() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("keyid");
    let key = generate();
    std::fs::write(dir.path().join("pub.pem"), public_pem(key.verifying_key())).unwrap();
    let script = "openssl pkey -pubin -in pub.pem -outform DER | sha256sum";
    let out =
        Command::new("sh").args(["-c", script]).current_dir(dir.path()).stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success());
    let sum = String::from_utf8(out.stdout).unwrap();
    let hex = sum.split_whitespace().next().unwrap();
    assert_eq!(key_id(key.verifying_key()), format!("sha256:{hex}"));
}

#[test]
fn we_open_keys_openssl_encrypted_with_scrypt_or_pbkdf2() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("reverse");
    write_password(&dir);
    openssl(dir.path(), &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem"]);
    let expected = String::from_utf8(openssl(dir.path(), &["pkey", "-in", "plain.pem", "-pubout"]).stdout).unwrap();
    let schemes: [&[&str]; 2] = [&["-scrypt"], &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"]];
    for scheme in schemes {
        let mut args = vec!["pkcs8", "-topk8", "-in", "plain.pem", "-passout", "file:pw.txt", "-out", "enc.pem"];
        args.extend_from_slice(scheme);
        openssl(dir.path(), &args);
        let pem = std::fs::read_to_string(dir.path().join("enc.pem")).unwrap();
        let key = decrypt_pem(&pem, PASSWORD).unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        assert_eq!(public_pem(key.verifying_key()), expected, "{scheme:?}");
        assert_eq!(parse_public_pem(&expected).unwrap(), *key.verifying_key());
    }
}
