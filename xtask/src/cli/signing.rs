//! `keygen`, `enroll`, `revoke`, `request`, `sign`, `verify`: thin callers of `crate::sign`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::output::github;
use crate::sign::admin;
use crate::sign::ceremony::{self, SignOptions};
use crate::sign::layout;
use crate::sign::policy::SigningConfig;
use crate::sign::registry;
use crate::sign::request::{self, RequestOptions};
use crate::sign::sigstore::{self, ImportOptions, PredicateOptions};
use crate::sign::verify;
use crate::sign::{SignError, Timestamp, keys};

use super::{CmdResult, Ctx, Outcome, boxed};

fn policy(ctx: &Ctx) -> Result<SigningConfig, Box<dyn crate::error::StageError>> {
    Ok(config::load_required(&ctx.root).map_err(boxed)?.signing)
}

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Your signer id (as it will be enrolled).
    #[arg(long, value_name = "ID")]
    pub signer: String,
    /// Where to write the encrypted private key (mode 0600; KEY.pub is written beside it).
    #[arg(long, value_name = "KEY")]
    pub out: PathBuf,
    /// Your printed name, so the password check knows what a guesser knows (also taken from the
    /// registry when you are enrolled already).
    #[arg(long)]
    pub name: Option<String>,
    /// Your e-mail address, for the same reason.
    #[arg(long)]
    pub email: Option<String>,
}

pub fn keygen(args: KeygenArgs, ctx: &Ctx) -> CmdResult {
    if !keys::is_interactive() {
        return Err(boxed(SignError::Refused(
            "keygen asks for the key's password on a terminal; run it yourself, interactively".into(),
        )));
    }
    let mut details: Vec<String> = args.name.iter().chain(&args.email).cloned().collect();
    if let Ok((registry, _)) = crate::sign::registry::Registry::load(&ctx.root) {
        details.extend(
            registry.signer.iter().filter(|s| s.id == args.signer).flat_map(|s| [s.name.clone(), s.email.clone()]),
        );
    }
    let details: Vec<&str> = details.iter().map(String::as_str).collect();
    let password =
        keys::read_new_password(&args.signer, &details).map_err(|e| boxed(SignError::Refused(e.to_string())))?;
    let key = keys::generate();
    let pem = keys::encrypt_pem(&key, password.as_bytes()).map_err(|e| boxed(SignError::Refused(e.to_string())))?;
    crate::fsx::atomic::ensure_parent(&args.out)
        .and_then(|()| keys::write_key_file(&args.out, &pem))
        .map_err(|source| boxed(SignError::Write { path: args.out.clone(), source }))?;
    let public = keys::public_pem(key.verifying_key());
    let pub_path = keys::public_key_path(&args.out);
    crate::fsx::atomic::write(&pub_path, public.as_bytes())
        .map_err(|source| boxed(SignError::Write { path: pub_path.clone(), source }))?;
    let key_id = keys::key_id(key.verifying_key());
    let text = format!(
        "{public}\nkey id {key_id}\nwrote {} (encrypted) and {}\nnext: your administrator runs\n  signet enroll --signer {} --name \"<printed name>\" --email <email> --role <ROLE> --pubkey {} --admin-key <their key>\n",
        args.out.display(),
        pub_path.display(),
        args.signer,
        pub_path.display()
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "key_id": key_id, "public_key": public }) })
}

#[derive(Debug, clap::Args)]
pub struct EnrollArgs {
    #[arg(long, value_name = "ID")]
    pub signer: String,
    /// Printed name, as it appears on every signature manifestation.
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub email: String,
    /// Department, as it appears on every signature manifestation (PRS-014 S2).
    #[arg(long)]
    pub department: Option<String>,
    /// Job title, as it appears on every signature manifestation.
    #[arg(long)]
    pub title: Option<String>,
    /// Roles this person may sign for (repeatable).
    #[arg(long = "role", value_name = "ROLE", required = true)]
    pub roles: Vec<String>,
    /// The public key: a PEM file (keygen's KEY.pub). Needed unless --identity is given.
    #[arg(long, value_name = "PEM", required_unless_present = "identity")]
    pub pubkey: Option<PathBuf>,
    /// Keyless signing: the OIDC identity exactly as the Sigstore certificate names it (the
    /// email or URI subject alternative name), instead of or beside --pubkey.
    #[arg(long, value_name = "IDENTITY", requires = "issuer")]
    pub identity: Option<String>,
    /// The OIDC issuer that vouches for --identity (an https URL, e.g. https://accounts.google.com).
    #[arg(long, value_name = "URL", requires = "identity")]
    pub issuer: Option<String>,
    /// Last day the key may sign (RFC 3339 time or date).
    #[arg(long, value_name = "DATE")]
    pub valid_until: Option<String>,
    #[command(flatten)]
    pub admin: AdminArgs,
    /// A CI or service key: recorded, but it can never satisfy a signature requirement.
    #[arg(long)]
    pub bot: bool,
}

pub fn enroll(args: EnrollArgs, ctx: &Ctx) -> CmdResult {
    let vk = match &args.pubkey {
        Some(p) => {
            let pem_path = ctx.path(p);
            Some(keys::read_public_key(&pem_path).map_err(|e| boxed(SignError::input(&pem_path, e)))?)
        }
        None => None,
    };
    let enrolment = registry::Enrolment {
        id: args.signer,
        name: args.name,
        email: args.email,
        department: args.department,
        title: args.title,
        roles: args.roles,
        public_key: vk,
        identity: args.identity,
        issuer: args.issuer,
        valid_until: args.valid_until,
        bot: args.bot,
    };
    let opts = args.admin.options(ctx);
    let (signer, path) = admin::enroll(&opts, enrolment, &policy(ctx)?).map_err(boxed)?;
    let mut credentials = Vec::new();
    if !signer.public_key.is_empty() {
        credentials.push(format!("key {}", signer.key_id));
    }
    if let (Some(identity), Some(issuer)) = (&signer.identity, &signer.issuer) {
        credentials.push(format!("identity {identity} (issuer {issuer}, entry {})", signer.key_id));
    }
    let text = format!(
        "enrolled {} ({}) with {}, signed by administrator {}, in {}\n",
        signer.id,
        signer.roles.join(", "),
        credentials.join(" and "),
        signer.enrolled_by,
        path.display()
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&signer).expect("serialises") })
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    #[arg(long, value_name = "ID")]
    pub signer: String,
    /// From when the key is invalid (signatures before stay valid), RFC 3339 UTC.
    #[arg(long, value_name = "TIME")]
    pub at: String,
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub admin: AdminArgs,
}

/// Who signs a registry entry (enrolment, revocation, delegation): an administrator.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// Your administrator key (keygen's KEY, named in the trust file): you sign the entry,
    /// stating that you verified the identity of the people it names (§11.100(b)).
    #[arg(long, value_name = "KEY")]
    pub admin_key: PathBuf,
    /// The trust file naming the administrators (default signatures/trust.json).
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

impl AdminArgs {
    fn options(&self, ctx: &Ctx) -> admin::AdminOptions {
        admin::AdminOptions {
            root: ctx.root.clone(),
            key: ctx.path(&self.admin_key),
            trust: self.trust.as_ref().map(|t| ctx.path(t)),
        }
    }
}

pub fn revoke(args: RevokeArgs, ctx: &Ctx) -> CmdResult {
    let opts = args.admin.options(ctx);
    let (_, path) = admin::revoke(&opts, &args.signer, &args.at, &args.reason).map_err(boxed)?;
    let text = format!("revoked the key of {} from {} in {}\n", args.signer, args.at, path.display());
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "signer": args.signer, "at": args.at }) })
}

#[derive(Debug, clap::Args)]
pub struct DelegateArgs {
    /// The enrolled person whose role is delegated.
    #[arg(long, value_name = "ID")]
    pub delegator: String,
    /// The enrolled person who may sign that role on their behalf.
    #[arg(long, value_name = "ID")]
    pub delegate: String,
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// Start of the window (RFC 3339 UTC time or date).
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End of the window, at most 30 days after --from.
    #[arg(long, value_name = "TIME")]
    pub until: String,
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub admin: AdminArgs,
}

pub fn delegate(args: DelegateArgs, ctx: &Ctx) -> CmdResult {
    let opts = args.admin.options(ctx);
    let request = crate::sign::delegation::Request {
        delegator: args.delegator,
        delegate: args.delegate,
        role: args.role,
        from: args.from,
        until: args.until,
        reason: args.reason,
    };
    let (d, path) = admin::delegate(&opts, &request, &policy(ctx)?).map_err(boxed)?;
    let text = format!(
        "delegated {} from {} to {}, {} to {}, in {}\n",
        d.role,
        d.delegator,
        d.delegate,
        d.from,
        d.until,
        path.display()
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::to_value(&d).expect("serialises") })
}

#[derive(Debug, clap::Args)]
pub struct RequestArgs {
    #[arg(long, value_name = "ID")]
    pub release: String,
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: PathBuf,
    /// The SHA256SUMS to record (default: SHA256SUMS beside the bundle, if present).
    #[arg(long, value_name = "FILE")]
    pub sums: Option<PathBuf>,
    /// The RTM index.json to record (default: the gate's output, if present).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// Commit SHA(s) of the release (default: `git rev-parse HEAD`).
    #[arg(long = "commit", value_name = "SHA")]
    pub commits: Vec<String>,
}

pub fn request(args: RequestArgs, ctx: &Ctx) -> CmdResult {
    let cfg = config::load_required(&ctx.root).map_err(boxed)?;
    let bundle = ctx.path(&args.bundle);
    let sums = args.sums.map(|p| ctx.path(&p)).or_else(|| bundle.parent().map(|d| d.join("SHA256SUMS")));
    let index =
        args.index.map(|p| ctx.path(&p)).or_else(|| Some(ctx.root.join(&cfg.requirements.out).join("index.json")));
    let opts =
        RequestOptions { root: ctx.root.clone(), release: args.release, bundle, sums, index, commits: args.commits };
    let (req, path) = request::create(&opts, &cfg.signing).map_err(boxed)?;
    let body = crate::templates::render("request.md", &req);
    let _ = github::append_summary(&body);
    let missing: Vec<&str> = req.required.iter().map(|r| r.role.as_str()).collect();
    let _ = github::set_output("missing-signatures", &missing.join(","));
    Ok(Outcome {
        exit: Exit::Pass,
        text: format!("wrote {}\n\n{body}", path.display()),
        json: serde_json::to_value(&req).expect("serialises"),
    })
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("mode").required(true).args(["key", "keyless_predicate", "keyless_bundle", "show"]))]
pub struct SignArgs {
    #[arg(long, value_name = "ID")]
    pub release: String,
    /// The role to sign (with --keyless-bundle: optional, checked against the signature).
    #[arg(long, value_name = "ROLE", required_unless_present_any = ["keyless_bundle", "show"])]
    pub role: Option<String>,
    /// Print what the ceremony shows before the password (the record, its files, the RTM
    /// summary, the signatures present, the changes since the previous signed release) and
    /// its digest, without signing.
    #[arg(long, conflicts_with_all = ["reject", "withdraw", "keyless_predicate", "keyless_bundle", "tsa"])]
    pub show: bool,
    /// Your encrypted key file (keygen's KEY; KEY.pub beside it names you).
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Only when KEY.pub is missing: your signer id. Required with --keyless-predicate.
    #[arg(long, value_name = "ID", required_if_eq("keyless_predicate", "true"))]
    pub signer: Option<String>,
    /// The bundle, to recompute its hash before signing (default: the request's file name here).
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: Option<PathBuf>,
    /// Sign as REJECTOR: formally reject the release, with a reason.
    #[arg(long, conflicts_with = "keyless_bundle")]
    pub reject: bool,
    /// Withdraw your own signature or rejection of ROLE, with a reason, before the release is
    /// approved: the same ceremony, ending in a signed withdrawal record.
    #[arg(long, requires = "key", conflicts_with_all = ["reject", "tsa", "keyless_predicate", "keyless_bundle"])]
    pub withdraw: bool,
    /// Keyless, step 1: check you may sign, then write the Part 11 record to sign with
    /// `cosign attest-blob` (no key, no password) and print the exact commands.
    #[arg(long)]
    pub keyless_predicate: bool,
    /// With --keyless-predicate: where to write it (default: ROLE--SIGNER.predicate.json).
    #[arg(long, value_name = "FILE", requires = "keyless_predicate")]
    pub out: Option<PathBuf>,
    /// With --keyless-predicate: the reason (required with --reject).
    #[arg(long, requires = "keyless_predicate")]
    pub reason: Option<String>,
    /// Keyless, step 2: verify the Sigstore bundle cosign wrote, add it to the release as
    /// `<ROLE>--<signer>.sigstore.json` and log it in the audit trail.
    #[arg(long, value_name = "FILE.sigstore.json")]
    pub keyless_bundle: Option<PathBuf>,
    /// An RFC 3161 timestamp authority to give the signature trusted time (default: [signing]
    /// tsa in signet.toml). Its certificate chain must be in the trust file.
    #[arg(long, value_name = "URL", requires = "key")]
    pub tsa: Option<String>,
    /// Sign ROLE as the delegate of this enrolled person, under a delegation an administrator
    /// recorded (`signet delegate`); the signature reads "YOU on behalf of ID".
    #[arg(long, value_name = "ID", requires = "key", conflicts_with_all = ["withdraw", "show"])]
    pub on_behalf_of: Option<String>,
    /// Seconds to wait for the timestamp authority's whole answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub tsa_timeout: u64,
}

pub fn sign(args: SignArgs, ctx: &Ctx) -> CmdResult {
    let policy = policy(ctx)?;
    if let Some(bundle) = &args.keyless_bundle {
        return import_keyless(&args, bundle, &policy, ctx);
    }
    if args.show {
        return show(&args.release, &policy, ctx);
    }
    let role = args.role.clone().unwrap_or_default();
    if args.keyless_predicate {
        return keyless_predicate(&args, role, &policy, ctx);
    }
    let opts = SignOptions {
        root: ctx.root.clone(),
        release: args.release,
        role,
        key: args.key.unwrap_or_default(),
        signer: args.signer,
        bundle: args.bundle,
        reject: args.reject,
        tsa: args.tsa,
        tsa_timeout: std::time::Duration::from_secs(args.tsa_timeout),
        on_behalf_of: args.on_behalf_of,
    };
    if args.withdraw {
        let path = crate::sign::withdraw::withdraw(&opts, &policy).map_err(boxed)?;
        return Ok(Outcome { exit: Exit::Pass, text: String::new(), json: serde_json::json!({ "withdrawal": path }) });
    }
    let path = ceremony::sign(&opts, &policy).map_err(boxed)?;
    Ok(Outcome { exit: Exit::Pass, text: String::new(), json: serde_json::json!({ "signature": path }) })
}

fn keyless_predicate(args: &SignArgs, role: String, policy: &SigningConfig, ctx: &Ctx) -> CmdResult {
    let signer = args.signer.clone().unwrap_or_default();
    let out = ctx.path(&args.out.clone().unwrap_or_else(|| PathBuf::from(format!("{role}--{signer}.predicate.json"))));
    let opts = PredicateOptions {
        root: ctx.root.clone(),
        release: args.release.clone(),
        role,
        signer,
        bundle: args.bundle.as_ref().map(|b| ctx.path(b)),
        reject: args.reject,
        reason: args.reason.clone(),
        out,
    };
    let p = sigstore::prepare(&opts, policy).map_err(boxed)?;
    let mut text = p.summary.clone();
    let _ = writeln!(text, "\nWrote the predicate to sign: {}", p.path.display());
    let _ = writeln!(text, "Its signed_at is your clock now; the signature's time will be the one the transparency");
    let _ = writeln!(text, "log or timestamp authority vouches for, which must come within 24 hours.");
    let _ = writeln!(
        text,
        "\nSign it (log in as {} at {} when cosign asks), then add the signature:",
        p.identity, p.issuer
    );
    for c in &p.commands {
        let _ = writeln!(text, "  {c}");
    }
    let _ = writeln!(text, "Commit {}/{}/ in a pull request.", layout::DIR, p.record.release);
    let json = ctx.json(|| serde_json::json!({ "predicate": p.record, "file": p.path, "commands": p.commands }));
    Ok(Outcome { exit: Exit::Pass, text, json })
}

fn import_keyless(args: &SignArgs, bundle: &std::path::Path, policy: &SigningConfig, ctx: &Ctx) -> CmdResult {
    let opts = ImportOptions {
        root: ctx.root.clone(),
        release: args.release.clone(),
        bundle: ctx.path(bundle),
        role: args.role.clone(),
    };
    let (path, sig) = sigstore::import(&opts, policy).map_err(boxed)?;
    let r = &sig.record;
    let text = format!(
        "Verified and added {}: {} ({}) by {} <{}> at {} [{}]\nCommit {}/{}/ in a pull request.\n",
        path.display(),
        r.role,
        r.meaning,
        r.printed_name,
        r.email,
        r.signed_at,
        r.time_source,
        layout::DIR,
        r.release
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "signature": path, "verified": sig }) })
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle whose hash was signed.
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: PathBuf,
    /// The release folder `signatures/<ID>/`, or an assembled `signatures/release-<ID>.json`.
    #[arg(long, value_name = "PATH")]
    pub manifest: PathBuf,
    /// The organisation's trust file, kept outside the record (QMS / DHF). A release folder
    /// defaults to signatures/trust.json; a manifest without it never passes.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// The SHA-256 the trust file must have (hex or sha256:hex), so that a pull request cannot
    /// swap the anchor.
    #[arg(long, value_name = "HEX")]
    pub trust_sha256: Option<String>,
    /// A current signer registry (signers.toml) whose revocations apply too: key compromises
    /// learned after the release was archived.
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
    /// Also write the verdict as an in-toto Statement with the SLSA Verification Summary
    /// predicate (PASSED or FAILED), for other tools.
    #[arg(long, value_name = "FILE")]
    pub vsa: Option<PathBuf>,
    /// Sign the VSA (a DSSE envelope) with this Signet key; its password is asked on the terminal.
    #[arg(long, value_name = "KEY", requires = "vsa")]
    pub vsa_key: Option<PathBuf>,
}

/// Writes the VSA of `verdict` (signed with `--vsa-key`, if given); returns what to print.
fn write_vsa(
    args: &VerifyArgs,
    ctx: &Ctx,
    bundle: &std::path::Path,
    verdict: &verify::Verdict,
    out: &std::path::Path,
) -> Result<String, Box<dyn crate::error::StageError>> {
    let bundle_name = bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let trust_uri = args.trust.as_ref().map_or(layout::TRUST.to_owned(), |t| t.display().to_string());
    let inputs = crate::sign::vsa::Inputs { bundle_name: &bundle_name, trust_uri: &trust_uri };
    let statement = crate::sign::vsa::statement(verdict, &inputs, Timestamp::now());
    let key = match &args.vsa_key {
        None => None,
        Some(path) => {
            let path = ctx.path(path);
            let pem = crate::fsx::read::read_text(&path, 1 << 20).map_err(|e| boxed(SignError::input(&path, e)))?;
            let password = keys::read_password("Password for the VSA key: ")
                .map_err(|e| boxed(SignError::Refused(format!("cannot read the password: {e}"))))?;
            Some(keys::decrypt_pem(&pem, password.as_bytes()).map_err(|e| boxed(SignError::input(&path, e)))?)
        }
    };
    let text = crate::sign::vsa::file_text(&statement, key.as_ref());
    crate::fsx::atomic::ensure_parent(out)
        .and_then(|()| crate::fsx::atomic::write(out, text.as_bytes()))
        .map_err(|source| boxed(SignError::Write { path: out.to_path_buf(), source }))?;
    let how = if key.is_some() { "signed" } else { "unsigned" };
    Ok(format!(
        "wrote {} ({how} SLSA verification summary: {})",
        out.display(),
        statement.predicate.verification_result
    ))
}

pub fn verify(args: VerifyArgs, ctx: &Ctx) -> CmdResult {
    let (bundle, manifest) = (ctx.path(&args.bundle), ctx.path(&args.manifest));
    let policy = if manifest.is_dir() { policy(ctx)? } else { SigningConfig::default() };
    let trust = verify::TrustOptions {
        file: args.trust.as_ref().map(|t| ctx.path(t)),
        sha256: args.trust_sha256.clone(),
        registry: args.registry.as_ref().map(|r| ctx.path(r)),
    };
    let inputs =
        verify::VerifyInputs { root: &ctx.root, bundle: &bundle, record: &manifest, policy: &policy, trust: &trust };
    let verdict = verify::run(&inputs, Timestamp::now()).map_err(boxed)?;
    let report = &verdict.report;
    let mut text = report.lines();
    match &verdict.manifest {
        Some(verify::ManifestOutcome::Written(path)) => {
            let _ = writeln!(text, "wrote the archival manifest {}", path.display());
        }
        Some(verify::ManifestOutcome::Identical(path)) => {
            let _ =
                writeln!(text, "the archival manifest {} is already there and agrees with this record", path.display());
        }
        Some(verify::ManifestOutcome::Differs(_)) | None => {}
    }
    let _ = writeln!(text, "{}", report.summary());
    if let Some(out) = &args.vsa {
        let _ = writeln!(text, "{}", write_vsa(&args, ctx, &bundle, &verdict, &ctx.path(out))?);
    }
    let missing: Vec<String> = report.awaiting.iter().map(ToString::to_string).collect();
    let _ = github::set_output("missing-signatures", &missing.join("; "));
    let _ = github::set_output("verify-result", if report.passed() { "pass" } else { "fail" });
    Ok(Outcome {
        exit: if report.passed() { Exit::Pass } else { Exit::Fail },
        text,
        json: serde_json::to_value(report).expect("serialises"),
    })
}

/// `sign --show`: the ceremony's view of the record, without a terminal or a key.
fn show(release: &str, policy: &SigningConfig, ctx: &Ctx) -> CmdResult {
    let dir = layout::release_dir(&ctx.root, release).map_err(boxed)?;
    let (request, request_sha) = crate::sign::release_record::load(&dir).map_err(boxed)?;
    let now = crate::sign::eligibility::gate_now(&ctx.root, &dir, policy, &request, Timestamp::now()).map_err(boxed)?;
    let evidence =
        crate::sign::evidence::load(&dir, &request, crate::sign::evidence::Missing::Refused).map_err(boxed)?;
    let view =
        crate::sign::view::build(&ctx.root, (&request, &request_sha), &evidence, &now.signatures).map_err(boxed)?;
    let text = format!("{}\nshown_sha256 {}\n", view.text(), view.digest());
    let json = ctx.json(|| serde_json::json!({ "text": view.text(), "shown_sha256": view.digest() }));
    Ok(Outcome { exit: Exit::Pass, text, json })
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier release to compare against.
    #[arg(long, value_name = "RELEASE")]
    pub since: String,
    /// The later release (default: the release whose request was made last).
    #[arg(long, value_name = "ID")]
    pub release: Option<String>,
}

/// `signet diff --since RELEASE`: what changed between two releases' pinned evidence.
pub fn diff(args: DiffArgs, ctx: &Ctx) -> CmdResult {
    let release = match args.release {
        Some(r) => r,
        None => crate::sign::changes::latest(&ctx.root).map_err(boxed)?.ok_or_else(|| {
            boxed(SignError::Refused(format!(
                "no release under {}/: pass --release ID",
                ctx.root.join(layout::DIR).display()
            )))
        })?,
    };
    let changes = crate::sign::changes::since(&ctx.root, &release, &args.since).map_err(boxed)?;
    let text = format!("Changes from {} to {release}:\n{}", args.since, changes.render());
    let json = ctx.json(|| serde_json::json!({ "release": release, "changes": changes }));
    Ok(Outcome { exit: Exit::Pass, text, json })
}
