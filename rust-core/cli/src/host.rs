//! `unipos host run`: the acquirer host simulator as a long-running process.

use crate::error::CliError;
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use unipos_hostsim::{HostSim, HostSimConfig};

/// Host simulator commands.
#[derive(Subcommand)]
pub enum HostCommand {
    /// Run the host simulator (POSP over TCP and HTTPS, QR gateway, admin API) until
    /// Ctrl-C / SIGTERM, or until standard input closes when it is a terminal or a pipe.
    Run(RunArgs),
}

/// Options of `unipos host run`.
#[derive(Args)]
pub struct RunArgs {
    /// JSON configuration file (see docs/hostsim.md); built-in defaults without it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// TCP POSP listen address, e.g. 127.0.0.1:5000.
    #[arg(long)]
    pub tcp: Option<String>,
    /// HTTPS listen address (POST /posp, /qr/...).
    #[arg(long)]
    pub https: Option<String>,
    /// Admin API listen address (plain HTTP; keep it on loopback).
    #[arg(long)]
    pub admin: Option<String>,
    /// Where to write the generated CA certificate (PEM) for terminals to pin.
    #[arg(long)]
    pub ca_out: Option<PathBuf>,
    /// Seed for keys, RRNs and auth codes (repeatable runs).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Acquirer profile (JSON; the same file as the terminal's `--profile`): MAC scheme,
    /// TPDU and sign-in key mode of every terminal.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// The answer timeout the host hands terminals at sign-in (DF04), in seconds (1-255;
    /// default 60). Test rigs shorten it so that a lost answer is given up on quickly.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u8).range(1..))]
    pub answer_timeout: Option<u8>,
}

/// Runs a host command. `run` blocks until the simulator is told to stop.
pub fn run(cmd: HostCommand) -> Result<String, CliError> {
    match cmd {
        HostCommand::Run(args) => run_host(args),
    }
}

fn run_host(args: RunArgs) -> Result<String, CliError> {
    let mut config = match &args.config {
        Some(path) => HostSimConfig::from_file(path)?,
        None => HostSimConfig::default(),
    };
    if let Some(a) = args.tcp {
        config.listen.posp = a;
    }
    if let Some(a) = args.https {
        config.listen.https = Some(a);
    }
    if let Some(a) = args.admin {
        config.listen.admin = Some(a);
    }
    if let Some(p) = args.ca_out {
        config.ca_pem_path = Some(p);
    }
    if config.ca_pem_path.is_none() {
        config.ca_pem_path = Some(std::env::temp_dir().join("unipos-hostsim-ca.pem"));
    }
    if let Some(s) = args.seed {
        config.seed = Some(s);
    }
    if let Some(path) = &args.profile {
        config = config.with_profile(&crate::desktop::read_profile(path)?)?;
    }
    if let Some(secs) = args.answer_timeout {
        config.host.response_timeout_secs = secs;
    }
    let host = HostSim::start(config)?;
    let show = |scheme: &str, a: Option<std::net::SocketAddr>| {
        a.map_or_else(|| "off".to_owned(), |a| format!("{scheme}://{a}"))
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "unipos host simulator running")?;
    writeln!(out, "  posp   tcp://{}", host.posp_addr())?;
    writeln!(out, "  https  {}", show("https", host.https_addr()))?;
    writeln!(out, "  admin  {}", show("http", host.admin_addr()))?;
    if let Some(p) = host.ca_path() {
        writeln!(out, "  ca     {}", p.display())?;
    }
    writeln!(out, "  seed   {}", host.seed())?;
    out.flush()?;
    drop(out);

    if stdin_can_signal_eof() {
        // Read until EOF: Ctrl-D at a terminal, or the parent closing the pipe.
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    } else {
        // stdin is /dev/null or a file (a background job): run until killed.
        loop {
            std::thread::park();
        }
    }
    host.shutdown();
    Ok("host simulator stopped".into())
}

/// Whether stdin's end means "stop": a terminal or a pipe, not `/dev/null` or a file
/// (background jobs get `/dev/null`, which would stop the host at once).
fn stdin_can_signal_eof() -> bool {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdin")
            .map(|m| m.file_type().is_fifo() || m.file_type().is_socket())
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}
