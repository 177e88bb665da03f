//! The streaming pass: quick-xml events drive an explicit element stack, so memory follows the
//! results kept, never the nesting depth or the size of captured output.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesDecl, BytesRef, BytesStart, Event};

use super::case::CaseBuilder;
use super::error::{HINT_ENTITY, HINT_LIMIT, HINT_MALFORMED, HINT_NO_DTD, HINT_NOT_JUNIT, HINT_UTF8, JunitError};
use super::model::{Outcome, TestCase};
use super::position::{Lines, line_col};
use super::{MAX_CASE_REQUIREMENTS, MAX_CASES, MAX_DEPTH};

#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub max_depth: usize,
    pub max_cases: usize,
}

impl Limits {
    pub(super) const DEFAULT: Limits = Limits { max_depth: MAX_DEPTH, max_cases: MAX_CASES };
}

/// What an open element means, decided from its name and its parent's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Suites,
    Suite,
    Case,
    Result,
    Retry,
    CaseProperties,
    Property,
    Ignored,
}

struct Frame {
    kind: Kind,
    /// Byte offset of the start tag's `<`, to name it if the file ends while it is open.
    start: usize,
}

pub(super) fn parse(path: &Path, text: &str, limits: Limits) -> Result<Vec<TestCase>, JunitError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.enable_all_checks(true);
    config.allow_dangling_amp = false;
    config.allow_unmatched_ends = false;
    config.expand_empty_elements = false;
    config.trim_text(false);

    let mut parser = Parser::new(path, text, limits);
    loop {
        // With text untrimmed, the previous event ends exactly where the next one's `<` is.
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| parser.xml_error(reader.error_position(), &e))?;
        match event {
            Event::Start(tag) => parser.open(&tag, at, false)?,
            Event::Empty(tag) => parser.open(&tag, at, true)?,
            Event::End(_) => parser.close(at)?,
            Event::Text(t) => parser.text(&t.xml10_content(), at)?,
            Event::CData(t) => parser.text(&t.xml10_content(), at)?,
            Event::GeneralRef(r) => parser.reference(&r, at)?,
            Event::DocType(_) => return Err(parser.error(at, "DOCTYPE declarations are refused", HINT_NO_DTD)),
            Event::Decl(decl) => parser.declaration(&decl, at)?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return parser.finish(at),
        }
    }
}

struct Parser<'a> {
    path: &'a Path,
    text: &'a str,
    limits: Limits,
    lines: Lines<'a>,
    stack: Vec<Frame>,
    /// Names of the open `<testsuite>` elements, innermost last.
    suites: Vec<String>,
    case: Option<CaseBuilder>,
    cases: Vec<TestCase>,
    seen_root: bool,
}

impl<'a> Parser<'a> {
    fn new(path: &'a Path, text: &'a str, limits: Limits) -> Self {
        Parser {
            path,
            text,
            limits,
            lines: Lines::new(text),
            stack: Vec::new(),
            suites: Vec::new(),
            case: None,
            cases: Vec::new(),
            seen_root: false,
        }
    }

    fn open(&mut self, tag: &BytesStart<'_>, at: usize, empty: bool) -> Result<(), JunitError> {
        if self.stack.len() >= self.limits.max_depth {
            let msg = format!("elements nested deeper than {} levels", self.limits.max_depth);
            return Err(self.error(at, msg, HINT_LIMIT));
        }
        let kind = self.classify(tag, at)?;
        let (path, text) = (self.path, self.text);
        let attr_error = |msg: String| error_at(path, text, at, msg, HINT_MALFORMED);
        match kind {
            Kind::Suite => {
                let mut name = String::new();
                super::attrs::each(tag, |key, value| {
                    if key == "name" {
                        name = value.into_owned();
                    }
                })
                .map_err(attr_error)?;
                if !empty {
                    self.suites.push(name);
                }
            }
            Kind::Case => {
                let line = self.lines.line_at(at);
                let suite = self.suites.last().map_or("", String::as_str);
                let builder = CaseBuilder::start(tag, self.path, line, suite).map_err(attr_error)?;
                self.case = Some(builder);
                if empty {
                    self.finish_case(at)?;
                }
            }
            Kind::Result | Kind::Retry | Kind::Property => {
                let outcome = child_outcome(tag.local_name().as_ref());
                if let Some(case) = self.case.as_mut() {
                    let done = match kind {
                        Kind::Result => case.result(tag, outcome.unwrap_or(Outcome::Passed)),
                        Kind::Retry => {
                            case.retry(outcome);
                            super::attrs::each(tag, |_, _| {})
                        }
                        _ => case.property(tag, empty, at),
                    };
                    done.map_err(attr_error)?;
                    if empty {
                        case.end_child();
                    }
                }
            }
            Kind::Suites | Kind::CaseProperties | Kind::Ignored => {
                super::attrs::each(tag, |_, _| {}).map_err(attr_error)?;
            }
        }
        if !empty {
            self.stack.push(Frame { kind, start: at });
        }
        Ok(())
    }

    /// The meaning of a start tag in its context; anything unexpected is ignored, except at the
    /// root, where a wrong element means this is not a JUnit report at all.
    fn classify(&mut self, tag: &BytesStart<'_>, at: usize) -> Result<Kind, JunitError> {
        let name = tag.local_name();
        let name = name.as_ref();
        let Some(parent) = self.stack.last().map(|f| f.kind) else {
            if self.seen_root {
                return Err(self.error(at, format!("second root element <{name}>"), HINT_MALFORMED));
            }
            self.seen_root = true;
            return match name {
                "testsuites" => Ok(Kind::Suites),
                "testsuite" => Ok(Kind::Suite),
                _ => {
                    let msg = format!("root element is <{name}>, expected <testsuites> or <testsuite>");
                    Err(self.error(at, msg, HINT_NOT_JUNIT))
                }
            };
        };
        Ok(match (parent, name) {
            (Kind::Suites | Kind::Suite, "testsuites") => Kind::Suites,
            (Kind::Suites | Kind::Suite, "testsuite") => Kind::Suite,
            (Kind::Suites | Kind::Suite, "testcase") => Kind::Case,
            (Kind::Case, "failure" | "error" | "skipped") => Kind::Result,
            (Kind::Case, "flakyFailure" | "flakyError" | "rerunFailure" | "rerunError") => Kind::Retry,
            (Kind::Case, "properties") => Kind::CaseProperties,
            (Kind::CaseProperties, "property") => Kind::Property,
            _ => Kind::Ignored,
        })
    }

    fn close(&mut self, at: usize) -> Result<(), JunitError> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.error(at, "closing tag without a matching start tag", HINT_MALFORMED));
        };
        match frame.kind {
            Kind::Suite => {
                self.suites.pop();
            }
            Kind::Case => self.finish_case(at)?,
            Kind::Result | Kind::Property => {
                if let Some(case) = self.case.as_mut() {
                    case.end_child();
                }
            }
            Kind::Suites | Kind::Retry | Kind::CaseProperties | Kind::Ignored => {}
        }
        Ok(())
    }

    fn finish_case(&mut self, at: usize) -> Result<(), JunitError> {
        if let Some(builder) = self.case.take() {
            if self.cases.len() >= self.limits.max_cases {
                let msg = format!("more than {} test cases in one file", self.limits.max_cases);
                return Err(self.error(at, msg, HINT_LIMIT));
            }
            let (case, over) = builder.finish();
            if let Some(property) = over {
                let msg = format!(
                    "test case `{}` names more than {MAX_CASE_REQUIREMENTS} requirement ids in its verifies/requirement properties",
                    case.id()
                );
                return Err(self.error(property, msg, HINT_LIMIT));
            }
            self.cases.push(case);
        }
        Ok(())
    }

    fn text(&mut self, chunk: &str, at: usize) -> Result<(), JunitError> {
        match self.stack.last().map(|f| f.kind) {
            None if !chunk.trim().is_empty() => Err(self.error(at, "text outside the root element", HINT_MALFORMED)),
            Some(Kind::Result | Kind::Property) => {
                if let Some(case) = self.case.as_mut() {
                    case.text(chunk);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// `&name;` or `&#n;` in text: quick-xml leaves them to us, and only the predefined five and
    /// character references exist without a DTD.
    fn reference(&mut self, reference: &BytesRef<'_>, at: usize) -> Result<(), JunitError> {
        let mut buf = [0u8; 4];
        let resolved: &str = match reference.resolve_char_ref() {
            Ok(Some(c)) => c.encode_utf8(&mut buf),
            Ok(None) => match resolve_xml_entity(reference) {
                Some(s) => s,
                None => {
                    let name: &str = reference;
                    return Err(self.error(at, format!("undefined entity `&{name};`"), HINT_ENTITY));
                }
            },
            Err(e) => return Err(self.error(at, format!("bad character reference: {e}"), HINT_ENTITY)),
        };
        self.text(resolved, at)
    }

    /// Text is always parsed as UTF-8, so another declared encoding is only safe while every
    /// byte is ASCII (then all ASCII-compatible encodings agree).
    fn declaration(&self, decl: &BytesDecl<'_>, at: usize) -> Result<(), JunitError> {
        let encoding = match decl.encoding() {
            None => return Ok(()),
            Some(Ok(e)) => e,
            Some(Err(e)) => return Err(self.error(at, format!("malformed XML declaration: {e}"), HINT_MALFORMED)),
        };
        let utf8 = ["utf-8", "utf8", "us-ascii", "ascii"].iter().any(|n| encoding.trim().eq_ignore_ascii_case(n));
        if utf8 || self.text.is_ascii() {
            return Ok(());
        }
        Err(self.error(at, format!("declared encoding `{encoding}` is not supported"), HINT_UTF8))
    }

    fn finish(self, at: usize) -> Result<Vec<TestCase>, JunitError> {
        if let Some(open) = self.stack.last() {
            let name = element_name(self.text, open.start);
            let (line, _) = line_col(self.text, open.start);
            let msg = format!("file ends inside <{name}> opened at line {line} (truncated?)");
            return Err(self.error(at, msg, HINT_MALFORMED));
        }
        if !self.seen_root {
            return Err(self.error(at, "no root element: the file is empty or holds no XML element", HINT_NOT_JUNIT));
        }
        Ok(self.cases)
    }

    fn xml_error(&self, position: u64, err: &quick_xml::Error) -> JunitError {
        let at = usize::try_from(position).unwrap_or(usize::MAX);
        // quick-xml sees `<!ENTITY` outside a DOCTYPE as generic bad markup; say what it is.
        if self.text.get(at..).is_some_and(|rest| rest.starts_with("<!ENTITY")) {
            return self.error(at, "entity declarations are refused", HINT_NO_DTD);
        }
        self.error(at, format!("malformed XML: {err}"), HINT_MALFORMED)
    }

    fn error(&self, at: usize, message: impl Into<String>, hint: &'static str) -> JunitError {
        error_at(self.path, self.text, at, message, hint)
    }
}

fn error_at(path: &Path, text: &str, at: usize, message: impl Into<String>, hint: &'static str) -> JunitError {
    let (line, col) = line_col(text, at);
    JunitError::new(path, line, col, message, hint)
}

/// Outcome a child element implies: `Some` for failure/error/skipped and the rerun elements
/// (still failing), `None` for the flaky ones (the case passed in the end).
fn child_outcome(name: &str) -> Option<Outcome> {
    match name {
        "failure" | "rerunFailure" => Some(Outcome::Failed),
        "error" | "rerunError" => Some(Outcome::Errored),
        "skipped" => Some(Outcome::Skipped),
        _ => None,
    }
}

/// The tag name starting at `start` (the `<`), for messages about an unclosed element.
fn element_name(text: &str, start: usize) -> &str {
    let rest = text.get(start.saturating_add(1)..).unwrap_or_default();
    let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}
