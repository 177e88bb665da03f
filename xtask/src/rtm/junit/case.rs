//! Building one `TestCase` from the events between `<testcase>` and `</testcase>`.

use std::path::Path;

use quick_xml::events::BytesStart;

use super::attrs;
use super::fields::{clip_message, is_requirement_key, parse_time, push_capped, requirements};
use super::model::{Outcome, TestCase};

/// Text being collected for the child element currently open, if it needs its text.
enum Capture {
    None,
    /// A result element's text; `fallback` is its `type`, used when the text is empty.
    Message {
        text: String,
        fallback: Option<String>,
    },
    /// A `<property>` written with its value as text instead of a `value` attribute.
    Property {
        name: String,
        text: String,
        at: usize,
    },
}

pub(super) struct CaseBuilder {
    case: TestCase,
    capture: Capture,
    /// Where each of `case.properties` starts (byte offset), so a limit names the property.
    property_at: Vec<usize>,
}

impl CaseBuilder {
    pub(super) fn start(tag: &BytesStart<'_>, file: &Path, line: usize, suite: &str) -> Result<Self, String> {
        let mut case = TestCase {
            name: String::new(),
            classname: None,
            suite: suite.to_string(),
            file: file.to_path_buf(),
            line,
            outcome: Outcome::Passed,
            time: None,
            message: None,
            properties: Vec::new(),
            requirements: Vec::new(),
            flaky_retries: 0,
            source_file: None,
            source_line: None,
        };
        let mut has_name = false;
        attrs::each(tag, |key, value| match key {
            "name" => {
                has_name = true;
                case.name = value.into_owned();
            }
            "classname" if !value.is_empty() => case.classname = Some(value.into_owned()),
            "time" => case.time = parse_time(&value),
            "file" if !value.is_empty() => case.source_file = Some(value.into_owned()),
            "line" => case.source_line = value.trim().parse().ok(),
            // GoogleTest and ctest say "not run" with attributes rather than (only) elements.
            "result" | "status" => case.outcome = case.outcome.worst(status_outcome(&value)),
            // GoogleTest before 1.10 wrote RecordProperty() values as testcase attributes.
            _ if is_requirement_key(key) => case.properties.push((key.to_string(), value.into_owned())),
            _ => {}
        })?;
        if !has_name || case.name.trim().is_empty() {
            return Err("<testcase> has no name, so no requirement can refer to it".to_string());
        }
        Ok(CaseBuilder { case, capture: Capture::None, property_at: Vec::new() })
    }

    /// A `<failure>`, `<error>` or `<skipped>` child. Only the first one that carries a message
    /// supplies `message`; its text is collected until `end_child` when the attribute is absent.
    pub(super) fn result(&mut self, tag: &BytesStart<'_>, outcome: Outcome) -> Result<(), String> {
        self.case.outcome = self.case.outcome.worst(outcome);
        let (mut message, mut kind) = (None, None);
        attrs::each(tag, |key, value| match key {
            "message" => message = clip_message(&value),
            "type" => kind = clip_message(&value),
            _ => {}
        })?;
        if self.case.message.is_none() {
            match message {
                Some(m) => self.case.message = Some(m),
                None => self.capture = Capture::Message { text: String::new(), fallback: kind },
            }
        }
        Ok(())
    }

    /// A `<flakyFailure>`/`<flakyError>` (a failed attempt before a pass: outcome unchanged) or
    /// `<rerunFailure>`/`<rerunError>` (a failed retry: the case is still failing).
    pub(super) fn retry(&mut self, still_failing: Option<Outcome>) {
        self.case.flaky_retries += 1;
        if let Some(outcome) = still_failing {
            self.case.outcome = self.case.outcome.worst(outcome);
        }
    }

    /// A per-case `<property>` starting at byte `at`; without a `value` attribute its text is
    /// the value.
    pub(super) fn property(&mut self, tag: &BytesStart<'_>, empty: bool, at: usize) -> Result<(), String> {
        let (mut name, mut value) = (None, None);
        attrs::each(tag, |key, v| match key {
            "name" => name = Some(v.into_owned()),
            "value" => value = Some(v.into_owned()),
            _ => {}
        })?;
        let Some(name) = name else { return Ok(()) };
        match value {
            Some(value) => self.push_property(name, value, at),
            None if empty => self.push_property(name, String::new(), at),
            None => self.capture = Capture::Property { name, text: String::new(), at },
        }
        Ok(())
    }

    fn push_property(&mut self, name: String, value: String, at: usize) {
        self.case.properties.push((name, value));
        self.property_at.push(at);
    }

    /// Text directly inside the open result or property element.
    pub(super) fn text(&mut self, chunk: &str) {
        match &mut self.capture {
            Capture::None => {}
            Capture::Message { text, .. } => push_capped(text, chunk),
            Capture::Property { text, .. } => text.push_str(chunk),
        }
    }

    /// The result or property element whose text was being collected has closed.
    pub(super) fn end_child(&mut self) {
        match std::mem::replace(&mut self.capture, Capture::None) {
            Capture::None => {}
            Capture::Message { text, fallback } => {
                if self.case.message.is_none() {
                    self.case.message = clip_message(&text).or(fallback);
                }
            }
            Capture::Property { name, text, at } => self.push_property(name, text.trim().to_string(), at),
        }
    }

    /// The case, and where the property that took it past
    /// [`MAX_CASE_REQUIREMENTS`](super::MAX_CASE_REQUIREMENTS) starts, if one did.
    pub(super) fn finish(mut self) -> (TestCase, Option<usize>) {
        let (ids, over) = requirements(&self.case.properties);
        self.case.requirements = ids;
        (self.case, over.map(|p| self.property_at[p]))
    }
}

fn status_outcome(value: &str) -> Outcome {
    match value.trim().to_ascii_lowercase().as_str() {
        "skipped" | "notrun" | "disabled" | "suppressed" => Outcome::Skipped,
        "fail" | "failed" | "failure" => Outcome::Failed,
        "error" | "errored" => Outcome::Errored,
        _ => Outcome::Passed,
    }
}
