//! The listeners: TCP POSP (2-byte length framing, see [`crate::posp_listener`]), HTTPS
//! (`POST /posp`, `/qr/...`) and the plain-HTTP admin API (hyper on a small tokio runtime,
//! see [`crate::http_server`]), all stopped promptly by [`RunningHost::shutdown`] (or on drop).

use crate::config::HostSimConfig;
use crate::error::HostError;
use crate::exchange::{ServerCtx, Shared};
use crate::faults::Faults;
use crate::http_server::{self, Api};
use crate::ledger::{CardSnapshot, JournalEntry};
use crate::posp::{PospHost, UploadReport};
use crate::posp_listener;
use crate::qr::Gateway;
use crate::sessions::Sessions;
use crate::tls::TestCa;
use std::net::{Shutdown, SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use unipos_clock::Clock;
use unipos_iso8583::cup::ProcessingRequirement;

/// Entry point of the simulator.
#[derive(Debug)]
pub struct HostSim;

impl HostSim {
    /// Validates the configuration, binds the listeners, writes the CA certificate (when a
    /// path is configured) and starts serving.
    pub fn start(config: HostSimConfig) -> Result<RunningHost, HostError> {
        let seed = config.seed.unwrap_or_else(crate::rng::random_seed);
        let sessions = Arc::new(Sessions::new());
        let posp = Arc::new(PospHost::new(&config, Arc::clone(&sessions), seed)?);
        let faults = Faults::default();
        let clock = Arc::clone(&config.clock);
        let shared = Arc::new(Shared::default());
        let ca = TestCa::generate(&["localhost", "127.0.0.1"])
            .map_err(|e| HostError::Tls(e.to_string()))?;
        if let Some(path) = &config.ca_pem_path {
            std::fs::write(path, ca.ca_pem()).map_err(|e| HostError::ConfigFile {
                path: path.display().to_string(),
                reason: format!("cannot write the CA certificate: {e}"),
            })?;
        }
        let qr_keys = config
            .terminals
            .iter()
            .map(|t| Ok((t.terminal_id.clone(), t.qr_key_key()?)))
            .collect::<Result<_, HostError>>()?;
        let gateway = Arc::new(Gateway::new(qr_keys, Arc::clone(&clock), config.qr));
        let ctx = Arc::new(ServerCtx {
            posp: Arc::clone(&posp),
            faults: faults.clone(),
            gateway,
            shared: Arc::clone(&shared),
            idle: Duration::from_secs(config.host.idle_timeout_secs.max(1)),
            max_frame: config.host.max_frame_len,
            tls: ca.server_config(),
        });

        let posp_listener = bind(&config.listen.posp)?;
        let posp_addr = posp_listener.local_addr()?;
        let mut http_listeners = Vec::new();
        let mut https_addr = None;
        if let Some(a) = &config.listen.https {
            let l = bind(a)?;
            https_addr = Some(l.local_addr()?);
            http_listeners.push((l, Api::Https));
        }
        let mut admin_addr = None;
        if let Some(a) = &config.listen.admin {
            let l = bind(a)?;
            admin_addr = Some(l.local_addr()?);
            http_listeners.push((l, Api::Admin));
        }
        posp_listener::serve(posp_listener, Arc::clone(&ctx))?;
        let (http_stop, stop_rx) = tokio::sync::watch::channel(false);
        let runtime = if http_listeners.is_empty() {
            None
        } else {
            // One thread drives every HTTP connection: the handlers are short and synchronous
            // (in-memory ledger), delays and withheld answers are timers; a single thread also
            // answers sooner than a work-stealing pool handing connections between workers.
            let rt = Arc::new(
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?,
            );
            for (listener, api) in http_listeners {
                listener.set_nonblocking(true)?;
                let listener = {
                    let _entered = rt.enter();
                    tokio::net::TcpListener::from_std(listener)?
                };
                rt.spawn(http_server::accept(
                    listener,
                    api,
                    Arc::clone(&ctx),
                    stop_rx.clone(),
                ));
            }
            let driver_rt = Arc::clone(&rt);
            let mut stopped = stop_rx.clone();
            let driver = std::thread::Builder::new()
                .name("hostsim-http".into())
                .spawn(move || {
                    driver_rt.block_on(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    });
                })?;
            Some((rt, driver))
        };
        log::info!(
            "host simulator up: POSP {posp_addr}, HTTPS {https_addr:?}, admin {admin_addr:?}, seed {seed}"
        );
        Ok(RunningHost {
            posp,
            faults,
            sessions,
            clock,
            posp_addr,
            https_addr,
            admin_addr,
            ca_pem: ca.ca_pem().to_owned(),
            ca_path: config.ca_pem_path,
            seed,
            gateway: Arc::clone(&ctx.gateway),
            shared,
            http_stop,
            runtime,
        })
    }
}

fn bind(addr: &str) -> Result<TcpListener, HostError> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| HostError::Config(format!("bad listen address {addr:?}: {e}")))?
        .collect();
    TcpListener::bind(&addrs[..])
        .map_err(|e| HostError::Config(format!("cannot listen on {addr}: {e}")))
}

/// A running simulator. Dropping it shuts it down.
pub struct RunningHost {
    posp: Arc<PospHost>,
    faults: Faults,
    sessions: Arc<Sessions>,
    clock: Arc<dyn Clock>,
    posp_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    admin_addr: Option<SocketAddr>,
    ca_pem: String,
    ca_path: Option<PathBuf>,
    seed: u64,
    gateway: Arc<Gateway>,
    shared: Arc<Shared>,
    http_stop: tokio::sync::watch::Sender<bool>,
    runtime: Option<(Arc<tokio::runtime::Runtime>, JoinHandle<()>)>,
}

impl std::fmt::Debug for RunningHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningHost")
            .field("posp_addr", &self.posp_addr)
            .field("https_addr", &self.https_addr)
            .field("admin_addr", &self.admin_addr)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl RunningHost {
    /// The TCP POSP listener.
    pub fn posp_addr(&self) -> SocketAddr {
        self.posp_addr
    }

    /// The HTTPS listener (`POST /posp`, `/qr/...`), if enabled.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// The admin listener, if enabled.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The generated CA certificate (PEM) a terminal pins for HTTPS.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Where the CA certificate was written, if configured.
    pub fn ca_path(&self) -> Option<&std::path::Path> {
        self.ca_path.as_deref()
    }

    /// The seed in use (random unless configured).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The fault rules (a shared handle).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The QR gateway (script payment-code behaviours, read orders).
    pub fn qr(&self) -> &Arc<Gateway> {
        &self.gateway
    }

    /// The POSP core (also usable directly: [`PospHost::handle_frame`]).
    pub fn posp(&self) -> &Arc<PospHost> {
        &self.posp
    }

    /// The terminals' sessions (working keys), shared with the QR gateway.
    pub fn sessions(&self) -> &Arc<Sessions> {
        &self.sessions
    }

    /// The clock the host runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The host journal of one terminal, oldest first.
    pub fn journal(&self, terminal_id: &str) -> Vec<JournalEntry> {
        self.posp.journal(terminal_id)
    }

    /// A card's balances and holds.
    pub fn card(&self, pan: &str) -> Option<CardSnapshot> {
        self.posp.card(pan)
    }

    /// Every card's balances and holds.
    pub fn cards(&self) -> Vec<CardSnapshot> {
        self.posp.cards()
    }

    /// The upload report of a terminal's batch.
    pub fn upload_report(&self, terminal_id: &str, batch: u32) -> Option<UploadReport> {
        self.posp.upload_report(terminal_id, batch)
    }

    /// Sets the processing requirement the terminal's next answers carry.
    pub fn set_processing_requirement(
        &self,
        terminal_id: &str,
        requirement: ProcessingRequirement,
    ) -> bool {
        self.posp
            .set_processing_requirement(terminal_id, requirement)
    }

    /// Stops every listener and connection and waits for their threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // The HTTP side: every accept loop, connection and pending answer ends with the runtime.
        let _ = self.http_stop.send(true);
        if let Some((rt, driver)) = self.runtime.take() {
            let _ = driver.join();
            if let Ok(rt) = Arc::try_unwrap(rt) {
                rt.shutdown_timeout(Duration::from_secs(2));
            }
        }
        // The POSP side: wake the workers waiting in accept, unblock every connection's read,
        // and wait for the workers (one may have started another before it saw the stop).
        posp_listener::wake_acceptors(&self.shared, self.posp_addr);
        loop {
            for (_, s) in self
                .shared
                .conns
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .drain()
            {
                let _ = s.shutdown(Shutdown::Both);
            }
            let workers: Vec<JoinHandle<()>> = self
                .shared
                .workers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .drain(..)
                .collect();
            if workers.is_empty() {
                break;
            }
            for w in workers {
                let _ = w.join();
            }
        }
        log::info!("host simulator stopped");
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        self.stop();
    }
}
