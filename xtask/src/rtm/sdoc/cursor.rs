//! A forward-only line cursor. Lines are found on demand rather than pre-split so a hostile
//! 64 MiB file of newlines costs no extra memory.

use std::path::Path;

use super::error::SdocError;

/// One line of input; `text` excludes the line break (`\n` or `\r\n`).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub text: &'a str,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the line break (or end of input).
    pub end: usize,
    /// 1-based line number.
    pub no: usize,
}

impl Line<'_> {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[derive(Clone)]
pub struct Cursor<'a> {
    pub file: &'a Path,
    text: &'a str,
    offset: usize,
    line_no: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        Cursor { file, text, offset: 0, line_no: 1 }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn peek(&self) -> Option<Line<'a>> {
        let rest = self.text.get(self.offset..)?;
        if rest.is_empty() {
            return None;
        }
        let (body, end) = match rest.find('\n') {
            Some(i) => (rest.get(..i).unwrap_or(""), self.offset + i + 1),
            None => (rest, self.text.len()),
        };
        let text = body.strip_suffix('\r').unwrap_or(body);
        Some(Line { text, start: self.offset, end, no: self.line_no })
    }

    pub fn advance(&mut self) {
        if let Some(line) = self.peek() {
            self.offset = line.end;
            self.line_no += 1;
        }
    }

    pub fn next_line(&mut self) -> Option<Line<'a>> {
        let line = self.peek()?;
        self.advance();
        Some(line)
    }

    /// Offset of the next unread byte: the end of everything consumed so far.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// True when only whitespace remains; trailing blank lines at the end of a file are accepted.
    pub fn rest_is_blank(&self) -> bool {
        self.text.get(self.offset..).is_none_or(|r| r.trim().is_empty())
    }

    /// An error pointing into `line` at character column `col` (1-based).
    pub fn error_at(
        &self,
        line: &Line<'_>,
        col: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> SdocError {
        SdocError::new(self.file, line.no, col, expected, found).with_snippet(line.text)
    }

    /// An error at the end of input, after the last line read.
    pub fn error_eof(&self, expected: impl Into<String>) -> SdocError {
        let last = self.text.get(..self.offset).unwrap_or("");
        let trimmed = last.strip_suffix('\n').unwrap_or(last);
        let ends_with_newline = trimmed.len() != last.len();
        let line_text = trimmed.rsplit('\n').next().unwrap_or("");
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        if ends_with_newline || last.is_empty() {
            SdocError::new(self.file, self.line_no, 1, expected, "end of file").with_snippet("")
        } else {
            let col = line_text.chars().count() + 1;
            SdocError::new(self.file, self.line_no.saturating_sub(1).max(1), col, expected, "end of file")
                .with_snippet(line_text)
        }
    }
}

/// How a line reads when shown as the `found` part of an error.
pub fn describe(line: &Line<'_>) -> String {
    if line.text.is_empty() {
        return "a blank line".to_string();
    }
    if line.text.trim().is_empty() {
        return "a line of only whitespace".to_string();
    }
    let short: String = line.text.chars().take(60).collect();
    if short.len() < line.text.len() { format!("`{short}…`") } else { format!("`{short}`") }
}

/// Column (1-based, in characters) of byte offset `byte` within `text`.
pub fn col_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(1, |s| s.chars().count() + 1)
}
