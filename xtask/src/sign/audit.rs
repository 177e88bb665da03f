//! The release's audit trail, `signatures/<ID>/audit.jsonl` (§11.10(e)): computer-generated,
//! one JSON event per line, each carrying the SHA-256 of the line before it, so deleting,
//! reordering or editing any line breaks the chain that `verify` recomputes.

use std::path::{Path, PathBuf};

use super::{SignError, Timestamp};
pub use crate::formats::audit_event::Event;
use crate::output::json;

const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

pub struct NewEvent<'a> {
    pub event: &'a str,
    pub signer: Option<&'a str>,
    pub role: Option<&'a str>,
    pub detail: Option<String>,
}

/// Appends one event, chained to the last line; the file is replaced atomically.
pub fn append(dir: &Path, release: &str, e: NewEvent<'_>) -> Result<PathBuf, SignError> {
    let path = dir.join(super::layout::AUDIT);
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(SignError::input(&path, err)),
    };
    let last = existing.lines().last();
    let seq = existing.lines().count() as u64 + 1;
    let event = Event {
        seq,
        at: Timestamp::now().to_string(),
        event: e.event.into(),
        release: release.into(),
        signer: e.signer.map(Into::into),
        role: e.role.map(Into::into),
        detail: e.detail,
        prev: last.map_or_else(|| GENESIS.to_string(), |l| crate::digest::tagged(l.as_bytes())),
    };
    let mut text = existing;
    text.push_str(&String::from_utf8_lossy(&json::to_canonical_bytes(&event)));
    text.push('\n');
    crate::fsx::atomic::write(&path, text.as_bytes()).map_err(|source| SignError::Write { path: path.clone(), source })
}

/// Parses and checks the whole chain; returns the events or every break found.
pub fn verify(text: &str, release: &str) -> Result<Vec<Event>, Vec<String>> {
    let mut problems = Vec::new();
    let mut events = Vec::new();
    let mut prev = GENESIS.to_string();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        match serde_json::from_str::<Event>(line) {
            Err(e) => problems.push(format!("audit.jsonl:{n}: not an audit event ({e})")),
            Ok(ev) => {
                if ev.prev != prev {
                    problems.push(format!(
                        "audit.jsonl:{n}: chain broken — `prev` does not match line {} (a line was edited, removed or reordered)",
                        n - 1
                    ));
                }
                if ev.seq != n as u64 {
                    problems.push(format!("audit.jsonl:{n}: sequence number {} where {n} was expected", ev.seq));
                }
                if ev.release != release {
                    problems.push(format!("audit.jsonl:{n}: event belongs to release `{}`", ev.release));
                }
                if json::to_canonical_bytes(&ev) != line.as_bytes() {
                    problems.push(format!("audit.jsonl:{n}: line is not in canonical form (edited by hand?)"));
                }
                events.push(ev);
            }
        }
        prev = crate::digest::tagged(line.as_bytes());
    }
    if text.is_empty() {
        problems.push("audit.jsonl is empty".into());
    }
    if problems.is_empty() { Ok(events) } else { Err(problems) }
}
