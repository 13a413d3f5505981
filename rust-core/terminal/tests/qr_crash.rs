//! QR crash consistency: a child process runs one QR payment and is killed with SIGKILL at
//! each state of the machine (order persisted, pay sent, querying, reversing); after a restart
//! on the same database every order ends final, and the terminal and the gateway's ledger
//! agree on state and amounts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The shared harness re-exports the test cards, which the QR tests do not use.
#[allow(unused_imports)]
mod common;
mod qr_common;

use qr_common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use unipos_hostsim::config::defaults;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_hostsim::server::RunningHost;
use unipos_qr_protocol::{Channel, TradeState};
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::{HostAddress, QrSettings, QrStatus, TerminalConfig};

const CHILD: &str = "UNIPOS_QR_CRASH_CHILD";
const REQUEST_ID: &str = "crash-qr";

fn config_for(
    posp: std::net::SocketAddr,
    https: std::net::SocketAddr,
    ca_pem: String,
) -> TerminalConfig {
    let mut c = TerminalConfig::new(
        defaults::TERMINAL_ID,
        defaults::MERCHANT_ID,
        HostAddress::tcp(posp),
    );
    c.profile.timeouts.connect_ms = 2000;
    c.profile.timeouts.response_ms = 5000;
    c.qr_key =
        unipos_hostsim::config::TerminalConfig::new(defaults::TERMINAL_ID, defaults::MERCHANT_ID)
            .wrapped_qr_key()
            .ok();
    c.qr_gateway = Some(HostAddress::Https {
        addresses: vec![https.to_string()],
        server_name: "localhost".into(),
        ca_pem,
    });
    c
}

/// The child: starts the terminal on the given database and pays one QR code. It has its own
/// manual clock (the gateway's stays with the parent).
#[test]
fn qr_crash_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return; // Not a child run.
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let dir = std::path::Path::new(parts[0]);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let config = config_for(parts[1].parse().unwrap(), parts[2].parse().unwrap(), ca);
    let clock = common::clock();
    let holder = SimCardholder::new();
    let (terminal, _) = common::open_terminal(config, dir, &clock, &holder);
    terminal.set_qr_settings(QrSettings {
        response_timeout: Some(Duration::from_secs(30)),
        ..QrSettings::default()
    });
    terminal.startup().unwrap();
    let _ = terminal.qr_pay(pay_request(REQUEST_ID, "crash-order", 6_600, parts[3]));
    println!("CHILD_DONE");
}

enum KillWhen<'a> {
    /// The child printed this crash point.
    Prints(&'a str),
    /// The gateway has recorded the child's order (the pay was sent and processed).
    GatewaySawPay,
}

fn run_child_and_kill(
    dir: &std::path::Path,
    host: &RunningHost,
    code: &str,
    crash_at: Option<&str>,
    when: KillWhen<'_>,
) {
    std::fs::write(dir.join("ca.pem"), host.ca_pem()).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "qr_crash_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(
        CHILD,
        format!(
            "{}|{}|{}|{code}",
            dir.display(),
            host.posp_addr(),
            host.https_addr().unwrap()
        ),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(point) = crash_at {
        cmd.env("UNIPOS_CRASH_AT", point);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    match when {
        KillWhen::Prints(marker) => {
            let seen = BufReader::new(stdout)
                .lines()
                .any(|l| l.map(|l| l.contains(marker)).unwrap_or(false));
            assert!(seen, "the child exited before {marker}");
        }
        KillWhen::GatewaySawPay => {
            let deadline = Instant::now() + Duration::from_secs(60);
            while host.qr().orders(defaults::TERMINAL_ID).is_empty() {
                assert!(Instant::now() < deadline, "the child never sent its pay");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    assert!(!child.wait().unwrap().success());
}

/// Restarts on the child's database, with the host's clock, and checks the outcome.
fn recover(
    host: &RunningHost,
    clock: &unipos_clock::ManualClock,
    dir: &std::path::Path,
) -> unipos_terminal::QrOutcome {
    host.faults().clear();
    let config = config_for(
        host.posp_addr(),
        host.https_addr().unwrap(),
        host.ca_pem().to_owned(),
    );
    let holder = SimCardholder::new();
    let (terminal, _) = common::open_terminal(config, dir, clock, &holder);
    terminal.set_qr_settings(qr_settings());
    // Startup is a flush point: every open QR order is resolved there.
    terminal.startup().unwrap();
    let o = terminal
        .qr_query(REQUEST_ID)
        .unwrap()
        .expect("the order survived the crash");
    assert!(o.status.is_final(), "{o:?}");
    // Resolved in the background: shown to the cashier before new sales.
    let pending = terminal.qr_pending_results().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].request_id, REQUEST_ID);
    reconcile(&terminal, host);
    // The business order is settled: no second charge is possible.
    if o.status.is_paid() {
        assert!(terminal
            .qr_pay(pay_request(
                "again",
                "crash-order",
                6_600,
                &code(Channel::WeChat, "00")
            ))
            .is_err());
    }
    o
}

fn setup() -> (unipos_clock::ManualClock, RunningHost, tempfile::TempDir) {
    let clock = common::clock();
    let host = common::host(&clock);
    (clock, host, tempfile::tempdir().unwrap())
}

#[test]
fn killed_after_the_order_is_persisted() {
    let (clock, host, dir) = setup();
    let code = code(Channel::WeChat, "00");
    run_child_and_kill(
        dir.path(),
        &host,
        &code,
        Some("qr_after_persist"),
        KillWhen::Prints("CRASH_POINT"),
    );
    assert!(
        host.qr().orders(defaults::TERMINAL_ID).is_empty(),
        "the pay never left"
    );
    // Queried until the deadline, then reversed: the number is closed for good.
    let o = recover(&host, &clock, dir.path());
    assert_eq!(o.status, QrStatus::Reversed, "{o:?}");
    let g = gateway_order(&host, &o.out_trade_no).unwrap();
    assert_eq!((g.state, g.paid_fen), (TradeState::Revoked, 0));
}

#[test]
fn killed_after_the_pay_was_sent() {
    let (clock, host, dir) = setup();
    // The gateway processes the pay, then holds its answer: the child is killed waiting.
    host.faults()
        .add(FaultRule::qr("pay", FaultAction::Delay { ms: 20_000 }));
    let code = code(Channel::Alipay, "00");
    run_child_and_kill(dir.path(), &host, &code, None, KillWhen::GatewaySawPay);
    let o = recover(&host, &clock, dir.path());
    assert_eq!(o.status, QrStatus::LateSuccess, "{o:?}");
    assert_eq!(o.paid_amount, 6_600);
}

#[test]
fn killed_after_the_pay_answer_before_recording_it() {
    let (clock, host, dir) = setup();
    let code = code(Channel::UnionPay, "00");
    run_child_and_kill(
        dir.path(),
        &host,
        &code,
        Some("qr_after_pay_answer"),
        KillWhen::Prints("CRASH_POINT"),
    );
    let o = recover(&host, &clock, dir.path());
    assert_eq!(o.status, QrStatus::LateSuccess, "{o:?}");
}

#[test]
fn killed_while_querying() {
    let (clock, host, dir) = setup();
    // The customer enters the password (12 s of gateway time): paid during recovery.
    let code = code(Channel::WeChat, "01");
    run_child_and_kill(
        dir.path(),
        &host,
        &code,
        Some("qr_querying"),
        KillWhen::Prints("CRASH_POINT"),
    );
    let o = recover(&host, &clock, dir.path());
    assert_eq!(o.status, QrStatus::LateSuccess, "{o:?}");
}

#[test]
fn killed_while_reversing() {
    let (clock, host, dir) = setup();
    // Never confirmed: the child queries until its deadline, commits REVERSING and dies.
    let code = code(Channel::WeChat, "09");
    run_child_and_kill(
        dir.path(),
        &host,
        &code,
        Some("qr_reversing"),
        KillWhen::Prints("CRASH_POINT"),
    );
    let o = recover(&host, &clock, dir.path());
    assert_eq!(o.status, QrStatus::Reversed, "{o:?}");
    assert!(gateway_order(&host, &o.out_trade_no)
        .unwrap()
        .reversal
        .is_some());
}
