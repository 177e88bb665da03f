use std::process::ExitCode;

use clap::Parser;
use signet::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = cli.global.context();
    let result = match cli.command {
        Command::RtmGate(args) => cli::rtm_gate::run(args, &ctx),
        Command::Stamp(args) => cli::stamp::run(args, &ctx),
        Command::Keygen(args) => cli::signing::keygen(args, &ctx),
        Command::Enroll(args) => cli::signing::enroll(args, &ctx),
        Command::Revoke(args) => cli::signing::revoke(args, &ctx),
        Command::Request(args) => cli::signing::request(args, &ctx),
        Command::Sign(args) => cli::signing::sign(args, &ctx),
        Command::Report(args) => cli::report::run(args, &ctx),
        Command::Verify(args) => cli::signing::verify(args, &ctx),
        Command::Bundle(args) => cli::bundle::run(args, &ctx),
        Command::Sums(args) => cli::sums::run(args, &ctx),
        Command::ReleaseCheck(args) => cli::release_check::run(args, &ctx),
        Command::Bench(args) => cli::bench::run(args, &ctx),
        Command::Conformance(args) => cli::conformance::run(args, &ctx),
    };
    cli::finish(result, &ctx)
}
