//! Shapes real tools write (or could) that the fixtures do not cover.

use super::super::Outcome;
use super::super::fields::parse_time;
use super::{case, counts, parse_err, parse_ok};

#[test]
fn bare_testsuite_root() {
    let cases =
        parse_ok(r#"<testsuite name="solo"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>"#);
    assert_eq!(counts(&cases), (1, 1, 0, 0));
    assert!(cases.iter().all(|c| c.suite == "solo"));
}

#[test]
fn nested_suites_use_the_innermost_name() {
    let xml = r#"<testsuites name="run">
  <testsuite name="outer">
    <testsuite name="inner">
      <testcase name="deep"/>
    </testsuite>
    <testsuite name="empty"/>
    <testcase name="shallow"/>
  </testsuite>
  <testcase name="suiteless"/>
</testsuites>"#;
    let cases = parse_ok(xml);
    assert_eq!(case(&cases, "deep").suite, "inner");
    assert_eq!(case(&cases, "deep").line, 4);
    assert_eq!(case(&cases, "shallow").suite, "outer");
    assert_eq!(case(&cases, "suiteless").suite, "");
}

#[test]
fn no_test_cases_is_not_an_error() {
    assert!(parse_ok("<testsuites/>").is_empty());
    assert!(parse_ok(r#"<?xml version="1.0"?><testsuite name="x" tests="0"></testsuite>"#).is_empty());
}

#[test]
fn cdata_message_is_used_when_there_is_no_message_attribute() {
    let xml = "<testsuite><testcase name=\"a\"><failure type=\"T\"><![CDATA[\n  boom <here> & there\n]]></failure></testcase></testsuite>";
    assert_eq!(parse_ok(xml)[0].message.as_deref(), Some("boom <here> & there"));
}

#[test]
fn long_messages_are_cut_at_a_character_boundary() {
    let body = "é".repeat(2000);
    let xml = format!("<testsuite><testcase name=\"a\"><error><![CDATA[{body}]]></error></testcase></testsuite>");
    let message = parse_ok(&xml).remove(0).message.unwrap_or_default();
    assert_eq!(message.len(), 1024);
    assert!(message.chars().all(|c| c == 'é'));

    let xml =
        format!("<testsuite><testcase name=\"a\"><skipped message=\"x{}\"/></testcase></testsuite>", "y".repeat(5000));
    assert_eq!(parse_ok(&xml)[0].message.as_ref().map(String::len), Some(1024));
}

#[test]
fn only_the_first_message_is_kept() {
    let xml = r#"<testsuite><testcase name="a">
      <failure message=""/>
      <failure message="first real one">text</failure>
      <error message="second"/>
    </testcase></testsuite>"#;
    let c = parse_ok(xml).remove(0);
    assert_eq!((c.outcome, c.message.as_deref()), (Outcome::Errored, Some("first real one")));
}

#[test]
fn entities_and_character_references_are_decoded() {
    let xml = r#"<testsuite name="s&amp;t"><testcase name="a &amp; b &lt;c&gt; &quot;&apos; &#x41;&#66;" classname="k">
      <failure>x &amp; y &#169; z</failure></testcase></testsuite>"#;
    let c = parse_ok(xml).remove(0);
    assert_eq!(c.name, "a & b <c> \"' AB");
    assert_eq!(c.suite, "s&t");
    assert_eq!(c.message.as_deref(), Some("x & y © z"));
}

#[test]
fn failure_outweighs_skipped_and_rerun_means_still_failing() {
    let xml = r#"<testsuite>
      <testcase name="both"><skipped/><failure message="f"/></testcase>
      <testcase name="rerun-only"><rerunFailure type="t"/></testcase>
      <testcase name="flaky-only"><flakyFailure type="t"/><flakyError type="t"/></testcase>
      <testcase name="gtest-skip" status="run" result="skipped"/>
      <testcase name="status-fail" status="fail"/>
    </testsuite>"#;
    let cases = parse_ok(xml);
    assert_eq!(case(&cases, "both").outcome, Outcome::Failed);
    assert_eq!(case(&cases, "rerun-only").outcome, Outcome::Failed);
    assert_eq!((case(&cases, "flaky-only").outcome, case(&cases, "flaky-only").flaky_retries), (Outcome::Passed, 2));
    assert_eq!(case(&cases, "gtest-skip").outcome, Outcome::Skipped);
    assert_eq!(case(&cases, "status-fail").outcome, Outcome::Failed);
    assert!(Outcome::Errored.is_failure() && Outcome::Failed.is_failure() && !Outcome::Skipped.is_failure());
}

#[test]
fn requirement_properties() {
    let xml = r#"<testsuite>
      <properties><property name="verifies" value="SUITE-1"/></properties>
      <testcase name="a">
        <properties>
          <property name="Verifies" value="REQ-1, REQ-2 REQ-1"/>
          <property name="REQUIREMENT" value="  REQ-3,,REQ-4 "/>
          <property name="owner" value="alarm-team"/>
          <property name="verifies">REQ-5
            REQ-6</property>
          <property value="nameless"/>
        </properties>
      </testcase>
      <testcase name="legacy-gtest" verifies="SW-9"/>
    </testsuite>"#;
    let cases = parse_ok(xml);
    let a = case(&cases, "a");
    assert_eq!(a.requirements, ["REQ-1", "REQ-2", "REQ-3", "REQ-4", "REQ-5", "REQ-6"]);
    assert_eq!(a.properties.len(), 4);
    assert!(a.properties.contains(&("owner".to_string(), "alarm-team".to_string())));
    assert_eq!(case(&cases, "legacy-gtest").requirements, ["SW-9"]);
}

#[test]
fn unknown_elements_and_attributes_are_ignored() {
    let xml = r#"<testsuites xmlns:x="urn:x" x:tool="t">
      <x:meta><testcase name="not-a-case"/></x:meta>
      <testsuite name="s" x:extra="1">
        <testcase name="a" assertions="3" x:owner="me"><x:attachment path="p"/><system-out>o</system-out><failure message="m"><x:detail>d</x:detail></failure></testcase>
      </testsuite>
    </testsuites>"#;
    let cases = parse_ok(xml);
    assert_eq!(cases.len(), 1);
    assert_eq!((cases[0].outcome, cases[0].message.as_deref()), (Outcome::Failed, Some("m")));
}

#[test]
fn testcase_without_name_is_an_error() {
    let e = parse_err("<testsuite>\n  <testcase classname=\"c\"/></testsuite>");
    assert_eq!((e.line, e.col), (2, 3));
    assert!(e.message.contains("no name"), "{e}");
}

#[test]
fn wrong_root_and_second_root_are_errors() {
    let e = parse_err("<html><testcase name=\"a\"/></html>");
    assert!(e.message.contains("root element is <html>"), "{e}");
    let e = parse_err("<testsuite/>\n<testsuite/>");
    assert_eq!((e.line, e.col), (2, 1));
    let e = parse_err("<testsuite/>trailing");
    assert!(e.message.contains("outside the root"), "{e}");
}

#[test]
fn declared_encoding() {
    let latin1 = r#"<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="a"/></testsuite>"#;
    assert_eq!(parse_ok(latin1).len(), 1, "ASCII-only content reads the same in any ASCII-compatible encoding");
    let e = parse_err(r#"<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="é"/></testsuite>"#);
    assert!(e.message.contains("ISO-8859-1"), "{e}");
    let bom = "\u{feff}<testsuite>\n<testcase name=\"a\"/></testsuite>";
    assert_eq!(parse_ok(bom)[0].line, 2);
}

#[test]
fn times() {
    assert_eq!(parse_time("0.5"), Some(0.5));
    assert_eq!(parse_time(" 12 "), Some(12.0));
    assert_eq!(parse_time("1,204.512"), Some(1204.512));
    assert_eq!(parse_time("12,345,678"), Some(12_345_678.0));
    assert_eq!(parse_time("1,5"), None);
    assert_eq!(parse_time("1,2345"), None);
    assert_eq!(parse_time("-1"), None);
    assert_eq!(parse_time("NaN"), None);
    assert_eq!(parse_time("inf"), None);
    assert_eq!(parse_time(""), None);
}
