use std::process::ExitCode;

use clap::Parser;
use signet::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = cli.global.context();
    let result = cli::run(cli.command, &ctx);
    cli::finish(result, &ctx)
}
