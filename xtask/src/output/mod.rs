//! How results leave the process: canonical JSON, terminal progress, GitHub Actions channels.

pub mod github;
pub mod json;
pub mod progress;

/// Writes to stdout. A reader that went away (`signet sums . | head -1`) is not an error: the
/// rest of the output is dropped quietly, as ripgrep does, and the process still exits with the
/// command's own verdict — so `sums . | head -1` exits 0, while a failing gate piped to `head`
/// still exits 1 and never passes a pipeline that checks its status. Any other write error (a
/// full disk behind a redirect) is unreadable output: exit 2.
pub fn stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
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
