//! `keygen`, `enroll`, `revoke`, `request`, `sign`, `verify`: thin callers of `crate::sign`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config;
use crate::error::Exit;
use crate::output::github;
use crate::sign::ceremony::{self, SignOptions};
use crate::sign::policy::SigningConfig;
use crate::sign::registry::{Registry, Signer};
use crate::sign::request::{self, RequestOptions};
use crate::sign::verify::{self, ReleaseRecord};
use crate::sign::{SignError, Timestamp, keys};

use super::{CmdResult, Ctx, Outcome, boxed};

fn policy(ctx: &Ctx) -> Result<SigningConfig, Box<dyn crate::error::StageError>> {
    Ok(config::load(&ctx.root).map_err(boxed)?.signing)
}

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Your signer id (as it will be enrolled).
    #[arg(long, value_name = "ID")]
    pub signer: String,
    /// Where to write the encrypted private key (mode 0600; KEY.pub is written beside it).
    #[arg(long, value_name = "KEY")]
    pub out: PathBuf,
}

pub fn keygen(args: KeygenArgs, _ctx: &Ctx) -> CmdResult {
    if !keys::is_interactive() {
        return Err(boxed(SignError::Refused(
            "keygen asks for the key's password on a terminal; run it yourself, interactively".into(),
        )));
    }
    let password = keys::read_new_password(&args.signer).map_err(|e| boxed(SignError::Refused(e.to_string())))?;
    let key = keys::generate();
    let pem = keys::encrypt_pem(&key, password.as_bytes()).map_err(|e| boxed(SignError::Refused(e.to_string())))?;
    crate::fsx::atomic::ensure_parent(&args.out)
        .and_then(|()| keys::write_key_file(&args.out, &pem))
        .map_err(|source| boxed(SignError::Write { path: args.out.clone(), source }))?;
    let public = keys::public_pem(key.verifying_key());
    let pub_path = ceremony::public_key_path(&args.out);
    crate::fsx::atomic::write(&pub_path, public.as_bytes())
        .map_err(|source| boxed(SignError::Write { path: pub_path.clone(), source }))?;
    let key_id = keys::key_id(key.verifying_key());
    let text = format!(
        "{public}\nkey id {key_id}\nwrote {} (encrypted) and {}\nnext: your administrator runs\n  signet enroll --signer {} --name \"<printed name>\" --email <email> --role <ROLE> --pubkey {} --enrolled-by <their id>\n",
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
    /// Roles this person may sign for (repeatable).
    #[arg(long = "role", value_name = "ROLE", required = true)]
    pub roles: Vec<String>,
    /// The public key: a PEM file (keygen's KEY.pub).
    #[arg(long, value_name = "PEM")]
    pub pubkey: PathBuf,
    /// Last day the key may sign (RFC 3339 time or date).
    #[arg(long, value_name = "DATE")]
    pub valid_until: Option<String>,
    /// Who verified this person's identity before enrolment (§11.100(b)).
    #[arg(long, value_name = "ID")]
    pub enrolled_by: String,
    /// A CI or service key: recorded, but it can never satisfy a signature requirement.
    #[arg(long)]
    pub bot: bool,
}

pub fn enroll(args: EnrollArgs, ctx: &Ctx) -> CmdResult {
    let pem_path = ctx.path(&args.pubkey);
    let pem = std::fs::read_to_string(&pem_path).map_err(|e| boxed(SignError::input(&pem_path, e)))?;
    let vk = keys::parse_public_pem(&pem).map_err(|e| boxed(SignError::input(&pem_path, e)))?;
    let valid_until = match &args.valid_until {
        Some(v) => Some(
            Timestamp::parse(v)
                .ok_or_else(|| {
                    boxed(SignError::Refused(format!("--valid-until `{v}` is not a date or RFC 3339 time")))
                })?
                .to_string(),
        ),
        None => None,
    };
    let now = Timestamp::now();
    let signer = Signer {
        id: args.signer,
        name: args.name,
        email: args.email,
        roles: args.roles,
        kind: if args.bot { "bot".into() } else { "human".into() },
        key_id: keys::key_id(&vk),
        public_key: keys::public_pem(&vk),
        enrolled_at: now.to_string(),
        enrolled_by: args.enrolled_by,
        valid_until,
    };
    let (registry, _) = Registry::load(&ctx.root).map_err(boxed)?;
    let path = registry.enroll(&ctx.root, &signer, &now).map_err(boxed)?;
    let text = format!(
        "enrolled {} ({}) with key {} in {}\n",
        signer.id,
        signer.roles.join(", "),
        signer.key_id,
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
}

pub fn revoke(args: RevokeArgs, ctx: &Ctx) -> CmdResult {
    let (registry, _) = Registry::load(&ctx.root).map_err(boxed)?;
    let path = registry.revoke(&ctx.root, &args.signer, &args.at, &args.reason, &Timestamp::now()).map_err(boxed)?;
    let text = format!("revoked the key of {} from {} in {}\n", args.signer, args.at, path.display());
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "signer": args.signer, "at": args.at }) })
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
    let cfg = config::load(&ctx.root).map_err(boxed)?;
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
pub struct SignArgs {
    #[arg(long, value_name = "ID")]
    pub release: String,
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// Your encrypted key file (keygen's KEY; KEY.pub beside it names you).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Only when KEY.pub is missing: your signer id.
    #[arg(long, value_name = "ID")]
    pub signer: Option<String>,
    /// The bundle, to recompute its hash before signing (default: the request's file name here).
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: Option<PathBuf>,
    /// Sign as REJECTOR: formally reject the release, with a reason.
    #[arg(long)]
    pub reject: bool,
}

pub fn sign(args: SignArgs, ctx: &Ctx) -> CmdResult {
    let policy = policy(ctx)?;
    let opts = SignOptions {
        root: ctx.root.clone(),
        release: args.release,
        role: args.role,
        key: args.key,
        signer: args.signer,
        bundle: args.bundle,
        reject: args.reject,
    };
    let path = ceremony::sign(&opts, &policy).map_err(boxed)?;
    Ok(Outcome { exit: Exit::Pass, text: String::new(), json: serde_json::json!({ "signature": path }) })
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle whose hash was signed.
    #[arg(long, value_name = "FILE.tar")]
    pub bundle: PathBuf,
    /// The release folder `signatures/<ID>/`, or an assembled `signatures/release-<ID>.json`.
    #[arg(long, value_name = "PATH")]
    pub manifest: PathBuf,
}

pub fn verify(args: VerifyArgs, ctx: &Ctx) -> CmdResult {
    let bundle = ctx.path(&args.bundle);
    let manifest = ctx.path(&args.manifest);
    let (bundle_sha, _) = request::file_digest(&bundle).map_err(boxed)?;
    let bundle_sha = bundle_sha.trim_start_matches("sha256:").to_string();
    let from_folder = manifest.is_dir();
    let record = if from_folder {
        ReleaseRecord::from_folder(&ctx.root, &manifest, &policy(ctx)?).map_err(boxed)?
    } else {
        ReleaseRecord::from_manifest(&manifest).map_err(boxed)?.0
    };
    let report = verify::verify(&record, &bundle_sha, Timestamp::now()).map_err(boxed)?;
    let mut text = String::new();
    for s in &report.signatures {
        let r = &s.record;
        let _ = writeln!(
            text,
            "signed   {} ({}) by {} <{}> at {}",
            r.role, r.meaning, r.printed_name, r.email, r.signed_at
        );
    }
    for a in &report.awaiting {
        let _ = writeln!(text, "awaiting {a}");
    }
    for p in &report.problems {
        let _ = writeln!(text, "problem  {p}");
    }
    if report.passed() && from_folder {
        let path = ctx.root.join("signatures").join(format!("release-{}.json", report.release));
        let m = record.manifest(&report);
        crate::fsx::atomic::write(&path, crate::output::json::to_string(&m).as_bytes())
            .map_err(|source| boxed(SignError::Write { path: path.clone(), source }))?;
        let _ = writeln!(text, "wrote the archival manifest {}", path.display());
    }
    let verdict = if report.passed() { "PASS" } else { "FAIL" };
    let _ = writeln!(
        text,
        "{verdict}: release {} — {} signature(s) valid, {} awaiting, {} problem(s)",
        report.release,
        report.signatures.len(),
        report.awaiting.len(),
        report.problems.len()
    );
    let _ = github::set_output("missing-signatures", &report.awaiting.join("; "));
    let _ = github::set_output("verify-result", if report.passed() { "pass" } else { "fail" });
    Ok(Outcome {
        exit: if report.passed() { Exit::Pass } else { Exit::Fail },
        text,
        json: serde_json::to_value(&report).expect("serialises"),
    })
}
