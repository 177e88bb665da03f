//! Test and benchmark fixtures no product command may create: a release signed without a
//! ceremony, with keys generated in place. Lives here, outside the shipped `signet`, so that the
//! product binary can write a signature only through the terminal ceremony.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use signet::formats::ids::Role;
use signet::formats::trust::TimestampAuthority;
use signet::sign::policy::{Required, SigningConfig};
use signet::sign::record::{self, Intent, Part11Record, Prerequisite};
use signet::sign::registry::{self, Signer};
use signet::sign::{SignError, Timestamp, audit, keys, layout, release_record, request, trust};

/// The password of the fixture's keys (`keys/<id>.key`, encrypted like any Signet key), so that
/// tests can forge what only a key holder could.
pub const FIXTURE_PASSWORD: &str = "bench password 1234";

/// A synthetic release with `n` required roles, each signed by its own enrolled person, for
/// timing the final gate. Keys are generated here and never leave this folder; real keys are
/// only ever decrypted by the terminal ceremony.
pub fn ensure_signed_release(dir: &Path, n: usize) -> Result<PathBuf, SignError> {
    let people = (0..n).map(|i| (format!("Person {i:02}"), format!("person{i:02}@example.com"))).collect();
    signed_release_by(&dir.join(format!("signed-{n}")), people)
}

/// As [`ensure_signed_release`], in `root`, with role `i` signed by `person{i:02}` whose printed
/// name and email are `people[i]`: so a test can give one person several ids, as a registry
/// edit would.
pub fn signed_release_by(root: &Path, people: Vec<(String, String)>) -> Result<PathBuf, SignError> {
    let (n, root) = (people.len(), root.to_path_buf());
    if root.join("done").exists() {
        return Ok(root);
    }
    let io = |e: io::Error| SignError::Write { path: root.clone(), source: e };
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("dist")).map_err(io)?;
    fs::write(root.join("dist/bundle.tar"), vec![0u8; 10_240]).map_err(io)?;
    let roles: Vec<Role> = (1..=n).map(|i| Role::new(format!("ROLE{i:02}"))).collect();
    let policy = SigningConfig {
        required: roles
            .iter()
            .enumerate()
            .map(|(i, r)| Required {
                role: r.clone(),
                meaning: if i + 1 == n { "APPROVER".into() } else { "REVIEWER".into() },
                after: if i + 1 == n { roles[..i].to_vec() } else { Vec::new() },
            })
            .collect(),
        ..SigningConfig::default()
    };
    let now = Timestamp(Timestamp::now().0 - 60);
    let (admin, admin_key) = write_trust(&root, Timestamp(now.0 - 7200), &[])?;
    let mut signing_keys = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let key = keys::generate();
        let signer = Signer {
            id: format!("person{i:02}").into(),
            name: people[i].0.clone(),
            email: people[i].1.clone(),
            department: None,
            title: None,
            roles: vec![role.clone()],
            kind: signet::sign::registry::SignerKind::Human,
            key_id: keys::key_id(key.verifying_key()).into(),
            public_key: keys::public_pem(key.verifying_key()),
            identity: None,
            issuer: None,
            enrolled_at: Timestamp(now.0 - 3600).to_string(),
            enrolled_by: admin.id.to_string(),
            valid_until: None,
        };
        let approval = trust::approve(trust::entry_sha256(&signer), &admin, &admin_key, Timestamp(now.0 - 3000));
        registry::append_entry(&root, registry::NewEntry::Signer(&signer), &[approval])?;
        write_key(&root, &signer.id, &key)?;
        signing_keys.push((signer, key));
    }
    let opts = request::RequestOptions {
        root: root.clone(),
        release: "bench".into(),
        bundle: root.join("dist/bundle.tar"),
        sums: None,
        index: None,
        commits: vec!["0".repeat(40)],
    };
    let (req, _) = request::create(&opts, &policy)?;
    let release_dir = layout::release_dir(&root, "bench")?;
    let request_sha = release_record::load(&release_dir)?.1;
    let mut done: Vec<Prerequisite> = Vec::new();
    for ((signer, key), q) in signing_keys.iter().zip(&req.required) {
        let prerequisites = if q.after.is_empty() { Vec::new() } else { done.clone() };
        let intent = Intent { role: q.role.clone(), meaning: q.meaning.clone(), reason: None, prerequisites };
        let record = Part11Record::new(signer, &req, &request_sha, intent, &policy, Timestamp::now());
        let text = record::envelope_text(&req, &record, key);
        let digest = signet::digest::tagged(text.as_bytes());
        place_signature(&release_dir, &request_sha, &record, &text)?;
        done.push(Prerequisite { role: q.role.clone(), signer_id: signer.id.clone(), envelope_sha256: digest });
    }
    let toml = format!("{}\n", policy_toml(&policy));
    fs::write(root.join("signet.toml"), toml).map_err(io)?;
    fs::write(root.join("done"), "").map_err(io)?;
    Ok(root)
}

/// A signature of `role` for `release` by `signer`'s key (`keys/<signer>.key`, opened with
/// `password`), made outside the ceremony and dated `at` by its own clock: what someone holding
/// the key file and its password could write. Logged as the ceremony logs it. Returns its path.
pub fn forge_signature(
    root: &Path,
    (release, role): (&str, &str),
    (signer, password): (&str, &str),
    at: Timestamp,
) -> Result<PathBuf, SignError> {
    forge_signature_with(root, (release, role), (signer, password), at, |_| {})
}

/// As [`forge_signature`], with the record edited by `edit` before it is signed.
pub fn forge_signature_with(
    root: &Path,
    (release, role): (&str, &str),
    (signer, password): (&str, &str),
    at: Timestamp,
    edit: impl FnOnce(&mut Part11Record),
) -> Result<PathBuf, SignError> {
    let dir = layout::release_dir(root, release)?;
    let (req, request_sha) = release_record::load(&dir)?;
    let registry = registry::Registry::load(root)?.0;
    let entry = registry.signer.iter().rev().find(|s| s.id == signer);
    let entry = entry.ok_or_else(|| SignError::Refused(format!("`{signer}` is not enrolled")))?.clone();
    let key_path = root.join(format!("keys/{signer}.key"));
    let pem = fs::read_to_string(&key_path).map_err(|e| SignError::input(&key_path, e))?;
    let key = keys::decrypt_pem(&pem, password.as_bytes()).map_err(|e| SignError::input(&key_path, e))?;
    let q = req.required.iter().find(|q| q.role == role);
    let meaning = q.ok_or_else(|| SignError::Refused(format!("role {role} is not required")))?.meaning.clone();
    let intent = Intent { role: Role::new(role.to_owned()), meaning, reason: None, prerequisites: Vec::new() };
    let mut record = Part11Record::new(&entry, &req, &request_sha, intent, &SigningConfig::default(), at);
    record.failed_attempts = Some(0);
    edit(&mut record);
    place_signature(&dir, &request_sha, &record, &record::envelope_text(&req, &record, &key))
}

/// Logs a signature's event and writes its envelope `text` into the release folder, as the
/// ceremony would; returns the envelope's path.
fn place_signature(dir: &Path, request_sha: &str, record: &Part11Record, text: &str) -> Result<PathBuf, SignError> {
    let name = layout::file_name(&record.role, &record.signer_id);
    let event = audit::NewEvent::new(audit::EventKind::SignatureCreated, request_sha)
        .by(&record.signer_id, &record.role)
        .file(&name, text.as_bytes());
    audit::record(dir, &record.release, event)?;
    let path = dir.join(name);
    fs::write(&path, text).map_err(|e| SignError::Write { path: path.clone(), source: e })?;
    Ok(path)
}

/// `keys/<id>.key` (encrypted with [`FIXTURE_PASSWORD`]) and `keys/<id>.key.pub`.
pub fn write_key(root: &Path, id: &str, key: &keys::SigningKey) -> Result<PathBuf, SignError> {
    let path = root.join(format!("keys/{id}.key"));
    let io = |e: io::Error| SignError::Write { path: path.clone(), source: e };
    let pem = keys::encrypt_pem(key, FIXTURE_PASSWORD.as_bytes()).map_err(|e| SignError::Refused(e.to_string()))?;
    fs::create_dir_all(root.join("keys")).map_err(io)?;
    keys::write_key_file(&path, &pem).map_err(io)?;
    fs::write(keys::public_key_path(&path), keys::public_pem(key.verifying_key())).map_err(io)?;
    Ok(path)
}

/// The organisation's trust file `signatures/trust.json` with one administrator, `admin`,
/// whose key is `keys/admin.key` (encrypted with [`FIXTURE_PASSWORD`]), accepting these
/// Sigstore trusted roots.
pub fn write_trust(
    root: &Path,
    at: Timestamp,
    sigstore_roots: &[String],
) -> Result<(trust::Admin, keys::SigningKey), SignError> {
    write_trust_with(root, at, sigstore_roots, Vec::new())
}

/// As [`write_trust`], also accepting these RFC 3161 timestamp authorities.
pub fn write_trust_with(
    root: &Path,
    at: Timestamp,
    sigstore_roots: &[String],
    timestamp_authorities: Vec<TimestampAuthority>,
) -> Result<(trust::Admin, keys::SigningKey), SignError> {
    let key = keys::generate();
    let path = write_key(root, "admin", &key)?;
    let opts = trust::InitOptions {
        organisation: "Fixture Medical".into(),
        admins: vec![("admin".into(), keys::public_key_path(&path))],
        threshold: 1,
        sigstore_roots: sigstore_roots.to_vec(),
        timestamp_authorities,
        ..Default::default()
    };
    let t = trust::init(&opts, at)?;
    let out = root.join(layout::TRUST);
    fs::create_dir_all(root.join(layout::DIR))
        .and_then(|()| fs::write(&out, signet::output::json::to_string(&t)))
        .map_err(|e| SignError::Write { path: out, source: e })?;
    Ok((t.latest().admins[0].clone(), key))
}

fn policy_toml(policy: &SigningConfig) -> String {
    let mut s = String::new();
    for r in &policy.required {
        let after: Vec<String> = r.after.iter().map(|a| format!("\"{a}\"")).collect();
        let _ = write!(
            s,
            "[[signing.required]]\nrole = \"{}\"\nmeaning = \"{}\"\nafter = [{}]\n",
            r.role,
            r.meaning,
            after.join(", ")
        );
    }
    s
}
