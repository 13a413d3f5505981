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
/// A file on the bench's disk that times one 4 KiB write + `fdatasync` at a time.
pub struct FsyncProbe {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl FsyncProbe {
    pub fn new(dir: &Path) -> Self {
        let path = dir.join("fsync.probe");
        let file = std::fs::File::create(&path).unwrap();
        Self { file, path }
    }

    pub fn sample(&mut self) -> Duration {
        let t = Instant::now();
        self.file.write_all(&[0x5Au8; 4096]).unwrap();
        self.file.sync_data().unwrap();
        t.elapsed()
    }
}

impl Drop for FsyncProbe {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `n` fsync samples in a row, sorted.
pub fn fsync_latency(dir: &Path, n: usize) -> Vec<Duration> {
    let mut probe = FsyncProbe::new(dir);
    let mut out: Vec<Duration> = (0..n).map(|_| probe.sample()).collect();
    out.sort();
    out
}

/// `n` bare exchanges as the terminal makes them, sorted: a new loopback TCP connection, a
/// 2-byte length and a 250-byte request, a 120-byte answer from a thread blocked in `accept`,
/// close. No journal, no MAC, no codec: the floor the transport alone sets on this machine.
pub fn exchange_floor(n: usize) -> Vec<Duration> {
    use std::io::Read;
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..n {
            let (mut s, _) = listener.accept().unwrap();
            let mut len = [0u8; 2];
            s.read_exact(&mut len).unwrap();
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut body).unwrap();
            let mut answer = vec![0u8; 122];
            answer[..2].copy_from_slice(&120u16.to_be_bytes());
            s.write_all(&answer).unwrap();
        }
    });
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let mut s = TcpStream::connect(addr).unwrap();
        let mut request = vec![0x5Au8; 252];
        request[..2].copy_from_slice(&250u16.to_be_bytes());
        s.write_all(&request).unwrap();
        let mut answer = [0u8; 122];
        s.read_exact(&mut answer).unwrap();
        drop(s);
        out.push(t.elapsed());
    }
    server.join().unwrap();
    out.sort();
    out
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
