//! How requirement documents refer to tests.

use std::path::PathBuf;

use super::super::{Outcome, TestCase};

fn tc(classname: Option<&str>, name: &str) -> TestCase {
    TestCase {
        name: name.to_string(),
        classname: classname.map(str::to_string),
        suite: String::new(),
        file: PathBuf::from("t.xml"),
        line: 1,
        outcome: Outcome::Passed,
        time: None,
        message: None,
        properties: Vec::new(),
        requirements: Vec::new(),
        flaky_retries: 0,
        source_file: None,
        source_line: None,
    }
}

#[test]
fn id_joins_classname_unless_already_a_prefix() {
    assert_eq!(tc(Some("pump"), "alarm::raised").id(), "pump::alarm::raised");
    assert_eq!(tc(None, "alarm::raised").id(), "alarm::raised");
    assert_eq!(tc(Some("Alarm.Raised"), "Alarm.Raised").id(), "Alarm.Raised");
    assert_eq!(tc(Some("Alarm"), "Alarm.Raised").id(), "Alarm.Raised");
    assert_eq!(tc(Some("alarm"), "alarm::raised").id(), "alarm::raised");
    // A textual prefix that is not a whole segment is not "already there".
    assert_eq!(tc(Some("Alarm"), "AlarmRaised").id(), "Alarm::AlarmRaised");
}

#[test]
fn matches_exact_forms() {
    let c = tc(Some("com.example.AlarmTest"), "raised");
    assert!(c.matches("raised"));
    assert!(c.matches("com.example.AlarmTest::raised"));
    assert!(c.matches("com.example.AlarmTest.raised"));
    assert!(c.matches("  raised  "), "surrounding whitespace from a document is ignored");
}

#[test]
fn matches_tails_at_separators_only() {
    let c = tc(Some("pump"), "alarm::occlusion_raised_within_two_seconds");
    assert!(c.matches("occlusion_raised_within_two_seconds"));
    assert!(c.matches("alarm::occlusion_raised_within_two_seconds"));
    assert!(!c.matches("raised_within_two_seconds"));
    assert!(!c.matches("seconds"));
    assert!(!c.matches("::occlusion_raised_within_two_seconds"));
    assert!(!c.matches(""));
    assert!(!c.matches("other"));

    let py = tc(Some("tests.test_alarm"), "test_raised");
    assert!(py.matches("test_alarm.test_raised"));
    assert!(py.matches("test_alarm::test_raised"));
    assert!(!py.matches("alarm.test_raised"));
}

#[test]
fn matches_without_classname() {
    let c = tc(None, "suite.case");
    assert!(c.matches("suite.case"));
    assert!(c.matches("case"));
    assert!(!c.matches("ase"));
}
