//! Inputs from a broken or malicious tool: each must be a clean, located error, quickly.

use std::path::{Path, PathBuf};

use quick_xml::escape::resolve_xml_entity;

use super::super::parse::{Limits, parse as parse_with};
use super::super::{MAX_CASE_REQUIREMENTS, MAX_DEPTH, read_bytes, read_file};
use super::{parse_err, parse_ok};

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuite><testcase name="&lol9;"/></testsuite>"#;

/// A path in the system temp dir, unique per test and process, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, bytes: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!("signet-junit-{}-{tag}.xml", std::process::id()));
        if let Err(e) = std::fs::write(&path, bytes) {
            panic!("cannot write {}: {e}", path.display());
        }
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    // Refused at the DOCTYPE itself, so nothing after it, the `&lol9;` included, is expanded.
    let e = parse_err(BILLION_LAUGHS);
    assert_eq!((e.line, e.col), (2, 1));
    assert!(e.message.contains("DOCTYPE"), "{e}");
}

/// Our refusal is the first line of defence; this is the second: quick-xml itself never expands
/// an entity. Read raw, the billion laughs is a DOCTYPE event holding the declarations as text,
/// every event together is no bigger than the input, and the `&lol9;` in the attribute fails to
/// resolve (it is unknown without a DTD) instead of growing to 3 GB.
#[test]
fn quick_xml_itself_never_expands_entities() {
    use quick_xml::Reader;
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(BILLION_LAUGHS);
    let (mut produced, mut unresolved) = (0usize, 0usize);
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => event,
            Err(e) => panic!("quick-xml failed on the raw input: {e}"),
        };
        produced += event.len();
        if let Event::Empty(tag) | Event::Start(tag) = &event {
            for attr in tag.attributes().flatten() {
                let value = attr.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity);
                assert!(value.is_err(), "an unknown entity resolved to {} bytes", value.map_or(0, |v| v.len()));
                unresolved += 1;
            }
        }
    }
    assert_eq!(unresolved, 1, "the `name=\"&lol9;\"` attribute was seen");
    assert!(produced <= BILLION_LAUGHS.len(), "{produced} bytes of events from {} of input", BILLION_LAUGHS.len());
}

/// A 1 GiB report (sparse: nothing on disk) is refused from its size alone, before any byte
/// is read or allocated.
#[test]
fn a_gigabyte_report_is_refused_before_reading() {
    let file = TempFile::new("gigabyte", b"");
    let sized = std::fs::OpenOptions::new().write(true).open(&file.0).and_then(|f| f.set_len(1 << 30));
    if let Err(e) = sized {
        panic!("cannot size {}: {e}", file.0.display());
    }
    let e = match read_file(&file.0) {
        Ok(_) => panic!("a 1 GiB report must be refused"),
        Err(e) => e,
    };
    // The size comes from the metadata: this message is written before any byte is read.
    assert!(e.message.contains("over the 536870912-byte limit"), "{e}");
}

#[test]
fn any_doctype_is_refused() {
    let e = parse_err("<!DOCTYPE testsuite SYSTEM \"file:///etc/passwd\">\n<testsuite/>");
    assert!(e.message.contains("DOCTYPE"), "{e}");
    let e = parse_err("<testsuite>\n  <!DOCTYPE x>\n</testsuite>");
    assert_eq!((e.line, e.col), (2, 3));
}

#[test]
fn entity_declaration_outside_doctype_is_refused() {
    let e = parse_err("<testsuite>\n<!ENTITY x \"y\">\n</testsuite>");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("entity"), "{e}");
}

#[test]
fn undefined_entities_are_errors() {
    let e = parse_err("<testsuite>\n<testcase name=\"a\"><failure>&lol9;</failure></testcase></testsuite>");
    assert!(e.message.contains("&lol9;"), "{e}");
    assert_eq!(e.line, 2);
    let e = parse_err("<testsuite>\n<testcase name=\"&nbsp;\"/></testsuite>");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("nbsp"), "{e}");
    // Even where the value would be ignored.
    let e = parse_err("<testsuite><system-out>&foo;</system-out></testsuite>");
    assert!(e.message.contains("&foo;"), "{e}");
}

#[test]
fn truncated_xml_reports_file_line_col() {
    let cut_in_tag = "<testsuites>\n  <testsuite name=\"s\">\n    <testcase name=\"a\" time=\"0.1";
    let e = parse_err(cut_in_tag);
    assert_eq!((e.line, e.col), (3, 5), "{e}");
    assert!(e.to_string().starts_with("t.xml:3:5: malformed XML"), "{e}");

    let cut_between_tags = "<testsuites>\n  <testsuite name=\"s\">\n    <testcase name=\"a\"/>\n";
    let e = parse_err(cut_between_tags);
    assert_eq!((e.line, e.col), (4, 1), "{e}");
    assert!(e.message.contains("<testsuite> opened at line 2"), "{e}");

    let e = parse_err("<testsuite>\n<testcase name=\"a\"></testsuite>");
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn error_display_has_location_and_advice() {
    let e = parse_err("<testsuite>\n  <testcase name=\"a\"></wrong></testsuite>");
    let shown = e.to_string();
    assert!(shown.starts_with("t.xml:2:"), "{shown}");
    assert!(shown.contains("; regenerate the report"), "{shown}");
}

fn nested(depth: usize) -> String {
    // The root counts as one level.
    let inner = depth.saturating_sub(1);
    format!("<testsuites>{}{}</testsuites>", "<x>".repeat(inner), "</x>".repeat(inner))
}

#[test]
fn nesting_is_bounded() {
    assert!(parse_ok(&nested(MAX_DEPTH)).is_empty());
    let e = parse_err(&nested(MAX_DEPTH + 1));
    assert!(e.message.contains("nested deeper than 64"), "{e}");
    assert_eq!(e.col, 1 + "<testsuites>".len() + 3 * (MAX_DEPTH - 1));

    let e = parse_err(&nested(1_000_000));
    assert!(e.message.contains("nested deeper"), "{e}");
    assert_eq!(e.col, 1 + "<testsuites>".len() + 3 * (MAX_DEPTH - 1), "refused at the same depth");
}

#[test]
fn non_utf8_is_refused_with_position() {
    let latin1 = b"<testsuite>\n  <testcase name=\"caf\xE9\"/>\n</testsuite>";
    let file = TempFile::new("latin1", latin1);
    let e = match read_file(&file.0) {
        Ok(_) => panic!("Latin-1 bytes must not parse"),
        Err(e) => e,
    };
    assert_eq!((e.line, e.col), (2, 22), "{e}");
    assert!(e.message.contains("0xE9"), "{e}");
    assert_eq!(e.file, file.0);

    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("<testsuite/>".bytes().flat_map(|b| [b, 0])).collect();
    let e = match read_bytes(Path::new("u16.xml"), &utf16) {
        Ok(_) => panic!("UTF-16 must be refused"),
        Err(e) => e,
    };
    assert!(e.message.contains("UTF-16"), "{e}");
}

#[test]
fn empty_and_contentless_files_are_errors() {
    let file = TempFile::new("empty", b"");
    match read_file(&file.0) {
        Ok(cases) => panic!("an empty file must not pass as {} cases", cases.len()),
        Err(e) => assert!(e.message.contains("no root element"), "{e}"),
    }
    let e = parse_err("  \n<?xml version=\"1.0\"?>\n<!-- nothing -->\n");
    assert!(e.message.contains("no root element"), "{e}");
}

#[test]
fn unreadable_paths_are_whole_file_errors() {
    let missing = std::env::temp_dir().join(format!("signet-junit-{}-missing.xml", std::process::id()));
    let e = match read_file(&missing) {
        Ok(_) => panic!("missing file parsed"),
        Err(e) => e,
    };
    assert_eq!((e.line, e.col), (0, 0));
    assert!(e.to_string().starts_with(&format!("{}: cannot read file metadata", missing.display())), "{e}");

    let e = match read_file(&std::env::temp_dir()) {
        Ok(_) => panic!("a directory parsed"),
        Err(e) => e,
    };
    assert!(e.message.contains("not a regular file"), "{e}");
}

#[test]
fn case_count_is_bounded() {
    let xml = format!("<testsuite>\n{}</testsuite>", "<testcase name=\"a\"/>\n".repeat(4));
    let limits = Limits { max_cases: 3, ..Limits::DEFAULT };
    let e = match parse_with(Path::new("t.xml"), &xml, limits) {
        Ok(_) => panic!("limit not enforced"),
        Err(e) => e,
    };
    assert_eq!(e.line, 5);
    assert!(e.message.contains("more than 3 test cases"), "{e}");
}

#[test]
fn duplicate_attributes_and_dangling_ampersands_are_errors() {
    let e = parse_err("<testsuite><testcase name=\"a\" name=\"b\"/></testsuite>");
    assert!(e.message.contains("attribute"), "{e}");
    let e = parse_err("<testsuite><testcase name=\"a\"><failure>a & b</failure></testcase></testsuite>");
    assert!(e.message.contains("malformed XML"), "{e}");
}

fn case_naming(ids: usize, repeats: usize) -> String {
    let ids: Vec<String> = (0..ids * repeats).map(|i| format!("R-{}", i % ids)).collect();
    format!(
        "<testsuite>\n<testcase name=\"t\"><properties><property name=\"verifies\" value=\"{}\"/></properties>\n</testcase></testsuite>",
        ids.join(",")
    )
}

/// A case names at most 1,000 distinct requirement ids (repeats fold); one naming a million is
/// refused at the line of the property that went past the limit, not expanded into a million
/// links (issue #19).
#[test]
fn a_case_naming_a_million_requirements_is_refused() {
    let cases = parse_ok(&case_naming(MAX_CASE_REQUIREMENTS, 200));
    assert_eq!(cases.first().map(|c| c.requirements.len()), Some(MAX_CASE_REQUIREMENTS));
    let e = parse_err(&case_naming(1_000_000, 1));
    assert_eq!(e.line, 2);
    let half = |from: usize| (from..from + 600).map(|i| format!("R-{i}")).collect::<Vec<_>>().join(" ");
    let two = format!(
        "<testsuite>\n<testcase name=\"t\"><properties>\n<property name=\"verifies\" value=\"{}\"/>\n<property name=\"requirement\">{}</property>\n</properties></testcase></testsuite>",
        half(0),
        half(600)
    );
    assert_eq!(parse_err(&two).line, 4, "the second property, the one past the limit");
    assert!(e.message.contains("test case `t` names more than 1000 requirement ids"), "{e}");
    let attrs: String = (0..200_000).map(|i| format!(" a{i}=\"v\"")).collect();
    assert_eq!(parse_ok(&format!("<testsuite><testcase name=\"t\"{attrs}/></testsuite>")).len(), 1);
}

/// Every prefix (strided) and many one-byte corruptions of the real fixtures must give either
/// cases or a located error: a panic here would be a crash of the gate on a damaged report.
#[test]
fn damaged_fixtures_never_panic() {
    let names = ["pytest-xunit2.xml", "nextest.xml", "gtest.xml", "ctest.xml", "surefire.xml"];
    for name in names {
        let text = match std::fs::read_to_string(super::fixture(name)) {
            Ok(t) => t,
            Err(e) => panic!("{name}: {e}"),
        };
        let full = parse_ok(&text).len();
        let cut_points = (0..text.len()).step_by(if name == "gtest.xml" { 1 } else { 17 });
        for cut in cut_points.filter(|&i| text.is_char_boundary(i)) {
            match super::parse(text.get(..cut).unwrap_or_default()) {
                Ok(cases) => assert!(cases.len() <= full, "{name} cut at {cut}"),
                Err(e) => assert!(e.line >= 1 && e.col >= 1, "{name} cut at {cut}: {e}"),
            }
        }
        for (i, pos) in (0..text.len()).step_by(23).enumerate() {
            if !text.is_char_boundary(pos) || !text.is_char_boundary(pos + 1) {
                continue;
            }
            let junk = ["<", ">", "&", "\"", "/", "]]>", "<!DOCTYPE x>", "&#0;"][i % 8];
            let damaged =
                format!("{}{junk}{}", text.get(..pos).unwrap_or_default(), text.get(pos + 1..).unwrap_or_default());
            if let Err(e) = super::parse(&damaged) {
                assert!(e.line >= 1 && e.col >= 1, "{name} damaged at {pos}: {e}");
            }
        }
    }
}
