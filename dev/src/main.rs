use std::process::ExitCode;

use clap::{Parser, Subcommand};
use signet::cli::{self, Global};

/// `cargo xtask`: every `signet` command, plus the developer-only ones.
#[derive(Debug, Parser)]
#[command(
    name = "signet-dev",
    version,
    about = "Signet's developer tooling: every signet command, plus bench and conformance"
)]
struct DevCli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Measure Signet side by side with the tools it replaces.
    Bench(signet_dev::bench_cmd::Args),
    /// Sigstore conformance-suite client: verify a bundle offline (exit 0 = verified).
    Conformance(signet_dev::conformance::Args),
    /// Signet's SOUP register entry for this release (validation/, issue #18).
    Soup(signet_dev::soup::Args),
    #[command(flatten)]
    Product(cli::Command),
}

fn main() -> ExitCode {
    let cli = DevCli::parse();
    let ctx = cli.global.context();
    let result = match cli.command {
        DevCommand::Bench(args) => signet_dev::bench_cmd::run(args, &ctx),
        DevCommand::Conformance(args) => signet_dev::conformance::run(args, &ctx),
        DevCommand::Soup(args) => signet_dev::soup::run(args, &ctx),
        DevCommand::Product(command) => cli::run(command, &ctx),
    };
    cli::finish(result, &ctx)
}
