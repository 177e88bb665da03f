//! The release record of issue #14: one immutable file per event, so that two signers' pull
//! requests from the same base merge with plain `git merge` in either order; nothing that was
//! signed disappears without the final gate naming it; a lockout lives in the record; a
//! committed archival manifest is never overwritten; and no id steers a write out of
//! `signatures/`.

use std::fs;
use std::path::Path;

use crate::signing::{PASSWORD, at_terminal, dana_signs_qa_with, release_repo, sign, signed_release, verify};
use crate::support::sh;

const AUTHOR: &str = "export GIT_AUTHOR_NAME=Signer GIT_AUTHOR_EMAIL=signer@pump.example \
     GIT_COMMITTER_NAME=Signer GIT_COMMITTER_EMAIL=signer@pump.example;";

fn git(dir: &Path, args: &str) -> String {
    let out = sh(dir, &format!("{AUTHOR} git {args}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn signs(dir: &Path, id: &str, role: &str) {
    let (code, out) = sign(dir, id, role);
    assert_eq!(code, 0, "{id} signs {role}: {out}");
}

#[test]
fn two_signers_on_two_branches_merge_in_either_order() {
    let repo = release_repo();
    let d = repo.path();
    fs::write(d.join(".gitignore"), "dialogue-*.json\n.state/\n").unwrap();
    git(d, "init -q -b main && git add -A && git commit -qm base");
    git(d, "checkout -qb qa");
    signs(d, "dana", "QA");
    git(d, "add -A && git commit -qm 'QA signs'");
    git(d, "checkout -q main && git checkout -qb engineering");
    signs(d, "eli", "ENGINEERING");
    git(d, "add -A && git commit -qm 'ENGINEERING signs'");
    for (first, second) in [("qa", "engineering"), ("engineering", "qa")] {
        git(d, &format!("checkout -q main && git checkout -qb merged-{first} {first}"));
        git(d, &format!("merge -q --no-edit {second}"));
        assert_eq!(git(d, "status --porcelain"), "", "a clean merge, no manual edit");
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("awaiting RELEASE (APPROVER)") && !out.contains("problem  "),
            "{first} then {second}: {out}"
        );
        assert!(out.contains("signed   QA") && out.contains("signed   ENGINEERING"), "{out}");
        // The approver signs after both merges, and the release passes.
        signs(d, "rosa", "RELEASE");
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert_eq!(code, 0, "{first} then {second}: {out}");
        git(d, "add -A && git commit -qm approved");
    }
}

pub(crate) fn reject(dir: &Path, id: &str, role: &str) {
    let key = format!("keys/{id}.key");
    let (code, out) = at_terminal(
        dir,
        &["sign", "--release", "v1.4.0", "--role", role, "--key", &key, "--reject"],
        &[("type the release id", "v1.4.0"), ("Reason", "the test evidence is incomplete"), ("Password: ", PASSWORD)],
    );
    assert_eq!(code, 0, "{out}");
}

/// A rejection deleted or renamed away, and a signature replaced by another person's, each
/// fail and name the missing file; before, each passed.
#[test]
fn a_deleted_or_replaced_signature_or_rejection_fails_naming_it() {
    for (what, remove) in [
        ("rejection deleted", "rm signatures/v1.4.0/QA--sam.dsse.json"),
        ("rejection renamed", "mv signatures/v1.4.0/QA--sam.dsse.json signatures/v1.4.0/QA--sam.dsse.json.bak"),
    ] {
        let repo = release_repo();
        let d = repo.path();
        reject(d, "sam", "QA");
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert!(code == 1 && out.contains("REJECTED by Sam Okafor"), "{out}");
        sh(d, remove);
        for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
            signs(d, id, role);
        }
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert_eq!(code, 1, "{what}: {out}");
        assert!(
            out.contains("problem  QA--sam.dsse.json: events/") && out.contains("but the file is missing"),
            "{what}: {out}"
        );
        assert!(!d.join("signatures/release-v1.4.0.json").exists(), "{what}: no manifest for a failing record");
    }
    let repo = release_repo();
    let d = repo.path();
    signs(d, "dana", "QA");
    sh(d, "rm signatures/v1.4.0/QA--dana.dsse.json");
    signs(d, "sam", "QA");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: events/") && out.contains("dana as QA"), "{out}");
}

fn wrong_passwords(dir: &Path) -> String {
    let (code, out) = dana_signs_qa_with(dir, &["wrong 1", "wrong 2", "wrong 3"]);
    assert_eq!(code, 2, "{out}");
    out
}

/// The lockout is in the release's record: clearing this machine's state does not lift it, a
/// signature made inside its window fails the gate, and an edited state file is an error.
#[test]
fn a_lockout_holds_in_the_record_and_a_signature_inside_it_fails() {
    let repo = release_repo();
    let d = repo.path();
    let out = wrong_passwords(d);
    assert!(out.contains("signing is locked for `dana` until"), "{out}");
    // As if XDG_STATE_HOME pointed elsewhere: the record still refuses.
    fs::remove_dir_all(d.join(".state")).unwrap();
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("signing is locked for `dana` until"), "{out}");
    // The signer hides the lockout event, signs, and the event comes back (a merge, git history).
    let lockout = sh(d, "grep -l '\"lockout\"' signatures/v1.4.0/events/*.json");
    let lockout = String::from_utf8_lossy(&lockout.stdout).trim().to_string();
    fs::rename(d.join(&lockout), d.join("hidden.json")).unwrap();
    signs(d, "dana", "QA");
    fs::rename(d.join("hidden.json"), d.join(&lockout)).unwrap();
    signs(d, "eli", "ENGINEERING");
    signs(d, "rosa", "RELEASE");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--dana.dsse.json: signed at") && out.contains("inside the lockout of `dana`"), "{out}");
    // The failed attempts are in the record too, each bound to the request.
    let events = crate::support::events(&d.join("signatures/v1.4.0"));
    assert_eq!(events.matches("\"failed-attempt\"").count(), 3, "{events}");
    assert_eq!(events.matches("\"request_sha256\"").count(), events.lines().count(), "{events}");
    // A lockout state that is not Signet's is an error, never ignored.
    fs::create_dir_all(d.join(".state/signet/lockout")).unwrap();
    fs::write(d.join(".state/signet/lockout/sam.json"), "{\"failures\": 0, \"locked_until\": null, \"x\": 1}").unwrap();
    let (code, out) = sign(d, "sam", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("lockout/sam.json") && out.contains("the lockout state is not Signet's"), "{out}");
}

/// `verify` writes the archival manifest once; re-run, it says the committed one agrees; an
/// edited one (even `generated_by` or `enrolled_by`) fails, shows what differs, and stays.
#[test]
fn verify_never_overwrites_a_committed_manifest() {
    let repo = signed_release();
    let d = repo.path();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert!(code == 0 && out.contains("wrote the archival manifest"), "{out}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert!(code == 0 && out.contains("is already there and agrees with this record"), "{out}");
    let path = d.join("signatures/release-v1.4.0.json");
    let genuine = fs::read_to_string(&path).unwrap();
    for (from, to, field) in [
        ("\"generated_by\": \"signet ", "\"generated_by\": \"signet 9", "`generated_by`"),
        ("\"enrolled_by\": \"admin\"", "\"enrolled_by\": \"someone\"", "`signers`"),
    ] {
        assert!(genuine.contains(from), "{from}");
        let edited = genuine.replacen(from, to, 1);
        fs::write(&path, &edited).unwrap();
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("release-v1.4.0.json: an archival manifest is already committed and differs"), "{out}");
        assert!(out.contains(&format!("fields {field} differ")), "{out}");
        assert_eq!(fs::read_to_string(&path).unwrap(), edited, "left as it is");
    }
}

/// No role, signer or release id steers a write out of `signatures/`.
#[test]
fn ids_never_steer_a_write_outside_the_release_folder() {
    let repo = release_repo();
    let d = repo.path();
    let before = sh(d, "find . -path ./.state -prune -o -type f -print | sort").stdout;
    for role in ["../../../escape", "QA/../../x", "..", "QA\nx"] {
        let (code, out) = at_terminal(
            d,
            &["sign", "--release", "v1.4.0", "--role", role, "--key", "keys/dana.key"],
            &[("type the release id", "v1.4.0"), ("Reason", ""), ("Password: ", PASSWORD)],
        );
        assert_eq!(code, 2, "{role:?}: {out}");
    }
    let dialogue = |l: &&[u8]| !String::from_utf8_lossy(l).contains("dialogue-");
    let after = sh(d, "find . -path ./.state -prune -o -type f -print | sort").stdout;
    assert_eq!(
        before.split(|b| *b == b'\n').filter(dialogue).collect::<Vec<_>>(),
        after.split(|b| *b == b'\n').filter(dialogue).collect::<Vec<_>>(),
        "nothing written"
    );
    // A request whose release id is edited to a path: refused, and no manifest is written.
    let request = d.join("signatures/v1.4.0/request.json");
    let text = fs::read_to_string(&request).unwrap().replacen("\"v1.4.0\"", "\"../../escape\"", 1);
    fs::write(&request, text).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_ne!(code, 0, "{out}");
    assert!(!d.join("escape.json").exists() && !d.parent().unwrap().join("release-escape.json").exists());
    assert!(!d.join("signatures/release-v1.4.0.json").exists(), "{out}");
}

/// Edits and deletions of a committed record show as `drift` findings of the RTM gate, naming
/// the file, the commit and what changed; appending signatures and events does not.
#[test]
fn the_rtm_gate_reports_drift_in_the_committed_record() {
    let repo = signed_release();
    let d = repo.path();
    fs::write(d.join(".gitignore"), "dialogue-*.json\n.state/\n").unwrap();
    fs::create_dir_all(d.join("reqs")).unwrap();
    fs::write(
        d.join("reqs/a.sdoc"),
        "[DOCUMENT]\nTITLE: Plain\n\n[REQUIREMENT]\nUID: P-1\nTITLE: Plain one\nSTATEMENT: >>>\nShall.\n<<<\n",
    )
    .unwrap();
    let gate = |d: &Path| {
        let out = std::process::Command::new(crate::support::SIGNET)
            .args(["rtm-gate", "--docs", "reqs/*.sdoc"])
            .current_dir(d)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    git(d, "init -q -b main && git add -A && git commit -qm signed");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    git(d, "add -A && git commit -qm archived");
    let (code, out) = gate(d);
    assert!(code == 0 && !out.contains("drift"), "{out}");
    git(d, "rm -q signatures/v1.4.0/QA--dana.dsse.json && git commit -qm 'drop a signature'");
    sh(d, "sed -i 's/\"generated_by\": \"signet /\"generated_by\": \"signet 9/' signatures/release-v1.4.0.json");
    let (code, out) = gate(d);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("error: signatures/v1.4.0/QA--dana.dsse.json:1: drift: deleted in ")
            && l.contains(", Signer)")),
        "{out}"
    );
    assert!(
        out.contains(
            "error: signatures/release-v1.4.0.json:1: drift: modified after it was first committed in the working tree"
        ),
        "{out}"
    );
}

/// The wrong passwords a ceremony saw before the right one are inside the signed statement
/// (predicate v2), and `verify` shows them.
#[test]
fn failed_attempts_before_a_signature_are_signed_with_it() {
    let repo = release_repo();
    let d = repo.path();
    let (code, out) = dana_signs_qa_with(d, &["wrong 1", "wrong 2", PASSWORD]);
    assert_eq!(code, 0, "{out}");
    let env: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("signatures/v1.4.0/QA--dana.dsse.json")).unwrap()).unwrap();
    use base64ct::Encoding as _;
    let payload = base64ct::Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["predicateType"], "https://signet.dev/attestations/part11-signature/v3");
    assert_eq!(statement["predicate"]["failed_attempts"], 2);
    let (_, out) = verify(d, "signatures/v1.4.0");
    assert!(out.contains("signed   QA (REVIEWER) by Dana Whitfield <dana@pump.example> at "), "{out}");
    assert!(out.contains(" after 2 wrong password(s)"), "{out}");
}

/// `id`'s signed withdrawal of their signature file `file` (what #16's command will write),
/// made with their key. Returns the withdrawal's path.
fn withdraw(d: &Path, id: &str, role: &str, file: &str) -> std::path::PathBuf {
    let sha = signet::digest::tagged(&fs::read(d.join("signatures/v1.4.0").join(file)).unwrap());
    let key = key_of(d, id);
    signed_withdrawal(d, &key, withdrawal_json(d, id, role, (file, &sha), signet::sign::Timestamp::now()))
}

fn key_of(d: &Path, id: &str) -> signet::sign::keys::SigningKey {
    let pem = fs::read_to_string(d.join(format!("keys/{id}.key"))).unwrap();
    signet::sign::keys::decrypt_pem(&pem, PASSWORD.as_bytes()).unwrap()
}

fn withdrawal_json(
    d: &Path,
    id: &str,
    role: &str,
    (file, sha): (&str, &str),
    at: signet::sign::Timestamp,
) -> serde_json::Value {
    let request = signet::digest::tagged(&fs::read(d.join("signatures/v1.4.0/request.json")).unwrap());
    serde_json::json!({
        "schema": "signet.withdrawal/v1", "release": "v1.4.0", "request_sha256": request,
        "signer_id": id, "role": role, "withdrawn": {"file": file, "sha256": sha},
        "reason": "signed against the wrong test report", "withdrawn_at": at.to_string(),
    })
}

/// A withdrawal of these fields signed with `key`, where the gate looks for it.
fn signed_withdrawal(d: &Path, key: &signet::sign::keys::SigningKey, w: serde_json::Value) -> std::path::PathBuf {
    use signet::sign::withdrawal;
    let w: withdrawal::Withdrawal = serde_json::from_value(w).unwrap();
    let path = d.join("signatures/v1.4.0/withdrawals").join(withdrawal::file_name(&w.withdrawn.sha256));
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, withdrawal::envelope_text(&w, key)).unwrap();
    path
}

/// A signature or rejection taken back with its signer's signed withdrawal is shown, not
/// counted, and the release may then pass, in the folder and in the archive alone; a
/// withdrawal signed by anyone else, or with the file still present, fails.
#[test]
fn a_signed_withdrawal_is_honoured_and_shown() {
    let repo = release_repo();
    let d = repo.path();
    reject(d, "sam", "QA");
    let w = withdraw(d, "sam", "QA", "QA--sam.dsse.json");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--sam.dsse.json: withdrawn by `sam` at") && out.contains("remove it"), "{out}");
    fs::remove_file(d.join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap();
    for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        signs(d, id, role);
    }
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("withdrawn QA (QA--sam.dsse.json) by sam at ")
            && out.contains("signed against the wrong test report"),
        "{out}"
    );
    let archive = tempfile::tempdir().unwrap();
    fs::copy(d.join("dist/bundle.tar"), archive.path().join("bundle.tar")).unwrap();
    fs::copy(d.join("signatures/release-v1.4.0.json"), archive.path().join("release-v1.4.0.json")).unwrap();
    fs::copy(d.join("signatures/trust.json"), archive.path().join("trust.json")).unwrap();
    let (code, out) = verify(archive.path(), "release-v1.4.0.json");
    assert!(code == 0 && out.contains("withdrawn QA"), "the archive alone: {out}");
    // The same withdrawal signed by another signer's key is no withdrawal.
    fs::remove_file(d.join("signatures/release-v1.4.0.json")).unwrap();
    let text = fs::read_to_string(&w).unwrap();
    let env: serde_json::Value = serde_json::from_str(&text).unwrap();
    use base64ct::Encoding as _;
    let payload = base64ct::Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
    let eli = key_of(d, "eli");
    let forged: signet::sign::withdrawal::Withdrawal = serde_json::from_slice(&payload).unwrap();
    fs::write(&w, signet::sign::withdrawal::envelope_text(&forged, &eli)).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("names signer `sam`, but is signed by the key of `eli`"), "{out}");
    assert!(out.contains("QA--sam.dsse.json: events/") && out.contains("but the file is missing"), "{out}");
}

/// What a pull-request author might try with withdrawals: a co-signer passing a rejection's
/// digest off under their own file name, a withdrawal dated in the future, and one signed with a
/// key added to the registry under the rejecter's id without an administrator's approval.
#[test]
fn a_withdrawal_cannot_take_back_someone_elses_signature() {
    use signet::sign::Timestamp;
    let repo = release_repo();
    let d = repo.path();
    reject(d, "sam", "QA");
    signs(d, "eli", "ENGINEERING");
    let rejection = signet::digest::tagged(&fs::read(d.join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap());
    fs::remove_file(d.join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap();
    let cases: [(&str, &str, signet::sign::keys::SigningKey, serde_json::Value); 2] = [
        (
            "co-signer's own name, the rejection's digest",
            "which the record does not log as `eli`'s signature as ENGINEERING",
            key_of(d, "eli"),
            withdrawal_json(d, "eli", "ENGINEERING", ("ENGINEERING--eli.dsse.json", &rejection), Timestamp::now()),
        ),
        (
            "dated in the future",
            "is not between the request's creation and now",
            key_of(d, "sam"),
            withdrawal_json(d, "sam", "QA", ("QA--sam.dsse.json", &rejection), Timestamp(Timestamp::now().0 + 86_400)),
        ),
    ];
    for (what, expect, key, w) in cases {
        let path = signed_withdrawal(d, &key, w);
        let (code, out) = verify(d, "signatures/v1.4.0");
        assert_eq!(code, 1, "{what}: {out}");
        assert!(out.contains(expect) && out.contains("but the file is missing"), "{what}: {out}");
        fs::remove_file(path).unwrap();
    }
    // An unapproved registry entry under the rejecter's id, with the attacker's key.
    let attacker = signet::sign::keys::generate();
    let vk = attacker.verifying_key();
    let entry = format!(
        "\n[[signer]]\nid = \"sam\"\nname = \"Mallory\"\nemail = \"mallory@pump.example\"\nroles = [\"QA\"]\nkind = \"human\"\n\
         key_id = \"{}\"\npublic_key = \"\"\"\n{}\"\"\"\nenrolled_at = \"2000-01-01T00:00:00Z\"\nenrolled_by = \"admin\"\n",
        signet::sign::keys::key_id(vk),
        signet::sign::keys::public_pem(vk).trim_end()
    );
    let registry = d.join("signatures/signers.toml");
    fs::write(&registry, fs::read_to_string(&registry).unwrap() + &entry).unwrap();
    signed_withdrawal(
        d,
        &attacker,
        withdrawal_json(d, "sam", "QA", ("QA--sam.dsse.json", &rejection), Timestamp::now()),
    );
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("PASS"), "{out}");
    let anchored = out.lines().any(|l| l.starts_with("problem  ") && l.contains(".dsse.json") && l.contains("approv"));
    assert!(anchored, "the withdrawing entry must chain to the anchor: {out}");
}

/// A release folder reached through a symbolic link is refused, however the path is spelled.
#[test]
fn a_linked_release_folder_is_refused_with_any_spelling() {
    let repo = signed_release();
    let d = repo.path();
    fs::create_dir(d.join("outside")).unwrap();
    fs::rename(d.join("signatures/v1.4.0"), d.join("outside/v1.4.0")).unwrap();
    std::os::unix::fs::symlink("../outside/v1.4.0", d.join("signatures/v1.4.0")).unwrap();
    for spelling in ["signatures/v1.4.0", "signatures/v1.4.0/", "signatures/v1.4.0/.", "signatures/v1.4.0/../v1.4.0"] {
        let (code, out) = verify(d, spelling);
        assert_eq!(code, 2, "{spelling}: {out}");
        assert!(out.contains("is a symbolic link"), "{spelling}: {out}");
    }
}

/// `sign --withdraw` at the terminal: a signer takes back their own rejection with a reason and
/// their password; the withdrawal is written, the rejection removed, and the release can then be
/// signed and passes, showing the withdrawal. Nothing to withdraw, or an approved release, is
/// refused with nothing written.
#[test]
fn sign_withdraw_takes_back_a_rejection_until_the_release_is_approved() {
    let repo = release_repo();
    let d = repo.path();
    let withdraw = |id: &str, role: &str| {
        let key = format!("keys/{id}.key");
        at_terminal(
            d,
            &["sign", "--withdraw", "--release", "v1.4.0", "--role", role, "--key", &key],
            &[
                ("type the release id", "v1.4.0"),
                ("Reason for withdrawing", "rejected the wrong build"),
                ("Password: ", PASSWORD),
            ],
        )
    };
    let (code, out) = withdraw("sam", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("`sam` has no signature for QA in release v1.4.0: nothing to withdraw"), "{out}");

    reject(d, "sam", "QA");
    let (code, out) = withdraw("sam", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Withdrawn. Wrote"), "{out}");
    let folder = d.join("signatures/v1.4.0");
    assert!(!folder.join("QA--sam.dsse.json").exists());
    assert_eq!(fs::read_dir(folder.join("withdrawals")).unwrap().count(), 1);

    for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        signs(d, id, role);
    }
    let before = crate::support::events(&folder) + &fs::read_dir(&folder).unwrap().count().to_string();
    let (code, out) = withdraw("rosa", "RELEASE");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("release v1.4.0 is approved") && out.contains("make a new release id"), "{out}");
    let after = crate::support::events(&folder) + &fs::read_dir(&folder).unwrap().count().to_string();
    assert_eq!(before, after, "nothing was written");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("withdrawn QA (QA--sam.dsse.json) by sam at") && out.contains("rejected the wrong build"),
        "{out}"
    );
}

/// Seed 002 §7.4: Sam's QA signature was made with a key revoked before it (a stolen key file).
/// Dana, also enrolled for QA, signs in its place; her signature names Sam's by digest with the
/// reason, the gate shows both, and the release passes, in the folder and in the archive alone.
#[test]
fn a_signature_made_with_a_revoked_key_is_superseded_and_the_gate_shows_both() {
    let repo = release_repo();
    let d = repo.path();
    signs(d, "sam", "QA");
    let args = ["revoke", "--signer", "sam", "--at", "2026-01-01T00:00:00Z", "--reason", "key file stolen"];
    let (code, out) = crate::signing::as_admin(d, &args);
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--sam.dsse.json: key of `sam` was revoked at 2026-01-01T00:00:00Z"), "{out}");

    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Supersedes:     QA--sam.dsse.json (re-signed because the key of `sam` was revoked at"),
        "the signer sees what the signature replaces: {out}"
    );
    signs(d, "eli", "ENGINEERING");
    signs(d, "rosa", "RELEASE");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   QA (REVIEWER) by Dana Whitfield"), "{out}");
    assert!(
        out.contains(
            "superseded QA (QA--sam.dsse.json) by sam: the key of `sam` was revoked at 2026-01-01T00:00:00Z: key \
             file stolen; replaced by QA--dana.dsse.json (dana): re-signed because"
        ),
        "{out}"
    );
    fs::copy(d.join("signatures/trust.json"), d.join("trust.json")).unwrap();
    let (code, out) = verify(d, "signatures/release-v1.4.0.json");
    assert_eq!(code, 0, "the archive alone: {out}");
    assert!(out.contains("superseded QA (QA--sam.dsse.json)"), "{out}");
}

/// Only a signature that fails for its key's revocation can be superseded: a signature naming a
/// valid rejection as superseded fails, and the rejection stands.
#[test]
fn a_valid_rejection_cannot_be_superseded() {
    let repo = release_repo();
    let d = repo.path();
    reject(d, "sam", "QA");
    let rejection = fs::read(d.join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap();
    let claim = signet::formats::statement::Supersession {
        file: "QA--sam.dsse.json".into(),
        envelope_sha256: format!("sha256:{}", crate::support::sha256_hex(&rejection)),
        reason: "re-signed because sam's key was revoked".into(),
    };
    let at = signet::sign::Timestamp::now();
    signet_dev::fixtures::forge_signature_with(d, ("v1.4.0", "QA"), ("dana", PASSWORD), at, |r| {
        r.supersedes = vec![claim];
    })
    .unwrap();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("QA--dana.dsse.json: supersedes QA--sam.dsse.json (sha256:")
            && out.contains("which is not a signature of role QA that fails only because its key was revoked"),
        "{out}"
    );
    assert!(out.contains("REJECTED by Sam Okafor"), "{out}");
}

/// A revocation a pull request merely appended to signers.toml, with no administrator's approval,
/// makes Sam's rejection fail to count, but never supersedable: the release still fails.
#[test]
fn an_unapproved_revocation_cannot_make_a_rejection_supersedable() {
    let repo = release_repo();
    let d = repo.path();
    reject(d, "sam", "QA");
    let registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    let key_id = registry
        .split("[[signer]]")
        .find(|t| t.contains("id = \"sam\""))
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("key_id = ")))
        .unwrap()
        .to_owned();
    let forged = format!(
        "\n[[revocation]]\nsigner = \"sam\"\nkey_id = {key_id}\nat = \"2000-01-01T00:00:00Z\"\nreason = \"key file \
         stolen\"\nrecorded_at = \"2026-12-05T18:00:00Z\"\n"
    );
    fs::write(d.join("signatures/signers.toml"), registry + &forged).unwrap();
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Supersedes:"), "{out}");
    for (id, role) in [("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        signs(d, id, role);
    }
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("QA--sam.dsse.json: key of `sam` was revoked at 2000-01-01T00:00:00Z"), "{out}");
    assert!(!out.contains("superseded"), "{out}");
}
