//! Consecutive failed re-authentications per signer, on this machine (PRS-014 #7). The state
//! lives outside the repository (`$XDG_STATE_HOME/signet/lockout/`), so a pull request cannot
//! reset it; on a laptop it is advisory — the real brute-force limit is the key's scrypt cost.

use std::path::PathBuf;

use super::{SignError, Timestamp};

pub const MAX_FAILURES: u32 = 3;
pub const MINUTES: i64 = 15;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct State {
    failures: u32,
    locked_until: Option<String>,
}

fn path(signer: &str) -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("signet/lockout").join(format!("{signer}.json"))
}

fn load(signer: &str) -> State {
    std::fs::read(path(signer)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn save(signer: &str, state: &State) {
    let p = path(signer);
    let _ = crate::fsx::atomic::ensure_parent(&p)
        .and_then(|()| crate::fsx::atomic::write(&p, &crate::output::json::to_canonical_bytes(state)));
}

pub fn check(signer: &str) -> Result<(), SignError> {
    let state = load(signer);
    if let Some(until) = state.locked_until.as_deref().and_then(Timestamp::parse)
        && Timestamp::now() < until
    {
        return Err(SignError::Refused(format!(
            "signing is locked for `{signer}` on this machine until {until} after three wrong passwords; \
             wait, or contact your Signet administrator"
        )));
    }
    Ok(())
}

/// Counts one more consecutive failure; returns the count.
pub fn record_failure(signer: &str) -> u32 {
    let mut state = load(signer);
    if state.locked_until.is_some() {
        state = State::default();
    }
    state.failures += 1;
    save(signer, &state);
    state.failures
}

pub fn lock(signer: &str) {
    let until = Timestamp(Timestamp::now().0 + MINUTES * 60);
    save(signer, &State { failures: 0, locked_until: Some(until.to_string()) });
}

pub fn reset(signer: &str) {
    save(signer, &State::default());
}
