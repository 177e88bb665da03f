//! The gate's three files: `index.json` (machine), `rtm.html` (people), `rtm-junit.xml`
//! (CI dashboards: one test case per requirement).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::RtmError;
use super::findings::Finding;
use crate::formats::index::ReviewState;
use crate::formats::index::Verification;
use crate::formats::index::{Entry, Index};
use crate::formats::index::{LinkedTest, TestOutcome};
use crate::fsx::atomic::{self, Durability};
use crate::output::json;

/// What besides failed tests blocks the gate, as `rtm-junit.xml` reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocking {
    /// Unreviewed and suspect requirements (`--fail-on-suspect`).
    pub suspect: bool,
    /// Unverified requirements and orphan links (`--require-verification`).
    pub unverified: bool,
}

/// `exempt`: Draft requirements that may stay unverified (`GateOptions::drafts_exempt`).
/// `meanwhile` runs on this thread once `index.json` and `rtm-junit.xml` are written, while the
/// HTML, the longest to render, is still being written on the other core.
pub fn write_all<T>(
    out: &Path,
    index: &Index,
    opts: Blocking,
    exempt: &HashSet<String>,
    meanwhile: impl FnOnce() -> T,
) -> Result<(Vec<PathBuf>, T), RtmError> {
    let write = |name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>| {
        let path = out.join(name);
        atomic::ensure_parent(&path)
            .and_then(|()| atomic::write_with(&path, Durability::Derived, |w| fill(w)))
            .map_err(|source| RtmError::Write { path, source })
    };
    std::thread::scope(|scope| {
        let html = || write("rtm.html", &mut |w| html_to(w, index));
        // On this thread, after the others, if the system refuses another (`ulimit -u`).
        let rendering = crate::par::spawn(scope, html).ok();
        let index_json = write("index.json", &mut |w| json::to_writer(w, index));
        let junit =
            index_json.and_then(|i| Ok((i, write("rtm-junit.xml", &mut |w| junit_to(w, index, opts, exempt))?)));
        let after = junit.map(|written| (written, meanwhile()));
        let html = match rendering {
            Some(rendering) => rendering.join().expect("rendering does not panic")?,
            None => html()?,
        };
        let ((index_json, junit), after) = after?;
        Ok((vec![index_json, html, junit], after))
    })
}

/// The page is rendered around a marker and the rows are streamed into it one requirement at
/// a time: holding a 10,000-requirement matrix as template values at once cost 65 MiB.
pub fn html_to(w: &mut dyn Write, index: &Index) -> std::io::Result<()> {
    const ROWS: &str = "\u{0}signet-rows\u{0}";
    let page = crate::templates::render(
        "rtm.html",
        serde_json::json!({
            "generated_by": index.generated_by,
            "documents": index.documents,
            "junit_files": index.junit_files,
            "summary": index.summary,
            "orphan_links": index.orphan_links,
            "rows": ROWS,
        }),
    );
    let (head, tail) = page.split_once(ROWS).expect("rtm.html renders {{ rows | safe }} exactly once");
    w.write_all(head.as_bytes())?;
    rows_to(w, &index.requirements)?;
    w.write_all(tail.as_bytes())
}

/// The rows, rendered a chunk at a time on every core and written in order: on one core, the
/// matrix of a 200,000-deep chain took a second, the longest of the gate's outputs (issue #19).
/// One chunk per core is rendered, then written, so memory stays bounded by the group.
fn rows_to(w: &mut dyn Write, rows: &[Box<Entry>]) -> std::io::Result<()> {
    const CHUNK: usize = 1024;
    #[derive(serde::Serialize)]
    struct Row<'a> {
        r: &'a Entry,
    }
    let group = CHUNK * crate::par::workers();
    for rows in rows.chunks(group) {
        let chunks: Vec<&[Box<Entry>]> = rows.chunks(CHUNK).collect();
        let rendered = crate::par::map(&chunks, |chunk| {
            let mut html = Vec::new();
            for r in chunk.iter() {
                html.extend_from_slice(crate::templates::render("rtm-row.html", Row { r }).as_bytes());
            }
            html
        });
        for html in rendered {
            w.write_all(&html)?;
        }
    }
    Ok(())
}

/// The job-summary Markdown (also printed by `rtm-gate` in GitHub Actions).
pub fn summary_markdown(index: &Index, findings: &[Finding]) -> String {
    let top: Vec<&Finding> = findings.iter().take(20).collect();
    let findings: Vec<serde_json::Value> = top
        .iter()
        .map(|f| serde_json::json!({"file": f.file, "line": f.line, "message": f.message, "blocking": f.blocking}))
        .collect();
    crate::templates::render("rtm-summary.md", serde_json::json!({ "index": index, "findings": findings }))
}

/// What `rtm-junit.xml` says of one requirement.
enum Case<'a> {
    Passed,
    Failed { message: &'a str, causes: &'a [String], tests: &'a [LinkedTest] },
    Skipped(&'a str),
}

fn case<'a>(r: &'a crate::formats::index::Entry, opts: Blocking, exempt: &HashSet<String>) -> Case<'a> {
    let failed = |message, causes, tests| Case::Failed { message, causes, tests };
    if r.verification == Verification::Failed {
        failed("verification failed", &r.verification_causes, &r.tests)
    } else if r.state != ReviewState::Reviewed && opts.suspect {
        failed(r.state.as_str(), &r.suspect_causes, &[])
    } else if r.verification == Verification::Unverified && opts.unverified && exempt.contains(&r.uid) {
        Case::Skipped("unverified; Draft: no test is required until it is Approved")
    } else if r.verification == Verification::Unverified && opts.unverified {
        failed("unverified", &r.missing_tests, &[])
    } else {
        Case::Passed
    }
}

/// Streamed one test case at a time, in the layout quick-junit writes (nextest's), so that a
/// 200,000-requirement gate never holds the report as values and again as one string (94 MB of
/// its peak, issue #19).
fn junit_to(w: &mut dyn Write, index: &Index, opts: Blocking, exempt: &HashSet<String>) -> std::io::Result<()> {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let (mut failures, mut skipped) = (0usize, 0usize);
    for r in &index.requirements {
        match case(r, opts, exempt) {
            Case::Failed { .. } => failures += 1,
            Case::Skipped(_) => skipped += 1,
            Case::Passed => {}
        }
    }
    let (tests, failures, skipped) = (index.requirements.len().to_string(), failures.to_string(), skipped.to_string());
    let mut x = quick_xml::Writer::new_with_indent(w, b' ', 4);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let counts = [("tests", tests.as_str()), ("skipped", &skipped), ("failures", &failures), ("errors", "0")];
    x.write_event(Event::Start(
        BytesStart::new("testsuites").with_attributes([("name", "signet")]).with_attributes(counts),
    ))?;
    let [t, s, f, e] = counts;
    x.write_event(Event::Start(BytesStart::new("testsuite").with_attributes([("name", "rtm-gate"), t, s, e, f])))?;
    for r in &index.requirements {
        let (name, classname) = (xml_text(&r.uid), xml_text(&r.document));
        let tag = BytesStart::new("testcase").with_attributes([("name", &*name), ("classname", &*classname)]);
        let (kind, message, text) = match case(r, opts, exempt) {
            Case::Passed => {
                x.write_event(Event::Empty(tag))?;
                continue;
            }
            Case::Skipped(message) => ("skipped", message, None),
            Case::Failed { message, causes, tests } => ("failure", message, Some(failure_text(causes, tests))),
        };
        x.write_event(Event::Start(tag))?;
        let status = BytesStart::new(kind).with_attributes([("message", message)]);
        match text {
            Some(text) => {
                x.write_event(Event::Start(status))?;
                x.write_event(Event::Text(BytesText::new(&xml_text(&text))))?;
                x.write_event(Event::End(BytesEnd::new(kind)))?;
            }
            None => x.write_event(Event::Empty(status))?,
        }
        x.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    x.write_event(Event::End(BytesEnd::new("testsuite")))?;
    x.write_event(Event::End(BytesEnd::new("testsuites")))?;
    x.write_indent()
}

/// XML 1.0 has no escape for most control characters: they are dropped, as quick-junit does.
fn xml_text(s: &str) -> std::borrow::Cow<'_, str> {
    let banned = |c| matches!(c, '\x00'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f');
    if s.contains(banned) { s.replace(banned, "").into() } else { s.into() }
}

fn failure_text(causes: &[String], tests: &[LinkedTest]) -> String {
    let mut lines: Vec<String> = causes.to_vec();
    lines.extend(
        tests.iter().filter(|t| t.outcome != TestOutcome::Passed).map(|t| format!("{}: {}", t.id, t.outcome.as_str())),
    );
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::index::{Entry, Summary};
    use crate::rtm::junit::{self, Outcome};

    fn entry(uid: &str, state: ReviewState, verification: Verification) -> Box<Entry> {
        Box::new(Entry {
            uid: uid.into(),
            title: String::new(),
            document: "Doc & <Co>\u{1}".into(),
            file: "a.sdoc".into(),
            line: 1,
            state,
            fingerprint: String::new(),
            reviewed_hash: None,
            reviewed_by: None,
            suspect_causes: vec![format!("{uid} has no REVIEWED_HASH"), "x < y\u{7}".into()],
            verification,
            verification_causes: Vec::new(),
            tests: Vec::new(),
            missing_tests: Vec::new(),
            parents: Vec::new(),
            children: Vec::new(),
        })
    }

    /// The streamed file is read back by the gate's own JUnit reader: every requirement is one
    /// case, with its status; characters XML cannot carry are dropped, the rest escaped.
    #[test]
    fn rtm_junit_streams_one_case_per_requirement_and_reads_back() {
        let index = Index {
            schema: String::new(),
            generated_by: String::new(),
            documents: Vec::new(),
            junit_files: Vec::new(),
            summary: Summary {
                requirements: 3,
                states: Default::default(),
                verification: Default::default(),
                tests: Default::default(),
                orphan_links: 0,
            },
            requirements: vec![
                entry("R-1", ReviewState::Reviewed, Verification::Passed),
                entry("R-2", ReviewState::Unreviewed, Verification::Passed),
                entry("R-3", ReviewState::Reviewed, Verification::Unverified),
            ],
            orphan_links: Vec::new(),
        };
        let opts = Blocking { suspect: true, unverified: true };
        let mut out = Vec::new();
        junit_to(&mut out, &index, opts, &HashSet::from(["R-3".to_string()])).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"signet\" tests=\"3\" skipped=\"1\" failures=\"1\" errors=\"0\">\n"), "{text}");
        assert!(text.contains("classname=\"Doc &amp; &lt;Co&gt;\""), "{text}");
        assert!(text.contains("R-2 has no REVIEWED_HASH\nx &lt; y</failure>"), "{text}");
        let cases = junit::read_str(std::path::Path::new("rtm-junit.xml"), &text).unwrap();
        let got: Vec<(&str, Outcome)> = cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(got, [("R-1", Outcome::Passed), ("R-2", Outcome::Failed), ("R-3", Outcome::Skipped)]);
    }
}
