//! Delegation of signing authority (seed 002 §6.2) end to end: an administrator's signed
//! `[[delegation]]` entry lets one enrolled person sign another's role for a window; the
//! signature is manifested "X on behalf of Y" in `verify`, the archive and the report;
//! separation of duties counts both people; a delegation that does not match is refused.

use std::fs;
use std::path::Path;

use signet::sign::Timestamp;

use crate::signing::{PASSWORD, at_terminal, enroll, keygen, release_repo, sign, sign_with, verify};

/// `signet delegate`, typed through as an administrator (who types the delegate's id).
pub(crate) fn delegate(
    d: &Path,
    (from, to, role): (&str, &str, &str),
    window: (Timestamp, Timestamp),
) -> (i32, String) {
    let (start, end) = (window.0.to_string(), window.1.to_string());
    let args = [
        "delegate",
        "--delegator",
        from,
        "--delegate",
        to,
        "--role",
        role,
        "--from",
        &start,
        "--until",
        &end,
        "--reason",
        "Dana on annual leave",
        "--admin-key",
        "keys/admin.key",
    ];
    at_terminal(d, &args, &[("type the signer id", to), ("Password: ", signet_dev::fixtures::FIXTURE_PASSWORD)])
}

/// A release repository with Val, a second approver, who will review QA for Dana.
fn repo_with_val() -> tempfile::TempDir {
    let repo = release_repo();
    keygen(repo.path(), "val");
    enroll(repo.path(), "val", "Val Moreau", "RELEASE");
    repo
}

fn hours(h: i64) -> Timestamp {
    Timestamp(Timestamp::now().0 + h * 3600)
}

#[test]
fn a_delegate_signs_on_behalf_of_the_delegator_and_is_manifested_so() {
    let repo = repo_with_val();
    let d = repo.path();
    let (code, out) = sign(d, "val", "QA");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("`val` is not enrolled for role QA") && out.contains("--on-behalf-of ID"), "{out}");
    let (code, out) = sign_with(d, "val", "QA", &["--on-behalf-of", "dana"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no delegation of QA from `dana` to `val` is in force now"), "{out}");

    let (code, out) = delegate(d, ("dana", "val", "QA"), (hours(-1), hours(24 * 31)));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("at most 30 days"), "{out}");
    let (code, out) = delegate(d, ("dana", "dana", "QA"), (hours(-1), hours(24)));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("a delegation is to someone else"), "{out}");
    let (code, out) = delegate(d, ("dana", "val", "QA"), (hours(-1), hours(24 * 5)));
    assert_eq!(code, 0, "{out}");
    let registry = fs::read_to_string(d.join("signatures/signers.toml")).unwrap();
    assert!(registry.contains("[[delegation]]\ndelegate = \"val\"\ndelegator = \"dana\""), "{registry}");

    let (code, out) = sign_with(d, "val", "QA", &["--on-behalf-of", "dana"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("On behalf of:   Dana Whitfield (dana), by delegation sha256:"), "{out}");
    // Separation of duties counts people: Val filled QA, so Val cannot approve.
    let (code, out) = sign(d, "val", "RELEASE");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("val already signed v1.4.0 as QA") && out.contains("separation of duties"), "{out}");

    let (code, out) = sign(d, "eli", "ENGINEERING");
    assert_eq!(code, 0, "{out}");
    let (code, out) = sign(d, "rosa", "RELEASE");
    assert_eq!(code, 0, "{out}");
    let manifested = "signed   QA (REVIEWER) by Val Moreau <val@pump.example> on behalf of Dana Whitfield (dana) at";
    let (code, out) = verify(d, "signatures/v1.4.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(manifested), "{out}");

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("signatures/release-v1.4.0.json")).unwrap()).unwrap();
    assert_eq!(manifest["schema"], "signet.manifest/v5");
    assert_eq!(manifest["delegations"][0]["delegate"], "val");
    fs::copy(d.join("signatures/trust.json"), d.join("trust.json")).unwrap();
    let (code, out) = verify(d, "signatures/release-v1.4.0.json");
    assert_eq!(code, 0, "the archive alone: {out}");
    assert!(out.contains(manifested), "{out}");

    // Without the delegation's approval the archive no longer chains to the trust anchor.
    let mut m = manifest.clone();
    let entry = signet::sign::trust::entry_sha256(&manifest["delegations"][0]);
    let approvals = m["approvals"].as_array_mut().unwrap();
    let before = approvals.len();
    approvals.retain(|a| a["entry_sha256"] != entry.as_str());
    assert_eq!(approvals.len(), before - 1);
    fs::write(d.join("stripped.json"), serde_json::to_string(&m).unwrap()).unwrap();
    let (code, out) = verify(d, "stripped.json");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the delegation of QA from `dana` to `val` is approved by 0"), "{out}");
}

#[test]
fn a_delegation_is_exercised_only_for_its_role_and_delegator() {
    let repo = repo_with_val();
    let d = repo.path();
    let (code, out) = delegate(d, ("dana", "val", "QA"), (hours(-1), hours(24)));
    assert_eq!(code, 0, "{out}");
    let registry = signet::sign::registry::Registry::load(d).unwrap().0;
    let digest = signet::sign::trust::entry_sha256(&registry.delegation[0]);
    let forged = |role: &str, delegator: &str| {
        let on = signet::formats::statement::OnBehalfOf {
            signer_id: delegator.into(),
            printed_name: "Dana Whitfield".into(),
            delegation_sha256: digest.clone(),
        };
        let path =
            signet_dev::fixtures::forge_signature_with(d, ("v1.4.0", role), ("val", PASSWORD), Timestamp::now(), |r| {
                r.on_behalf_of = Some(on);
            })
            .unwrap();
        let (code, out) = verify(d, "signatures/v1.4.0");
        fs::remove_file(path).unwrap();
        assert_eq!(code, 1, "{out}");
        out
    };
    let out = forged("ENGINEERING", "dana");
    assert!(out.contains("on behalf of: the delegation names QA from `dana` to `val`, not ENGINEERING"), "{out}");
    let out = forged("QA", "eli");
    assert!(out.contains("on behalf of: the delegation names QA from `dana` to `val`, not QA from `eli`"), "{out}");
}
