//! Trust anchors (issue #13, forgeries 5–8 and revocations learned after archiving): a signer
//! counts only when an administrator of the organisation's trust file signed their enrolment,
//! one person is one person whatever ids they hold, ids follow one rule, and a revocation
//! recorded after a release was archived still reaches the archived manifest.

use std::fs;
use std::path::Path;

use signet::sign::registry::{self, NewEntry, Registry};
use signet::sign::{Timestamp, keys};

use crate::signing::{self, as_admin, verify};
use crate::support::SIGNET;

fn signed(dir: &Path) -> std::path::PathBuf {
    let root = signet_dev::fixtures::ensure_signed_release(dir, 3).unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = verify(&root, "signatures/bench");
    assert_eq!(code, 0, "the untouched release verifies: {out}");
    root
}

fn expect_fail(out: (i32, String), message: &str) {
    let (code, text) = out;
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(message), "expected `{message}` in:\n{text}");
}

/// #6: one person under three ids (same name and email, case aside) signs every role. Even
/// with every entry approved, the gate counts people, not ids.
#[test]
fn one_person_under_three_ids_fails() {
    let dir = tempfile::tempdir().unwrap();
    let people = [
        ("Dana Whitfield", "dana@pump.example"),
        ("DANA WHITFIELD", "Dana@Pump.Example"),
        ("dana whitfield", "x@pump.example"),
    ];
    let people = people.iter().map(|(n, e)| (n.to_string(), e.to_string())).collect();
    let root = signet_dev::fixtures::signed_release_by(&dir.path().join("one-person"), people).unwrap();
    let out = verify(&root, "signatures/bench");
    expect_fail(out.clone(), "separation of duties requires distinct people");
    expect_fail(out, "one person (`person00`, `person01`, `person02`) signed 3 roles");
}

/// A registry entry a pull request adds or edits is no administrator's act: it does not chain
/// to the trust file.
#[test]
fn an_entry_edited_after_approval_does_not_chain_to_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let path = root.join("signatures/signers.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("roles = [\"ROLE01\"]", "roles = [\"ROLE01\", \"ROLE02\"]")).unwrap();
    expect_fail(
        verify(&root, "signatures/bench"),
        "is approved by 0 of the organisation's administrators, and needs 1",
    );
}

fn repo_with_dana() -> tempfile::TempDir {
    let t = crate::support::Test::new().file("signet.toml", signing::POLICY);
    let d = t.path().to_path_buf();
    for id in ["dana", "other"] {
        fs::create_dir_all(d.join("keys")).unwrap();
        let key = keys::generate();
        fs::write(d.join(format!("keys/{id}.key.pub")), keys::public_pem(key.verifying_key())).unwrap();
    }
    signing::enroll(&d, "dana", "Dana Whitfield", "QA");
    t.into_dir()
}

fn enroll_refused(d: &Path, id: &str, name: &str, email: &str, role: &str, expect: &str) {
    let out = std::process::Command::new(SIGNET)
        .args(["enroll", "--signer", id, "--name", name, "--email", email, "--role", role])
        .args(["--pubkey", "keys/other.key.pub", "--admin-key", "keys/admin.key"])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{id:?}: {text}");
    assert!(text.contains(expect), "{id:?}: expected {expect:?} in {text}");
}

/// #7 and #8: ids outside the rule, look-alikes of enrolled ids, a second identity for an
/// enrolled person, a role the policy lacks, and an administrator enrolling themselves.
#[test]
fn enrolment_refuses_lookalikes_bad_ids_second_identities_and_self_enrolment() {
    let repo = repo_with_dana();
    let d = repo.path();
    let n = "New Person";
    let e = "new@pump.example";
    for (id, expect) in [
        ("", "is empty"),
        ("a/b", "contains '/'"),
        ("../..", "contains '/'"),
        ("da\nna", "contains '\\n'"),
        (" dana", "contains ' '"),
        ("d\u{430}na", "contains 'а'"),
        ("QA--x", "must not contain `--`"),
        ("DANA", "looks like the existing signer id `dana`"),
        ("ADMIN", "cannot enrol themselves"),
    ] {
        enroll_refused(d, id, n, e, "QA", expect);
    }
    enroll_refused(
        d,
        "dana2",
        "DANA WHITFIELD",
        e,
        "QA",
        "the printed name `DANA WHITFIELD` is already active for `dana`",
    );
    enroll_refused(
        d,
        "dana2",
        "D. Whitfield",
        "Dana@Pump.Example",
        "QA",
        "the email `Dana@Pump.Example` is already active",
    );
    enroll_refused(d, "newbie", n, e, "QAA", "role `QAA` is not required by the signing policy");
    enroll_refused(d, "newbie", n, e, "Q/A", "role \"Q/A\" contains '/'");
    // Nobody but an administrator named in the trust file enrols.
    let out = std::process::Command::new(SIGNET)
        .args(["enroll", "--signer", "newbie", "--name", n, "--email", e, "--role", "QA"])
        .args(["--pubkey", "keys/other.key.pub", "--admin-key", "keys/dana.key"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an administrator's in"));
}

/// #6 at the gate, with genuine approvals: separation of duties by person also holds for
/// entries that do not look alike by id (`as_admin` enrols them through the real ceremony).
#[test]
fn an_approved_enrolment_is_recorded_with_the_administrators_signature() {
    let repo = repo_with_dana();
    let text = fs::read_to_string(repo.path().join("signatures/signers.toml")).unwrap();
    let reg: Registry = toml::from_str(&text).unwrap();
    assert_eq!(reg.approval.len(), 1, "{text}");
    let a = &reg.approval[0];
    assert_eq!(a.admin, "admin");
    assert_eq!(a.meaning, "identity verified");
    assert_eq!(a.entry_sha256, signet::sign::trust::entry_sha256(&reg.signer[0]));
    assert_eq!(reg.signer[0].enrolled_by, "admin");
    // A revocation is an administrator's act too.
    let (code, out) = as_admin(
        repo.path(),
        &["revoke", "--signer", "dana", "--at", "2026-01-01T00:00:00Z", "--reason", "left the company"],
    );
    assert_eq!(code, 0, "{out}");
    let reg: Registry =
        toml::from_str(&fs::read_to_string(repo.path().join("signatures/signers.toml")).unwrap()).unwrap();
    assert_eq!(reg.approval.len(), 2);
    assert_eq!(reg.approval[1].entry_sha256, signet::sign::trust::entry_sha256(&reg.revocation[0]));
}

/// #6 of the list: a revocation recorded after the release was archived, backdated to
/// the key's compromise, fails the archived manifest when the current registry is given.
#[test]
fn a_revocation_learned_after_archiving_fails_the_archived_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    fs::copy(root.join("signatures/trust.json"), root.join("trust.json")).unwrap();
    let (code, out) = verify(&root, "signatures/release-bench.json");
    assert_eq!(code, 0, "{out}");
    let (reg, _) = Registry::load(&root).unwrap();
    let compromised = reg.signer[0].clone();
    let r =
        reg.revocation_entry(&compromised.id, "2000-01-01T00:00:00Z", "key compromised", &Timestamp::now()).unwrap();
    registry::append_entry(&root, NewEntry::Revocation(&r), &[]).unwrap();
    let (code, out) = verify(&root, "signatures/release-bench.json");
    assert_eq!(code, 0, "the manifest alone does not know: {out}");
    let out = std::process::Command::new(SIGNET)
        .args(["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/release-bench.json"])
        .args(["--trust", "trust.json", "--registry", "signatures/signers.toml"])
        .current_dir(&root)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("key compromised"), "{text}");
}

/// A trust file that is not one: each exits 2 naming the file and what is wrong.
#[test]
fn a_malformed_trust_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let good: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("signatures/trust.json")).unwrap()).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    for (case, value, expect) in [
        ("threshold 0", edit(&|v| v["versions"][0]["root"]["threshold"] = 0.into()), "threshold 0 is not between 1"),
        (
            "threshold above the administrators",
            edit(&|v| v["versions"][0]["root"]["threshold"] = 2.into()),
            "threshold 2 is not between 1 and the 1 administrator(s)",
        ),
        ("no version", edit(&|v| v["versions"] = serde_json::json!([])), "holds no trust root version"),
        ("a gap", edit(&|v| v["versions"][0]["root"]["version"] = 2.into()), "the chain has a gap or is out of order"),
        (
            "an unsigned second version",
            edit(&|v| {
                let mut second = v["versions"][0].clone();
                second["root"]["version"] = 2.into();
                v["versions"].as_array_mut().unwrap().push(second);
            }),
            "version 2 is signed by 0 of previous administrators, and needs 1",
        ),
        (
            "an administrator's key id that is not their key's",
            edit(&|v| v["versions"][0]["root"]["admins"][0]["key_id"] = format!("sha256:{}", "0".repeat(64)).into()),
            "key_id is not the SHA-256 of their public key",
        ),
        ("a newer format", edit(&|v| v["schema"] = "signet.trust/v2".into()), "a newer format than this Signet"),
    ] {
        fs::write(root.join("signatures/trust.json"), serde_json::to_vec_pretty(&value).unwrap()).unwrap();
        let (code, out) = verify(&root, "signatures/bench");
        assert_eq!(code, 2, "{case}: {out}");
        assert!(out.contains("signatures/trust.json") && out.contains(expect), "{case}: expected {expect:?} in {out}");
    }
}

/// A manifest whose embedded trust chain continues the organisation's with an unsigned version
/// naming the attacker as administrator (or with a gap) is not anchored.
#[test]
fn an_unsigned_rotation_embedded_in_a_manifest_is_not_anchored() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    fs::copy(root.join("signatures/trust.json"), root.join("trust.json")).unwrap();
    let path = root.join("signatures/release-bench.json");
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    for version in [2, 7] {
        let mut forged = m.clone();
        let mut next = m["trust"]["versions"][0].clone();
        next["root"]["version"] = version.into();
        next["root"]["admins"][0]["id"] = "mallory".into();
        forged["trust"]["versions"].as_array_mut().unwrap().push(next);
        fs::write(root.join("forged.json"), serde_json::to_vec_pretty(&forged).unwrap()).unwrap();
        expect_fail(verify(&root, "forged.json"), "the record's trust chain is not valid");
    }
    // And without the embedded chain, a v2 manifest is anchored on the trust file given.
    m.as_object_mut().unwrap().remove("trust");
    fs::write(root.join("plain.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, out) = verify(&root, "plain.json");
    assert_eq!(code, 0, "{out}");
}

/// A hand-added revocation dated far in the future, placed before the real one, never hides it.
#[test]
fn a_decoy_revocation_cannot_hide_a_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let (reg, _) = Registry::load(&root).unwrap();
    let victim = reg.signer[0].clone();
    let real = reg.revocation_entry(&victim.id, "2000-01-01T00:00:00Z", "key compromised", &Timestamp::now()).unwrap();
    let decoy = registry::Revocation { at: "2099-01-01T00:00:00Z".into(), reason: "decoy".into(), ..real.clone() };
    registry::append_entry(&root, NewEntry::Revocation(&decoy), &[]).unwrap();
    registry::append_entry(&root, NewEntry::Revocation(&real), &[]).unwrap();
    expect_fail(verify(&root, "signatures/bench"), "key compromised");
}

/// A release id is checked before anything is written: no request lands outside `signatures/`.
#[test]
fn a_release_id_outside_the_rule_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    for id in ["../../escaped", "v1/2", "v1--2", "/tmp/abs"] {
        let out = std::process::Command::new(SIGNET)
            .args(["request", "--release", id, "--bundle", "dist/bundle.tar", "--commit", &"0".repeat(40)])
            .current_dir(&root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{id}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("release id"), "{id}");
    }
    assert!(!dir.path().join("escaped").exists() && !root.join("signatures/v1").exists());
    assert!(!root.join("signatures/v1--2").exists() && !Path::new("/tmp/abs").exists());
}

/// A v1 manifest's vouched entries are vouched for whole: an edit to a vouched signer's roles
/// no longer chains to the trust file.
#[test]
fn a_vouched_entry_edited_in_a_v1_manifest_is_not_anchored() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest-v1");
    let copy = tempfile::tempdir().unwrap();
    for f in ["bundle.tar", "trust.json"] {
        fs::copy(fixture.join(f), copy.path().join(f)).unwrap();
    }
    let text = fs::read_to_string(fixture.join("release-v1.4.0.json")).unwrap();
    let edited =
        text.replacen("\"id\": \"dana\",", "\"id\": \"dana\",\n      \"valid_until\": \"2099-01-01T00:00:00Z\",", 1);
    assert_ne!(edited, text);
    fs::write(copy.path().join("release-v1.4.0.json"), edited).unwrap();
    expect_fail(verify(copy.path(), "release-v1.4.0.json"), "is approved by 0 of the organisation's administrators");
}

/// A change of administrators is signed by the current ones and the incoming ones (TUF-style):
/// until both have signed, the proposal is not a trust file; once they have, the old trust file
/// still anchors the release through the chain, and the old administrator no longer enrols.
#[test]
fn a_rotation_signed_by_both_administrators_keeps_the_old_anchor_valid() {
    let dir = tempfile::tempdir().unwrap();
    let root = signed(dir.path());
    let key = keys::generate();
    signet_dev::fixtures::write_key(&root, "admin2", &key).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(SIGNET).args(args).current_dir(&root).output().unwrap();
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (code, out) = run(&[
        "trust",
        "rotate",
        "--trust",
        "signatures/trust.json",
        "--admin-pubkey",
        "admin2=keys/admin2.key.pub",
        "--out",
        "trust-v2.json",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let sign = |admin: &str| {
        let key = format!("keys/{admin}.key");
        signing::at_terminal(
            &root,
            &["trust", "sign", "--trust", "trust-v2.json", "--admin-key", &key],
            &[("type its number", "2"), ("Password: ", signet_dev::fixtures::FIXTURE_PASSWORD)],
        )
    };
    let (code, out) = sign("admin");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("needs more"), "{out}");
    // Half-signed, it is no trust file.
    let (code, out) =
        run(&["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/bench", "--trust", "trust-v2.json"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("version 2 is signed by 0 of its own administrators, and needs 1"), "{out}");
    let (code, out) = sign("admin2");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is a valid trust file"), "{out}");
    // The repository now holds version 2; the auditor's version 1 still anchors the release.
    fs::rename(root.join("signatures/trust.json"), root.join("trust-v1.json")).unwrap();
    fs::copy(root.join("trust-v2.json"), root.join("signatures/trust.json")).unwrap();
    let (code, out) =
        run(&["verify", "--bundle", "dist/bundle.tar", "--manifest", "signatures/bench", "--trust", "trust-v1.json"]);
    assert_eq!(code, Some(0), "{out}");
    // The retired administrator no longer enrols.
    let (code, out) = run(&[
        "enroll",
        "--signer",
        "newbie",
        "--name",
        "New Person",
        "--email",
        "new@example.com",
        "--role",
        "ROLE01",
        "--pubkey",
        "keys/admin2.key.pub",
        "--admin-key",
        "keys/admin.key",
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("is not an administrator's in"), "{out}");
}
