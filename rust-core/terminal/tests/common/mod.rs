//! A terminal wired to an in-process host simulator over real loopback sockets.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;
use unipos_clock::{Clock, ManualClock};
use unipos_crypto::security_module::SoftwareSecurityModule;
use unipos_crypto::DesKey;
use unipos_hostsim::config::{defaults, test_cards};
use unipos_hostsim::server::{HostSim, RunningHost};
use unipos_hostsim::HostSimConfig;
use unipos_terminal::hardware::sim::{SimCard, SimCardholder};
use unipos_terminal::vault::SoftwareVault;
use unipos_terminal::{Dependencies, HostAddress, SecurityHandle, Terminal, TerminalConfig};

#[allow(unused_imports)]
pub use test_cards::*;

pub mod kernel;
pub mod wiretap;

pub struct Harness {
    pub host: RunningHost,
    pub terminal: Terminal,
    pub holder: SimCardholder,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
    pub config: TerminalConfig,
    pub security: SecurityHandle,
}

pub fn clock() -> ManualClock {
    ManualClock::at_local(2026, 11, 21, 10, 0, 0, unipos_clock::CHINA_OFFSET_MINUTES)
}

/// The answer timeout of these tests, ms: short, so lost answers cost little test time;
/// emulated runs (qemu) set a longer one.
pub fn response_timeout_ms() -> u64 {
    std::env::var("UNIPOS_TEST_RESPONSE_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

pub fn host(clock: &ManualClock) -> RunningHost {
    let mut config = HostSimConfig::default()
        .with_seed(42)
        .with_clock(Arc::new(clock.clone()) as Arc<dyn Clock>);
    // The host manages the answer timeout (parameter DF04, whole seconds): the shortest one.
    config.host.response_timeout_secs =
        u8::try_from(response_timeout_ms().div_ceil(1000)).unwrap_or(u8::MAX);
    HostSim::start(config).unwrap()
}

pub fn terminal_config(host: &RunningHost) -> TerminalConfig {
    let mut config = TerminalConfig::new(
        defaults::TERMINAL_ID,
        defaults::MERCHANT_ID,
        HostAddress::tcp(host.posp_addr()),
    );
    config.merchant_name = defaults::MERCHANT_NAME.into();
    config.qr_key = host.posp().wrapped_qr_key(defaults::TERMINAL_ID);
    // Until the parameter download replaces it with the host's.
    config.profile.timeouts.response_ms = response_timeout_ms();
    config.profile.timeouts.connect_ms = 2000;
    config
}

/// Opens a terminal on `dir` (keeps the vault key in the directory, like the desktop CLI).
pub fn open_terminal(
    config: TerminalConfig,
    dir: &std::path::Path,
    clock: &ManualClock,
    holder: &SimCardholder,
) -> (Terminal, SecurityHandle) {
    try_open_terminal(config, dir, clock, holder).unwrap()
}

/// As [`open_terminal`], with the engine's error.
pub fn try_open_terminal(
    config: TerminalConfig,
    dir: &std::path::Path,
    clock: &ManualClock,
    holder: &SimCardholder,
) -> Result<(Terminal, SecurityHandle), unipos_terminal::EngineError> {
    let tmk = DesKey::from_hex(defaults::TMK_HEX).unwrap();
    let security: SecurityHandle =
        Arc::new(Mutex::new(SoftwareSecurityModule::with_master_key(tmk)));
    open_terminal_with(config, dir, clock, holder, security)
}

/// Opens a terminal with a given security module (a restart of a terminal whose PIN pad
/// kept its keys).
pub fn open_terminal_with(
    config: TerminalConfig,
    dir: &std::path::Path,
    clock: &ManualClock,
    holder: &SimCardholder,
    security: SecurityHandle,
) -> Result<(Terminal, SecurityHandle), unipos_terminal::EngineError> {
    let hardware = holder.hardware(security.clone());
    open_terminal_parts(config, dir, clock, hardware, security)
}

/// Opens a terminal with given hardware (a test kernel, reader ...).
pub fn open_terminal_parts(
    config: TerminalConfig,
    dir: &std::path::Path,
    clock: &ManualClock,
    hardware: unipos_terminal::hardware::Hardware,
    security: SecurityHandle,
) -> Result<(Terminal, SecurityHandle), unipos_terminal::EngineError> {
    let key_path = dir.join("vault.key");
    let key = match std::fs::read(&key_path) {
        Ok(k) => k,
        Err(_) => {
            let (_, raw) = SoftwareVault::generate().unwrap();
            std::fs::write(&key_path, &raw[..]).unwrap();
            raw.to_vec()
        }
    };
    let vault = SoftwareVault::new(DesKey::from_bytes(&key).unwrap());
    let deps = Dependencies {
        security: security.clone(),
        hardware,
        vault: Arc::new(vault),
        clock: Arc::new(clock.clone()),
        random: Box::new(unipos_crypto::random::OsRandom),
    };
    let terminal = Terminal::open(config, &dir.join("journal.db"), deps)?;
    Ok((terminal, security))
}

pub fn start() -> Harness {
    let h = unstarted();
    h.terminal.startup().unwrap();
    h
}

/// As [`start`], without the startup (sign-in and downloads): nothing was sent yet.
pub fn unstarted() -> Harness {
    let clock = clock();
    let host = host(&clock);
    let dir = tempfile::tempdir().unwrap();
    let mut holder = SimCardholder::new();
    holder.card_wait = Duration::from_secs(2);
    let config = terminal_config(&host);
    let (terminal, security) = open_terminal(config.clone(), dir.path(), &clock, &holder);
    Harness {
        host,
        terminal,
        holder,
        clock,
        dir,
        config,
        security,
    }
}

pub fn mag(pan: &str) -> SimCard {
    SimCard::magstripe(pan, defaults_expiry(), Some(defaults::PIN))
}

pub fn chip(pan: &str) -> SimCard {
    SimCard::chip(pan, defaults_expiry(), Some(defaults::PIN))
}

pub fn defaults_expiry() -> &'static str {
    test_cards::EXPIRY
}

impl Harness {
    /// Host journal entries of the default terminal.
    pub fn host_journal(&self) -> Vec<unipos_hostsim::ledger::JournalEntry> {
        self.host.journal(defaults::TERMINAL_ID)
    }

    /// Available funds of a card at the host.
    pub fn available(&self, pan: &str) -> u64 {
        self.host.card(pan).unwrap().available
    }

    /// Re-opens the terminal on the same database (a restart): the old one is closed first,
    /// as one process owns a terminal database at a time.
    pub fn restart(self) -> Harness {
        let Harness {
            host,
            terminal,
            holder,
            clock,
            dir,
            config,
            ..
        } = self;
        drop(terminal);
        let (terminal, security) = open_terminal(config.clone(), dir.path(), &clock, &holder);
        Harness {
            host,
            terminal,
            holder,
            clock,
            dir,
            config,
            security,
        }
    }
}

/// A property-test runner for the tests that play whole days or many reads: `PROPTEST_CASES`
/// cases, or `default_cases`; no regression files (a failure prints its minimal case).
pub fn runner(default_cases: u32) -> proptest::test_runner::TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })
}
