//! Byte offsets to 1-based line/column, for test-case lines and error locations.

/// Tracks the line of ascending offsets, so numbering every test case costs one pass in total.
pub(super) struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines { text: text.as_bytes(), offset: 0, line: 1 }
    }

    pub(super) fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            // Not expected (callers go forward), but restart rather than report a wrong line.
            self.offset = 0;
            self.line = 1;
        }
        self.line += count_newlines(self.text.get(self.offset..offset).unwrap_or_default());
        self.offset = offset;
        self.line
    }
}

/// Line and character column of `offset`, clamped into `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text.get(..end).unwrap_or_default();
    let line = 1 + count_newlines(before.as_bytes());
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = 1 + before.get(line_start..).unwrap_or_default().chars().count();
    (line, col)
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}
