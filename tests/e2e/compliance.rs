//! `signet compliance` over a repository's releases: signatures per signer and role, failed
//! attempts and lockouts, expiring and revoked keys, and who each pending release awaits.

use std::fs;

use signet::sign::Timestamp;

use crate::signing::{PASSWORD, as_admin, dana_signs_qa_with, keygen, release_repo, sign};
use crate::support::Test;

#[test]
fn compliance_reports_signatures_attempts_keys_and_what_is_awaited() {
    let repo = release_repo();
    let d = repo.path();
    let (code, out) = dana_signs_qa_with(d, &["wrong 1", "wrong 2", PASSWORD]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = sign(d, "eli", "ENGINEERING");
    assert_eq!(code, 0, "{out}");
    let (code, out) =
        as_admin(d, &["revoke", "--signer", "sam", "--at", "2026-01-01T00:00:00Z", "--reason", "left the company"]);
    assert_eq!(code, 0, "{out}");
    keygen(d, "tom");
    let soon = Timestamp(Timestamp::now().0 + 10 * 86_400).to_string();
    let args = [
        "enroll",
        "--signer",
        "tom",
        "--name",
        "Tom Reyes",
        "--email",
        "tom@pump.example",
        "--role",
        "RELEASE",
        "--pubkey",
        "keys/tom.key.pub",
        "--valid-until",
        &soon,
    ];
    let (code, out) = as_admin(d, &args);
    assert_eq!(code, 0, "{out}");

    let root = d.display().to_string();
    let html = d.join("compliance.html").display().to_string();
    let ran = Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root", &root, "compliance", "--html", &html])
        .run();
    let text = ran.stdout;
    for want in [
        "Compliance report: 1 release(s)",
        "dana             QA                1  (v1.4.0)",
        "eli              ENGINEERING       1  (v1.4.0)",
        "Failed attempts and lockouts: 2",
        "v1.4.0 failed-attempt dana: wrong password (1 consecutive)",
        "Keys expiring within 30 days: 1",
        "  tom sha256:",
        "Revoked keys: 1",
        "  sam sha256:",
        "from 2026-01-01T00:00:00Z: left the company",
        "v1.4.0 RELEASE (APPROVER): awaited from rosa, tom",
    ] {
        assert!(text.contains(want), "`{want}` not in:\n{text}");
    }
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains("<td>v1.4.0</td><td>RELEASE (APPROVER)</td><td>—</td><td>rosa, tom</td>"), "{page}");

    let json = Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root", &root, "--format", "json", "compliance", "--since", "2099-01-01", "--days", "5"])
        .run()
        .json();
    assert_eq!(json["signatures"], serde_json::json!([]), "{json}");
    assert_eq!(json["failed_attempts"], serde_json::json!([]), "{json}");
    assert_eq!(json["expiring"], serde_json::json!([]), "tom expires in 10 days, not 5: {json}");
    assert_eq!(json["awaiting"], serde_json::json!([]), "{json}");
}
