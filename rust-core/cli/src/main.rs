//! `unipos`: the command line of the unipos acquiring engine.
//!
//! Protocol tools (`iso8583`, `crypto`) are part of the public interface: integrators script
//! them, so their output formats are stable.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod error;
mod tools;

use error::CliError;

#[derive(Parser)]
#[command(
    name = "unipos",
    version,
    about = "unipos: unified acquiring for smart-POS terminals"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// ISO 8583 tools: decode and encode UnionPay messages.
    #[command(subcommand)]
    Iso8583(tools::iso8583::Iso8583Command),
    /// Payment cryptography tools: MACs, PIN blocks, check values, key unwrap.
    #[command(subcommand)]
    Crypto(tools::crypto::CryptoCommand),
}

fn run(cli: Cli) -> Result<String, CliError> {
    match cli.command {
        Command::Iso8583(cmd) => tools::iso8583::run(cmd),
        Command::Crypto(cmd) => tools::crypto::run(cmd),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
