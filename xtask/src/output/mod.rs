//! How results leave the process: canonical JSON, terminal progress, GitHub Actions channels.

pub mod github;
pub mod json;
pub mod progress;

/// Writes to stdout. A reader that went away (`signet sums . | head -1`) is not an error: the
/// rest of the output is dropped quietly, as ripgrep does, and the process still exits with the
/// command's own verdict — so `sums . | head -1` exits 0, while a failing gate piped to `head`
/// still exits 1 and never passes a pipeline that checks its status. Any other write error (a
/// full disk behind a redirect) is unreadable output: exit 2.
/// `text` with every control character but newline and tab shown as `\u{…}`: what a record,
/// registry or file name says reaches a terminal or a CI log as text, never as escape sequences
/// that could rewrite or fake the lines around it.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect::<String>()
        .into()
}

pub fn stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(printable(text).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            std::process::exit(i32::from(crate::error::Exit::Usage.code()));
        }
    }
}

/// `--format`: human text, or one JSON document on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[cfg(test)]
mod printable_tests {
    #[test]
    fn control_characters_are_shown_never_sent() {
        let hostile = "x\n\u{1b}[32mPASS\u{1b}[0m\t\u{1b}[2K\r\u{9b}1A";
        let shown = super::printable(hostile);
        assert_eq!(shown, "x\n\\u{1b}[32mPASS\\u{1b}[0m\t\\u{1b}[2K\\u{d}\\u{9b}1A");
        assert!(matches!(super::printable("plain\ttext\n"), std::borrow::Cow::Borrowed(_)));
    }
}
