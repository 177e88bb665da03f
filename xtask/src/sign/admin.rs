//! Registry administration as signed acts (§11.100(b), §11.300; seed 002 §8.1). An
//! administrator named in the organisation's trust file enrols or revokes at a terminal: sees
//! the entry, types the signer id to state "identity verified", and re-authenticates with their
//! key's password. The entry is appended with the administrator's signature over it, which the
//! final gate chains to the trust file. No administrator enrols or revokes themselves, or
//! delegates to or from themselves.

use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;

use super::policy::SigningConfig;
use super::registry::{Delegation, Enrolment, NewEntry, Registry, Revocation, Signer, append_entry};
use super::terminal::Terminal;
use super::trust::{self, APPROVAL_MEANING, Admin, TrustFile};
use super::{SignError, Timestamp, delegation, keys, layout};
use crate::formats::ids::fold;

/// The administrator and where their anchor is.
#[derive(Debug, Clone)]
pub struct AdminOptions {
    pub root: PathBuf,
    /// The administrator's encrypted key (keygen's KEY; KEY.pub beside it names them).
    pub key: PathBuf,
    /// The trust file naming the administrators (default `signatures/trust.json`).
    pub trust: Option<PathBuf>,
}

/// Enrols a person, signed by the administrator at the terminal.
pub fn enroll(
    opts: &AdminOptions,
    enrolment: Enrolment,
    policy: &SigningConfig,
) -> Result<(Signer, PathBuf), SignError> {
    let admin = administrator(opts)?;
    let now = Timestamp::now();
    let signer = enrolment.entry(now, &admin.id)?;
    refuse_oneself(&admin, &signer.id, &signer.key_id, "enrol")?;
    let (registry, _) = Registry::load(&opts.root)?;
    let roles: Vec<&str> = policy.required.iter().map(|r| r.role.as_str()).collect();
    registry.check_enrolment(&signer, &roles, &now)?;
    // Every rule is checked first, so a refusal needs no terminal; the signature does.
    let mut tty = Terminal::open("enrolment")?;
    let mut t = String::from("\n=== Enrolment in the signer registry (21 CFR 11.100) ===\n");
    t.push_str(&format!("Person:      {} <{}>\n", signer.name, signer.email));
    t.push_str(&format!("Signer id:   {}\n", signer.id));
    t.push_str(&format!("Roles:       {}\n", signer.roles.join(", ")));
    t.push_str(&format!("Credential:  {} ({})\n", signer.key_id, signer.kind));
    t.push_str(&format!("Administrator: {} ({})\n", admin.id, admin.key_id));
    tty.say(&t);
    let key = attest(&mut tty, opts, &admin, &signer.id)?;
    let approval = trust::approve(trust::entry_sha256(&signer), &admin, &key, Timestamp::now());
    let path = append_entry(&opts.root, NewEntry::Signer(&signer), &[approval])?;
    Ok((signer, path))
}

/// Revokes `id`'s credential from `at`, signed by the administrator at the terminal.
pub fn revoke(opts: &AdminOptions, id: &str, at: &str, reason: &str) -> Result<(Revocation, PathBuf), SignError> {
    let admin = administrator(opts)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let r = registry.revocation_entry(id, at, reason, &Timestamp::now())?;
    refuse_oneself(&admin, &r.signer, &r.key_id, "revoke")?;
    let mut tty = Terminal::open("revocation")?;
    tty.say(&format!(
        "\n=== Revocation in the signer registry (21 CFR 11.300) ===\nSigner id:   {}\nCredential:  {}\nFrom:        {}\nReason:      {}\nAdministrator: {} ({})\n",
        r.signer, r.key_id, r.at, r.reason, admin.id, admin.key_id
    ));
    let key = attest(&mut tty, opts, &admin, &r.signer)?;
    let approval = trust::approve(trust::entry_sha256(&r), &admin, &key, Timestamp::now());
    let path = append_entry(&opts.root, NewEntry::Revocation(&r), &[approval])?;
    Ok((r, path))
}

/// Records a delegation of one role, signed by the administrator at the terminal.
pub fn delegate(
    opts: &AdminOptions,
    request: &delegation::Request,
    policy: &SigningConfig,
) -> Result<(Delegation, PathBuf), SignError> {
    let admin = administrator(opts)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let roles: Vec<&str> = policy.required.iter().map(|r| r.role.as_str()).collect();
    let d = delegation::entry(&registry, request, &roles, Timestamp::now())?;
    for id in [&d.delegator, &d.delegate] {
        let key = registry.active(id, &Timestamp::now()).map(|s| s.key_id.to_string()).unwrap_or_default();
        refuse_oneself(&admin, id, &key, "delegate to or from")?;
    }
    let mut tty = Terminal::open("delegation")?;
    tty.say(&format!(
        "\n=== Delegation of signing authority (21 CFR 11.100) ===\nRole:        {}\nFrom:        {} (delegator)\nTo:          {} (delegate)\nWindow:      {} to {}\nReason:      {}\nAdministrator: {} ({})\n",
        d.role, d.delegator, d.delegate, d.from, d.until, d.reason, admin.id, admin.key_id
    ));
    let key = attest(&mut tty, opts, &admin, &d.delegate)?;
    let approval = trust::approve(trust::entry_sha256(&d), &admin, &key, Timestamp::now());
    let path = append_entry(&opts.root, NewEntry::Delegation(&d), &[approval])?;
    Ok((d, path))
}

/// The administrator whose key this is, in the trust file's current version.
fn administrator(opts: &AdminOptions) -> Result<Admin, SignError> {
    let trust_path = opts.trust.clone().unwrap_or_else(|| opts.root.join(layout::TRUST));
    let trust = TrustFile::load(&trust_path)?;
    let pub_path = keys::public_key_path(&opts.key);
    let vk = keys::read_public_key(&pub_path).map_err(|e| {
        SignError::input(&pub_path, format!("{e}; keep the .pub file keygen wrote beside the administrator's key"))
    })?;
    let key_id = keys::key_id(&vk);
    trust.trust.latest().admins.iter().find(|a| a.key_id == key_id).cloned().ok_or_else(|| {
        SignError::Refused(format!(
            "the key {} ({key_id}) is not an administrator's in {}: only the organisation's registry administrators \
             enrol and revoke",
            opts.key.display(),
            trust_path.display()
        ))
    })
}

fn refuse_oneself(admin: &Admin, id: &str, key_id: &str, act: &str) -> Result<(), SignError> {
    if admin.key_id == key_id || fold(&admin.id) == fold(id) {
        return Err(SignError::Refused(format!(
            "administrator `{}` cannot {act} themselves (`{id}`): another administrator must",
            admin.id
        )));
    }
    Ok(())
}

/// The administrator states the meaning by typing the signer id, then re-authenticates.
fn attest(tty: &mut Terminal, opts: &AdminOptions, admin: &Admin, id: &str) -> Result<SigningKey, SignError> {
    tty.say(&format!("Meaning:     {APPROVAL_MEANING} — I verified this person's identity before this act.\n"));
    let typed = tty.ask(&format!("\nTo sign with this meaning, type the signer id ({id}): "))?;
    if typed != id {
        return Err(SignError::Refused("the signer id was not typed; nothing was recorded".into()));
    }
    authenticate(tty, &opts.key, admin)
}

fn authenticate(tty: &mut Terminal, key_path: &Path, admin: &Admin) -> Result<SigningKey, SignError> {
    let pem = keys::read_key_file(key_path).map_err(|e| SignError::input(key_path, e))?;
    for _ in 0..3 {
        let password = keys::read_password("Password: ")
            .map_err(|e| SignError::Refused(format!("cannot read the password: {e}")))?;
        match keys::decrypt_pem(&pem, password.as_bytes()) {
            Ok(key) if keys::key_id(key.verifying_key()) == admin.key_id.as_str() => return Ok(key),
            Ok(_) => return Err(SignError::Refused("this key file does not hold the administrator's key".into())),
            Err(keys::KeyError::WrongPassword { .. }) => tty.say("Wrong password.\n"),
            Err(e) => return Err(SignError::input(key_path, e)),
        }
    }
    Err(SignError::Refused("three wrong passwords; nothing was recorded".into()))
}

/// An administrator signs the proposed next version of the trust file (`signet trust sign`):
/// the current administrators approve handing over, the incoming ones accept, each at a
/// terminal with their own key and password. Returns how many signatures it now has.
pub fn sign_trust(path: &Path, key_path: &Path) -> Result<usize, SignError> {
    let mut file = TrustFile::load_proposal(path)?;
    let pub_path = keys::public_key_path(key_path);
    let vk = keys::read_public_key(&pub_path).map_err(|e| SignError::input(&pub_path, e))?;
    let key_id = keys::key_id(&vk);
    let n = file.trust.versions.len();
    let admin = file.trust.versions[n.saturating_sub(2)..]
        .iter()
        .flat_map(|v| v.root.admins.iter())
        .find(|a| a.key_id == key_id)
        .cloned()
        .ok_or_else(|| {
            SignError::Refused(format!(
                "the key {} ({key_id}) is not an administrator of the current or the proposed version",
                key_path.display()
            ))
        })?;
    let mut tty = Terminal::open("signing a trust file")?;
    let next = file.trust.latest().clone();
    let ids: Vec<&str> = next.admins.iter().map(|a| a.id.as_str()).collect();
    tty.say(&format!(
        "\n=== Trust anchor rotation ===\nOrganisation:    {}\nVersion:         {} (issued {})\nAdministrators:  {} (threshold {})\nSigstore roots:  {}\nSigning as:      {} ({})\n",
        next.organisation,
        next.version,
        next.issued_at,
        ids.join(", "),
        next.threshold,
        next.sigstore_roots.len(),
        admin.id,
        admin.key_id
    ));
    let version = next.version.to_string();
    let typed = tty.ask(&format!("\nTo sign this version of the trust anchor, type its number ({version}): "))?;
    if typed != version {
        return Err(SignError::Refused("the version was not typed; nothing was signed".into()));
    }
    let key = authenticate(&mut tty, key_path, &admin)?;
    trust::sign_proposal(&mut file.trust, &key)?;
    let text = crate::output::json::to_string(&file.trust);
    crate::fsx::atomic::write(path, text.as_bytes())
        .map_err(|source| SignError::Write { path: path.to_path_buf(), source })?;
    Ok(file.trust.versions[n - 1].signatures.len())
}
