//! Consecutive failed re-authentications per signer (PRS-014 #7). Two places remember them:
//!
//! - this machine's state, `$XDG_STATE_HOME/signet/lockout/<signer id>.json`, outside the
//!   repository, so a pull request cannot reset it; and
//! - the release's own record: every failed attempt and lockout is an event file, and an open
//!   lockout window there refuses the ceremony on any machine, while the final gate fails a
//!   signature made inside one (`sign::gate`).
//!
//! Both are client-side: someone who controls the machine and deletes uncommitted event files
//! can evade them (SECURITY.md says so); the real brute-force limit of a key file is its
//! scrypt cost, and server-side lockout with MFA is the identity provider's, with keyless
//! signing.

use std::path::{Path, PathBuf};

use super::audit::{EventKind, Trail};
use super::{SignError, Timestamp};
use crate::formats::ids::SignerId;

pub const MAX_FAILURES: u32 = 3;
pub const MINUTES: i64 = 15;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    failures: u32,
    locked_until: Option<String>,
}

/// The state file of a validated signer id, which is always one safe file-name component.
fn path(signer: &SignerId) -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("signet/lockout").join(format!("{signer}.json"))
}

fn load(signer: &SignerId) -> Result<State, SignError> {
    let p = path(signer);
    match std::fs::read(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(SignError::input(&p, format!("cannot read the lockout state: {e}"))),
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            SignError::input(
                &p,
                format!("the lockout state is not Signet's ({e}); it was edited — ask your Signet administrator"),
            )
        }),
    }
}

fn save(signer: &SignerId, state: &State) -> Result<(), SignError> {
    let p = path(signer);
    crate::fsx::atomic::ensure_parent(&p)
        .and_then(|()| crate::fsx::atomic::write(&p, &crate::output::json::to_canonical_bytes(state)))
        .map(|_| ())
        .map_err(|source| SignError::Write { path: p, source })
}

/// Refuses while a lockout is open for `signer`, on this machine or in the release's record.
pub fn check(signer: &SignerId, release_dir: &Path) -> Result<(), SignError> {
    let now = Timestamp::now();
    let local = load(signer)?.locked_until.as_deref().and_then(Timestamp::parse);
    let recorded = windows(&Trail::read(release_dir)?, signer).into_iter().map(|(_, until)| until).max();
    if let Some(until) = local.into_iter().chain(recorded).filter(|u| now < *u).max() {
        return Err(SignError::Refused(format!(
            "signing is locked for `{signer}` until {until} after {MAX_FAILURES} wrong passwords; \
             wait, or contact your Signet administrator"
        )));
    }
    Ok(())
}

/// Counts one more consecutive failure; returns the count.
pub fn record_failure(signer: &SignerId) -> Result<u32, SignError> {
    let mut state = load(signer)?;
    if state.locked_until.is_some() {
        state = State::default();
    }
    state.failures += 1;
    save(signer, &state)?;
    Ok(state.failures)
}

/// Locks signing for `signer` on this machine; returns when the lock ends.
pub fn lock(signer: &SignerId) -> Result<Timestamp, SignError> {
    let until = Timestamp(Timestamp::now().0 + MINUTES * 60);
    save(signer, &State { failures: 0, locked_until: Some(until.to_string()) })?;
    Ok(until)
}

/// Clears the count after a success; returns the consecutive failures it ends.
pub fn reset(signer: &SignerId) -> Result<u32, SignError> {
    let failures = load(signer)?.failures;
    save(signer, &State::default())?;
    Ok(failures)
}

/// The lockout windows `[from, until)` the record holds for `signer`: from its event files,
/// and from the v1 chain (whose lockouts lasted [`MINUTES`]).
pub fn windows(trail: &Trail, signer: &str) -> Vec<(Timestamp, Timestamp)> {
    let from_events = trail.events.iter().filter_map(|(_, text)| {
        let e: super::audit::Event = serde_json::from_str(text).ok()?;
        let until = Timestamp::parse(e.locked_until.as_deref()?)?;
        (e.event == EventKind::Lockout && e.signer.as_deref() == Some(signer))
            .then_some((Timestamp::parse(&e.at)?, until))
    });
    let from_chain = trail.chain.iter().flat_map(|t| t.lines()).filter_map(|line| {
        let e: super::audit::ChainEvent = serde_json::from_str(line).ok()?;
        let at = Timestamp::parse(&e.at)?;
        (e.event == "lockout" && e.signer.as_deref() == Some(signer)).then_some((at, Timestamp(at.0 + MINUTES * 60)))
    });
    from_events.chain(from_chain).collect()
}
