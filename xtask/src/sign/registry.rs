//! The signer registry, `signatures/signers.toml` (§11.100, §11.300): who may sign, with which
//! key or OIDC identity (keyless, Sigstore), and roles. Append-only: enrolment appends a `[[signer]]`, revocation appends a
//! `[[revocation]]`; nothing is ever edited in place, so the file's history is the audit trail.

use std::path::{Path, PathBuf};

use super::{SignError, Timestamp};
use crate::formats::ids::{Role, SignerId, fold};
pub use crate::formats::registry::{Approval, Delegation, Registry, Revocation, Signer, SignerKind};

/// A key's standing at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Valid,
    Revoked { at: String, reason: String },
    Expired { until: String },
    NotYetEnrolled { enrolled_at: String },
}

impl Registry {
    /// The repository's registry, `signatures/signers.toml`: a regular file, never a link to
    /// a copy elsewhere that a pull request could have trimmed.
    pub fn load(root: &Path) -> Result<(Registry, String), SignError> {
        let path = root.join(super::layout::REGISTRY);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(SignError::input(
                &path,
                "is a symbolic link, not a regular file: the registry lives under signatures/ itself",
            ));
        }
        Registry::load_file(&path)
    }

    /// A registry file anywhere (a missing one is empty).
    pub fn load_file(path: &Path) -> Result<(Registry, String), SignError> {
        let path = path.to_path_buf();
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
        self.signer.iter().find(|s| !key_id.is_empty() && s.key_id == key_id)
    }

    /// Every entry that ever enrolled this OIDC identity (compared exactly, as verification does),
    /// under any issuer.
    pub fn by_identity<'a, 'b>(&'a self, identity: &'b str) -> impl Iterator<Item = &'a Signer> + use<'a, 'b> {
        self.signer.iter().filter(move |s| s.identity.as_deref() == Some(identity))
    }

    /// The signer's entries in enrolment order (one per key they ever had).
    pub fn entries<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Signer> + 'a {
        self.signer.iter().filter(move |s| s.id == id)
    }

    /// The revocation that applies to `key_id`: the earliest, so that a later (or hand-added,
    /// far-future) revocation of the same key can never hide a real one. An unreadable time
    /// counts as the earliest of all.
    pub fn revocation(&self, key_id: &str) -> Option<&Revocation> {
        self.revocation
            .iter()
            .filter(|r| r.key_id == key_id)
            .min_by_key(|r| Timestamp::parse(&r.at).map_or(i64::MIN, |t| t.0))
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

    /// Whether two signer ids are one person: the same id, or entries sharing a printed name or
    /// email, compared as `formats::ids::fold` folds them.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        if fold(a) == fold(b) {
            return true;
        }
        let keys = |id: &str| -> Vec<String> {
            self.signer
                .iter()
                .filter(|s| fold(&s.id) == fold(id))
                .flat_map(|s| [fold(&s.name), fold(&s.email)])
                .collect()
        };
        let of_a = keys(a);
        keys(b).iter().any(|k| !k.is_empty() && of_a.contains(k))
    }

    /// The entry that is active now for `id`: not revoked, not expired.
    pub fn active<'a>(&'a self, id: &'a str, now: &Timestamp) -> Option<&'a Signer> {
        self.entries(id).filter(|s| self.standing(s, now) == Standing::Valid).last()
    }

    /// Refuses an enrolment that breaks the registry's rules: one active credential and one
    /// active identity per person (id, printed name and email unique among active signers, as
    /// `formats::ids::fold` compares them), roles the policy requires, keys and OIDC identities
    /// never reused.
    pub fn check_enrolment(&self, s: &Signer, policy_roles: &[&str], now: &Timestamp) -> Result<(), SignError> {
        check_identity(s)?;
        check_person(s)?;
        let refuse = |m: String| Err(SignError::Registry(m));
        if let Some(role) = s.roles.iter().find(|r| !policy_roles.contains(&r.as_str())) {
            return refuse(format!(
                "role `{role}` is not required by the signing policy (signet.toml [[signing.required]]: {}); \
                 enrol people for the roles that exist",
                policy_roles.join(", ")
            ));
        }
        if self.active(&s.id, now).is_some() {
            return refuse(format!(
                "`{}` already has an active key or identity; revoke it first (signet revoke --signer {} …): \
                 one active credential per person",
                s.id, s.id
            ));
        }
        if let Some(o) = self.signer.iter().find(|o| o.id != s.id && fold(&o.id) == fold(&s.id)) {
            return refuse(format!(
                "`{}` looks like the existing signer id `{}` (ids are compared after Unicode case folding and \
                 confusable mapping); choose a distinct id",
                s.id, o.id
            ));
        }
        let active_others = self.signer.iter().filter(|o| o.id != s.id && self.standing(o, now) == Standing::Valid);
        for o in active_others {
            for (what, mine, theirs) in [("printed name", &s.name, &o.name), ("email", &s.email, &o.email)] {
                if fold(mine) == fold(theirs) {
                    return refuse(format!(
                        "the {what} `{mine}` is already active for `{}`: one person holds one active identity; \
                         revoke `{}` first if this is the same person",
                        o.id, o.id
                    ));
                }
            }
        }
        if let Some(identity) = &s.identity
            && let Some(other) = self
                .signer
                .iter()
                .find(|o| o.id != s.id && o.identity.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(identity)))
        {
            return refuse(format!(
                "the identity {identity} is already enrolled for `{}`; an identity belongs to one person and is \
                 never reassigned (§11.100(a))",
                other.id
            ));
        }
        if let Some(other) = self.by_key(&s.key_id) {
            return refuse(format!(
                "this key ({}) is already enrolled for `{}`; a key belongs to one person and is never reused",
                s.key_id, other.id
            ));
        }
        Ok(())
    }

    /// The revocation of `id`'s latest unrevoked credential from `at`.
    pub fn revocation_entry(&self, id: &str, at: &str, reason: &str, now: &Timestamp) -> Result<Revocation, SignError> {
        let at_ts = Timestamp::parse(at).ok_or_else(|| {
            SignError::Refused(format!("--at `{at}` is not an RFC 3339 UTC time like 2026-11-22T10:00:00Z"))
        })?;
        if reason.trim().is_empty() {
            return Err(SignError::Refused("--reason must say why the credential is revoked".into()));
        }
        let signer = self
            .entries(id)
            .filter(|s| self.revocation(&s.key_id).is_none())
            .last()
            .ok_or_else(|| SignError::Registry(format!("`{id}` has no unrevoked key")))?;
        Ok(Revocation {
            signer: signer.id.clone(),
            key_id: signer.key_id.clone(),
            at: at_ts.to_string(),
            reason: reason.into(),
            recorded_at: now.to_string(),
        })
    }
}

/// One entry to append to the registry, with the administrators' approvals of it.
#[derive(Debug, Clone, Copy)]
pub enum NewEntry<'a> {
    Signer(&'a Signer),
    Revocation(&'a Revocation),
    Delegation(&'a Delegation),
}

/// Appends `entry` and its approvals in one atomic write.
pub fn append_entry(root: &Path, entry: NewEntry<'_>, approvals: &[Approval]) -> Result<PathBuf, SignError> {
    let mut text = match entry {
        NewEntry::Signer(s) => toml_table("signer", s)?,
        NewEntry::Revocation(r) => toml_table("revocation", r)?,
        NewEntry::Delegation(d) => toml_table("delegation", d)?,
    };
    for a in approvals {
        text.push_str(&toml_table("approval", a)?);
    }
    append(root, &text)
}

/// A printed name and an email a person can be told apart by.
fn check_person(s: &Signer) -> Result<(), SignError> {
    let bad = |m: String| Err(SignError::Refused(m));
    let name_ok =
        |n: &str| !n.trim().is_empty() && n.trim() == n && n.chars().count() <= 128 && !n.chars().any(char::is_control);
    if !name_ok(&s.name) {
        return bad(format!(
            "--name {:?} must be the person's printed name: not empty, at most 128 characters, without surrounding \
             spaces or control characters",
            s.name
        ));
    }
    for (flag, value) in [("--department", &s.department), ("--title", &s.title)] {
        if let Some(v) = value.as_deref().filter(|v| !name_ok(v)) {
            return bad(format!(
                "{flag} {v:?} must be at most 128 characters, without surrounding spaces or control characters"
            ));
        }
    }
    let (local, domain) = s.email.split_once('@').unwrap_or_default();
    if local.is_empty()
        || !domain.contains('.')
        || s.email.chars().any(|c| c.is_whitespace() || c.is_control())
        || s.email.len() > 254
    {
        return bad(format!("--email {:?} must be an email address like dana@example.com", s.email));
    }
    Ok(())
}

/// The credential id of an identity-only entry: `oidc:` + the `sha256:` digest of the canonical
/// JSON `[issuer, identity, enrolled_at]`. It includes the enrolment time so that the same
/// person can enrol the same identity again after a revocation without the old revocation
/// applying to the new entry.
/// What an administrator enrols (`signet enroll`): a person, the roles they may sign for, and
/// their credential — a public key, an OIDC identity with its issuer, or both.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub id: String,
    pub name: String,
    pub email: String,
    pub department: Option<String>,
    pub title: Option<String>,
    pub roles: Vec<String>,
    pub public_key: Option<p256::ecdsa::VerifyingKey>,
    pub identity: Option<String>,
    pub issuer: Option<String>,
    /// The last day or time the credential may sign (RFC 3339 time or date).
    pub valid_until: Option<String>,
    /// A CI or service key: recorded, never able to satisfy a signature requirement.
    pub bot: bool,
}

impl Enrolment {
    /// The registry entry, enrolled at `now` by the administrator `admin`; the ids parsed by
    /// their rules (`formats::ids`). `Registry::check_enrolment` checks it against the registry.
    pub fn entry(self, now: Timestamp, admin: &SignerId) -> Result<Signer, SignError> {
        let id = SignerId::parse(&self.id).map_err(|e| SignError::Refused(e.to_string()))?;
        let roles = self
            .roles
            .iter()
            .map(|r| Role::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SignError::Refused(e.to_string()))?;
        let valid_until = match &self.valid_until {
            Some(v) => Some(
                Timestamp::parse(v)
                    .ok_or_else(|| SignError::Refused(format!("--valid-until `{v}` is not a date or RFC 3339 time")))?
                    .to_string(),
            ),
            None => None,
        };
        let enrolled_at = now.to_string();
        let key_id = match (&self.public_key, &self.identity, &self.issuer) {
            (Some(vk), _, _) => super::keys::key_id(vk),
            (None, Some(identity), Some(issuer)) => identity_key_id(issuer, identity, &enrolled_at),
            _ => String::new(),
        };
        Ok(Signer {
            id,
            name: self.name,
            email: self.email,
            department: self.department.filter(|d| !d.trim().is_empty()),
            title: self.title.filter(|t| !t.trim().is_empty()),
            roles,
            kind: if self.bot { SignerKind::Bot } else { SignerKind::Human },
            key_id: key_id.into(),
            public_key: self.public_key.as_ref().map(super::keys::public_pem).unwrap_or_default(),
            identity: self.identity,
            issuer: self.issuer,
            enrolled_at,
            enrolled_by: admin.to_string(),
            valid_until,
        })
    }
}

pub fn identity_key_id(issuer: &str, identity: &str, enrolled_at: &str) -> String {
    let canonical = serde_json::to_vec(&[issuer, identity, enrolled_at]).unwrap_or_default();
    format!("oidc:{}", digest(&canonical))
}

/// An entry names a key, an identity with its issuer, or both; identities are exact strings
/// and issuers https URLs, as Fulcio writes them.
fn check_identity(s: &Signer) -> Result<(), SignError> {
    let bad = |m: String| Err(SignError::Refused(m));
    match (&s.identity, &s.issuer) {
        (None, None) if s.public_key.is_empty() => {
            bad(format!("`{}` needs a credential: --pubkey PEM, or --identity with --issuer (keyless)", s.id))
        }
        (None, None) => Ok(()),
        (Some(_), None) | (None, Some(_)) => {
            bad("--identity and --issuer go together: the issuer is what vouches for the identity".into())
        }
        (Some(identity), Some(issuer)) => {
            if identity.is_empty() || identity.trim() != identity || identity.chars().any(char::is_control) {
                return bad(format!(
                    "--identity `{identity}` must be the exact certificate identity (an email or URI), \
                     not empty and without surrounding spaces or control characters"
                ));
            }
            if !is_https_url(issuer) {
                return bad(format!(
                    "--issuer `{issuer}` must be the OIDC issuer's https URL, e.g. https://accounts.google.com"
                ));
            }
            Ok(())
        }
    }
}

fn is_https_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && !host.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn digest(bytes: &[u8]) -> String {
    crate::digest::tagged(bytes)
}

/// `[[name]]` with one `key = "value"` line per field. JSON string literals are valid TOML basic
/// strings, so serde_json does the escaping.
fn toml_table<T: serde::Serialize>(name: &str, value: &T) -> Result<String, SignError> {
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
    let path = root.join(super::layout::REGISTRY);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keyless(identity: &str, issuer: &str) -> Signer {
        Signer {
            id: "alice".into(),
            name: "Alice".into(),
            email: "alice@example.com".into(),
            department: None,
            title: None,
            roles: vec!["QA".into()],
            kind: SignerKind::Human,
            key_id: identity_key_id(issuer, identity, "2026-01-01T00:00:00Z").into(),
            public_key: String::new(),
            identity: Some(identity.into()),
            issuer: Some(issuer.into()),
            enrolled_at: "2026-01-01T00:00:00Z".into(),
            enrolled_by: "admin".into(),
            valid_until: None,
        }
    }

    #[test]
    fn issuers_are_https_urls_and_identities_exact() {
        for good in ["https://accounts.google.com", "https://github.com/login/oauth", "https://a.example:8443/x"] {
            assert!(check_identity(&keyless("alice@example.com", good)).is_ok(), "{good}");
        }
        for bad in [
            "http://accounts.google.com",
            "https://",
            "https:///x",
            "accounts.google.com",
            "https://a b",
            "https://u@h",
        ] {
            assert!(check_identity(&keyless("alice@example.com", bad)).is_err(), "{bad}");
        }
        for bad in ["", " alice@example.com", "alice@example.com\n", "alice\u{7}@example.com"] {
            assert!(check_identity(&keyless(bad, "https://accounts.google.com")).is_err(), "{bad:?}");
        }
        let mut neither = keyless("a", "https://x");
        neither.identity = None;
        neither.issuer = None;
        assert!(check_identity(&neither).is_err(), "an entry needs a key or an identity");
    }

    #[test]
    fn identity_entries_have_their_own_credential_id_per_enrolment() {
        let a = identity_key_id("https://accounts.google.com", "alice@example.com", "2026-01-01T00:00:00Z");
        let b = identity_key_id("https://accounts.google.com", "alice@example.com", "2026-02-01T00:00:00Z");
        let c = identity_key_id("https://github.com/login/oauth", "alice@example.com", "2026-01-01T00:00:00Z");
        assert!(a.starts_with("oidc:sha256:") && a != b && a != c, "{a} {b} {c}");
        // An empty key id never matches an entry, whatever the registry holds.
        let reg = Registry {
            signer: vec![Signer { key_id: Default::default(), ..keyless("a", "https://x") }],
            revocation: vec![],
            approval: vec![],
            delegation: vec![],
        };
        assert!(reg.by_key("").is_none());
    }

    #[test]
    fn registries_without_identities_read_unchanged() {
        let old = "[[signer]]\nid = \"dana\"\nname = \"Dana\"\nemail = \"d@x\"\nroles = [\"QA\"]\nkind = \"human\"\n\
                   key_id = \"sha256:00\"\npublic_key = \"PEM\"\nenrolled_at = \"2026-01-01T00:00:00Z\"\nenrolled_by = \"admin\"\n";
        let reg: Registry = toml::from_str(old).unwrap();
        assert_eq!(reg.signer[0].identity, None);
        assert_eq!(reg.signer[0].public_key, "PEM");
        let json = serde_json::to_value(&reg.signer[0]).unwrap();
        assert!(json.get("identity").is_none() && json.get("issuer").is_none(), "{json}");
    }
}
