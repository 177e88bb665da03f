//! A one-line progress meter on a terminal; nothing at all in CI or when stderr is redirected.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: &'static str,
    total: u64,
    done: u64,
    files: u64,
    last_draw: Option<Instant>,
    enabled: bool,
}

impl Progress {
    /// `total`: the number of files; their sizes are known only as each is opened.
    pub fn new(label: &'static str, total: usize) -> Progress {
        let enabled = std::io::stderr().is_terminal() && !super::github::in_ci();
        Progress { label, total: total as u64, done: 0, files: 0, last_draw: None, enabled }
    }

    pub fn hidden() -> Progress {
        Progress { enabled: false, ..Progress::new("", 0) }
    }

    pub fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self.last_draw.is_some_and(|t| now - t < Duration::from_millis(100)) {
            return;
        }
        self.last_draw = Some(now);
        let pct = (self.files * 100).checked_div(self.total).unwrap_or(100);
        eprint!("\r{}: {:>3}% of {} files, {} MiB", self.label, pct, self.total, self.done >> 20);
        let _ = std::io::stderr().flush();
    }

    pub fn file_done(&mut self) {
        self.files += 1;
    }

    pub fn finish(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}
