//! Stage 4: the signing ceremony (§11.50, §11.70, §11.100, §11.200; PRS-014). A designated,
//! enrolled person, at a terminal, sees exactly what they sign, types the release id to confirm
//! intent, and re-authenticates with the key's password — every time, nothing cached. Three
//! consecutive wrong passwords lock signing for that signer on this machine for 15 minutes;
//! every failed attempt and lockout is an event of the release's record.

use std::path::{Path, PathBuf};

use super::audit::{self, EventKind};
use super::eligibility::{self, Eligibility};
use super::layout;
use super::meaning::{self, REJECTOR};
use super::policy::SigningConfig;
use super::record::{self, Intent, Part11Record};
use super::registry::{Registry, Signer};
use super::terminal::Terminal as Tty;
use super::trust::TrustFile;
use super::{SignError, Timestamp, keys, lockout, release_record, tsa, view};
use crate::formats::ids::{Role, SignerId};
use crate::formats::request::Request;
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
    /// The RFC 3161 timestamp authority to ask (else `[signing] tsa`; else none).
    pub tsa: Option<String>,
    /// How long to wait for the timestamp authority's whole answer.
    pub tsa_timeout: std::time::Duration,
    /// Sign the role as a delegate of this enrolled person (`sign --on-behalf-of`).
    pub on_behalf_of: Option<String>,
}

/// What every ceremony starts from: the terminal, the release folder and its request, and the
/// enrolled signer the key names, not locked out.
pub(crate) struct Opened {
    pub tty: Tty,
    pub dir: PathBuf,
    pub request: Request,
    pub request_sha: String,
    pub registry: Registry,
    pub signer: Signer,
}

pub(crate) fn open(opts: &SignOptions, policy: &SigningConfig, purpose: &str) -> Result<Opened, SignError> {
    let tty = Tty::open(purpose)?;
    policy.validate()?;
    let dir = layout::release_dir(&opts.root, &opts.release)?;
    let (request, request_sha) = release_record::load(&dir)?;
    let (registry, _) = Registry::load(&opts.root)?;
    let signer = identify(opts, &registry)?;
    lockout::check(&signer.id, &dir)?;
    Ok(Opened { tty, dir, request, request_sha, registry, signer })
}

pub fn sign(opts: &SignOptions, policy: &SigningConfig) -> Result<PathBuf, SignError> {
    let Opened { mut tty, dir, request, request_sha, registry, signer } = open(opts, policy, "signing")?;
    if let Some(path) = complete_interrupted(&dir, (&request.release, &request_sha), &signer, &opts.role)? {
        tty.say(&format!(
            "{} was written by an interrupted ceremony but not logged; its event is recorded now.\n",
            path.display()
        ));
        return Ok(path);
    }
    let now = Timestamp::now();
    let who = Eligibility {
        root: &opts.root,
        dir: &dir,
        role: &opts.role,
        reject: opts.reject,
        on_behalf_of: opts.on_behalf_of.as_deref(),
    };
    let may = eligibility::check_may_sign(&who, policy, &request, &registry, &signer, now)?;
    let present = &may.gate.signatures;
    let supersedes = eligibility::supersessions(&may.gate, &opts.role);
    let evidence = super::evidence::load(&dir, &request, super::evidence::Missing::Refused)?;
    check_bundle(opts, &request, evidence.sums.as_deref(), &mut tty)?;
    let meaning = if opts.reject { REJECTOR.to_string() } else { eligibility::required_meaning(&request, &opts.role)? };
    let tsa = timestamp_authority(opts, policy, &request)?;
    let view = view::build(&opts.root, (&request, &request_sha), &evidence, present)?;
    show_record(&mut tty, &view)?;
    show(&mut tty, &signer, &opts.role, &meaning, policy);
    if let Some(o) = &may.on_behalf_of {
        tty.say(&format!(
            "On behalf of:   {} ({}), by delegation {}\n",
            o.printed_name, o.signer_id, o.delegation_sha256
        ));
    }
    for s in &supersedes {
        tty.say(&format!("Supersedes:     {} ({})\n", s.file, s.reason));
    }
    tty.say(&match &tsa {
        Some(t) => format!("Trusted time:   requested from {} after you sign\n", t.url),
        None => "Trusted time:   none; the time is your computer's clock\n".into(),
    });
    confirm_intent(&mut tty, &opts.release)?;
    let reason = ask_reason(&mut tty, opts.reject)?;
    let (key, failed_attempts) = authenticate(&mut tty, opts, &signer, (&dir, &request_sha))?;
    let prerequisites = eligibility::prerequisites(&request, &opts.role, present);
    let intent = Intent { role: opts.role.as_str().into(), meaning, reason, prerequisites };
    let mut record = Part11Record::new(&signer, &request, &request_sha, intent, policy, Timestamp::now());
    record.failed_attempts = Some(failed_attempts);
    record.shown_sha256 = Some(view.digest());
    record.supersedes = supersedes;
    record.on_behalf_of = may.on_behalf_of;
    let text = record::envelope_text(&request, &record, &key);
    let token = match &tsa {
        Some(t) => Some(timestamp(&mut tty, opts, t, (&text, &record), (&dir, &request_sha))?),
        None => None,
    };
    let path = write_signature(&dir, (&request, &request_sha), &record, &text, token.as_deref())?;
    tty.say(&format!(
        "\nSigned. Wrote {}\nCommit {}/{}/ in a pull request.\n",
        path.display(),
        layout::DIR,
        request.release
    ));
    Ok(path)
}

/// The signer is whoever the key belongs to: `<key>.pub` (written by keygen) names the key.
pub(crate) fn identify(opts: &SignOptions, registry: &Registry) -> Result<Signer, SignError> {
    if !opts.key.is_file() {
        return Err(SignError::Refused(format!(
            "no such file: {}; pass --key with your encrypted key file (the KEY `signet keygen` wrote)",
            opts.key.display()
        )));
    }
    let pub_path = keys::public_key_path(&opts.key);
    let by_pub = keys::read_public_key(&pub_path).ok();
    match (by_pub, &opts.signer) {
        (Some(vk), _) => {
            let id = keys::key_id(&vk);
            registry.by_key(&id).cloned().ok_or_else(|| {
                SignError::Refused(format!(
                    "the key {} ({id}) is not enrolled in {}",
                    opts.key.display(),
                    layout::REGISTRY
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

/// The bundle at hand, if any, is the one the request names, and holds exactly the files its
/// pinned SHA256SUMS lists: what the signer is shown is what they sign. One read of the bundle.
fn check_bundle(
    opts: &SignOptions,
    request: &Request,
    sums: Option<&[crate::sums::SumLine]>,
    tty: &mut Tty,
) -> Result<(), SignError> {
    let candidate = opts.bundle.clone().or_else(|| Some(PathBuf::from(&request.bundle.name)).filter(|p| p.exists()));
    let Some(path) = candidate else {
        tty.say("Note: the bundle is not at hand; you are signing the digest recorded in the request.\n");
        return Ok(());
    };
    let (digest, listing) = match sums {
        Some(lines) => {
            let scan = crate::bundle::assemble::scan(&path).map_err(|e| SignError::input(&path, e))?;
            (scan.digest, Some(crate::bundle::assemble::check_listing(&scan, lines)))
        }
        None => (release_record::file_digest(&path)?.0, None),
    };
    if digest.hex() != request.bundle.sha256 {
        return Err(SignError::Refused(format!(
            "{} has sha256 {}, but the request is for {}: this is not the bundle to sign",
            path.display(),
            digest.tagged(),
            request.bundle.sha256
        )));
    }
    if let Some(Err(why)) = listing {
        return Err(SignError::Refused(format!(
            "the SHA256SUMS this release pins does not describe {}: {why}; nothing was signed",
            path.display()
        )));
    }
    tty.say(&format!(
        "Bundle {} recomputed: sha256 matches the request, and its files match SHA256SUMS.\n",
        path.display()
    ));
    Ok(())
}

/// How many evidence files the ceremony shows before it waits for Enter.
const PAGE: usize = 40;

/// The record, its file list a page at a time: the signer reads it all before signing.
fn show_record(tty: &mut Tty, view: &view::View) -> Result<(), SignError> {
    tty.say(&view.head);
    for (i, page) in view.files.chunks(PAGE).enumerate() {
        if i > 0 {
            let shown = i * PAGE;
            tty.ask(&format!("-- {shown} of {} files shown; Enter for the next page --", view.files.len()))?;
        }
        tty.say(&page.iter().map(|f| format!("{f}\n")).collect::<String>());
    }
    tty.say(&view.tail);
    tty.say(&format!("(what you were shown: {}; `signet sign --show` prints it again)\n", view.digest()));
    Ok(())
}

fn show(tty: &mut Tty, signer: &Signer, role: &str, meaning: &str, policy: &SigningConfig) {
    let mut t = String::from("\n=== Electronic signature (21 CFR Part 11) ===\n");
    t.push_str(&format!("Signer:         {}\n", signer_line(signer)));
    t.push_str(&format!("Role:           {role}\n"));
    t.push_str(&format!(
        "Meaning:        {meaning}\n  {}\n",
        meaning::definition(meaning, &policy.meanings).unwrap_or("")
    ));
    tty.say(&t);
}

/// `Name <email> (Title, Department) (id)`, as the ceremony names the signer.
fn signer_line(signer: &Signer) -> String {
    match record::post(signer.title.as_deref(), signer.department.as_deref()) {
        p if p.is_empty() => format!("{} <{}> ({})", signer.name, signer.email, signer.id),
        p => format!("{} <{}>, {p} ({})", signer.name, signer.email, signer.id),
    }
}

/// How many times the signer may mistype the release id before the ceremony ends.
const INTENT_TRIES: usize = 3;

pub(crate) fn confirm_intent(tty: &mut Tty, release: &str) -> Result<(), SignError> {
    for attempt in 1..=INTENT_TRIES {
        let typed = tty.ask(&format!("\nTo sign with this meaning, type the release id ({release}): "))?;
        if typed == release {
            return Ok(());
        }
        if attempt < INTENT_TRIES {
            tty.say(&format!(
                "`{typed}` is not `{release}`; type it exactly ({} tries left).\n",
                INTENT_TRIES - attempt
            ));
        }
    }
    Err(SignError::Refused(format!("the release id was not typed in {INTENT_TRIES} tries; nothing was signed")))
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
/// recorded as events of the release; the third consecutive one locks signing. Returns the key
/// and the consecutive failures before it opened, which the signature then records.
pub(crate) fn authenticate(
    tty: &mut Tty,
    opts: &SignOptions,
    signer: &Signer,
    (dir, request_sha): (&Path, &str),
) -> Result<(p256::ecdsa::SigningKey, u32), SignError> {
    let pem = keys::read_key_file(&opts.key).map_err(|e| SignError::input(&opts.key, e))?;
    let event = |kind| audit::NewEvent::new(kind, request_sha).by(&signer.id, &opts.role);
    loop {
        let password = keys::read_password("Password: ")
            .map_err(|e| SignError::Refused(format!("cannot read the password: {e}")))?;
        match keys::decrypt_pem(&pem, password.as_bytes()) {
            Ok(key) if signer.key_id == keys::key_id(key.verifying_key()) => {
                return Ok((key, lockout::reset(&signer.id)?));
            }
            Ok(_) => return Err(SignError::Refused("this key file does not hold the enrolled key".into())),
            Err(keys::KeyError::WrongPassword { .. }) => {
                let failures = lockout::record_failure(&signer.id)?;
                let detail = format!("wrong password ({failures} consecutive)");
                audit::record(dir, &opts.release, event(EventKind::FailedAttempt).detail(detail))?;
                if failures >= lockout::MAX_FAILURES {
                    let until = lockout::lock(&signer.id)?;
                    let mut locked = event(EventKind::Lockout).detail(format!("signing locked until {until}"));
                    locked.locked_until = Some(until);
                    audit::record(dir, &opts.release, locked)?;
                    return Err(SignError::Refused(format!(
                        "three wrong passwords: signing is locked for `{}` until {until}, on this machine and in \
                         this release's record; if you have forgotten the password, contact your Signet administrator",
                        signer.id
                    )));
                }
                tty.say("Wrong password.\n");
            }
            Err(e) => return Err(SignError::input(&opts.key, e)),
        }
    }
}

fn write_signature(
    dir: &Path,
    (request, request_sha): (&Request, &str),
    record: &Part11Record,
    text: &str,
    token: Option<&[u8]>,
) -> Result<PathBuf, SignError> {
    let path = layout::signature_path(dir, &record.role, &record.signer_id, false)?;
    if let Some(token) = token {
        let token_path = layout::token_path(dir, &record.role, &record.signer_id)?;
        atomic::write(&token_path, token).map_err(|source| SignError::Write { path: token_path.clone(), source })?;
    }
    // The envelope first, then its event: killed in between, a re-run logs the envelope
    // (`complete_interrupted`). The other order would leave an event whose signature never
    // appeared, which the gate cannot tell from a deleted one.
    atomic::write(&path, text.as_bytes()).map_err(|source| SignError::Write { path: path.clone(), source })?;
    let signed = Signed { release: &request.release, request_sha, role: &record.role, signer: &record.signer_id };
    log_signature(dir, &signed, text)?;
    Ok(path)
}

/// The timestamp authority to ask: `--tsa`, else `[signing] tsa`. A release that requires
/// trusted time refuses to start the ceremony without one.
fn timestamp_authority(
    opts: &SignOptions,
    policy: &SigningConfig,
    request: &Request,
) -> Result<Option<tsa::Tsa>, SignError> {
    let url = opts.tsa.clone().or_else(|| policy.tsa.clone());
    if url.is_none() && (request.require_trusted_time || policy.require_trusted_time) {
        return Err(SignError::Refused(
            "this release requires trusted time (`require_trusted_time`): pass --tsa URL or set [signing] tsa in \
             signet.toml; nothing was signed"
                .into(),
        ));
    }
    if let Some(url) = &url {
        tsa::check_url(url).map_err(|why| SignError::Refused(format!("--tsa: {why}")))?;
    }
    Ok(url.map(|url| tsa::Tsa { url, timeout: opts.tsa_timeout }))
}

/// Asks the timestamp authority for a token over the signature just made, and checks it as the
/// final gate will: an authority the repository's trust file accepts, over this signature,
/// agreeing with the signer's clock. A failure is recorded, and nothing is written.
fn timestamp(
    tty: &mut Tty,
    opts: &SignOptions,
    t: &tsa::Tsa,
    (text, record): (&str, &Part11Record),
    (dir, request_sha): (&Path, &str),
) -> Result<Vec<u8>, SignError> {
    tty.say(&format!("Asking {} for a timestamp...\n", t.url));
    let signature = serde_json::from_str(text).ok().and_then(|env| tsa::signature_bytes(&env)).unwrap_or_default();
    let checked = tsa::request_token(t, &signature).and_then(|token| {
        let tt = accepted(&opts.root, &token, &signature, record)?;
        Ok((token, tt))
    });
    match checked {
        Ok((token, tt)) => {
            tty.say(&format!(
                "Time:           {} by the timestamp authority `{}` (your clock: {})\n",
                tt.at, tt.authority, record.signed_at
            ));
            Ok(token)
        }
        Err(why) => {
            let event = audit::NewEvent::new(EventKind::FailedAttempt, request_sha)
                .by(&record.signer_id, &record.role)
                .detail(format!("timestamp authority {}: {why}; nothing was signed", t.url));
            audit::record(dir, &opts.release, event)?;
            Err(SignError::Refused(format!(
                "the timestamp authority {} gave no usable token: {why}. Nothing was signed; try again, or ask your \
                 Signet administrator which timestamp authority the trust file accepts",
                t.url
            )))
        }
    }
}

/// The token's trusted time, as the gate will judge it.
fn accepted(root: &Path, token: &[u8], signature: &[u8], record: &Part11Record) -> Result<tsa::TrustedTime, String> {
    let trust = TrustFile::load(&root.join(layout::TRUST)).map_err(|e| format!("cannot check the token: {e}"))?;
    let tt = tsa::verify(token, signature, &trust.trust)?;
    let clock = Timestamp::parse(&record.signed_at).unwrap_or(tt.at);
    if (clock.0 - tt.at.0).abs() > tsa::CLOCK_TOLERANCE_SECS {
        return Err(format!(
            "your computer's clock says {} but the timestamp authority says {}; set the clock right and sign again",
            record.signed_at, tt.at
        ));
    }
    Ok(tt)
}

/// Which signature of which request: what its `signature-created` event names.
struct Signed<'a> {
    release: &'a str,
    request_sha: &'a str,
    role: &'a Role,
    signer: &'a SignerId,
}

fn log_signature(dir: &Path, s: &Signed<'_>, text: &str) -> Result<(), SignError> {
    let event = audit::NewEvent::new(EventKind::SignatureCreated, s.request_sha)
        .by(s.signer, s.role)
        .file(&layout::file_name(s.role, s.signer), text.as_bytes());
    audit::record(dir, s.release, event)?;
    Ok(())
}

/// A signature of this signer and role already written but not logged: a ceremony killed
/// between its two writes. Logs it; whether it counts is the gate's to say.
fn complete_interrupted(
    dir: &Path,
    (release, request_sha): (&str, &str),
    signer: &Signer,
    role: &str,
) -> Result<Option<PathBuf>, SignError> {
    let role = Role::parse(role).map_err(|e| SignError::Refused(e.to_string()))?;
    let path = layout::signature_path(dir, &role, &signer.id, false)?;
    let Ok(text) = crate::fsx::read::read_text(&path, crate::fsx::read::MAX_RECORD_BYTES) else { return Ok(None) };
    if audit::Trail::read(dir)?.logs_signature(&layout::file_name(&role, &signer.id), &text) {
        return Ok(None);
    }
    log_signature(dir, &Signed { release, request_sha, role: &role, signer: &signer.id }, &text)?;
    Ok(Some(path))
}
