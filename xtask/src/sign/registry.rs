//! The signer registry, `signatures/signers.toml` (§11.100, §11.300): who may sign, with which
//! key and roles. Append-only: enrolment appends a `[[signer]]`, revocation appends a
//! `[[revocation]]`; nothing is ever edited in place, so the file's history is the audit trail.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{SignError, Timestamp};

pub const PATH: &str = "signatures/signers.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Registry {
    pub signer: Vec<Signer>,
    pub revocation: Vec<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    /// `human` or `bot`; a bot key never satisfies a signature requirement.
    pub kind: String,
    pub key_id: String,
    pub public_key: String,
    pub enrolled_at: String,
    pub enrolled_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub signer: String,
    pub key_id: String,
    /// Signatures made before this time stay valid; later ones do not.
    pub at: String,
    pub reason: String,
    pub recorded_at: String,
}

/// A key's standing at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Valid,
    Revoked { at: String, reason: String },
    Expired { until: String },
    NotYetEnrolled { enrolled_at: String },
}

impl Registry {
    pub fn load(root: &Path) -> Result<(Registry, String), SignError> {
        let path = root.join(PATH);
        let bytes = match crate::fsx::read::read_bytes(&path, crate::fsx::read::MAX_RECORD_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Registry::default(), digest(b""))),
            Err(e) => return Err(SignError::input(&path, e)),
        };
        let text = String::from_utf8(bytes.clone()).map_err(|_| SignError::input(&path, "not UTF-8"))?;
        let reg: Registry = toml::from_str(&text).map_err(|e| {
            let (line, col) = crate::config::line_col(&text, e.span().map_or(0, |s| s.start));
            SignError::input(&path, format!("{line}:{col}: {}", e.message().trim()))
        })?;
        Ok((reg, digest(&bytes)))
    }

    pub fn by_key(&self, key_id: &str) -> Option<&Signer> {
        self.signer.iter().find(|s| s.key_id == key_id)
    }

    /// The signer's entries in enrolment order (one per key they ever had).
    pub fn entries<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Signer> + 'a {
        self.signer.iter().filter(move |s| s.id == id)
    }

    pub fn revocation(&self, key_id: &str) -> Option<&Revocation> {
        self.revocation.iter().find(|r| r.key_id == key_id)
    }

    /// Whether `key_id` could sign at `at`: enrolled by then, not expired, not revoked before.
    pub fn standing(&self, signer: &Signer, at: &Timestamp) -> Standing {
        if at < &Timestamp::parse(&signer.enrolled_at).unwrap_or(Timestamp::MAX) {
            return Standing::NotYetEnrolled { enrolled_at: signer.enrolled_at.clone() };
        }
        if let Some(until) = &signer.valid_until
            && Timestamp::parse(until).is_some_and(|u| at > &u)
        {
            return Standing::Expired { until: until.clone() };
        }
        match self.revocation(&signer.key_id) {
            Some(r) if Timestamp::parse(&r.at).is_none_or(|t| at >= &t) => {
                Standing::Revoked { at: r.at.clone(), reason: r.reason.clone() }
            }
            _ => Standing::Valid,
        }
    }

    /// The entry that is active now for `id`: not revoked, not expired.
    pub fn active<'a>(&'a self, id: &'a str, now: &Timestamp) -> Option<&'a Signer> {
        self.entries(id).filter(|s| self.standing(s, now) == Standing::Valid).last()
    }

    /// Appends one enrolment after checking the registry's rules.
    pub fn enroll(&self, root: &Path, s: &Signer, now: &Timestamp) -> Result<PathBuf, SignError> {
        if self.active(&s.id, now).is_some() {
            return Err(SignError::Registry(format!(
                "`{}` already has an active key; revoke it first (signet revoke --signer {} …): one active key per person",
                s.id, s.id
            )));
        }
        if let Some(other) = self.by_key(&s.key_id) {
            return Err(SignError::Registry(format!(
                "this key ({}) is already enrolled for `{}`; a key belongs to one person and is never reused",
                s.key_id, other.id
            )));
        }
        if s.enrolled_by == s.id {
            return Err(SignError::Registry(format!(
                "`{}` cannot enrol themselves: --enrolled-by must name the person who verified their identity",
                s.id
            )));
        }
        append(root, &toml_table("signer", s)?)
    }

    pub fn revoke(&self, root: &Path, id: &str, at: &str, reason: &str, now: &Timestamp) -> Result<PathBuf, SignError> {
        let at_ts = Timestamp::parse(at).ok_or_else(|| {
            SignError::Refused(format!("--at `{at}` is not an RFC 3339 UTC time like 2026-11-22T10:00:00Z"))
        })?;
        let signer = self
            .entries(id)
            .filter(|s| self.revocation(&s.key_id).is_none())
            .last()
            .ok_or_else(|| SignError::Registry(format!("`{id}` has no unrevoked key")))?;
        let r = Revocation {
            signer: id.into(),
            key_id: signer.key_id.clone(),
            at: at_ts.to_string(),
            reason: reason.into(),
            recorded_at: now.to_string(),
        };
        append(root, &toml_table("revocation", &r)?)
    }
}

pub fn digest(bytes: &[u8]) -> String {
    crate::digest::tagged(bytes)
}

/// `[[name]]` with one `key = "value"` line per field. JSON string literals are valid TOML basic
/// strings, so serde_json does the escaping.
fn toml_table<T: Serialize>(name: &str, value: &T) -> Result<String, SignError> {
    let json = serde_json::to_value(value).map_err(|e| SignError::Registry(e.to_string()))?;
    let mut out = format!("\n[[{name}]]\n");
    for (k, v) in json.as_object().into_iter().flatten() {
        out.push_str(&format!("{k} = {v}\n"));
    }
    Ok(out)
}

/// Appending means rewriting: the whole new file replaces the old one atomically, so a killed
/// `enroll` never leaves half a table behind.
fn append(root: &Path, text: &str) -> Result<PathBuf, SignError> {
    let path = root.join(PATH);
    let write = |path: &Path| -> std::io::Result<PathBuf> {
        crate::fsx::atomic::ensure_parent(path)?;
        let mut bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                b"# Signet signer registry (append-only; CODEOWNERS-protected)\n".to_vec()
            }
            Err(e) => return Err(e),
        };
        bytes.extend_from_slice(text.as_bytes());
        crate::fsx::atomic::write(path, &bytes)
    };
    write(&path).map_err(|source| SignError::Write { path: path.clone(), source })
}
