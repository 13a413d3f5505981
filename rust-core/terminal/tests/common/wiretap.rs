//! A loopback proxy between the terminal and the host that keeps a copy of every request the
//! terminal sends, decoded, so tests can check what went on the wire.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use unipos_iso8583::{cup, FrameLayout, Message};

/// The proxy; requests are recorded in the order the host received them.
#[derive(Clone)]
pub struct WireTap {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Message>>>,
}

impl WireTap {
    /// Listens on a free loopback port and forwards each connection to `host`.
    pub fn start(host: SocketAddr) -> WireTap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tap = WireTap {
            addr: listener.local_addr().unwrap(),
            requests: Arc::default(),
        };
        let requests = Arc::clone(&tap.requests);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(host) else {
                    continue;
                };
                let requests = Arc::clone(&requests);
                let (mut c_in, mut s_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    while let Ok(body) = unipos_net::frame_io::read_frame(&mut c_in, 2, 65_536) {
                        if let Ok(parts) = FrameLayout::UNIONPAY.split_body(&body) {
                            if let Ok(m) = cup::profile().unpack(parts.message) {
                                requests.lock().unwrap().push(m);
                            }
                        }
                        let len = u16::try_from(body.len()).unwrap().to_be_bytes();
                        if s_out
                            .write_all(&len)
                            .and_then(|()| s_out.write_all(&body))
                            .is_err()
                        {
                            break;
                        }
                    }
                    let _ = s_out.shutdown(std::net::Shutdown::Write);
                });
                let (mut s_in, mut c_out) = (server, client);
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = s_in.read(&mut buf) {
                        if n == 0 || c_out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = c_out.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        tap
    }

    /// The address terminals connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request of this MTI, in order.
    pub fn requests(&self, mti: &str) -> Vec<Message> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.mti().as_str() == mti)
            .cloned()
            .collect()
    }
}

/// A host, the tap in front of it, and a terminal that talks through the tap.
pub struct Tapped {
    pub host: unipos_hostsim::server::RunningHost,
    pub tap: WireTap,
    pub terminal: unipos_terminal::Terminal,
    pub holder: unipos_terminal::hardware::sim::SimCardholder,
    pub dir: tempfile::TempDir,
}

impl Tapped {
    /// A sale of `amount` fen with `card` presented.
    pub fn sale(
        &self,
        id: &str,
        card: unipos_terminal::hardware::sim::SimCard,
        amount: u64,
    ) -> Result<unipos_terminal::Outcome, unipos_terminal::EngineError> {
        self.holder.present(card);
        self.terminal.sale(unipos_terminal::SaleRequest {
            request_id: id.into(),
            amount,
        })
    }
}

/// Starts a host (1 s answer timeout, then `host_config`), a tap, and a terminal
/// (`terminal_config`, hardware changed by `hardware`), and runs its startup.
pub fn tapped(
    host_config: impl FnOnce(&mut unipos_hostsim::HostSimConfig),
    terminal_config: impl FnOnce(&mut unipos_terminal::TerminalConfig),
    hardware: impl FnOnce(&mut unipos_terminal::hardware::Hardware),
) -> (Tapped, Result<(), unipos_terminal::EngineError>) {
    use unipos_clock::Clock;
    let clock = super::clock();
    let mut hc = unipos_hostsim::HostSimConfig::default()
        .with_seed(21)
        .with_clock(Arc::new(clock.clone()) as Arc<dyn Clock>);
    hc.host.response_timeout_secs = 1;
    host_config(&mut hc);
    let host = unipos_hostsim::server::HostSim::start(hc).unwrap();
    let tap = WireTap::start(host.posp_addr());
    let mut tc = super::terminal_config(&host);
    tc.posp = unipos_terminal::HostAddress::tcp(tap.addr());
    terminal_config(&mut tc);
    let dir = tempfile::tempdir().unwrap();
    let mut holder = unipos_terminal::hardware::sim::SimCardholder::new();
    holder.card_wait = std::time::Duration::from_secs(2);
    let tmk = unipos_crypto::DesKey::from_hex(unipos_hostsim::config::defaults::TMK_HEX).unwrap();
    let security: unipos_terminal::SecurityHandle = Arc::new(Mutex::new(
        unipos_crypto::security_module::SoftwareSecurityModule::with_master_key(tmk),
    ));
    let mut hw = holder.hardware(security.clone());
    hardware(&mut hw);
    let (terminal, _) = super::open_terminal_parts(tc, dir.path(), &clock, hw, security).unwrap();
    let started = terminal.startup().map(drop);
    (
        Tapped {
            host,
            tap,
            terminal,
            holder,
            dir,
        },
        started,
    )
}
