//! Fallback host simulator for the JVM tests while `unipos host run` (rust-core/cli) is not
//! available: starts the real `unipos-hostsim` on loopback, prints its addresses (one
//! `<name> <address>` line each, then `ready`), and serves until killed.
//!
//! `cargo run -p unipos-ffi --example hostsim`
#![allow(clippy::print_stdout)]

use std::io::Write;
use unipos_hostsim::server::HostSim;
use unipos_hostsim::HostSimConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = HostSimConfig::default().with_seed(42);
    // The generated CA certificate (PEM), for terminals pinning the HTTPS listener.
    let ca = std::env::temp_dir().join(format!("unipos-hostsim-ca-{}.pem", std::process::id()));
    config.ca_pem_path = Some(ca.clone());
    let host = HostSim::start(config)?;
    let mut out = std::io::stdout();
    writeln!(out, "posp {}", host.posp_addr())?;
    if let Some(a) = host.https_addr() {
        writeln!(out, "https {a}")?;
    }
    if let Some(a) = host.admin_addr() {
        writeln!(out, "admin {a}")?;
    }
    writeln!(out, "ca {}", ca.display())?;
    writeln!(out, "ready")?;
    out.flush()?;
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
