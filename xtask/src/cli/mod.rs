//! The command line: argument types, and one place that turns a stage's result into output
//! and an exit code. Each `cli::<command>` module is a thin caller of its stage.

pub mod bundle;
pub mod compliance;
pub mod inspect;
pub mod release_check;
pub mod report;
pub mod rtm_gate;
pub mod signing;
pub mod stamp;
pub mod sums;
pub mod trust;
pub mod validation;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{Exit, StageError};
use crate::output::{self, Format, github, json};

#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Release evidence for 21 CFR Part 11: RTM gate, canonical bundle, signatures, final gate",
    long_about = None,
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct Global {
    /// Root of the regulated repository; relative paths are resolved against it.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Output format on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl Global {
    pub fn context(&self) -> Ctx {
        Ctx { root: self.root.clone(), format: self.format }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Gate on requirements: review state, suspicion and test verification (index.json, RTM).
    RtmGate(rtm_gate::Args),
    /// Record a review: write REVIEWED_HASH / REVIEWED_BY into the .sdoc in place.
    Stamp(stamp::Args),
    /// Build the seed-001 evidence tree (evidence, the RTM gate's outputs, SHA256SUMS) to bundle.
    Assemble(bundle::AssembleArgs),
    /// Write the canonical evidence bundle (ctar v1) and its SHA-256.
    Bundle(bundle::Args),
    /// Write a SHA256SUMS file, or check one strictly.
    Sums(sums::Args),
    /// Create your encrypted signing key (password from the terminal).
    Keygen(signing::KeygenArgs),
    /// The organisation's trust anchor: registry administrators, accepted Sigstore roots.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// Enrol a signer in signatures/signers.toml, signed by an administrator (terminal only).
    Enroll(signing::EnrollArgs),
    /// Revoke a signer's key from a given time, signed by an administrator (terminal only).
    Revoke(signing::RevokeArgs),
    /// Delegate a signer's role to another enrolled person for a window, signed by an administrator.
    Delegate(signing::DelegateArgs),
    /// Write the pending-signature request for a release.
    Request(signing::RequestArgs),
    /// The signing ceremony: sign a release with a stated meaning (terminal only).
    Sign(signing::SignArgs),
    /// What changed between two releases: requirements, test verdicts, evidence files.
    Diff(signing::DiffArgs),
    /// The evidence report: HTML and archival PDF/A with the signature manifestations.
    Report(report::Args),
    /// The inspection package of one release: manifest, report, audit trail, registry history,
    /// trust anchors, verdict, Signet's SOUP record, an index page.
    Inspect(inspect::Args),
    /// Compliance across every release: signatures per signer and role, failed attempts and
    /// lockouts, expiring and revoked keys, releases awaiting signatures.
    Compliance(compliance::Args),
    /// The final gate: verify the signed release against the bundle.
    Verify(signing::VerifyArgs),
    /// Run every stage locally, in order, into target/release-check/.
    ReleaseCheck(release_check::Args),
    /// Signet's own CSA record and SOUP entry, rendered to HTML and PDF/A (issue #18).
    Validation(validation::Args),
}

/// Runs one command: the dispatch both `signet` and `cargo xtask` (signet-dev) use.
pub fn run(command: Command, ctx: &Ctx) -> CmdResult {
    if !ctx.root.is_dir() {
        return Err(boxed(NoSuchRoot(ctx.root.clone())));
    }
    match command {
        Command::RtmGate(args) => rtm_gate::run(args, ctx),
        Command::Stamp(args) => stamp::run(args, ctx),
        Command::Keygen(args) => signing::keygen(args, ctx),
        Command::Trust(cmd) => trust::run(cmd, ctx),
        Command::Enroll(args) => signing::enroll(args, ctx),
        Command::Revoke(args) => signing::revoke(args, ctx),
        Command::Delegate(args) => signing::delegate(args, ctx),
        Command::Request(args) => signing::request(args, ctx),
        Command::Sign(args) => signing::sign(args, ctx),
        Command::Diff(args) => signing::diff(args, ctx),
        Command::Report(args) => report::run(args, ctx),
        Command::Verify(args) => signing::verify(args, ctx),
        Command::Inspect(args) => inspect::run(args, ctx),
        Command::Compliance(args) => compliance::run(args, ctx),
        Command::Assemble(args) => bundle::assemble(args, ctx),
        Command::Bundle(args) => bundle::run(args, ctx),
        Command::Sums(args) => sums::run(args, ctx),
        Command::ReleaseCheck(args) => release_check::run(args, ctx),
        Command::Validation(args) => validation::run(args, ctx),
    }
}

/// `--root` names no folder: every command would misread that as an empty repository.
#[derive(Debug)]
pub struct NoSuchRoot(pub PathBuf);

impl std::fmt::Display for NoSuchRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--root {}: no such folder; give the regulated repository's folder", self.0.display())
    }
}

impl StageError for NoSuchRoot {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

/// What every command gets besides its own arguments.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub root: PathBuf,
    pub format: Format,
}

impl Ctx {
    /// The `--format json` document, built only when asked for: for a 10,000-requirement
    /// gate it is a 35 MiB value.
    pub fn json(&self, value: impl FnOnce() -> serde_json::Value) -> serde_json::Value {
        match self.format {
            Format::Json => value(),
            Format::Text => serde_json::Value::Null,
        }
    }

    /// A path given on the command line, resolved against `--root`.
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() || self.root == Path::new(".") { p.to_path_buf() } else { self.root.join(p) }
    }
}

/// A command's result: its verdict, what a person reads, what a program reads.
pub struct Outcome {
    pub exit: Exit,
    pub text: String,
    pub json: serde_json::Value,
}

pub type CmdResult = Result<Outcome, Box<dyn StageError>>;

pub fn boxed<E: StageError + 'static>(e: E) -> Box<dyn StageError> {
    Box::new(e)
}

pub fn finish(result: CmdResult, ctx: &Ctx) -> ExitCode {
    let exit = match result {
        Ok(outcome) => {
            match ctx.format {
                Format::Text => output::stdout(&outcome.text),
                Format::Json => output::stdout(&json::to_string(&outcome.json)),
            }
            outcome.exit
        }
        Err(e) => {
            report_error(e.as_ref(), ctx.format);
            e.exit()
        }
    };
    ExitCode::from(exit.code())
}

fn report_error(e: &dyn StageError, format: Format) {
    let message = e.to_string();
    if github::in_actions() {
        let (file, line) = e.location().map_or((None, None), |(f, l)| (Some(f), l));
        output::stdout(&format!("{}\n", github::annotation("error", file.as_deref(), line, &message)));
    }
    match format {
        Format::Text => eprintln!("error: {}", output::printable(&message)),
        Format::Json => {
            let value = serde_json::json!({ "error": message, "exit": e.exit().code() });
            output::stdout(&json::to_string(&value));
        }
    }
}
