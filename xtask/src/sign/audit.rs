//! A release's record of events (§11.10(e)): computer-generated, one immutable file per event
//! under `signatures/<ID>/events/`, each named by its time and the SHA-256 of its exact bytes
//! (`formats::event`). Nothing is ever appended to or rewritten, so parallel signers' pull
//! requests merge without conflict; an edited event no longer matches its name, and a deleted
//! one leaves its signature unlogged or, deleted with it, shows in git history (`sign::drift`).
//!
//! Releases recorded before this layout keep their hash-chained `audit.jsonl`
//! (`formats::audit_event`): writers go on appending to it, and the gate checks its chain.

use std::path::{Path, PathBuf};

use super::{SignError, Timestamp, layout};
pub use crate::formats::audit_event::Event as ChainEvent;
pub use crate::formats::event::{Event, EventKind, FileRef, VERSION as EVENT_VERSION};
use crate::formats::ids::{ReleaseId, Role, SignerId};
use crate::fsx::read::{MAX_RECORD_BYTES, read_text};
use crate::output::json;

const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Most event files one release folder may hold, and the largest one: far beyond any real
/// release (a request, a few signatures, failed attempts; an event is under 1 KiB), small enough
/// that a flooded folder costs at most 128 MiB to read.
pub const MAX_EVENTS: usize = 2_000;
pub const MAX_EVENT_BYTES: u64 = 64 << 10;

/// One event to record, before it gets its time.
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub request_sha256: &'a str,
    pub signer: Option<&'a str>,
    pub role: Option<&'a str>,
    pub envelope: Option<FileRef>,
    pub locked_until: Option<Timestamp>,
    pub detail: Option<String>,
}

impl<'a> NewEvent<'a> {
    pub fn new(kind: EventKind, request_sha256: &'a str) -> NewEvent<'a> {
        NewEvent { kind, request_sha256, signer: None, role: None, envelope: None, locked_until: None, detail: None }
    }

    pub fn by(mut self, signer: &'a str, role: &'a str) -> NewEvent<'a> {
        self.signer = Some(signer);
        self.role = Some(role);
        self
    }

    pub fn file(mut self, file: &str, bytes: &[u8]) -> NewEvent<'a> {
        self.envelope = Some(FileRef { file: file.to_owned(), sha256: crate::digest::tagged(bytes) });
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> NewEvent<'a> {
        self.detail = Some(detail.into());
        self
    }
}

/// The event's file name: `<YYYYMMDDTHHMMSSZ>-<sha256 hex of its bytes>.json`, so a listing
/// reads in time order and the name proves the content.
pub fn file_name(at: Timestamp, bytes: &[u8]) -> String {
    let compact: String = at.to_string().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{compact}-{}.json", crate::digest::Digest::of(bytes).hex())
}

/// Records one event in the release folder `dir` (whose name is the release id): a new file
/// under `events/`, or a line appended to `audit.jsonl` for a release recorded that way.
pub fn record(dir: &Path, release: &str, e: NewEvent<'_>) -> Result<PathBuf, SignError> {
    let at = Timestamp::now();
    if dir.join(layout::AUDIT).exists() {
        return append_to_chain(dir, release, at, e);
    }
    let event = Event {
        schema: EVENT_VERSION.id(),
        at: at.to_string(),
        event: e.kind,
        release: ReleaseId::parse(release).map_err(|err| SignError::Refused(err.to_string()))?,
        request_sha256: e.request_sha256.to_owned(),
        signer: e.signer.map(SignerId::new),
        role: e.role.map(Role::new),
        envelope: e.envelope,
        locked_until: e.locked_until.map(|t| t.to_string()),
        detail: e.detail,
    };
    let bytes = json::to_canonical_bytes(&event);
    let path = layout::event_path(dir, &file_name(at, &bytes))?;
    crate::fsx::atomic::ensure_parent(&path)
        .and_then(|()| crate::fsx::atomic::write(&path, &bytes))
        .map_err(|source| SignError::Write { path: path.clone(), source })
}

/// The v1 layout: one canonical line, chained to the last; the file replaced atomically. The
/// line keeps the v1 fields, so the details the v1 gate looks for are spelled as it reads them.
fn append_to_chain(dir: &Path, release: &str, at: Timestamp, e: NewEvent<'_>) -> Result<PathBuf, SignError> {
    let path = dir.join(layout::AUDIT);
    let existing = read_text(&path, MAX_RECORD_BYTES).map_err(|err| SignError::input(&path, err))?;
    let detail = match (&e.kind, &e.envelope, e.detail) {
        (EventKind::SignatureCreated, Some(f), _) => Some(format!("envelope {}", f.sha256)),
        (_, _, detail) => detail,
    };
    let event = ChainEvent {
        seq: existing.lines().count() as u64 + 1,
        at: at.to_string(),
        event: e.kind.as_str().into(),
        release: release.into(),
        signer: e.signer.map(Into::into),
        role: e.role.map(Into::into),
        detail,
        prev: existing.lines().last().map_or_else(|| GENESIS.to_string(), |l| crate::digest::tagged(l.as_bytes())),
    };
    let mut text = existing;
    text.push_str(&String::from_utf8_lossy(&json::to_canonical_bytes(&event)));
    text.push('\n');
    crate::fsx::atomic::write(&path, text.as_bytes()).map_err(|source| SignError::Write { path: path.clone(), source })
}

/// A release's trail as read: the v1 chain's text, if any, and every event file (name, text),
/// sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trail {
    pub chain: Option<String>,
    pub events: Vec<(String, String)>,
}

impl Trail {
    /// Reads `audit.jsonl` and `events/` of a release folder; either may be absent.
    pub fn read(dir: &Path) -> Result<Trail, SignError> {
        let chain_path = dir.join(layout::AUDIT);
        let chain = match chain_path.exists() {
            true => Some(read_text(&chain_path, MAX_RECORD_BYTES).map_err(|e| SignError::input(&chain_path, e))?),
            false => None,
        };
        let events = read_small_files(&dir.join(layout::EVENTS), MAX_EVENTS, MAX_EVENT_BYTES)?;
        Ok(Trail { chain, events })
    }

    /// Whether the record logs a signature with exactly this text (by digest, and by file name
    /// where the event names one).
    pub fn logs_signature(&self, file: &str, text: &str) -> bool {
        let sha = crate::digest::tagged(text.as_bytes());
        let in_events = self.events.iter().filter_map(|(_, t)| serde_json::from_str::<Event>(t).ok()).any(|e| {
            e.event == EventKind::SignatureCreated && e.envelope.is_some_and(|f| f.file == file && f.sha256 == sha)
        });
        in_events || self.chain.as_deref().is_some_and(|c| c.contains(&format!("envelope {sha}")))
    }

    /// Whether anything has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.chain.is_none() && self.events.is_empty()
    }
}

/// The files of a record folder (`events/`, `withdrawals/`), by name with their text, sorted;
/// none if it does not exist. At most `max_files` of at most `max_bytes` each, so a flooded
/// folder cannot exhaust memory; a link in its place, or a name no file may have, is an error.
pub fn read_small_files(folder: &Path, max_files: usize, max_bytes: u64) -> Result<Vec<(String, String)>, SignError> {
    let mut files = Vec::new();
    match std::fs::symlink_metadata(folder) {
        Err(_) => return Ok(files),
        Ok(m) if !m.is_dir() => {
            return Err(SignError::input(folder, "is not a folder (a symbolic link?); the record's files live in it"));
        }
        Ok(_) => {}
    }
    for entry in std::fs::read_dir(folder).map_err(|e| SignError::input(folder, e))? {
        let entry = entry.map_err(|e| SignError::input(folder, e))?;
        if files.len() == max_files {
            return Err(SignError::input(
                folder,
                format!("holds more than {max_files} files; a release record never has that many"),
            ));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(crate::fsx::atomic::TEMP_PREFIX) {
            continue; // an interrupted write's leftover, never part of the record
        }
        let path = entry.path();
        if let Err(p) = crate::fsx::path_safety::check_name(&name) {
            return Err(SignError::input(&path, format!("is no record file name ({p}); remove it")));
        }
        files.push((name, read_text(&path, max_bytes).map_err(|e| SignError::input(&path, e))?));
    }
    files.sort();
    Ok(files)
}

/// One event file checked against its name and its release's request: the event, or why not.
pub fn check_event(file: &str, text: &str, release: &str, request_sha256: &str) -> Result<Event, String> {
    let event: Event = EVENT_VERSION.read(text.as_bytes()).map_err(|e| format!("not a Signet event ({e})"))?;
    if json::to_canonical_bytes(&event) != text.as_bytes() {
        return Err("not in canonical form: an event file is written once and never edited".into());
    }
    let at = Timestamp::parse(&event.at).ok_or_else(|| format!("`at` {:?} is not a time", event.at))?;
    if file != file_name(at, text.as_bytes()) {
        return Err(format!(
            "the file name does not match its content (expected {}): the event was edited after it was written",
            file_name(at, text.as_bytes())
        ));
    }
    if event.release.as_str() != release {
        return Err(format!("belongs to release {}, not {release}", event.release));
    }
    if event.request_sha256 != request_sha256 {
        return Err(format!(
            "belongs to request {}, not this release's request {request_sha256} (request replaced?)",
            event.request_sha256
        ));
    }
    Ok(event)
}

/// Parses and checks the whole v1 chain; returns the events or every break found.
pub fn verify_chain(text: &str, release: &str) -> Result<Vec<ChainEvent>, Vec<String>> {
    let mut problems = Vec::new();
    let mut events = Vec::new();
    let mut prev = GENESIS.to_string();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        match serde_json::from_str::<ChainEvent>(line) {
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
