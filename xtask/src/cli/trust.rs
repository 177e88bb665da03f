//! `signet trust init | rotate | sign`: the organisation's trust anchor, a thin caller of `crate::sign::trust`.

use std::path::PathBuf;

use crate::error::Exit;
use crate::formats::trust::TimestampAuthority;
use crate::sign::trust::{self, InitOptions};
use crate::sign::{SignError, Timestamp, layout};

use super::{CmdResult, Ctx, Outcome, boxed};

#[derive(Debug, clap::Subcommand)]
pub enum TrustCommand {
    /// Create the organisation's trust file (version 1) and print its SHA-256 for the QMS.
    Init(InitArgs),
    /// Propose the next version (new administrators, threshold or Sigstore roots), unsigned.
    Rotate(RotateArgs),
    /// Sign the proposed version as a current or incoming administrator (terminal only).
    Sign(SignArgs),
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// The trust file in force.
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// The next version's administrators, as for `init` (list every one, including those who stay).
    #[arg(long = "admin-pubkey", value_name = "[ID=]FILE", required = true)]
    pub admins: Vec<String>,
    #[arg(long, default_value_t = 1)]
    pub threshold: u32,
    /// The Sigstore trusted roots the next version accepts (the list is replaced).
    #[arg(long = "sigstore-root", value_name = "FILE")]
    pub sigstore_roots: Vec<PathBuf>,
    /// The RFC 3161 timestamp authorities the next version accepts, as NAME=CHAIN.pem (the
    /// list is replaced). Repeatable.
    #[arg(long = "tsa", value_name = "NAME=CHAIN.pem")]
    pub tsas: Vec<String>,
    /// Where to write the proposal; it becomes the trust file once signed by a threshold of the
    /// current administrators and of the next ones.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The proposal `trust rotate` wrote.
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Your administrator key (keygen's KEY; KEY.pub beside it).
    #[arg(long, value_name = "KEY")]
    pub admin_key: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// An administrator's public key (keygen's KEY.pub), as ID=FILE or FILE (the id is then the
    /// file name before `.key.pub`). Repeatable.
    #[arg(long = "admin-pubkey", value_name = "[ID=]FILE", required = true)]
    pub admins: Vec<String>,
    /// How many distinct administrators must sign each enrolment, revocation and rotation.
    #[arg(long, default_value_t = 1)]
    pub threshold: u32,
    /// The organisation, as auditors will see it.
    #[arg(long, value_name = "NAME")]
    pub organisation: String,
    /// A Sigstore trusted_root.json accepted for keyless signers (its SHA-256 is recorded). Repeatable.
    #[arg(long = "sigstore-root", value_name = "FILE")]
    pub sigstore_roots: Vec<PathBuf>,
    /// An RFC 3161 timestamp authority accepted for key-file signatures' trusted time, as
    /// NAME=CHAIN.pem: its signing certificate, any intermediates and its root, in that order
    /// (the signing certificate is pinned). Repeatable.
    #[arg(long = "tsa", value_name = "NAME=CHAIN.pem")]
    pub tsas: Vec<String>,
    /// Vouch directly for every signer entry of this archived manifest (release-<ID>.json) or
    /// registry (signers.toml), exactly as written there: for releases archived before signed
    /// enrolment (v1 manifests). Check the entries against your records first. Repeatable.
    #[arg(long = "vouch-entries", value_name = "FILE")]
    pub vouched: Vec<PathBuf>,
    /// Where to write it (default signatures/trust.json); an existing file is never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The signer entries of a manifest (JSON) or a registry (TOML).
fn entries_of(path: &std::path::Path) -> Result<Vec<crate::formats::registry::Signer>, SignError> {
    if path.extension().is_some_and(|e| e == "toml") {
        return Ok(crate::sign::registry::Registry::load_file(path)?.0.signer);
    }
    Ok(crate::sign::release_record::ReleaseRecord::from_manifest(path)?.1.signers)
}

pub fn run(cmd: TrustCommand, ctx: &Ctx) -> CmdResult {
    match cmd {
        TrustCommand::Init(args) => init(args, ctx),
        TrustCommand::Rotate(args) => rotate(args, ctx),
        TrustCommand::Sign(args) => sign(args, ctx),
    }
}

fn admins_of(specs: &[String], ctx: &Ctx) -> Vec<(String, PathBuf)> {
    specs
        .iter()
        .map(|a| match a.split_once('=') {
            Some((id, file)) => (id.to_owned(), ctx.path(file.as_ref())),
            None => {
                let file = ctx.path(a.as_ref());
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                (name.trim_end_matches(".pub").trim_end_matches(".key").to_owned(), file)
            }
        })
        .collect()
}

fn digests_of(files: &[PathBuf], ctx: &Ctx) -> Result<Vec<String>, Box<dyn crate::error::StageError>> {
    files
        .iter()
        .map(|p| Ok(crate::sign::release_record::file_digest(&ctx.path(p)).map_err(boxed)?.0.tagged()))
        .collect()
}

/// `NAME=CHAIN.pem` specs, each chain read and checked to be usable.
fn tsas_of(specs: &[String], ctx: &Ctx) -> Result<Vec<TimestampAuthority>, Box<dyn crate::error::StageError>> {
    let mut out = Vec::new();
    for spec in specs {
        let Some((name, file)) = spec.split_once('=').filter(|(n, f)| !n.trim().is_empty() && !f.is_empty()) else {
            return Err(boxed(SignError::Refused(format!("--tsa {spec}: give NAME=CHAIN.pem"))));
        };
        let path = ctx.path(file.as_ref());
        let chain_pem = crate::fsx::read::read_text(&path, 1 << 20).map_err(|e| boxed(SignError::input(&path, e)))?;
        crate::sign::tsa::check_chain_pem(&chain_pem).map_err(|e| boxed(SignError::input(&path, e)))?;
        out.push(TimestampAuthority { name: name.trim().to_owned(), chain_pem });
    }
    Ok(out)
}

/// Writes a new trust file, never over an existing one.
fn write_new(out: &std::path::Path, t: &trust::Trust) -> Result<String, Box<dyn crate::error::StageError>> {
    if out.exists() {
        return Err(boxed(SignError::Refused(format!(
            "{} exists: a trust anchor is never replaced in place; write the new one elsewhere with --out",
            out.display()
        ))));
    }
    let text = crate::output::json::to_string(t);
    crate::fsx::atomic::ensure_parent(out)
        .and_then(|()| crate::fsx::atomic::write(out, text.as_bytes()))
        .map_err(|source| boxed(SignError::Write { path: out.to_path_buf(), source }))?;
    Ok(crate::digest::tagged(text.as_bytes()))
}

fn rotate(args: RotateArgs, ctx: &Ctx) -> CmdResult {
    let current = trust::TrustFile::load(&ctx.path(&args.trust)).map_err(boxed)?;
    let opts = InitOptions {
        organisation: String::new(),
        admins: admins_of(&args.admins, ctx),
        threshold: args.threshold,
        sigstore_roots: digests_of(&args.sigstore_roots, ctx)?,
        timestamp_authorities: tsas_of(&args.tsas, ctx)?,
        vouched: Vec::new(),
    };
    let t = trust::propose(&current.trust, &opts, Timestamp::now()).map_err(boxed)?;
    let out = ctx.path(&args.out);
    write_new(&out, &t)?;
    let prev = current.trust.latest();
    let text = format!(
        "wrote {} proposing version {}: needs {} signature(s) of the current administrators and {} of the next          (signet trust sign --trust {} --admin-key KEY)
",
        out.display(),
        t.latest().version,
        prev.threshold,
        t.latest().threshold,
        out.display()
    );
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "path": out, "version": t.latest().version }) })
}

fn sign(args: SignArgs, ctx: &Ctx) -> CmdResult {
    let path = ctx.path(&args.trust);
    let count = crate::sign::admin::sign_trust(&path, &ctx.path(&args.admin_key)).map_err(boxed)?;
    let complete = trust::TrustFile::load(&path).ok();
    let text = match &complete {
        Some(f) => format!(
            "signed; {} now has {count} signature(s) and is a valid trust file: {}\nRecord this SHA-256 in the QMS with a copy of the file.\n",
            path.display(),
            f.sha256
        ),
        None => format!("signed; {} has {count} signature(s) and needs more\n", path.display()),
    };
    Ok(Outcome {
        exit: Exit::Pass,
        text,
        json: serde_json::json!({ "signatures": count, "complete": complete.is_some() }),
    })
}

fn init(args: InitArgs, ctx: &Ctx) -> CmdResult {
    let admins = admins_of(&args.admins, ctx);
    let sigstore_roots = digests_of(&args.sigstore_roots, ctx)?;
    let mut vouched = Vec::new();
    for p in &args.vouched {
        vouched.extend(entries_of(&ctx.path(p)).map_err(boxed)?);
    }
    let opts = InitOptions {
        organisation: args.organisation,
        admins,
        threshold: args.threshold,
        sigstore_roots,
        timestamp_authorities: tsas_of(&args.tsas, ctx)?,
        vouched,
    };
    let t = trust::init(&opts, Timestamp::now()).map_err(boxed)?;
    let out = args.out.map_or_else(|| ctx.root.join(layout::TRUST), |o| ctx.path(&o));
    let sha = write_new(&out, &t)?;
    let r = t.latest();
    let summary = format!(
        "wrote {} (signet.trust/v1, version 1): {} administrator(s), threshold {}, {} Sigstore root(s), {} timestamp \
         authorit(y/ies), {} vouched entr(y/ies)\n\
         {sha}\nRecord this SHA-256 in your QMS / DHF with a copy of the file; verify with --trust FILE --trust-sha256 {}\n",
        out.display(),
        r.admins.len(),
        r.threshold,
        r.sigstore_roots.len(),
        r.timestamp_authorities.len(),
        r.vouched_entries.len(),
        sha.trim_start_matches("sha256:")
    );
    Ok(Outcome { exit: Exit::Pass, text: summary, json: serde_json::json!({ "path": out, "sha256": sha }) })
}
