//! Every fixture under `tests/fixtures/junit` was written by the real tool (Surefire excepted,
//! see its README); these pin what the gate will see from each of them.

use super::super::{Outcome, read_file};
use super::{case, counts, fixture, flaky_total};

fn load(name: &str) -> Vec<super::TestCase> {
    match read_file(&fixture(name)) {
        Ok(cases) => cases,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn pytest_xunit2() {
    let cases = load("pytest-xunit2.xml");
    assert_eq!(cases.len(), 5);
    assert_eq!(counts(&cases), (2, 1, 1, 1));
    assert_eq!(flaky_total(&cases), 0);
    assert!(cases.iter().all(|c| c.suite == "pytest"));

    let pass = case(&cases, "test_occlusion_alarm_raised");
    assert_eq!(pass.classname.as_deref(), Some("test_alarm"));
    assert_eq!(pass.requirements, ["SYS-1"]);
    assert_eq!(pass.properties, [("verifies".to_string(), "SYS-1".to_string())]);
    assert_eq!(pass.id(), "test_alarm::test_occlusion_alarm_raised");
    assert_eq!(pass.time, Some(0.001));

    let fail = case(&cases, "test_battery_low_warning");
    assert_eq!(fail.outcome, Outcome::Failed);
    assert_eq!(fail.requirements, ["SYS-2", "SYS-3"]);
    // `&#10;` is a character reference, so it survives attribute-value normalisation.
    assert_eq!(fail.message.as_deref(), Some("AssertionError: battery warning not shown\nassert 1 == 2"));

    let error = case(&cases, "test_dose_limit");
    assert_eq!(error.outcome, Outcome::Errored);
    assert_eq!(error.requirements, ["SYS-4"]);
    assert_eq!(error.message.as_deref(), Some("failed on setup with \"RuntimeError: pump simulator unavailable\""));

    let skip = case(&cases, "test_rig_calibration");
    assert_eq!(skip.outcome, Outcome::Skipped);
    assert_eq!(skip.message.as_deref(), Some("hardware rig not attached"));
    assert!(skip.requirements.is_empty(), "a skipped body never records its property");

    let nested = case(&cases, "test_history_retained");
    assert_eq!(nested.classname.as_deref(), Some("test_alarm.TestHistory"));
    assert!(nested.matches("TestHistory.test_history_retained"));
    // pytest writes no newlines of its own; only those inside failure text move the line on.
    assert_eq!((case(&cases, "test_occlusion_alarm_raised").line, error.line, nested.line), (1, 9, 17));
}

#[test]
fn nextest_with_retries() {
    let cases = load("nextest.xml");
    assert_eq!(cases.len(), 6);
    assert_eq!(counts(&cases), (2, 3, 0, 1));
    assert_eq!(flaky_total(&cases), 7);
    assert!(cases.iter().all(|c| c.suite == "pump" && c.classname.as_deref() == Some("pump")));
    assert!(cases.iter().all(|c| c.requirements.is_empty()), "nextest cannot emit properties");

    let flaky = case(&cases, "alarm::pump_reconnects_after_glitch");
    assert_eq!((flaky.outcome, flaky.flaky_retries), (Outcome::Passed, 1));
    assert_eq!(flaky.message, None, "a flaky attempt's message is not the case's message");
    assert_eq!(flaky.line, 103);

    let abort = case(&cases, "alarm::dose_limit_enforced");
    assert_eq!((abort.outcome, abort.flaky_retries), (Outcome::Failed, 2));
    assert_eq!(abort.message.as_deref(), Some("process aborted with signal 6 (SIGABRT)"));
    assert_eq!(abort.line, 4);

    let fail = case(&cases, "alarm::battery_low_warning_shown");
    assert_eq!((fail.outcome, fail.flaky_retries), (Outcome::Failed, 2));
    assert_eq!(
        fail.message.as_deref(),
        Some("thread 'alarm::battery_low_warning_shown' (19584) panicked at src/lib.rs:18:9")
    );

    let timeout = case(&cases, "alarm::history_export_completes");
    assert_eq!((timeout.outcome, timeout.flaky_retries), (Outcome::Failed, 2));
    assert_eq!(timeout.message.as_deref(), Some("test timeout"), "no message or text: fall back to type");
    assert_eq!(timeout.time, Some(2.005));

    let ignored = case(&cases, "alarm::rig_calibration");
    assert_eq!(ignored.outcome, Outcome::Skipped);

    let pass = case(&cases, "alarm::occlusion_raised_within_two_seconds");
    assert_eq!(pass.outcome, Outcome::Passed);
    assert_eq!(pass.id(), "pump::alarm::occlusion_raised_within_two_seconds");
    assert!(pass.matches("occlusion_raised_within_two_seconds"));
}

#[test]
fn gtest_xml() {
    let cases = load("gtest.xml");
    assert_eq!(cases.len(), 5);
    // GoogleTest reports a thrown exception as a failure; it has no error outcome.
    assert_eq!(counts(&cases), (1, 2, 0, 2));
    assert_eq!(flaky_total(&cases), 0);
    assert!(cases.iter().all(|c| c.suite == "Alarm"));

    let pass = case(&cases, "OcclusionRaisedWithinTwoSeconds");
    assert_eq!(pass.requirements, ["SW-3"]);
    assert_eq!(pass.id(), "Alarm::OcclusionRaisedWithinTwoSeconds");
    assert!(pass.matches("Alarm.OcclusionRaisedWithinTwoSeconds"));
    assert_eq!(pass.source_file.as_deref(), Some("/build/gtest/pump_tests.cpp"));
    assert_eq!((pass.line, pass.source_line), (4, Some(5)));

    let fail = case(&cases, "BatteryLowWarningShown");
    assert_eq!(fail.outcome, Outcome::Failed);
    assert_eq!(fail.requirements, ["SW-4", "SW-5"]);
    assert_eq!(
        fail.message.as_deref(),
        Some("/build/gtest/pump_tests.cpp:12\nExpected equality of these values:\n  1\n  2\nbattery warning not shown")
    );

    let thrown = case(&cases, "DoseLimitEnforced");
    assert_eq!((thrown.outcome, thrown.requirements.as_slice()), (Outcome::Failed, ["SW-6".to_string()].as_slice()));

    let skipped = case(&cases, "RigCalibration");
    assert_eq!((skipped.outcome, skipped.requirements.as_slice()), (Outcome::Skipped, ["SW-7".to_string()].as_slice()));
    assert_eq!(skipped.message.as_deref(), Some("/build/gtest/pump_tests.cpp:22\nhardware rig not attached"));

    // status="notrun" result="suppressed", no child element.
    let disabled = case(&cases, "DISABLED_HistoryExport");
    assert_eq!((disabled.outcome, disabled.message.as_deref()), (Outcome::Skipped, None));
}

#[test]
fn ctest_output_junit() {
    let cases = load("ctest.xml");
    assert_eq!(cases.len(), 6);
    assert_eq!(counts(&cases), (1, 2, 0, 3));
    assert_eq!(flaky_total(&cases), 0);
    assert!(cases.iter().all(|c| c.suite == "(empty)" && c.requirements.is_empty()));

    let pass = case(&cases, "Alarm.OcclusionRaisedWithinTwoSeconds");
    assert_eq!(pass.id(), "Alarm.OcclusionRaisedWithinTwoSeconds", "classname repeats the name");
    assert!(pass.matches("OcclusionRaisedWithinTwoSeconds"));
    assert_eq!(pass.line, 11);
    assert_eq!(pass.time, Some(0.00575317));

    let fail = case(&cases, "Alarm.BatteryLowWarningShown");
    assert_eq!((fail.outcome, fail.message.as_deref()), (Outcome::Failed, None), "ctest writes message=\"\"");

    // status="disabled" with no <skipped> child.
    assert_eq!(case(&cases, "Alarm.HistoryExport").outcome, Outcome::Skipped);
    let missing = case(&cases, "missing_tool");
    assert_eq!((missing.outcome, missing.message.as_deref()), (Outcome::Skipped, Some("Unable to find executable")));
}

#[test]
fn surefire_by_hand() {
    let cases = load("surefire.xml");
    assert_eq!(cases.len(), 6);
    assert_eq!(counts(&cases), (3, 1, 1, 1));
    assert_eq!(flaky_total(&cases), 7);
    assert!(cases.iter().all(|c| c.suite == "com.example.pump.AlarmTest"));
    assert!(cases.iter().all(|c| c.properties.is_empty()), "suite-level properties stay with the suite");

    let fail = case(&cases, "batteryLowWarningShown");
    assert_eq!((fail.outcome, fail.flaky_retries), (Outcome::Failed, 2));
    assert_eq!(fail.message.as_deref(), Some("battery warning not shown ==> expected: <2> but was: <1>"));
    assert_eq!(fail.id(), "com.example.pump.AlarmTest::batteryLowWarningShown");
    assert!(fail.matches("AlarmTest.batteryLowWarningShown"));

    let error = case(&cases, "doseLimitEnforced");
    assert_eq!((error.outcome, error.flaky_retries), (Outcome::Errored, 2));

    let flaky = case(&cases, "pumpReconnectsAfterGlitch");
    assert_eq!((flaky.outcome, flaky.flaky_retries, flaky.line), (Outcome::Passed, 1, 45));

    let slow = case(&cases, "historyExportCompletes");
    assert_eq!((slow.outcome, slow.flaky_retries), (Outcome::Passed, 2));
    assert_eq!(slow.time, Some(1204.512), "Surefire groups thousands with commas");

    assert_eq!(case(&cases, "rigCalibration").message.as_deref(), Some("hardware rig not attached"));
}
