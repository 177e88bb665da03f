//! A large generated report: checks the streaming path end to end and prints its speed.

use std::fmt::Write;
use std::time::Instant;

use super::super::Outcome;
use super::{counts, parse_ok};

#[test]
fn hundred_thousand_cases() {
    const N: usize = 100_000;
    let mut xml = String::with_capacity(N * 200);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"big\">\n");
    for suite in 0..N / 1000 {
        let _ = writeln!(xml, "  <testsuite name=\"suite{suite}\" tests=\"1000\">");
        for i in 0..1000 {
            let n = suite * 1000 + i;
            let _ = write!(xml, "    <testcase name=\"case_{n}\" classname=\"mod{suite}\" time=\"0.00{}\">", i % 10);
            match n % 10 {
                0 => xml.push_str("<failure message=\"assert failed &amp; more\" type=\"t\">trace</failure>"),
                1 => xml.push_str("<skipped/>"),
                2 => xml.push_str("<properties><property name=\"verifies\" value=\"REQ-1, REQ-2\"/></properties>"),
                _ => {}
            }
            xml.push_str("</testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");

    let started = Instant::now();
    let cases = parse_ok(&xml);
    let elapsed = started.elapsed();
    println!("parsed {} cases from {} bytes in {elapsed:?}", cases.len(), xml.len());

    assert_eq!(cases.len(), N);
    assert_eq!(counts(&cases), (80_000, 10_000, 0, 10_000));
    assert_eq!(cases.iter().filter(|c| !c.requirements.is_empty()).count(), 10_000);
    let last = cases.last().map(|c| (c.line, c.suite.as_str(), c.outcome));
    assert_eq!(last, Some((2 + 100 * 1002 - 1, "suite99", Outcome::Passed)));
}
