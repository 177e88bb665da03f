//! Property: any edit to the bytes of a release's record — the request, any envelope, the
//! bundle digest, any event file — or deleting any event file, or dropping or renaming a
//! signature, makes the final gate fail. The release is the benchmark's: three enrolled people,
//! keys generated in place, signed with the ceremony's own envelope writer, recorded in the
//! one-file-per-event layout.
//!
//! Not in the edit space, on purpose: the registry and the policy (not signed; their binding
//! fields are each covered by `signing.rs::tamper_matrix`).

use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use signet::sign::Timestamp;
use signet::sign::verify::{ReleaseRecord, verify};

use crate::support::{proptest_config, sha256_hex};

#[derive(Debug, Clone)]
enum Part {
    Request,
    Envelope(usize),
    /// One event file.
    Event(usize),
    BundleDigest,
}

#[derive(Debug, Clone)]
enum Edit {
    /// Flips one bit of the byte at a position (positions wrap around the part's length).
    Flip(Part, usize, u8),
    Delete(Part, usize),
    Insert(Part, usize, u8),
    DropEnvelope(usize),
    DropEvent(usize),
    /// Gives an envelope another signature's file name.
    SwapNames(usize, usize),
}

fn part() -> impl Strategy<Value = Part> {
    prop_oneof![
        Just(Part::Request),
        any::<usize>().prop_map(Part::Envelope),
        any::<usize>().prop_map(Part::Event),
        Just(Part::BundleDigest),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let printable = prop::sample::select((b' '..=b'~').collect::<Vec<u8>>());
    prop_oneof![
        4 => (part(), any::<usize>(), 0u8..7).prop_map(|(p, at, bit)| Edit::Flip(p, at, bit)),
        2 => (part(), any::<usize>()).prop_map(|(p, at)| Edit::Delete(p, at)),
        2 => (part(), any::<usize>(), printable).prop_map(|(p, at, b)| Edit::Insert(p, at, b)),
        1 => any::<usize>().prop_map(Edit::DropEnvelope),
        1 => any::<usize>().prop_map(Edit::DropEvent),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapNames(a, b)),
    ]
}

/// Applies `f` to one part's bytes; `None` when the result is not UTF-8 (not a text file any
/// more: the reader refuses it before `verify`, which other tests cover).
fn edit_part(rec: &mut ReleaseRecord, digest: &mut String, part: &Part, f: impl FnOnce(&mut Vec<u8>)) -> Option<()> {
    let (n, m) = (rec.envelopes.len(), rec.trail.events.len());
    let text = match part {
        Part::Request => &mut rec.request_text,
        Part::Envelope(i) => &mut rec.envelopes[i % n].1,
        Part::Event(i) => &mut rec.trail.events[i % m].1,
        Part::BundleDigest => digest,
    };
    let mut bytes = std::mem::take(text).into_bytes();
    f(&mut bytes);
    *text = String::from_utf8(bytes).ok()?;
    Some(())
}

fn apply(rec: &mut ReleaseRecord, digest: &mut String, edit: &Edit) -> Option<()> {
    let n = rec.envelopes.len();
    match edit {
        Edit::Flip(part, at, bit) => edit_part(rec, digest, part, |b| {
            let len = b.len();
            b[at % len] ^= 1 << bit;
        }),
        Edit::Delete(part, at) => edit_part(rec, digest, part, |b| {
            let len = b.len();
            b.remove(at % len);
        }),
        Edit::Insert(part, at, byte) => edit_part(rec, digest, part, |b| {
            let len = b.len();
            b.insert(at % (len + 1), *byte);
        }),
        Edit::DropEnvelope(i) => {
            rec.envelopes.remove(i % n);
            Some(())
        }
        Edit::DropEvent(i) => {
            let m = rec.trail.events.len();
            rec.trail.events.remove(i % m);
            Some(())
        }
        Edit::SwapNames(a, b) if a % n != b % n => {
            let (a, b) = (a % n, b % n);
            let name = rec.envelopes[a].0.clone();
            rec.envelopes[a].0 = rec.envelopes[b].0.clone();
            rec.envelopes[b].0 = name;
            Some(())
        }
        Edit::SwapNames(..) => None,
    }
}

fn passes(rec: &ReleaseRecord, digest: &str) -> bool {
    verify(rec, digest, Timestamp::now()).is_ok_and(|r| r.passed())
}

#[test]
fn prop_any_edit_to_signed_bytes_fails_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = signet_dev::fixtures::ensure_signed_release(dir.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let policy = signet::config::load(&root).unwrap_or_else(|e| panic!("{e}")).signing;
    let release = signet::sign::layout::release_dir(&root, "bench").unwrap_or_else(|e| panic!("{e}"));
    let record =
        signet::sign::verify::load(&root, &release, &policy, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let bundle = std::fs::read(root.join("dist/bundle.tar")).expect("read bundle");
    let digest = sha256_hex(&bundle);
    assert!(passes(&record, &digest), "the untouched release verifies");
    assert!(record.trail.chain.is_none(), "recorded in the one-file-per-event layout");
    assert_eq!(record.trail.events.len(), 4, "the request and three signatures");

    let mut runner = TestRunner::new(proptest_config(64));
    let result = runner.run(&edit(), |edit| {
        let (mut rec, mut digest) = (record.clone(), digest.clone());
        if apply(&mut rec, &mut digest, &edit).is_none() {
            return Err(TestCaseError::reject("edit left no valid text"));
        }
        prop_assert!(!passes(&rec, &digest), "verify still passes after {:?}", edit);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The gate's results are types: each problem names the check that failed and the file it
/// concerns, and each awaited role names the roles it needs first; the report and release-check
/// read these fields, never the sentences.
#[test]
fn problems_name_their_check_and_file() {
    use signet::sign::verify::Check;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = signet_dev::fixtures::ensure_signed_release(dir.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let policy = signet::config::load(&root).unwrap_or_else(|e| panic!("{e}")).signing;
    let release = signet::sign::layout::release_dir(&root, "bench").unwrap_or_else(|e| panic!("{e}"));
    let record =
        signet::sign::verify::load(&root, &release, &policy, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let digest = sha256_hex(&std::fs::read(root.join("dist/bundle.tar")).expect("read bundle"));

    let report = verify(&record, &"0".repeat(64), Timestamp::now()).expect("verifies");
    assert!(
        report.problems.iter().any(|p| p.check == Check::BundleDigest && p.file.is_none()),
        "{:?}",
        report.problems
    );

    let mut edited = record.clone();
    let (file, text) = edited.envelopes[0].clone();
    edited.envelopes[0].1 = text.replacen("\"sig\": \"", "\"sig\": \"AA", 1);
    let report = verify(&edited, &digest, Timestamp::now()).expect("verifies");
    let on_file: Vec<_> = report.problems.iter().filter(|p| p.file.as_deref() == Some(file.as_str())).collect();
    assert!(on_file.iter().any(|p| p.check == Check::Signature), "{:?}", report.problems);
    for p in &report.problems {
        let shown = p.file.as_ref().map_or_else(|| p.message.clone(), |f| format!("{f}: {}", p.message));
        assert_eq!(p.to_string(), shown);
    }

    let mut dropped = record.clone();
    dropped.envelopes.remove(0);
    let report = verify(&dropped, &digest, Timestamp::now()).expect("verifies");
    let waiting: Vec<String> = report.awaiting.iter().map(|a| a.role.to_string()).collect();
    assert!(waiting.contains(&"ROLE01".to_string()), "{waiting:?}");
    let last = report.awaiting.iter().find(|a| a.role == "ROLE03");
    assert!(last.is_none_or(|a| a.needs.iter().any(|n| n == "ROLE01")), "{:?}", report.awaiting);
}
