//! The RTM gate and `stamp`: review states and their causes, transitive suspicion, test
//! verification, outputs, errors — on small projects built here and on the real corpora.

use std::fs;
use std::path::Path;

use crate::support::{Test, sh};

const GRAMMAR: &str = "[GRAMMAR]
ELEMENTS:
- TAG: REQUIREMENT
  FIELDS:
  - TITLE: UID
    TYPE: String
    REQUIRED: True
  - TITLE: TITLE
    TYPE: String
    REQUIRED: True
  - TITLE: STATEMENT
    TYPE: String
    REQUIRED: True
  - TITLE: VERIFIES
    TYPE: String
    REQUIRED: False
  RELATIONS:
  - TYPE: Parent
";

/// A document of requirements `(uid, statement, parents, verifies)`.
fn doc(title: &str, reqs: &[(&str, &str, &[&str], &str)]) -> String {
    let mut s = format!("[DOCUMENT]\nTITLE: {title}\n\n{GRAMMAR}");
    for (uid, statement, parents, verifies) in reqs {
        s.push_str(&format!("\n[REQUIREMENT]\nUID: {uid}\nTITLE: {uid} title\nSTATEMENT: >>>\n{statement}\n<<<\n"));
        if !verifies.is_empty() {
            s.push_str(&format!("VERIFIES: {verifies}\n"));
        }
        if !parents.is_empty() {
            s.push_str("RELATIONS:\n");
            for p in *parents {
                s.push_str(&format!("- TYPE: Parent\n  VALUE: {p}\n"));
            }
        }
    }
    s
}

fn three_levels() -> Test {
    Test::new().file("regulatory-docs/sys.sdoc", doc("System", &[("SYS-1", "The pump shall alarm.", &[], "")])).file(
        "regulatory-docs/sw.sdoc",
        doc("Software", &[("SW-1", "Detect occlusion.", &["SYS-1"], ""), ("SW-2", "Latch the alarm.", &["SW-1"], "")]),
    )
}

fn gate(dir: &Path, extra: &[&str], status: i32) -> serde_json::Value {
    let mut args = vec!["--format", "json", "rtm-gate"];
    args.extend(extra);
    let t = Test::in_dir(tempfile::TempDir::new_in(dir).unwrap()).args(["--root".into(), dir.as_os_str().to_owned()]);
    let ran = t.args(args).status(status).run();
    ran.json()
}

fn states(index: &serde_json::Value) -> Vec<(String, String, Vec<String>)> {
    index["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let causes =
                r["suspect_causes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
            (r["uid"].as_str().unwrap().to_string(), r["state"].as_str().unwrap().to_string(), causes)
        })
        .collect()
}

fn stamp(dir: &Path, args: &[&str]) {
    let mut all =
        vec!["--root".to_string(), dir.display().to_string(), "stamp".into(), "--by".into(), "Rita Reviewer".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    Test::new().args(all).run();
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn suspicion_is_transitive_and_survives_re_review_of_the_parent() {
    let t = three_levels();
    let d = t.path();
    let idx = gate(d, &[], 0);
    assert!(states(&idx).iter().all(|(_, s, _)| s == "unreviewed"));
    gate(d, &["--fail-on-suspect"], 1);

    stamp(d, &["--all"]);
    let idx = gate(d, &["--fail-on-suspect"], 0);
    assert!(states(&idx).iter().all(|(_, s, c)| s == "reviewed" && c.is_empty()), "{idx}");
    assert_eq!(idx["requirements"][0]["reviewed_by"], "Rita Reviewer");

    edit(d, "regulatory-docs/sys.sdoc", "The pump shall alarm.", "The pump shall alarm loudly.");
    let s = states(&gate(d, &["--fail-on-suspect"], 1));
    assert_eq!(s[0], ("SW-1".into(), "suspect-inherited".into(), vec!["SW-1 ← SYS-1 changed (suspect-native)".into()]));
    assert_eq!(
        s[1],
        ("SW-2".into(), "suspect-inherited".into(), vec!["SW-2 ← SW-1 ← SYS-1 changed (suspect-native)".into()])
    );
    assert_eq!(s[2], ("SYS-1".into(), "suspect-native".into(), vec!["SYS-1 changed since its review".into()]));

    // Re-reviewing the parent does not clear the children: they were reviewed against the old one.
    stamp(d, &["--uid", "SYS-1"]);
    let s = states(&gate(d, &[], 0));
    assert_eq!(s[2].1, "reviewed");
    assert_eq!(s[0].2, ["SW-1 ← SYS-1 changed since SW-1 was reviewed"]);
    assert_eq!(s[1].2, ["SW-2 ← SW-1 ← SYS-1 changed since SW-2 was reviewed"]);

    // Nor does re-reviewing the middle one clear the grandchild.
    stamp(d, &["--uid", "SW-1"]);
    let s = states(&gate(d, &[], 0));
    assert_eq!((s[0].1.as_str(), s[1].1.as_str()), ("reviewed", "suspect-inherited"));
    assert_eq!(s[1].2, ["SW-2 ← SW-1 ← SYS-1 changed since SW-2 was reviewed"]);

    stamp(d, &["--uid", "SW-2"]);
    gate(d, &["--fail-on-suspect"], 0);
}

#[test]
fn an_unreviewed_ancestor_makes_descendants_suspect() {
    let t = three_levels();
    let d = t.path();
    stamp(d, &["--uid", "SW-1", "SW-2"]);
    let s = states(&gate(d, &[], 0));
    assert_eq!(s[0].2, ["SW-1 ← SYS-1 unreviewed"]);
    assert_eq!(s[1].2, ["SW-2 ← SW-1 ← SYS-1 unreviewed"]);
    assert_eq!(s[2].1, "unreviewed");
}

/// An unreviewed requirement names every unreviewed parent, not only the nearest cause: X's
/// parents P1 and P2 both wait for review, below their common root R.
#[test]
fn an_unreviewed_requirement_names_each_unreviewed_parent() {
    let req = |uid: &str, parents: &[&str]| {
        let rels: String = parents.iter().map(|p| format!("- TYPE: Parent\n  VALUE: {p}\n")).collect();
        let rels = if rels.is_empty() { rels } else { format!("RELATIONS:\n{rels}") };
        format!("[REQUIREMENT]\nUID: {uid}\nTITLE: {uid}\n{rels}\n")
    };
    let sdoc = format!(
        "[DOCUMENT]\nTITLE: Diamond\n\n{}{}{}{}",
        req("R", &[]),
        req("P1", &["R"]),
        req("P2", &["R"]),
        req("X", &["P1", "P2"])
    );
    let t = Test::new().file("regulatory-docs/d.sdoc", sdoc);
    let s = states(&gate(t.path(), &[], 0));
    let x = s.iter().find(|(uid, _, _)| uid == "X").unwrap();
    assert_eq!(
        x.2,
        [
            "X has no REVIEWED_HASH",
            "X ← P1 unreviewed",
            "X ← P2 unreviewed",
            "X ← … (2 levels) ← R unreviewed (root cause)"
        ]
    );
}

/// Two documents importing one `.sgra` for different elements: `stamp --all` declares the review
/// fields for both in that one file (two whole-file edits would have written it twice).
#[test]
fn stamping_documents_that_share_a_grammar_file_edits_it_once() {
    let element = |tag: &str| {
        format!(
            "- TAG: {tag}\n  FIELDS:\n  - TITLE: UID\n    TYPE: String\n    REQUIRED: True\n  - TITLE: TITLE\n    TYPE: String\n    REQUIRED: False\n"
        )
    };
    let doc = |title: &str, tag: &str, uid: &str| {
        format!("[DOCUMENT]\nTITLE: {title}\n\n[GRAMMAR]\nIMPORT_FROM_FILE: g.sgra\n\n[{tag}]\nUID: {uid}\nTITLE: x\n")
    };
    let t = Test::new()
        .file("regulatory-docs/g.sgra", format!("[GRAMMAR]\nELEMENTS:\n{}{}", element("TASK"), element("REQUIREMENT")))
        .file("regulatory-docs/a.sdoc", doc("A", "REQUIREMENT", "A-1"))
        .file("regulatory-docs/b.sdoc", doc("B", "TASK", "B-1"));
    stamp(t.path(), &["--all"]);
    let sgra = fs::read_to_string(t.path().join("regulatory-docs/g.sgra")).unwrap();
    assert_eq!(sgra.matches("[GRAMMAR]").count(), 1, "{sgra}");
    assert_eq!(sgra.matches("- TITLE: REVIEWED_HASH").count(), 2, "{sgra}");
    gate(t.path(), &["--fail-on-suspect"], 0);
}

/// The auto-stamp's selection (`stamp --changed-since BASE --diff DIFF`): what a change made
/// unreviewed is stamped only if its diff showed every line of it — added, or an unchanged line of
/// the same requirement's reviewed form. Never one unreviewed before; nothing at all when the
/// change renamed, swapped or edited an unreviewed requirement, or wrote review fields; never text
/// that became a requirement without being shown.
#[test]
fn stamp_changed_since_stamps_only_what_the_change_showed() {
    let t = three_levels();
    let d = t.path();
    let base_text = "\n[TEXT]\nSTATEMENT: >>>\nThe alarm may be silenced for ten minutes.\n<<<\n";
    let sys = fs::read_to_string(d.join("regulatory-docs/sys.sdoc")).unwrap();
    fs::write(d.join("regulatory-docs/sys.sdoc"), format!("{sys}{base_text}")).unwrap();
    stamp(d, &["--uid", "SYS-1", "SW-1"]);
    sh(d, "git init -q && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm base");
    let base = tempfile::tempdir().unwrap();
    sh(d, &format!("cp -r regulatory-docs '{}'/", base.path().display()));
    let diff = base.path().join("change.diff");
    let changed_since = |extra: &[&str]| {
        let made = sh(d, "git -c core.quotePath=false diff -U0 -M --text --no-ext-diff --no-textconv --relative HEAD");
        fs::write(&diff, made.stdout).unwrap();
        let mut args = vec!["--root", d.to_str().unwrap(), "--format", "json", "stamp", "--by", "Pat"];
        args.extend(["--changed-since", base.path().to_str().unwrap(), "--diff", diff.to_str().unwrap()]);
        args.extend(extra);
        let out = Test::new().args(args).run().json();
        sh(d, "git checkout -q -- . && git clean -qfd");
        out
    };
    let left = |out: &serde_json::Value| out["left"].as_array().unwrap().clone();

    // SYS-1 reworded: it and SW-1, made suspect through it, are stamped; SW-2 was unreviewed before.
    edit(d, "regulatory-docs/sys.sdoc", "The pump shall alarm.", "The pump shall alarm loudly.");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!(["SW-1", "SYS-1"]), "{out}");
    assert_eq!(left(&out), [serde_json::json!({"uid": "SW-2", "why": "already-unreviewed", "was": "unreviewed"})]);

    // A new requirement, added whole, is stamped.
    let sw = fs::read_to_string(d.join("regulatory-docs/sw.sdoc")).unwrap();
    let added = "\n[REQUIREMENT]\nUID: SW-3\nTITLE: SW-3 title\nSTATEMENT: >>>\nLog it.\n<<<\n";
    fs::write(d.join("regulatory-docs/sw.sdoc"), format!("{sw}{added}")).unwrap();
    assert_eq!(changed_since(&[])["stamped"], serde_json::json!(["SW-3"]));

    // SW-2, unreviewed, renamed SW-9: not stamped, though the base had no SW-9.
    edit(d, "regulatory-docs/sw.sdoc", "UID: SW-2", "UID: SW-9");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!([]), "{out}");
    assert_eq!(left(&out)[0], serde_json::json!({"uid": "SW-9", "why": "unreviewed-touched", "touched": ["SW-2"]}));

    // The texts of SW-1 (reviewed) and SW-2 (unreviewed) swapped: two changed lines in the diff,
    // but SW-1 would be stamped with SW-2's never-reviewed text. Nothing is stamped.
    edit(d, "regulatory-docs/sw.sdoc", "Detect occlusion.", "SWAP");
    edit(d, "regulatory-docs/sw.sdoc", "Latch the alarm.", "Detect occlusion.");
    edit(d, "regulatory-docs/sw.sdoc", "SWAP", "Latch the alarm.");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!([]), "{out}");
    assert_eq!(left(&out)[0], serde_json::json!({"uid": "SW-1", "why": "unreviewed-touched", "touched": ["SW-2"]}));

    // A note turned into a requirement by a two-line change: its statement was never shown.
    edit(d, "regulatory-docs/sys.sdoc", "[TEXT]\n", "[REQUIREMENT]\nUID: SYS-7\nTITLE: Silence\n");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!([]), "{out}");
    let not_shown = left(&out).into_iter().find(|l| l["uid"] == "SYS-7").expect("SYS-7 left");
    assert_eq!(not_shown["why"], "not-shown", "{out}");
    assert_eq!(not_shown["file"], "regulatory-docs/sys.sdoc");

    // The note joined into SYS-1 (its grammar entry for VERIFIES moved last, then the note's two
    // opening lines made a VERIFIES field): its text is unchanged, but was never part of SYS-1's
    // reviewed form; SW-1, suspect only through it, is left too.
    let entry = "  - TITLE: VERIFIES\n    TYPE: String\n    REQUIRED: False\n";
    let text = fs::read_to_string(d.join("regulatory-docs/sys.sdoc")).unwrap().replacen(entry, "", 1);
    let at = text.find("  RELATIONS:").expect("the grammar's relations");
    fs::write(d.join("regulatory-docs/sys.sdoc"), format!("{}{entry}{}", &text[..at], &text[at..])).unwrap();
    edit(d, "regulatory-docs/sys.sdoc", "\n[TEXT]\nSTATEMENT: >>>\n", "VERIFIES: >>>\n");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!([]), "{out}");
    let joined = left(&out).into_iter().find(|l| l["uid"] == "SYS-1").expect("SYS-1 left");
    assert_eq!(joined["why"], "not-shown", "{out}");
    let child = left(&out).into_iter().find(|l| l["uid"] == "SW-1").expect("SW-1 left");
    assert_eq!(child["why"], "change-not-shown", "{out}");

    // Review fields written by the change itself: nothing is stamped.
    edit(d, "regulatory-docs/sys.sdoc", "The pump shall alarm.", "The pump shall alarm loudly.");
    edit(d, "regulatory-docs/sys.sdoc", "REVIEWED_BY: Rita Reviewer", "REVIEWED_BY: Someone Else");
    let out = changed_since(&[]);
    assert_eq!(out["stamped"], serde_json::json!([]), "{out}");
    assert_eq!(left(&out)[0]["why"], "review-fields-edited", "{out}");
}

/// Signet's own requirements (regulatory-docs/, issue #18) are all reviewed in their current form,
/// and a change to one's text without a new stamp fails the gate that `scripts/test` runs.
/// A copy of Signet's own requirements with a JUnit file, where nextest writes it, in which every
/// test a VERIFIES field names ran with `outcome` ("" passed, or a `<failure/>` element).
fn signets_own_requirements(failing: &[&str]) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let copy = tempfile::tempdir().unwrap();
    sh(copy.path(), &format!("cp -r '{r}/regulatory-docs' '{r}/signet.toml' .", r = repo.display()));
    let mut names = std::collections::BTreeSet::new();
    for doc in ["system.sdoc", "software.sdoc"] {
        let text = fs::read_to_string(copy.path().join("regulatory-docs").join(doc)).unwrap();
        for block in text.split("VERIFIES: >>>\n").skip(1) {
            let body = &block[..block.find("<<<").unwrap()];
            names.extend(body.split([',', '\n']).map(str::trim).filter(|n| !n.is_empty()).map(String::from));
        }
    }
    let cases: String = names
        .iter()
        .map(|n| {
            let result = if failing.contains(&n.as_str()) { "<failure message=\"assertion failed\"/>" } else { "" };
            format!("<testcase classname=\"xtask::e2e\" name=\"m::{n}\">{result}</testcase>\n")
        })
        .collect();
    let junit = copy.path().join("target/nextest/ci");
    fs::create_dir_all(&junit).unwrap();
    fs::write(
        junit.join("junit.xml"),
        format!("<testsuites><testsuite name=\"e2e\">\n{cases}</testsuite></testsuites>\n"),
    )
    .unwrap();
    copy
}

fn verification_of<'a>(index: &'a serde_json::Value, uid: &str) -> &'a str {
    let reqs = index["requirements"].as_array().unwrap();
    reqs.iter().find(|r| r["uid"] == uid).unwrap_or_else(|| panic!("{uid} not in the index"))["verification"]
        .as_str()
        .unwrap()
}

#[test]
fn signets_own_requirements_are_reviewed_and_an_unstamped_edit_fails_the_gate() {
    let copy = signets_own_requirements(&[]);
    let idx = gate(copy.path(), &["--fail-on-suspect"], 0);
    let count = idx["requirements"].as_array().unwrap().len();
    assert!(count >= 100, "Signet's own requirements: {count}");
    assert!(states(&idx).iter().all(|(_, s, _)| s == "reviewed"), "every one reviewed");
    let sw = fs::read_to_string(copy.path().join("regulatory-docs/software.sdoc")).unwrap();
    let first = sw.find("Signet shall").unwrap();
    fs::write(
        copy.path().join("regulatory-docs/software.sdoc"),
        format!("{}Signet must{}", &sw[..first], &sw[first + 12..]),
    )
    .unwrap();
    let idx = gate(copy.path(), &["--fail-on-suspect"], 1);
    assert!(states(&idx).iter().any(|(_, s, _)| s == "suspect-native"), "the edit is caught");
}

/// Issue #18: the self-gate (signet.toml: require_verification) passes only while every Approved
/// requirement has a passing linked test; a reviewed but unlinked requirement, or a failing
/// linked test, fails it with the gate's own finding. Draft ones (benchmark objectives) are shown
/// unverified without blocking.
#[test]
fn signets_own_gate_fails_on_an_unlinked_requirement_or_a_failing_linked_test() {
    let copy = signets_own_requirements(&[]);
    let d = copy.path();
    let idx = gate(d, &["--fail-on-suspect"], 0);
    let reqs = idx["requirements"].as_array().unwrap();
    let drafts: Vec<&str> =
        reqs.iter().filter(|r| r["verification"] == "unverified").map(|r| r["uid"].as_str().unwrap()).collect();
    assert!(
        drafts.iter().all(|u| ["132", "133", "134", "135", "137", "138", "139", "146", "147"]
            .iter()
            .any(|n| *u == format!("SIG-SW-{n}"))),
        "{drafts:?}"
    );
    assert_eq!(verification_of(&idx, "SIG-SW-1"), "passed");
    // The exemption holds only where a change to STATUS is itself caught (--fail-on-suspect).
    let ran = Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root".into(), d.as_os_str().to_owned()])
        .args(["rtm-gate"])
        .status(1)
        .stdout_contains("error: regulatory-docs/software.sdoc:")
        .run();
    assert!(ran.stdout.contains("SIG-SW-139: unverified (no passing linked test)\n"), "{}", ran.stdout);
    let junit = fs::read_to_string(d.join("target/self-rtm/rtm-junit.xml")).unwrap();
    assert!(junit.contains("name=\"SIG-SW-139\""), "{junit}");
    gate(d, &["--fail-on-suspect"], 0);
    let junit = fs::read_to_string(d.join("target/self-rtm/rtm-junit.xml")).unwrap();
    let case = &junit[junit.find("name=\"SIG-SW-139\"").unwrap()..];
    assert!(
        case[..case.find("</testcase>").unwrap()].contains("<skipped"),
        "a Draft exemption shows as skipped: {case}"
    );

    let sw = d.join("regulatory-docs/software.sdoc");
    let mut text = fs::read_to_string(&sw).unwrap();
    text.push_str("\n[REQUIREMENT]\nUID: SIG-SW-999\nSTATUS: Approved\nTITLE: Unlinked\nSTATEMENT: >>>\nSignet shall do something no test checks.\n<<<\nRELATIONS:\n- TYPE: Parent\n  VALUE: SIG-SYS-1\n");
    fs::write(&sw, text).unwrap();
    stamp(d, &["--uid", "SIG-SW-999"]);
    let ran = Test::in_dir(tempfile::TempDir::new_in(d).unwrap())
        .args(["--root".into(), d.as_os_str().to_owned()])
        .args(["rtm-gate", "--fail-on-suspect"])
        .status(1)
        .stdout_contains("error: regulatory-docs/software.sdoc:")
        .stdout_contains("SIG-SW-999: unverified (no passing linked test)")
        .run();
    assert!(
        ran.stdout.contains(
            "SIG-SW-139: unverified (no passing linked test) (Draft: no test is required until it is Approved)"
        ),
        "{}",
        ran.stdout
    );

    let copy = signets_own_requirements(&["bad_usage_exits_2"]);
    let idx = gate(copy.path(), &["--fail-on-suspect"], 1);
    assert_eq!(verification_of(&idx, "SIG-SW-1"), "failed");
    assert_eq!(verification_of(&idx, "SIG-SYS-1"), "failed", "a failure shows on the parent too");
}

#[test]
fn stamp_changes_nothing_but_review_fields_and_is_idempotent() {
    let t = three_levels();
    let d = t.path();
    let before_sw = fs::read_to_string(d.join("regulatory-docs/sw.sdoc")).unwrap();
    stamp(d, &["--all"]);
    let after_sw = fs::read_to_string(d.join("regulatory-docs/sw.sdoc")).unwrap();
    // Remove exactly what stamp adds: the three fields on each node and their grammar entries.
    let mut stripped = String::new();
    let mut skip_block = false;
    let mut lines = after_sw.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if skip_block {
            skip_block = line != "<<<\n";
            continue;
        }
        if line.starts_with("REVIEWED_HASH: sha256:") || line.starts_with("REVIEWED_BY: ") {
            continue;
        }
        if line == "REVIEWED_UPSTREAM: >>>\n" {
            skip_block = true;
            continue;
        }
        if line.trim_start().starts_with("- TITLE: REVIEWED_") {
            lines.next();
            lines.next();
            continue;
        }
        stripped.push_str(line);
    }
    assert_eq!(stripped, before_sw, "stamp changed bytes outside the review fields");
    stamp(d, &["--all"]);
    assert_eq!(fs::read_to_string(d.join("regulatory-docs/sw.sdoc")).unwrap(), after_sw, "idempotent");
}

#[test]
fn stamp_adds_a_grammar_to_default_grammar_documents_and_keeps_crlf() {
    let t = Test::new()
        .file(
            "regulatory-docs/plain.sdoc",
            "[DOCUMENT]\nTITLE: Plain\n\n[REQUIREMENT]\nUID: P-1\nTITLE: Plain one\nSTATEMENT: >>>\nShall.\n<<<\n",
        )
        .file("regulatory-docs/crlf.sdoc", doc("Windows", &[("W-1", "Shall.", &[], "")]).replace('\n', "\r\n"));
    let d = t.path();
    stamp(d, &["--all"]);
    let plain = fs::read_to_string(d.join("regulatory-docs/plain.sdoc")).unwrap();
    assert!(plain.contains("[GRAMMAR]\nELEMENTS:\n- TAG: REQUIREMENT\n"), "{plain}");
    assert!(plain.contains("  - TITLE: REVIEWED_HASH\n"), "{plain}");
    let crlf = fs::read_to_string(d.join("regulatory-docs/crlf.sdoc")).unwrap();
    assert!(crlf.contains("REVIEWED_HASH: sha256:") && !crlf.replace("\r\n", "").contains('\n'), "CRLF kept");
    let s = states(&gate(d, &["--fail-on-suspect"], 0));
    assert!(s.iter().all(|(_, st, _)| st == "reviewed"), "{s:?}");
}

#[test]
fn verification_links_both_ways_and_failures_propagate_up() {
    let junit = r#"<testsuites><testsuite name="s">
<testcase classname="alarm" name="raised_in_time"/>
<testcase classname="alarm" name="latched"><failure message="not latched">boom</failure></testcase>
<testcase classname="sys" name="bench"><properties><property name="verifies" value="SYS-1"/></properties></testcase>
<testcase classname="sys" name="skipped_one"><properties><property name="requirement" value="SYS-2"/></properties><skipped/></testcase>
<testcase classname="sys" name="orphan"><properties><property name="verifies" value="NOPE-9"/></properties></testcase>
</testsuite></testsuites>"#;
    let t = Test::new()
        .file(
            "regulatory-docs/r.sdoc",
            doc(
                "R",
                &[
                    ("SYS-1", "Alarm.", &[], ""),
                    ("SYS-2", "Other.", &[], ""),
                    ("SW-1", "In time.", &["SYS-1"], "alarm::raised_in_time"),
                    ("SW-2", "Latch.", &["SW-1"], "latched, alarm.missing_test"),
                ],
            ),
        )
        .file("junit/results.xml", junit);
    let d = t.path();
    let idx = gate(d, &["--junit", "junit/*.xml"], 1);
    let by_uid = |uid: &str| idx["requirements"].as_array().unwrap().iter().find(|r| r["uid"] == uid).unwrap().clone();
    assert_eq!(by_uid("SW-2")["verification"], "failed");
    assert_eq!(by_uid("SW-2")["missing_tests"], serde_json::json!(["alarm.missing_test"]));
    assert_eq!(by_uid("SW-1")["verification"], "failed", "a descendant failed");
    assert_eq!(by_uid("SW-1")["verification_causes"], serde_json::json!(["descendant SW-2 failed"]));
    assert_eq!(by_uid("SYS-1")["verification_causes"], serde_json::json!(["descendant SW-2 failed"]));
    assert_eq!(by_uid("SYS-2")["verification"], "unverified", "only a skipped test");
    assert_eq!(by_uid("SYS-1")["tests"].as_array().unwrap().len(), 1);
    assert_eq!(idx["orphan_links"][0]["uid"], "NOPE-9");
    assert_eq!(idx["summary"]["tests"]["failed"], 1);

    // Without the failing test: passes, until verification is required.
    fs::write(d.join("junit/results.xml"), junit.replace(r#"<failure message="not latched">boom</failure>"#, ""))
        .unwrap();
    gate(d, &["--junit", "junit/*.xml"], 0);
    gate(d, &["--junit", "junit/*.xml", "--require-verification"], 1);
}

#[test]
fn outputs_are_self_contained_and_machine_readable() {
    let t = three_levels().args(["rtm-gate", "--out", "out"]).run();
    let index: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path("out/index.json")).unwrap()).unwrap();
    assert_eq!(index["schema"], "signet.rtm.index/v1");
    for key in [
        "uid",
        "title",
        "document",
        "file",
        "line",
        "state",
        "fingerprint",
        "reviewed_hash",
        "reviewed_by",
        "suspect_causes",
        "verification",
        "tests",
        "parents",
        "children",
    ] {
        assert!(index["requirements"][0].get(key).is_some(), "index.json lacks {key}");
    }
    assert_eq!(index["requirements"][0]["file"], "regulatory-docs/sw.sdoc");
    assert_eq!(index["summary"]["states"]["unreviewed"], 3);
    let html = fs::read_to_string(t.path("out/rtm.html")).unwrap();
    for banned in ["<script", "http://", "https://", "src=", "@import", "<link"] {
        assert!(!html.contains(banned), "rtm.html is not self-contained: {banned}");
    }
    assert!(html.contains("<th scope=\"row\">SW-2</th>") && html.contains("unreviewed"));
    let junit = fs::read_to_string(t.path("out/rtm-junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), 3, "{junit}");
    // Same inputs, same bytes.
    let again = Test::in_dir(t.dir).args(["rtm-gate", "--out", "out2"]).run();
    assert_eq!(fs::read(again.path("out/index.json")).unwrap(), fs::read(again.path("out2/index.json")).unwrap());
}

#[test]
fn github_actions_gets_annotations_at_the_requirement_line_and_a_summary() {
    let t = three_levels().file("summary.md", "");
    let summary = t.path().join("summary.md").display().to_string();
    let t = t
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["rtm-gate", "--fail-on-suspect"])
        .status(1)
        .run();
    assert!(t.stdout.contains("::error file=regulatory-docs/sw.sdoc,line=23::SW-1: unreviewed"), "{}", t.stdout);
    let md = fs::read_to_string(t.path("summary.md")).unwrap();
    assert!(md.contains("### RTM gate") && md.contains("| unreviewed | 3 |"), "{md}");
}

#[test]
fn graph_errors_name_both_ends() {
    Test::new()
        .file("regulatory-docs/a.sdoc", doc("A", &[("X-1", "One.", &[], "")]))
        .file("regulatory-docs/b.sdoc", doc("B", &[("X-1", "Again.", &[], "")]))
        .args(["rtm-gate"])
        .status(2)
        .stderr_contains("regulatory-docs/b.sdoc:23: duplicate UID `X-1`, first defined at regulatory-docs/a.sdoc:23")
        .run();
    Test::new()
        .file("regulatory-docs/a.sdoc", doc("A", &[("X-1", "One.", &["GONE-1"], "")]))
        .args(["rtm-gate"])
        .status(2)
        .stderr_contains(
            "regulatory-docs/a.sdoc:30: `X-1` has a Parent relation to `GONE-1`, which no document defines",
        )
        .run();
    Test::new()
        .file("regulatory-docs/a.sdoc", doc("A", &[("X-1", "One.", &["X-2"], ""), ("X-2", "Two.", &["X-1"], "")]))
        .args(["rtm-gate"])
        .status(2)
        .stderr_contains("Parent relations form a cycle: X-1 → X-2 → X-1")
        .run();
}

#[test]
fn malformed_documents_exit_2_with_file_line_and_column() {
    Test::new()
        .file(
            "regulatory-docs/bad.sdoc",
            "[DOCUMENT]\nTITLE: Bad\n\n[REQUIREMENT]\nUID: B-1\nSTATEMENT: >>>\nnever closed\n",
        )
        .args(["rtm-gate"])
        .status(2)
        .stderr_contains("regulatory-docs/bad.sdoc:")
        .run();
}

/// A corpus vendored in `tests/corpora/`; a missing one is a failure, never a skip.
fn corpus(name: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpora").join(name);
    assert!(p.is_dir(), "{} is missing: the corpora are vendored in tests/corpora/", p.display());
    Some(p)
}

#[test]
fn zephyr_corpus_gates_stamps_and_goes_suspect() {
    let Some(zephyr) = corpus("zephyr-reqmgmt") else { return };
    let t = Test::new().with(|d| {
        sh(d, &format!("cp -r {}/docs docs", zephyr.display()));
    });
    let d = t.path();
    let idx = gate(d, &["--docs", "docs/**/*.sdoc"], 0);
    let n = idx["summary"]["requirements"].as_u64().unwrap();
    assert!(n >= 250, "zephyr has {n} requirements");
    assert_eq!(idx["summary"]["states"]["unreviewed"].as_u64(), Some(n));
    stamp(d, &["--all", "--docs", "docs/**/*.sdoc"]);
    let idx = gate(d, &["--docs", "docs/**/*.sdoc", "--fail-on-suspect"], 0);
    assert_eq!(idx["summary"]["states"]["reviewed"].as_u64(), Some(n));
    let diff =
        String::from_utf8_lossy(&sh(d, &format!("diff -r {}/docs docs || true", zephyr.display())).stdout).into_owned();
    assert!(diff.lines().filter(|l| l.starts_with('<')).count() == 0, "stamp only adds lines:\n{diff}");
}

/// The JUnit files written by real pytest, GoogleTest, nextest and ctest (tests/fixtures/junit)
/// link to requirements through their `verifies`/`requirement` properties.
#[test]
fn real_tool_junit_links_to_requirements() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/junit");
    let mut reqs = String::from("[DOCUMENT]\nTITLE: Fixture links\n\n");
    reqs.push_str(GRAMMAR);
    for uid in ["SYS-1", "SYS-2", "SYS-3", "SYS-4", "SW-3", "SW-4", "SW-5", "SW-6", "SW-7"] {
        reqs.push_str(&format!("\n[REQUIREMENT]\nUID: {uid}\nTITLE: {uid}\nSTATEMENT: >>>\nShall.\n<<<\n"));
    }
    let t = Test::new().file("regulatory-docs/r.sdoc", reqs).with(|d| {
        sh(d, &format!("mkdir junit && cp {}/*.xml junit/", fixtures.display()));
    });
    let idx = gate(t.path(), &["--junit", "junit/*.xml"], 1);
    let got: Vec<(String, String)> = idx["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uid"].as_str().unwrap().to_string(), r["verification"].as_str().unwrap().to_string()))
        .collect();
    let want = [
        ("SYS-1", "passed"), // pytest: passed
        ("SYS-2", "failed"), // pytest: assertion failure
        ("SYS-3", "failed"), // the same test, two UIDs in one property
        ("SYS-4", "failed"), // pytest: error in setup counts as failure
        ("SW-3", "passed"),  // GoogleTest RecordProperty
        ("SW-4", "failed"),
        ("SW-5", "failed"),
        ("SW-6", "failed"),
        ("SW-7", "unverified"), // only a skipped test
    ];
    let want: Vec<(String, String)> = want.iter().map(|(u, v)| (u.to_string(), v.to_string())).collect();
    assert_eq!(got, want);
    assert_eq!(idx["summary"]["tests"]["total"], 28);
    assert_eq!(idx["summary"]["tests"]["flaky"], 3, "nextest and surefire flaky passes");
}

/// The README defines the fingerprint with a reference implementation in Python; it must agree
/// with Signet on the test vectors, so a third party can recompute any REVIEWED_HASH.
#[test]
fn readme_python_reference_recomputes_the_fingerprint() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let section = &readme[readme.find("### Review fingerprint").expect("README has the section")..];
    let start = section.find("```python\n").expect("a python block") + "```python\n".len();
    let code = &section[start..start + section[start..].find("```").unwrap()];
    let vectors = r#"
print(fingerprint([("UID", "SYS-1"), ("TITLE", "Occlusion alarm")]))
print(fingerprint([("UID", "SW-1"), ("MID", "abc"), ("STATEMENT", "Raise within 2 s.\r\nAlways."), ("REVIEWED_HASH", "x")], [("Parent", "SYS-1", None)]))
"#;
    let t = Test::new().file("ref.py", format!("{code}\n{vectors}"));
    let out = String::from_utf8(sh(t.path(), "python3 ref.py").stdout).unwrap();
    let rel = signet::rtm::sdoc::Relation {
        kind: signet::rtm::sdoc::RelationKind::Parent,
        value: "SYS-1".into(),
        role: None,
        line: 1,
    };
    let rust = [
        signet::rtm::fingerprint::fingerprint([("UID", "SYS-1"), ("TITLE", "Occlusion alarm")], &[]).tagged(),
        signet::rtm::fingerprint::fingerprint(
            [("UID", "SW-1"), ("MID", "abc"), ("STATEMENT", "Raise within 2 s.\r\nAlways."), ("REVIEWED_HASH", "x")],
            &[rel],
        )
        .tagged(),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), rust);
}

pub(crate) fn chain_sdoc(depth: usize) -> String {
    let mut sdoc = String::from("[DOCUMENT]\nTITLE: Chain\n\n");
    for i in 0..depth {
        sdoc.push_str(&format!("[REQUIREMENT]\nUID: C-{i}\nTITLE: Link {i}\n"));
        if i > 0 {
            sdoc.push_str(&format!("RELATIONS:\n- TYPE: Parent\n  VALUE: C-{}\n", i - 1));
        }
        sdoc.push('\n');
    }
    sdoc
}

/// Issue #19's adversarial shape: one small document holding a 2,000-deep unreviewed parent
/// chain (it took over 6 GB and aborted with exit 134). The gate fails on it with exit 1, and
/// each requirement names its own cause, the nearest upstream one and the root cause with the
/// chain's length, so the outputs stay linear in the chain: under 1 KiB per requirement.
#[test]
fn a_deep_parent_chain_stays_linear_in_output() {
    let t = Test::new().file("regulatory-docs/chain.sdoc", chain_sdoc(2000)).args(["rtm-gate", "--fail-on-suspect"]);
    let t = t.status(1).run();
    let index = fs::read(t.path("target/rtm/index.json")).unwrap();
    let junit = fs::metadata(t.path("target/rtm/rtm-junit.xml")).unwrap().len();
    assert!(index.len() < 2000 << 10, "index.json is {} bytes", index.len());
    assert!(junit < 2000 << 10, "rtm-junit.xml is {junit} bytes");
    assert!(t.stdout.len() < 2000 << 10, "stdout is {} bytes", t.stdout.len());
    // 4,000 findings (each requirement unreviewed and unverified): the 1,000 most important are
    // listed, the blocking review findings first by rank, and the rest counted.
    assert_eq!(t.stdout.lines().filter(|l| l.starts_with("error: ")).count(), 1000, "{}", t.stdout);
    assert!(t.stdout.contains("note: … and 3000 more findings (1000 blocking)"), "{}", t.stdout);
    let idx: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let reqs = idx["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 2000);
    let last = reqs.iter().find(|r| r["uid"] == "C-1999").unwrap();
    assert_eq!(
        last["suspect_causes"],
        serde_json::json!([
            "C-1999 has no REVIEWED_HASH",
            "C-1999 ← C-1998 unreviewed",
            "C-1999 ← … (1999 levels) ← C-0 unreviewed (root cause)"
        ])
    );
    let first = reqs.iter().find(|r| r["uid"] == "C-1").unwrap();
    assert_eq!(first["suspect_causes"], serde_json::json!(["C-1 has no REVIEWED_HASH", "C-1 ← C-0 unreviewed"]));
    assert!(reqs.iter().all(|r| r["suspect_causes"].as_array().unwrap().len() <= 3));
}

/// `rtm-gate --explain UID` lists what the gate only counts: every upstream cause with its
/// distance, and the whole chain to the root cause; it writes nothing.
#[test]
fn explain_lists_every_cause_and_the_whole_chain_on_demand() {
    let ran = Test::new()
        .file("regulatory-docs/chain.sdoc", chain_sdoc(300))
        .args(["rtm-gate", "--explain", "C-299"])
        .stdout_contains("C-299: unreviewed\n  C-299 has no REVIEWED_HASH\nupstream causes (299, nearest first):\n")
        .stdout_contains("  C-298 unreviewed (1 level up, via C-298)\n")
        .stdout_contains("  C-0 unreviewed (299 levels up, via C-298, root cause)\n")
        .run();
    let chain: Vec<String> = (0..300).rev().map(|i| format!("C-{i}")).collect();
    assert!(ran.stdout.contains(&format!("chains to the root causes:\n  {}\n", chain.join(" ← "))), "{}", ran.stdout);
    assert!(!ran.path("target/rtm").exists());

    let json = Test::new()
        .file("regulatory-docs/chain.sdoc", chain_sdoc(3))
        .args(["--format", "json", "rtm-gate", "--explain", "C-2"])
        .run()
        .json();
    assert_eq!(json["root_chains"], serde_json::json!([["C-2", "C-1", "C-0"]]));
    assert_eq!(json["upstream"][1]["levels"], 2);
    Test::new()
        .file("regulatory-docs/chain.sdoc", chain_sdoc(3))
        .args(["rtm-gate", "--explain", "C-9"])
        .status(2)
        .stderr_contains("no requirement has UID `C-9`")
        .run();
}
