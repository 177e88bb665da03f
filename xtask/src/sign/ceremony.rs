//! Stage 4: the signing ceremony (§11.50, §11.70, §11.100, §11.200; PRS-014). A designated,
//! enrolled person, at a terminal, sees exactly what they sign, types the release id to confirm
//! intent, and re-authenticates with the key's password — every time, nothing cached. Three
//! consecutive wrong passwords lock signing for that signer on this machine for 15 minutes;
//! every failed attempt and lockout goes into the release's audit trail.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::dsse::{self, Statement, Subject};
use super::meaning::{self, REJECTOR};
use super::policy::SigningConfig;
use super::record::{self, PREDICATE_TYPE, Part11Record, Prerequisite, STATEMENT_TYPE};
use super::registry::{Registry, Signer, Standing};
use super::request::{self, Request};
use super::verify::{self, ReleaseRecord, VerifiedSignature};
use super::{SignError, Timestamp, audit, keys, lockout};
use crate::fsx::atomic;

#[derive(Debug, Clone)]
pub struct SignOptions {
    pub root: PathBuf,
    pub release: String,
    pub role: String,
    pub key: PathBuf,
    /// Needed only when there is no `<key>.pub` beside the key file.
    pub signer: Option<String>,
    pub bundle: Option<PathBuf>,
    pub reject: bool,
}

/// The terminal the ceremony talks to; never stdin/stdout, which a script could drive.
struct Tty {
    out: std::fs::File,
    input: BufReader<std::fs::File>,
}

impl Tty {
    fn open() -> Result<Tty, SignError> {
        let refuse = || {
            SignError::Refused(
                "signing needs a terminal: run `signet sign` yourself, in an interactive terminal; \
                 a signature cannot be scripted or piped (21 CFR 11.200)"
                    .into(),
            )
        };
        if !keys::is_interactive() {
            return Err(refuse());
        }
        let f = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|_| refuse())?;
        let input = BufReader::new(f.try_clone().map_err(|_| refuse())?);
        Ok(Tty { out: f, input })
    }

    fn say(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn ask(&mut self, prompt: &str) -> Result<String, SignError> {
        self.say(prompt);
        let mut line = String::new();
        self.input.read_line(&mut line).map_err(|e| SignError::Refused(format!("terminal closed: {e}")))?;
        Ok(line.trim().to_string())
    }
}

pub fn sign(opts: &SignOptions, policy: &SigningConfig) -> Result<PathBuf, SignError> {
    let mut tty = Tty::open()?;
    policy.validate()?;
    let dir = request::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = request::load(&dir)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let signer = identify(opts, &registry)?;
    lockout::check(&signer.id)?;
    let now = Timestamp::now();
    let present = check_may_sign(opts, policy, &request, &registry, &signer, &dir, now)?;
    check_bundle(opts, &request, &mut tty)?;
    let meaning = if opts.reject { REJECTOR.to_string() } else { required_meaning(&request, &opts.role)? };
    show(&mut tty, &request, &signer, &opts.role, &meaning, policy, &present);
    confirm_intent(&mut tty, &opts.release)?;
    let reason = ask_reason(&mut tty, opts.reject)?;
    let key = authenticate(&mut tty, opts, &signer, &dir)?;
    let record = Part11Record {
        signer_id: signer.id.clone(),
        printed_name: signer.name.clone(),
        email: signer.email.clone(),
        key_id: signer.key_id.clone(),
        role: opts.role.clone(),
        meaning_text: policy.meaning_text(&meaning).to_string(),
        meaning,
        reason,
        signed_at: Timestamp::now().to_string(),
        time_source: "signer-clock".into(),
        release: request.release.clone(),
        commits: request.commits.clone(),
        request_sha256: request_sha,
        prerequisites: prerequisites(&request, &opts.role, &present),
        tool: format!("signet {}", env!("CARGO_PKG_VERSION")),
    };
    let path = write_signature(&dir, &request, &record, &key)?;
    tty.say(&format!(
        "\nSigned. Wrote {}\nCommit signatures/{}/ in a pull request.\n",
        path.display(),
        request.release
    ));
    Ok(path)
}

/// `KEY.pub`, written by `keygen` beside the encrypted key: says whose key it is without the
/// password, so a failed attempt can be logged against the right signer.
pub fn public_key_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// The signer is whoever the key belongs to: `<key>.pub` (written by keygen) names the key.
fn identify(opts: &SignOptions, registry: &Registry) -> Result<Signer, SignError> {
    let pub_path = public_key_path(&opts.key);
    let by_pub = std::fs::read_to_string(&pub_path).ok().and_then(|pem| keys::parse_public_pem(&pem).ok());
    match (by_pub, &opts.signer) {
        (Some(vk), _) => {
            let id = keys::key_id(&vk);
            registry.by_key(&id).cloned().ok_or_else(|| {
                SignError::Refused(format!(
                    "the key {} ({id}) is not enrolled in signatures/signers.toml",
                    opts.key.display()
                ))
            })
        }
        (None, Some(id)) => registry
            .active(id, &Timestamp::now())
            .cloned()
            .ok_or_else(|| SignError::Refused(format!("`{id}` has no active enrolled key"))),
        (None, None) => Err(SignError::Refused(format!(
            "cannot tell whose key {} is: keep the {} file keygen wrote beside it, or pass --signer ID",
            opts.key.display(),
            pub_path.display()
        ))),
    }
}

pub(crate) fn required_meaning(request: &Request, role: &str) -> Result<String, SignError> {
    request.required.iter().find(|r| r.role == role).map(|r| r.meaning.clone()).ok_or_else(|| {
        let roles: Vec<&str> = request.required.iter().map(|r| r.role.as_str()).collect();
        SignError::Refused(format!("role `{role}` is not required for this release (required: {})", roles.join(", ")))
    })
}

/// Every rule that must hold before the password is even asked for.
pub(crate) fn check_may_sign(
    opts: &SignOptions,
    policy: &SigningConfig,
    request: &Request,
    registry: &Registry,
    signer: &Signer,
    dir: &Path,
    now: Timestamp,
) -> Result<Vec<VerifiedSignature>, SignError> {
    let refuse = |m: String| Err(SignError::Refused(m));
    required_meaning(request, &opts.role)?;
    if signer.kind != "human" {
        return refuse(format!("`{}` is a {} key: only a person can sign a release", signer.id, signer.kind));
    }
    if !signer.roles.contains(&opts.role) {
        return refuse(format!(
            "`{}` is not enrolled for role {} (enrolled: {})",
            signer.id,
            opts.role,
            signer.roles.join(", ")
        ));
    }
    match registry.standing(signer, &now) {
        Standing::Valid => {}
        Standing::Revoked { at, reason } => {
            return refuse(format!("the key of `{}` was revoked at {at}: {reason}", signer.id));
        }
        Standing::Expired { until } => {
            return refuse(format!("the key of `{}` expired at {until}; enrol a new key", signer.id));
        }
        Standing::NotYetEnrolled { enrolled_at } => {
            return refuse(format!("the key is enrolled only from {enrolled_at}"));
        }
    }
    let record = ReleaseRecord::from_folder(&opts.root, dir, policy)?;
    let present = verify::verify(&record, &request.bundle.sha256, now)?.signatures;
    if let Some(s) = present.iter().find(|s| s.record.role == opts.role) {
        return if s.record.signer_id == signer.id {
            refuse(format!(
                "you already signed {} for {} at {}; a person signs a role once",
                opts.role, request.release, s.record.signed_at
            ))
        } else {
            refuse(format!("{} is already signed for {} by {}", opts.role, request.release, s.record.printed_name))
        };
    }
    if request.separation_of_duties
        && let Some(s) = present.iter().find(|s| s.record.signer_id == signer.id)
    {
        return refuse(format!(
            "you already signed {} as {}; one person cannot fill two roles of a release (separation of duties)",
            request.release, s.record.role
        ));
    }
    let after = request.required.iter().find(|r| r.role == opts.role).map(|r| r.after.clone()).unwrap_or_default();
    let missing: Vec<&str> =
        after.iter().map(String::as_str).filter(|a| !present.iter().any(|s| s.record.role == *a)).collect();
    if !missing.is_empty() && !opts.reject {
        return refuse(format!(
            "{} signs after {}; still missing: {}",
            opts.role,
            after.join(", "),
            missing.join(", ")
        ));
    }
    Ok(present)
}

fn check_bundle(opts: &SignOptions, request: &Request, tty: &mut Tty) -> Result<(), SignError> {
    let candidate = opts.bundle.clone().or_else(|| Some(PathBuf::from(&request.bundle.name)).filter(|p| p.exists()));
    let Some(path) = candidate else {
        tty.say("Note: the bundle is not at hand; you are signing the digest recorded in the request.\n");
        return Ok(());
    };
    let (digest, _) = request::file_digest(&path)?;
    if digest.trim_start_matches("sha256:") != request.bundle.sha256 {
        return Err(SignError::Refused(format!(
            "{} has sha256 {}, but the request is for {}: this is not the bundle to sign",
            path.display(),
            digest,
            request.bundle.sha256
        )));
    }
    tty.say(&format!("Bundle {} recomputed: sha256 matches the request.\n", path.display()));
    Ok(())
}

fn show(
    tty: &mut Tty,
    request: &Request,
    signer: &Signer,
    role: &str,
    meaning: &str,
    policy: &SigningConfig,
    present: &[VerifiedSignature],
) {
    let mut t = String::from("\n=== Electronic signature (21 CFR Part 11) ===\n");
    t.push_str(&format!("Release:        {}\n", request.release));
    t.push_str(&format!("Bundle:         {} ({} bytes)\n", request.bundle.name, request.bundle.size));
    t.push_str(&format!("Bundle sha256:  {}\n", request.bundle.sha256));
    t.push_str(&format!("Commit(s):      {}\n", request.commits.join(", ")));
    t.push_str(&format!("Signer:         {} <{}> ({})\n", signer.name, signer.email, signer.id));
    t.push_str(&format!("Role:           {role}\n"));
    t.push_str(&format!(
        "Meaning:        {meaning}\n  {}\n",
        meaning::definition(meaning, &policy.meanings).unwrap_or("")
    ));
    if present.is_empty() {
        t.push_str("Signatures present: none yet\n");
    } else {
        t.push_str("Signatures present:\n");
        for s in present {
            let r = &s.record;
            t.push_str(&format!("  {} — {} ({}) at {}\n", r.role, r.printed_name, r.meaning, r.signed_at));
        }
    }
    tty.say(&t);
}

fn confirm_intent(tty: &mut Tty, release: &str) -> Result<(), SignError> {
    let typed = tty.ask(&format!("\nTo sign with this meaning, type the release id ({release}): "))?;
    if typed != release {
        return Err(SignError::Refused("the release id was not typed; nothing was signed".into()));
    }
    Ok(())
}

fn ask_reason(tty: &mut Tty, reject: bool) -> Result<Option<String>, SignError> {
    let prompt = if reject { "Reason for rejection (required): " } else { "Reason (optional, Enter to skip): " };
    let reason = tty.ask(prompt)?;
    match (reason.is_empty(), reject) {
        (true, true) => Err(SignError::Refused("a rejection needs a reason; nothing was signed".into())),
        (true, false) => Ok(None),
        (false, _) => Ok(Some(reason)),
    }
}

/// Re-authentication: the password decrypts the key. Failures are counted on this machine and
/// logged in the release's audit trail; the third consecutive one locks signing.
fn authenticate(
    tty: &mut Tty,
    opts: &SignOptions,
    signer: &Signer,
    dir: &Path,
) -> Result<p256::ecdsa::SigningKey, SignError> {
    let pem = std::fs::read_to_string(&opts.key).map_err(|e| SignError::input(&opts.key, e))?;
    loop {
        let password = keys::read_password("Password: ")
            .map_err(|e| SignError::Refused(format!("cannot read the password: {e}")))?;
        match keys::decrypt_pem(&pem, password.as_bytes()) {
            Ok(key) if keys::key_id(key.verifying_key()) == signer.key_id => {
                lockout::reset(&signer.id);
                return Ok(key);
            }
            Ok(_) => return Err(SignError::Refused("this key file does not hold the enrolled key".into())),
            Err(keys::KeyError::WrongPassword { .. }) => {
                let failures = lockout::record_failure(&signer.id);
                let event = audit::NewEvent {
                    event: "failed-attempt",
                    signer: Some(&signer.id),
                    role: Some(&opts.role),
                    detail: Some(format!("wrong password ({failures} consecutive)")),
                };
                audit::append(dir, &opts.release, event)?;
                if failures >= lockout::MAX_FAILURES {
                    lockout::lock(&signer.id);
                    let event = audit::NewEvent {
                        event: "lockout",
                        signer: Some(&signer.id),
                        role: Some(&opts.role),
                        detail: Some(format!("signing locked for {} minutes", lockout::MINUTES)),
                    };
                    audit::append(dir, &opts.release, event)?;
                    return Err(SignError::Refused(format!(
                        "three wrong passwords: signing is locked for `{}` on this machine for {} minutes; \
                         if you have forgotten the password, contact your Signet administrator",
                        signer.id,
                        lockout::MINUTES
                    )));
                }
                tty.say("Wrong password.\n");
            }
            Err(e) => return Err(SignError::input(&opts.key, e)),
        }
    }
}

pub(crate) fn prerequisites(request: &Request, role: &str, present: &[VerifiedSignature]) -> Vec<Prerequisite> {
    let after = request.required.iter().find(|r| r.role == role).map(|r| r.after.clone()).unwrap_or_default();
    present
        .iter()
        .filter(|s| after.contains(&s.record.role))
        .map(|s| Prerequisite {
            role: s.record.role.clone(),
            signer_id: s.record.signer_id.clone(),
            envelope_sha256: s.envelope_sha256.clone(),
        })
        .collect()
}

pub(crate) fn write_signature(
    dir: &Path,
    request: &Request,
    record: &Part11Record,
    key: &p256::ecdsa::SigningKey,
) -> Result<PathBuf, SignError> {
    let statement = Statement {
        type_: STATEMENT_TYPE.into(),
        subject: vec![Subject {
            name: request.bundle.name.clone(),
            digest: [("sha256".to_string(), request.bundle.sha256.clone())].into_iter().collect(),
        }],
        predicate_type: PREDICATE_TYPE.into(),
        predicate: record.clone(),
    };
    let payload = dsse::statement_bytes(&statement)
        .map_err(|e| SignError::Refused(format!("cannot encode the statement: {e}")))?;
    let env = dsse::sign(dsse::IN_TOTO_PAYLOAD_TYPE, &payload, key, &record.key_id);
    let mut text = crate::output::json::to_string(&env);
    text.truncate(text.trim_end().len());
    text.push('\n');
    // The audit event first, then the envelope: killed in between, the trail records a
    // signature that never appeared and signing again just works. The other order would leave
    // a valid signature the gate rejects (no audit event) and that the signer may not redo.
    let detail = Some(format!("envelope {}", dsse::envelope_digest(text.as_bytes())));
    audit::append(
        dir,
        &record.release,
        audit::NewEvent {
            event: "signature-created",
            signer: Some(&record.signer_id),
            role: Some(&record.role),
            detail,
        },
    )?;
    let path = dir.join(record::file_name(&record.role, &record.signer_id));
    atomic::write(&path, text.as_bytes()).map_err(|source| SignError::Write { path: path.clone(), source })?;
    Ok(path)
}
