//! `unipos`: the command line of the unipos acquiring engine.
//!
//! * `unipos demo`: the main job on a desktop: a cashier's whole day against the built-in
//!   host simulator, ending with a reconciliation (MATCH or a non-zero exit).
//! * `unipos --db PATH <cashier command>`: a persistent terminal against `unipos host run`.
//! * `unipos host run`: the acquirer host simulator as a server.
//! * `unipos iso8583 ...`, `unipos crypto ...`: protocol tools. Their output formats are a
//!   public interface: integrators script them.

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use unipos_cli::{cashier, demo, host, tools, CliError};

#[derive(Parser)]
#[command(
    name = "unipos",
    version,
    about = "unipos: unified acquiring for smart-POS terminals"
)]
struct Cli {
    /// Terminal database for cashier commands.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A cashier's whole day against the built-in host simulator, with receipts and a
    /// final reconciliation of the terminal journal against the host ledger.
    Demo(demo::DemoArgs),
    /// The acquirer host simulator (POSP, QR gateway, admin API).
    #[command(subcommand)]
    Host(host::HostCommand),
    /// ISO 8583 tools: decode and encode UnionPay messages.
    #[command(subcommand)]
    Iso8583(tools::iso8583::Iso8583Command),
    /// Payment cryptography tools: MACs, PIN blocks, check values, key unwrap.
    #[command(subcommand)]
    Crypto(tools::crypto::CryptoCommand),
    /// Cashier commands on the terminal database given with --db.
    #[command(flatten)]
    Cashier(cashier::commands::CashierCommand),
}

fn run(cli: Cli) -> Result<String, CliError> {
    match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Host(cmd) => host::run(cmd),
        Command::Iso8583(cmd) => tools::iso8583::run(cmd),
        Command::Crypto(cmd) => tools::crypto::run(cmd),
        Command::Cashier(cmd) => {
            let db = cli.db.ok_or_else(|| {
                CliError::bad("cashier commands need --db PATH (the terminal database)")
            })?;
            cashier::run(&db, cmd)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `println!` panics when stdout is closed (`unipos journal | head -1`): write, and treat a
    // reader that went away as the end of the output.
    match run(cli) {
        Ok(output) => {
            let _ = writeln!(std::io::stdout().lock(), "{output}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
