use std::path::PathBuf;

use super::{FormatError, Version};

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// The committed schemas are exactly what the types generate. After changing a format's type
/// (which means a new version, docs/formats.md), regenerate them with
/// `SIGNET_BLESS=1 cargo test -p xtask --lib formats`.
#[test]
fn committed_schemas_match_the_types() {
    let bless = std::env::var_os("SIGNET_BLESS").is_some();
    let mut drifted = Vec::new();
    for (name, schema) in super::schemas() {
        let path = schemas_dir().join(name);
        let generated = crate::output::json::to_string(&schema);
        if bless {
            std::fs::create_dir_all(schemas_dir()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            drifted.push(name);
        }
    }
    assert!(
        drifted.is_empty(),
        "schemas/ differs from the types for {drifted:?}: run SIGNET_BLESS=1 cargo test -p xtask --lib formats"
    );
    let on_disk = std::fs::read_dir(schemas_dir()).unwrap().count();
    assert_eq!(on_disk, super::schemas().len(), "schemas/ holds a schema no type generates");
}

const V: Version = Version { family: "signet.example", current: 2 };

#[test]
fn every_version_up_to_the_current_one_reads() {
    assert_eq!(V.id(), "signet.example/v2");
    assert_eq!(V.check(Some("signet.example/v1")), Ok(1));
    assert_eq!(V.check(Some("signet.example/v2")), Ok(2));
}

#[test]
fn a_newer_version_is_refused_by_name() {
    let e = V.check(Some("signet.example/v3")).unwrap_err();
    assert!(matches!(e, FormatError::Newer { .. }));
    let shown = e.to_string();
    assert!(shown.contains("signet.example/v3") && shown.contains("signet.example/v2"), "{shown}");
    assert!(shown.contains(&super::crate_version()), "{shown}");
    // Even when its content would not parse as the current version.
    let e = V.read::<serde_json::Value>(br#"{"schema": "signet.example/v3", "new": {}}"#).unwrap_err();
    assert!(matches!(e, FormatError::Newer { .. }), "{e}");
}

#[test]
fn foreign_and_malformed_ids_are_refused() {
    for bad in [
        None,
        Some("signet.other/v1"),
        Some("signet.example/v0"),
        Some("signet.example/vx"),
        Some("signet.example"),
        Some("signet.example/v01"),
        Some("signet.example/v+1"),
        Some("signet.example/v1 "),
    ] {
        assert!(matches!(V.check(bad), Err(FormatError::Foreign { .. })), "{bad:?}");
    }
    assert!(matches!(V.read::<serde_json::Value>(b"not json"), Err(FormatError::Malformed(_))));
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every version ever written stays readable: the frozen v1 files (written by signet 0.1.0 and
/// never regenerated) read with today's types. The manifest carries a request, DSSE envelopes
/// with their Part 11 statements, audit events, registry entries and the policy.
#[test]
fn every_frozen_v1_fixture_still_reads() {
    use base64ct::{Base64, Encoding as _};

    let index: super::index::Index = super::index::VERSION.read(&fixture("formats-v1/index.json")).unwrap();
    assert_eq!(index.summary.requirements, index.requirements.len());
    let request: super::request::Request = super::request::VERSION.read(&fixture("formats-v1/request.json")).unwrap();
    assert!(!request.required.is_empty());
    let report: super::report::Report = super::report::VERSION.read(&fixture("formats-v1/report.json")).unwrap();
    assert_eq!(report.rtm.rows.len(), index.requirements.len());

    let manifest: super::manifest::Manifest =
        super::manifest::VERSION.read(&fixture("manifest-v1/release-v1.4.0.json")).unwrap();
    let request: super::request::Request = super::request::VERSION.read(manifest.request.as_bytes()).unwrap();
    assert_eq!(request.release, manifest.release);
    for e in &manifest.envelopes {
        let env: super::envelope::Envelope = serde_json::from_str(&e.envelope).unwrap();
        let payload = Base64::decode_vec(&env.payload).unwrap();
        let statement: super::statement::Statement<super::statement::Part11Record> =
            serde_json::from_slice(&payload).unwrap();
        assert_eq!(statement.predicate.release, manifest.release);
    }
    for line in manifest.audit.lines() {
        let _: super::audit_event::Event = serde_json::from_str(line).unwrap();
    }
    assert!(!manifest.signers.is_empty() && !manifest.policy.required.is_empty());
}
