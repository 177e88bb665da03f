//! Trusted time for key-file signatures (RFC 3161) against a real timestamp authority on
//! 127.0.0.1 (`openssl ts -reply`, see `tsa.rs`): the ceremony stores the token beside the
//! envelope, the final gate verifies it offline and judges the signature at its time, the
//! archive carries it, and `openssl ts -verify` agrees. Every way a token can be wrong fails
//! with its own message.

use std::fs;
use std::path::Path;
use std::time::Duration;

use base64ct::Encoding as _;
use signet::sign::Timestamp;

use crate::signing::{PASSWORD, POLICY, as_admin, keygen, release_repo_with, sign_with, verify};
use crate::support::{events, sh};
use crate::tsa::{Answer, Pki, serve};

const RELEASE: &str = "signatures/v1.4.0";

/// A release repository (four enrolled people, a request for v1.4.0) whose trust file accepts
/// the timestamp authority `pki`.
fn repo_accepting(pki: &Pki, policy: &str) -> tempfile::TempDir {
    let authority = pki.authority();
    release_repo_with(policy, move |d| {
        let at = Timestamp(Timestamp::now().0 - 3600);
        signet_dev::fixtures::write_trust_with(d, at, &[], vec![authority]).unwrap();
    })
}

/// A test TSA (in the first folder, `test/`) and a release repository whose trust file accepts
/// it; both folders live as long as the returned guards.
fn accepted_tsa(policy: &str) -> (tempfile::TempDir, Pki, tempfile::TempDir) {
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(&pki_dir.path().join("test"), "Test TSA");
    let repo = repo_accepting(&pki, policy);
    (pki_dir, pki, repo)
}

/// The raw signature bytes of an envelope, which its token's imprint covers, written to `out`.
fn signature_bytes(envelope: &Path, out: &Path) {
    let env: serde_json::Value = serde_json::from_slice(&fs::read(envelope).unwrap()).unwrap();
    let sig = base64ct::Base64::decode_vec(env["signatures"][0]["sig"].as_str().unwrap()).unwrap();
    fs::write(out, sig).unwrap();
}

/// Everyone signs v1.4.0 with the TSA at `url`.
fn sign_all_with_tsa(d: &Path, url: &str) {
    for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        let (code, out) = sign_with(d, id, role, &["--tsa", url]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("by the timestamp authority `Test TSA`"), "{out}");
        assert!(out.contains("(your clock: "), "the signer sees both times: {out}");
    }
}

#[test]
fn a_tsa_gives_key_file_signatures_trusted_time_that_verifies_offline_and_with_openssl() {
    let (_pki_dir, pki, repo) = accepted_tsa(POLICY);
    let d = repo.path();
    sign_all_with_tsa(d, &serve(pki.clone(), Answer::Token));
    assert!(d.join(RELEASE).join("QA--dana.tst").is_file());

    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   QA (REVIEWER) by Dana Whitfield"), "{out}");
    assert_eq!(out.matches("[time source: timestamp authority (Test TSA)]").count(), 3, "{out}");

    // Interop: the stored token is a plain RFC 3161 token over the envelope's signature.
    signature_bytes(&d.join(RELEASE).join("QA--dana.dsse.json"), &d.join("sig.bin"));
    let checked = sh(
        d,
        &format!(
            "openssl ts -verify -token_in -in {RELEASE}/QA--dana.tst -data sig.bin -CAfile {0}/root.pem -untrusted {0}/tsa.pem",
            pki.dir.display()
        ),
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("Verification: OK"));

    // The archive alone (bundle + manifest + trust file) still judges the signatures at the
    // token's time: the manifest embeds the tokens, the trust chain the TSA's certificates.
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    fs::copy(d.join("signatures/release-v1.4.0.json"), a.join("release-v1.4.0.json")).unwrap();
    fs::copy(d.join("dist/bundle.tar"), a.join("bundle.tar")).unwrap();
    fs::copy(d.join("signatures/trust.json"), a.join("trust.json")).unwrap();
    let (code, out) = verify(a, "release-v1.4.0.json");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("[time source: timestamp authority (Test TSA)]").count(), 3, "{out}");
    let manifest = fs::read_to_string(a.join("release-v1.4.0.json")).unwrap();
    assert!(manifest.contains("\"signet.manifest/v5\"") && manifest.contains("QA--dana.tst"), "{manifest}");
}

/// The HTML and PDF evidence reports name the timestamp authority as each signature's time source.
#[test]
fn the_reports_show_the_timestamp_authority_as_time_source() {
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(pki_dir.path(), "Test TSA");
    let authority = pki.authority();
    let repo = crate::report::example_release_with(&[], move |d| {
        let at = Timestamp(Timestamp::now().0 - 3600);
        signet_dev::fixtures::write_trust_with(d, at, &[], vec![authority]).unwrap();
    });
    let d = repo.path();
    sign_all_with_tsa(d, &serve(pki, Answer::Token));
    crate::report::report(d, "report", &["--pdf"]);
    let html = fs::read_to_string(d.join("report/evidence-report.html")).unwrap();
    assert_eq!(html.matches("time source: timestamp authority (Test TSA)").count(), 3, "{html}");
    let pdf = crate::report::tool(d, "pdftotext", &["-layout", "report/evidence-report.pdf", "-"]);
    assert!(pdf.contains("timestamp authority (Test"), "{pdf}");
}

/// A copy of `signed` with `edit` applied, verified as a folder.
fn verify_edited(signed: &Path, edit: impl FnOnce(&Path)) -> (i32, String) {
    let copy = tempfile::tempdir().unwrap();
    sh(signed, &format!("cp -a . '{}'", copy.path().display()));
    edit(copy.path());
    verify(copy.path(), RELEASE)
}

#[test]
fn wrong_tokens_fail_each_with_its_own_message() {
    let (pki_dir, pki, repo) = accepted_tsa(POLICY);
    let rogue = Pki::new(&pki_dir.path().join("rogue"), "Rogue TSA");
    let d = repo.path();
    sign_all_with_tsa(d, &serve(pki.clone(), Answer::Token));
    let token = |d: &Path| d.join(RELEASE).join("QA--dana.tst");

    let (code, out) = verify_edited(d, |c| {
        fs::copy(c.join(RELEASE).join("ENGINEERING--eli.tst"), token(c)).unwrap();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: its timestamp token is over another signature"), "{out}");

    let (code, out) = verify_edited(d, |c| {
        signature_bytes(&c.join(RELEASE).join("QA--dana.dsse.json"), &c.join("sig.bin"));
        rogue.token_over(&c.join("sig.bin"), &token(c));
    });
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "QA--dana.dsse.json: its timestamp token was issued by a timestamp authority the trust file does not accept"
        ),
        "{out}"
    );

    let (code, out) = verify_edited(d, |c| {
        let mut bytes = fs::read(token(c)).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        fs::write(token(c), bytes).unwrap();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: its timestamp token does not verify"), "{out}");

    let (code, out) = verify_edited(d, |c| fs::write(token(c), b"not a token").unwrap());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: its timestamp token is unreadable"), "{out}");

    // Thousands of elements in one SET would make a DER decoder sort for minutes: refused by shape.
    let (code, out) = verify_edited(d, |c| fs::write(token(c), wide_set(3000)).unwrap());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("its timestamp token is unreadable") && out.contains("more than 64 elements"), "{out}");

    // An archived manifest may hold tokens only for its own key-file signatures, once each.
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 0, "{out}");
    let manifest = d.join("signatures/release-v1.4.0.json");
    let m: serde_json::Value = serde_json::from_slice(&fs::read(&manifest).unwrap()).unwrap();
    let first = m["timestamps"][0].clone();
    for (entry, expected) in [
        (
            serde_json::json!({"file": "QA--nobody.tst", "token_base64": first["token_base64"]}),
            "names no key-file signature",
        ),
        (first.clone(), "appears twice"),
    ] {
        let mut edited = m.clone();
        edited["timestamps"].as_array_mut().unwrap().push(entry);
        let copy = tempfile::tempdir().unwrap();
        fs::write(copy.path().join("m.json"), serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        fs::copy(d.join("dist/bundle.tar"), copy.path().join("bundle.tar")).unwrap();
        fs::copy(d.join("signatures/trust.json"), copy.path().join("trust.json")).unwrap();
        let (code, out) = verify(copy.path(), "m.json");
        assert_eq!(code, 2, "{expected}: {out}");
        assert!(out.contains(expected), "{expected}: {out}");
    }
}

/// `SEQUENCE { SET { INTEGER n-1, …, INTEGER 0 } }`, DER, with `n` elements in descending order.
fn wide_set(n: u16) -> Vec<u8> {
    let mut set = Vec::new();
    for i in (0..n).rev() {
        set.extend([0x02, 0x02, (i >> 8) as u8 & 0x7f, i as u8]);
    }
    let wrap = |tag: u8, body: Vec<u8>| {
        let len = u16::try_from(body.len()).unwrap().to_be_bytes();
        [vec![tag, 0x82, len[0], len[1]], body].concat()
    };
    wrap(0x30, wrap(0x31, set))
}

/// Someone with Dana's key file and password, after her key was revoked, writes a QA signature
/// dated just before the revocation. By the signer's clock it counts; a token taken when the
/// signature was really made shows the key was already revoked.
#[test]
fn a_stolen_revoked_key_cannot_backdate_a_timestamped_signature() {
    let (_pki_dir, pki, repo) = accepted_tsa(POLICY);
    let d = repo.path();
    std::thread::sleep(Duration::from_secs(2));
    let revoked = Timestamp::now();
    let (code, out) =
        as_admin(d, &["revoke", "--signer", "dana", "--at", &revoked.to_string(), "--reason", "key file stolen"]);
    assert_eq!(code, 0, "{out}");
    std::thread::sleep(Duration::from_secs(1));
    let envelope =
        signet_dev::fixtures::forge_signature(d, ("v1.4.0", "QA"), ("dana", PASSWORD), Timestamp(revoked.0 - 1))
            .unwrap();

    let (_, out) = verify(d, RELEASE);
    assert!(out.contains("signed   QA (REVIEWER) by Dana Whitfield"), "by its own clock it counts: {out}");

    signature_bytes(&envelope, &d.join("sig.bin"));
    pki.token_over(&d.join("sig.bin"), &d.join(RELEASE).join("QA--dana.tst"));
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: key of `dana` was revoked at"), "{out}");
    assert!(!out.contains("signed   QA"), "{out}");
}

/// A key valid for a few seconds: a signature dated inside its validity but timestamped after
/// it is judged at the token's time.
#[test]
fn a_token_after_the_keys_expiry_fails_the_signature() {
    let (_pki_dir, pki, repo) = accepted_tsa(POLICY);
    let d = repo.path();
    keygen(d, "tom");
    let until = Timestamp(Timestamp::now().0 + 4);
    let (code, out) = as_admin(
        d,
        &[
            "enroll",
            "--signer",
            "tom",
            "--name",
            "Tom Brandt",
            "--email",
            "tom@pump.example",
            "--role",
            "QA",
            "--pubkey",
            "keys/tom.key.pub",
            "--valid-until",
            &until.to_string(),
        ],
    );
    assert_eq!(code, 0, "{out}");
    while Timestamp::now().0 <= until.0 + 1 {
        std::thread::sleep(Duration::from_millis(500));
    }
    let envelope =
        signet_dev::fixtures::forge_signature(d, ("v1.4.0", "QA"), ("tom", PASSWORD), Timestamp(until.0 - 1)).unwrap();
    signature_bytes(&envelope, &d.join("sig.bin"));
    pki.token_over(&d.join("sig.bin"), &d.join(RELEASE).join("QA--tom.tst"));
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--tom.dsse.json: key of `tom` expired at"), "{out}");
}

/// `require_trusted_time`: the ceremony will not sign without a TSA, a signature without a
/// token fails, and editing signet.toml afterwards does not waive it (the request, which every
/// signer signs, records it).
#[test]
fn require_trusted_time_refuses_signatures_without_a_token() {
    let (_pki_dir, _pki, repo) = accepted_tsa(&format!("[signing]\nrequire_trusted_time = true\n{POLICY}"));
    let d = repo.path();
    let request = fs::read_to_string(d.join(RELEASE).join("request.json")).unwrap();
    assert!(
        request.contains("\"signet.request/v2\"") && request.contains("\"require_trusted_time\": true"),
        "{request}"
    );

    let (code, out) = sign_with(d, "dana", "QA", &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("this release requires trusted time"), "{out}");
    assert!(!d.join(RELEASE).join("QA--dana.dsse.json").exists());

    signet_dev::fixtures::forge_signature(d, ("v1.4.0", "QA"), ("dana", PASSWORD), Timestamp::now()).unwrap();
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: has no RFC 3161 timestamp token (QA--dana.tst)"), "{out}");

    fs::write(d.join("signet.toml"), POLICY).unwrap();
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: has no RFC 3161 timestamp token"), "{out}");
}

/// A TSA that hangs, answers garbage, or is not one the trust file accepts fails the ceremony
/// after the password: nothing is written but the failure's event.
#[test]
fn a_failing_tsa_fails_the_ceremony_cleanly() {
    let (pki_dir, pki, repo) = accepted_tsa(POLICY);
    let rogue = Pki::new(&pki_dir.path().join("rogue"), "Rogue TSA");
    let d = repo.path();
    let cases = [
        (serve(pki.clone(), Answer::Hang(Duration::from_secs(30))), "no answer within 2 s"),
        (serve(pki.clone(), Answer::Garbage), "its answer is not an RFC 3161 TimeStampResp"),
        (serve(rogue, Answer::Token), "a timestamp authority the trust file does not accept"),
    ];
    for (url, expected) in &cases {
        let (code, out) = sign_with(d, "dana", "QA", &["--tsa", url, "--tsa-timeout", "2"]);
        assert_eq!(code, 2, "{out}");
        assert!(out.contains(expected), "{expected}: {out}");
        assert!(out.contains("Nothing was signed"), "{out}");
        assert!(!d.join(RELEASE).join("QA--dana.dsse.json").exists(), "{expected}");
        assert!(!d.join(RELEASE).join("QA--dana.tst").exists(), "{expected}");
        assert!(events(&d.join(RELEASE)).contains(&format!("timestamp authority {url}: ")), "{expected}");
    }
    let (code, out) = sign_with(d, "dana", "QA", &["--tsa", &serve(pki, Answer::Token)]);
    assert_eq!(code, 0, "the signer signs once the TSA answers: {out}");
}

/// `trust init --tsa NAME=CHAIN.pem` records the authority's chain; a file that is not a chain
/// of the TSA's certificate and its root is refused, naming the file.
#[test]
fn trust_init_records_timestamp_authorities_and_refuses_a_bare_certificate() {
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(pki_dir.path(), "Test TSA");
    let t = crate::support::Test::new();
    let d = t.path().to_path_buf();
    keygen(&d, "admin");
    let chain = format!("Test TSA={}", pki.dir.join("chain.pem").display());
    let bare = format!("Test TSA={}", pki.dir.join("tsa.pem").display());
    let init = |tsa: &str, out: &str| {
        crate::support::Test::in_dir(tempfile::TempDir::new_in(&d).unwrap())
            .args(["--root", d.to_str().unwrap(), "trust", "init", "--organisation", "Pump Medical"])
            .args(["--admin-pubkey", &format!("admin={}/keys/admin.key.pub", d.display()), "--tsa", tsa, "--out", out])
    };
    let refused = init(&bare, &d.join("bare.json").display().to_string()).status(2).run();
    assert!(refused.stderr.contains("tsa.pem: holds 1 certificate(s)"), "{}", refused.stderr);
    // RFC 3161 §2.3: a TSA certificate's only extended key usage is timeStamping, critical.
    let loose = Pki::with_extensions(
        &pki_dir.path().join("loose"),
        "Loose TSA",
        "extendedKeyUsage = timeStamping, codeSigning\nbasicConstraints = critical, CA:FALSE\n",
    );
    let spec = format!("Loose TSA={}", loose.dir.join("chain.pem").display());
    let refused = init(&spec, &d.join("loose.json").display().to_string()).status(2).run();
    assert!(refused.stderr.contains("must be timeStamping only, and critical"), "{}", refused.stderr);
    let ran = init(&chain, &d.join("trust.json").display().to_string()).run();
    assert!(ran.stdout.contains("1 timestamp authorit(y/ies)"), "{}", ran.stdout);
    let trust: serde_json::Value = serde_json::from_slice(&fs::read(d.join("trust.json")).unwrap()).unwrap();
    let tsa = &trust["versions"][0]["root"]["timestamp_authorities"][0];
    assert_eq!(tsa["name"], "Test TSA");
    assert_eq!(tsa["chain_pem"].as_str().unwrap(), pki.chain_pem());
}

/// A delegation that ended a moment ago: a delegate's signature dated inside the window by its
/// own clock counts, but a token taken when it was really made puts it outside, and it fails.
#[test]
fn a_delegation_window_is_judged_at_the_trusted_time() {
    let (_pki_dir, pki, repo) = accepted_tsa(POLICY);
    let d = repo.path();
    keygen(d, "val");
    crate::signing::enroll(d, "val", "Val Moreau", "RELEASE");
    let until = Timestamp(Timestamp::now().0 + 8);
    let (code, out) = crate::delegation::delegate(d, ("dana", "val", "QA"), (Timestamp(until.0 - 3600), until));
    assert_eq!(code, 0, "{out}");
    std::thread::sleep(Duration::from_secs(10));
    let registry = signet::sign::registry::Registry::load(d).unwrap().0;
    let on = signet::formats::statement::OnBehalfOf {
        signer_id: "dana".into(),
        printed_name: "Dana Whitfield".into(),
        delegation_sha256: signet::sign::trust::entry_sha256(&registry.delegation[0]),
    };
    let at = Timestamp(until.0 - 1);
    let envelope = signet_dev::fixtures::forge_signature_with(d, ("v1.4.0", "QA"), ("val", PASSWORD), at, |r| {
        r.on_behalf_of = Some(on)
    })
    .unwrap();
    let (_, out) = verify(d, RELEASE);
    assert!(out.contains("by Val Moreau <val@pump.example> on behalf of Dana Whitfield"), "by its own clock: {out}");

    signature_bytes(&envelope, &d.join("sig.bin"));
    pki.token_over(&d.join("sig.bin"), &d.join(RELEASE).join("QA--val.tst"));
    let (code, out) = verify(d, RELEASE);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("QA--val.dsse.json: on behalf of: signed at") && out.contains("outside the delegation's window"),
        "{out}"
    );
}
