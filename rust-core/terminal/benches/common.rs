//! Shared set-up of the terminal benchmarks: a terminal on a real on-disk database against an
//! in-process host simulator over loopback.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use unipos_clock::SystemClock;
use unipos_crypto::security_module::SoftwareSecurityModule;
use unipos_crypto::DesKey;
use unipos_hostsim::{defaults, HostSim, HostSimConfig, RunningHost};
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::vault::SoftwareVault;
use unipos_terminal::{Dependencies, HostAddress, SecurityHandle, Terminal, TerminalConfig};

/// How the terminal reaches the simulator's POSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Raw TCP, 2-byte length framing.
    Tcp,
    /// `POST /posp` over HTTPS with the simulator's pinned CA (a new TLS connection a sale).
    Https,
}

pub fn setup(dir: &Path) -> (RunningHost, Terminal, SimCardholder) {
    setup_with(dir, Link::Tcp)
}

pub fn setup_with(dir: &Path, link: Link) -> (RunningHost, Terminal, SimCardholder) {
    let host = HostSim::start(HostSimConfig::default().with_seed(1)).unwrap();
    let posp = match link {
        Link::Tcp => HostAddress::tcp(host.posp_addr()),
        Link::Https => HostAddress::Https {
            addresses: vec![host.https_addr().unwrap().to_string()],
            server_name: "localhost".into(),
            ca_pem: host.ca_pem().to_owned(),
        },
    };
    let config = TerminalConfig::new(defaults::TERMINAL_ID, defaults::MERCHANT_ID, posp);
    let tmk = DesKey::from_hex(defaults::TMK_HEX).unwrap();
    let security: SecurityHandle =
        Arc::new(Mutex::new(SoftwareSecurityModule::with_master_key(tmk)));
    let holder = SimCardholder::new();
    let (vault, _) = SoftwareVault::generate().unwrap();
    let deps = Dependencies {
        security: security.clone(),
        hardware: holder.hardware(security),
        vault: Arc::new(vault),
        clock: Arc::new(SystemClock),
        random: Box::new(unipos_crypto::random::OsRandom),
    };
    let terminal = Terminal::open(config, &dir.join("journal.db"), deps).unwrap();
    terminal.startup().unwrap();
    (host, terminal, holder)
}

/// Percentile of sorted durations.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Latency of a 4 KiB write + fdatasync in `dir` (what every durable commit pays).
pub fn fsync_latency(dir: &Path, n: usize) -> Vec<Duration> {
    let path = dir.join("fsync.probe");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = [0x5Au8; 4096];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f.write_all(&block).unwrap();
        f.sync_data().unwrap();
        out.push(t.elapsed());
    }
    let _ = std::fs::remove_file(path);
    out.sort();
    out
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
