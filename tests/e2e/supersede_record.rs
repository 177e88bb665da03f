//! Who a signature in the record belongs to, and what follows when one is superseded (seed 002
//! §6.3, §7.4): in the v1 `audit.jsonl` layout the first line logging a digest says whose it
//! is; a replacement that overrules a rejection says so and signs it; an approval made on the
//! strength of a superseded signature must be made again; and a revoked signer cannot sign the
//! role again under the id whose file their revoked signature holds.

use std::fs;
use std::path::Path;

use signet::sign::Timestamp;
use signet::sign::audit::ChainEvent;

use crate::record::{reject, signs};
use crate::signing::{PASSWORD, as_admin, at_terminal, release_repo, sign, verify};

const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Sam's key is revoked from a time before anything in this release was signed (a stolen key
/// file), by an administrator: what makes his signatures supersedable.
fn revoke_sam(dir: &Path) {
    let args = ["revoke", "--signer", "sam", "--at", "2026-01-01T00:00:00Z", "--reason", "key file stolen"];
    let (code, out) = as_admin(dir, &args);
    assert_eq!(code, 0, "{out}");
}

/// The in-toto statement a signature file of v1.4.0 signs.
fn statement_of(dir: &Path, file: &str) -> serde_json::Value {
    use base64ct::Encoding as _;
    let env: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("signatures/v1.4.0").join(file)).unwrap()).unwrap();
    let payload = base64ct::Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

fn sha_of(dir: &Path, file: &str) -> String {
    signet::digest::tagged(&fs::read(dir.join("signatures/v1.4.0").join(file)).unwrap())
}

/// One canonical line of a v1 chain, as Signet writes it.
fn chain_line(e: &ChainEvent) -> String {
    String::from_utf8(signet::output::json::to_canonical_bytes(e)).unwrap()
}

/// Turns a freshly requested release folder into one recorded in the v1 layout, as Signets
/// before `events/` wrote it: the request's creation is the first line of a chained
/// `audit.jsonl`, and there is no `events/` folder. Signet goes on appending to that chain.
fn as_v1_layout(dir: &Path) {
    let folder = dir.join("signatures/v1.4.0");
    let events: Vec<_> = fs::read_dir(folder.join("events")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(events.len(), 1, "a fresh release holds only its request's creation");
    let created: serde_json::Value = serde_json::from_slice(&fs::read(&events[0]).unwrap()).unwrap();
    assert_eq!(created["event"], "request-created");
    let request = fs::read(folder.join("request.json")).unwrap();
    let bundle = serde_json::from_slice::<serde_json::Value>(&request).unwrap()["bundle"]["sha256"].clone();
    let detail = format!("request {} for bundle sha256:{}", signet::digest::tagged(&request), bundle.as_str().unwrap());
    let first = ChainEvent {
        seq: 1,
        at: created["at"].as_str().unwrap().to_owned(),
        event: "request-created".into(),
        release: "v1.4.0".into(),
        signer: None,
        role: None,
        detail: Some(detail),
        prev: GENESIS.into(),
    };
    fs::remove_dir_all(folder.join("events")).unwrap();
    fs::write(folder.join("audit.jsonl"), chain_line(&first) + "\n").unwrap();
}

/// Appends a well-formed `signature-created` line to the v1 chain — right sequence number,
/// chained to the last line, canonical — as anyone editing the file in a pull request can: the
/// chain proves order and integrity, not who wrote a line.
fn append_signature_line(dir: &Path, (signer, role): (&str, &str), envelope_sha256: &str) {
    let path = dir.join("signatures/v1.4.0/audit.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let last = text.lines().next_back().unwrap();
    let line = ChainEvent {
        seq: text.lines().count() as u64 + 1,
        at: Timestamp::now().to_string(),
        event: "signature-created".into(),
        release: "v1.4.0".into(),
        signer: Some(signer.into()),
        role: Some(role.into()),
        detail: Some(format!("envelope {envelope_sha256}")),
        prev: signet::digest::tagged(last.as_bytes()),
    };
    fs::write(&path, text + &chain_line(&line) + "\n").unwrap();
}

/// `id`'s withdrawal, as `role`, of the signature file `file` with digest `sha`, signed with
/// `id`'s own key and put where the gate looks for it (`withdrawals/<digest>.dsse.json`).
fn signed_withdrawal(dir: &Path, (id, role): (&str, &str), (file, sha): (&str, &str)) {
    use signet::sign::withdrawal;
    let pem = fs::read_to_string(dir.join(format!("keys/{id}.key"))).unwrap();
    let key = signet::sign::keys::decrypt_pem(&pem, PASSWORD.as_bytes()).unwrap();
    let request = sha_of(dir, "request.json");
    let w: withdrawal::Withdrawal = serde_json::from_value(serde_json::json!({
        "schema": "signet.withdrawal/v1", "release": "v1.4.0", "request_sha256": request,
        "signer_id": id, "role": role, "withdrawn": {"file": file, "sha256": sha},
        "reason": "signed against the wrong test report", "withdrawn_at": Timestamp::now().to_string(),
    }))
    .unwrap();
    let path = dir.join("signatures/v1.4.0/withdrawals").join(withdrawal::file_name(&w.withdrawn.sha256));
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, withdrawal::envelope_text(&w, &key)).unwrap();
}

/// SIG-SW-57. In a release recorded in the v1 layout, the chain logs a signature by digest
/// only, with no file name. Eli, a co-signer, appends a later, well-chained line logging Sam's
/// rejection's digest as his own ENGINEERING signature, then withdraws that digest under his
/// own file name: the first line logging the digest says it is Sam's, so the withdrawal is
/// refused and the rejection's absence fails the release. Sam's own withdrawal of the same
/// digest, against the same chain, is honoured.
#[test]
fn a_later_forged_audit_line_cannot_reassign_a_v1_signature() {
    let repo = release_repo();
    let d = repo.path();
    let folder = d.join("signatures/v1.4.0");
    as_v1_layout(d);
    reject(d, "sam", "QA");
    signs(d, "eli", "ENGINEERING");
    // Both were logged in the chain, not as event files: this really is the v1 layout.
    assert!(!folder.join("events").exists());
    let chain = fs::read_to_string(folder.join("audit.jsonl")).unwrap();
    assert_eq!(chain.lines().count(), 3, "{chain}");
    let rejection = sha_of(d, "QA--sam.dsse.json");
    assert!(chain.lines().nth(1).unwrap().contains(&format!("envelope {rejection}")), "{chain}");

    append_signature_line(d, ("eli", "ENGINEERING"), &rejection);
    signed_withdrawal(d, ("eli", "ENGINEERING"), ("ENGINEERING--eli.dsse.json", &rejection));
    fs::remove_file(folder.join("QA--sam.dsse.json")).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("chain broken") && !out.contains("canonical form"), "the forged line is a valid link: {out}");
    assert!(
        out.contains(&format!(
            "withdraws ENGINEERING--eli.dsse.json ({rejection}), which the record does not log as `eli`'s \
             signature as ENGINEERING"
        )),
        "{out}"
    );
    let missing = format!("audit.jsonl:2 records this signature by sam as QA ({rejection}), but the file is missing");
    assert!(out.contains(&missing), "{out}");
    assert!(!out.contains("withdrawn QA") && !out.contains("withdrawn ENGINEERING"), "{out}");

    // The same chain, forged line and all: the withdrawal by the signer its first line names
    // holds (it has the same file name, being named after the digest).
    signed_withdrawal(d, ("sam", "QA"), ("QA--sam.dsse.json", &rejection));
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("withdrawn QA (QA--sam.dsse.json) by sam at "), "{out}");
    assert!(!out.contains("which the record does not log as"), "{out}");
    assert!(!out.contains("audit.jsonl:2 records this signature"), "{out}");
}

/// SIG-SW-61. Sam's rejection was made with a key revoked before it; Dana's QA signature
/// supersedes it. The ceremony tells her that this overrules Sam's rejection, the reason her
/// signature records for the supersession says so too, and the gate shows it.
#[test]
fn superseding_a_rejection_says_and_records_that_it_overrules_it() {
    let repo = release_repo();
    let d = repo.path();
    reject(d, "sam", "QA");
    let rejection = sha_of(d, "QA--sam.dsse.json");
    revoke_sam(d);
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    let reason = "re-signed because the key of `sam` was revoked at 2026-01-01T00:00:00Z: key file stolen; this \
                  overrules `sam`'s REJECTION";
    assert!(out.contains(&format!("Supersedes:     QA--sam.dsse.json ({reason})")), "the signer is told: {out}");

    // Recorded inside what Dana signed, not only shown to her.
    let statement = statement_of(d, "QA--dana.dsse.json");
    let supersedes = statement["predicate"]["supersedes"].as_array().unwrap();
    assert_eq!(supersedes.len(), 1, "{statement}");
    assert_eq!(supersedes[0]["file"], "QA--sam.dsse.json");
    assert_eq!(supersedes[0]["envelope_sha256"], rejection.as_str());
    assert_eq!(supersedes[0]["reason"], reason);

    signs(d, "eli", "ENGINEERING");
    signs(d, "rosa", "RELEASE");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "superseded QA (QA--sam.dsse.json) by sam: the key of `sam` was revoked at 2026-01-01T00:00:00Z: key \
             file stolen; replaced by QA--dana.dsse.json (dana): {reason}"
        )),
        "{out}"
    );
}

/// SIG-SW-62. Rosa approved after Sam's QA signature, naming it as her prerequisite; Sam's key
/// is then found revoked from before, and Dana's signature supersedes his. Rosa's approval was
/// made on the strength of a signature that no longer counts: it fails, naming both files and
/// what to do, until Rosa withdraws it and signs again after the replacement.
#[test]
fn a_signature_after_a_superseded_prerequisite_fails_until_re_signed() {
    let repo = release_repo();
    let d = repo.path();
    for (id, role) in [("sam", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        signs(d, id, role);
    }
    let sams = sha_of(d, "QA--sam.dsse.json");
    let prerequisites = statement_of(d, "RELEASE--rosa.dsse.json")["predicate"]["prerequisites"].clone();
    assert!(
        prerequisites.as_array().unwrap().iter().any(|p| p["envelope_sha256"] == sams.as_str()),
        "Rosa's approval names Sam's signature: {prerequisites}"
    );
    revoke_sam(d);
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Supersedes:     QA--sam.dsse.json"), "{out}");

    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("superseded QA (QA--sam.dsse.json) by sam"), "the supersession itself holds: {out}");
    assert!(
        out.contains(
            "problem  RELEASE--rosa.dsse.json: signed after QA--sam.dsse.json, which QA--dana.dsse.json superseded \
             (its key was revoked): withdraw this signature (`signet sign --withdraw`) and sign again after the \
             replacement"
        ),
        "{out}"
    );
    assert!(!d.join("signatures/release-v1.4.0.json").exists(), "no manifest for a failing record");

    // Withdrawn: nothing fails any more, the approval is awaited again.
    let (code, out) = at_terminal(
        d,
        &["sign", "--withdraw", "--release", "v1.4.0", "--role", "RELEASE", "--key", "keys/rosa.key"],
        &[
            ("type the release id", "v1.4.0"),
            ("Reason for withdrawing", "approved on a superseded QA signature"),
            ("Password: ", PASSWORD),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Withdrawn. Wrote"), "{out}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("awaiting RELEASE (APPROVER)") && !out.contains("problem  "), "{out}");

    // Signed again, after Dana's replacement: the release passes.
    signs(d, "rosa", "RELEASE");
    let again = statement_of(d, "RELEASE--rosa.dsse.json")["predicate"]["prerequisites"].clone();
    let danas = sha_of(d, "QA--dana.dsse.json");
    assert!(again.as_array().unwrap().iter().any(|p| p["envelope_sha256"] == danas.as_str()), "{again}");
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "re-signed after the replacement, the release passes: {out}");
    assert!(out.contains("withdrawn RELEASE (RELEASE--rosa.dsse.json) by rosa at "), "{out}");
    assert!(out.contains("signed   RELEASE (APPROVER) by Rosa Lindqvist"), "{out}");
}

/// SIG-SW-63. Sam signed QA with a key later revoked from before; enrolled again with a new key
/// under the same id, he may sign in general, but not QA of this release: his revoked signature
/// holds `QA--sam.dsse.json` and stays in the record. The ceremony refuses before the password,
/// saying why and what can be done, and writes nothing; another person enrolled for QA can
/// supersede it.
#[test]
fn a_revoked_signer_cannot_re_sign_the_role_under_the_same_id() {
    let repo = release_repo();
    let d = repo.path();
    signs(d, "sam", "QA");
    revoke_sam(d);
    let (code, out) = at_terminal(
        d,
        &["keygen", "--signer", "sam", "--out", "keys/sam-new.key"],
        &[("key password: ", PASSWORD), ("Repeat the password: ", PASSWORD)],
    );
    assert_eq!(code, 0, "{out}");
    let args = [
        "enroll",
        "--signer",
        "sam",
        "--name",
        "Sam Okafor",
        "--email",
        "sam@pump.example",
        "--role",
        "QA",
        "--pubkey",
        "keys/sam-new.key.pub",
    ];
    let (code, out) = as_admin(d, &args);
    assert_eq!(code, 0, "{out}");

    let folder = d.join("signatures/v1.4.0");
    let revoked = fs::read(folder.join("QA--sam.dsse.json")).unwrap();
    let events = crate::support::events(&folder);
    let (code, out) = at_terminal(
        d,
        &["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/sam-new.key", "--bundle", "dist/bundle.tar"],
        &[("type the release id", "v1.4.0"), ("Reason", "reviewed test evidence"), ("Password: ", PASSWORD)],
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(
            "your earlier signature QA--sam.dsse.json stays in the record (the key of `sam` was revoked at \
             2026-01-01T00:00:00Z: key file stolen); it can only be superseded by another person enrolled for QA, \
             or the release re-requested under a new id"
        ),
        "{out}"
    );
    assert!(!out.contains("Password: ") && !out.contains("Signed."), "refused before the password: {out}");
    assert_eq!(fs::read(folder.join("QA--sam.dsse.json")).unwrap(), revoked, "the revoked signature stays as it was");
    assert_eq!(crate::support::events(&folder), events, "nothing was logged");

    // His old key is refused for its revocation; Dana, also enrolled for QA, supersedes.
    let (code, out) = sign(d, "sam", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("the key of `sam` was revoked at 2026-01-01T00:00:00Z: key file stolen"), "{out}");
    let (code, out) = sign(d, "dana", "QA");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Supersedes:     QA--sam.dsse.json"), "{out}");
}

/// Withdraw, then sign again, takes a signature made after the withdrawal. An approval Sam made
/// earlier and never published (a closed pull request's branch), put back with its event where
/// his withdrawn rejection was, would otherwise undo his signed rejection.
#[test]
fn an_earlier_signature_cannot_take_the_file_name_of_a_withdrawn_one() {
    let repo = release_repo();
    let d = repo.path();
    let folder = d.join("signatures/v1.4.0");
    let events = |dir: &Path| -> Vec<std::path::PathBuf> {
        fs::read_dir(dir.join("signatures/v1.4.0/events")).unwrap().map(|e| e.unwrap().path()).collect()
    };
    let before = events(d);
    signs(d, "sam", "QA");
    let approval = fs::read(folder.join("QA--sam.dsse.json")).unwrap();
    let kept: Vec<(std::path::PathBuf, Vec<u8>)> =
        events(d).into_iter().filter(|p| !before.contains(p)).map(|p| (p.clone(), fs::read(&p).unwrap())).collect();
    assert!(!kept.is_empty(), "the approval's event");
    for (path, _) in &kept {
        fs::remove_file(path).unwrap();
    }
    fs::remove_file(folder.join("QA--sam.dsse.json")).unwrap();
    sam_rejects_a_second_later_and_withdraws_it(d);

    fs::write(folder.join("QA--sam.dsse.json"), approval).unwrap();
    for (path, bytes) in kept {
        fs::write(path, bytes).unwrap();
    }
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("QA--sam.dsse.json: signed at ")
            && out.contains("before its signer withdrew QA--sam.dsse.json as QA"),
        "{out}"
    );
}

/// As above, in the v1 layout, where a chain line logs only a digest: Sam's approval from a branch
/// that was never merged, put back with a well-chained line after he withdrew his rejection.
#[test]
fn an_earlier_signature_cannot_undo_a_withdrawal_in_the_v1_layout() {
    let repo = release_repo();
    let d = repo.path();
    as_v1_layout(d);
    let branch = tempfile::tempdir().unwrap();
    crate::support::sh(branch.path(), &format!("cp -r '{}/.' .", d.display()));
    signs(branch.path(), "sam", "QA");
    let approval = fs::read(branch.path().join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap();
    sam_rejects_a_second_later_and_withdraws_it(d);
    let folder = d.join("signatures/v1.4.0");

    let approval_sha = signet::digest::tagged(&approval);
    fs::write(folder.join("QA--sam.dsse.json"), approval).unwrap();
    append_signature_line(d, ("sam", "QA"), &approval_sha);
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("before its signer withdrew QA--sam.dsse.json as QA"), "{out}");
    assert!(!out.contains("chain broken"), "the forged line is well chained: {out}");
}

/// A second after an approval Sam kept aside (times are signed to the second), he rejects QA and
/// withdraws the rejection: QA is awaited again, with no problem.
fn sam_rejects_a_second_later_and_withdraws_it(d: &Path) {
    std::thread::sleep(std::time::Duration::from_millis(1100));
    reject(d, "sam", "QA");
    let rejection = sha_of(d, "QA--sam.dsse.json");
    signed_withdrawal(d, ("sam", "QA"), ("QA--sam.dsse.json", &rejection));
    fs::remove_file(d.join("signatures/v1.4.0/QA--sam.dsse.json")).unwrap();
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("awaiting QA") && !out.contains("problem  "), "withdrawn, QA is awaited again: {out}");
}
