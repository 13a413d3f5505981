//! Crash consistency: the engine runs in a child process that is killed with SIGKILL at
//! injected points; after a restart the terminal journal and the host ledger agree, with
//! nothing lost and nothing charged twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_terminal::{HostAddress, OutcomeStatus, SaleRequest};

const CHILD: &str = "UNIPOS_CRASH_CHILD";

/// The child: opens the terminal on the given database against the given host, starts up
/// and runs one sale. The parent kills it at a crash point.
#[test]
fn crash_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return; // Not a child run: nothing to do.
    };
    let mut parts = spec.split('|');
    let (db_dir, addr) = (parts.next().unwrap(), parts.next().unwrap());
    let clock = clock();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let mut config = terminal_config_for(addr.parse().unwrap());
    config.profile.timeouts.response_ms = 30000;
    let (terminal, _) = open_terminal(config, std::path::Path::new(db_dir), &clock, &holder);
    terminal.startup().unwrap();
    holder.present(mag(CREDIT_MAGSTRIPE));
    let _ = terminal.sale(SaleRequest {
        request_id: "crash-sale".into(),
        amount: 4_321,
    });
    println!("CHILD_DONE");
}

fn terminal_config_for(addr: std::net::SocketAddr) -> unipos_terminal::TerminalConfig {
    let mut c = unipos_terminal::TerminalConfig::new(
        unipos_hostsim::config::defaults::TERMINAL_ID,
        unipos_hostsim::config::defaults::MERCHANT_ID,
        HostAddress::tcp(addr),
    );
    c.profile.timeouts.connect_ms = 2000;
    c
}

enum KillWhen<'a> {
    /// The child printed this marker (a crash point).
    Prints(&'a str),
    /// The host has journalled a 0200 from the child (the request was sent).
    HostSawSale,
}

/// Runs the child until the kill condition, then SIGKILLs it.
fn run_child_and_kill(
    dir: &std::path::Path,
    host: &unipos_hostsim::server::RunningHost,
    crash_at: Option<&str>,
    when: KillWhen<'_>,
) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{}|{}", dir.display(), host.posp_addr()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(point) = crash_at {
        cmd.env("UNIPOS_CRASH_AT", point);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    match when {
        KillWhen::Prints(marker) => {
            let mut seen = false;
            for line in BufReader::new(stdout).lines() {
                if line.unwrap().contains(marker) {
                    seen = true;
                    break;
                }
            }
            assert!(seen, "child exited before {marker}");
        }
        KillWhen::HostSawSale => loop {
            let sent = host
                .journal(unipos_hostsim::config::defaults::TERMINAL_ID)
                .iter()
                .any(|e| e.mti == "0200");
            if sent {
                break;
            }
            assert!(Instant::now() < deadline, "the child never sent its sale");
            std::thread::sleep(Duration::from_millis(10));
        },
    }
    // SIGKILL: no destructor, no flush, no goodbye.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
}

fn check_consistent(
    host: &unipos_hostsim::server::RunningHost,
    dir: &std::path::Path,
    before: u64,
    host_charged: bool,
) {
    let charged_before_restart = host
        .journal(unipos_hostsim::config::defaults::TERMINAL_ID)
        .iter()
        .any(|e| e.mti == "0200" && e.approved() && !e.reversed);
    assert_eq!(
        charged_before_restart, host_charged,
        "where the kill happened"
    );
    let clock = clock();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let (terminal, _) = open_terminal(terminal_config_for(host.posp_addr()), dir, &clock, &holder);
    terminal.startup().unwrap();
    let outcome = terminal.query("crash-sale").unwrap();
    let card = host.card(CREDIT_MAGSTRIPE).unwrap();
    // Interrupted before an answer was recorded: the startup flush reversed it.
    assert_eq!(outcome.map(|o| o.status), Some(OutcomeStatus::Reversed));
    assert_eq!(card.available, before, "nothing charged");
    // Every host entry that charged was reversed.
    for e in host.journal(unipos_hostsim::config::defaults::TERMINAL_ID) {
        if e.mti == "0200" && e.approved() {
            assert!(e.reversed, "a charge survived the crash: {e:?}");
        }
    }
}

#[test]
fn sigkill_after_the_journal_commit() {
    let clock = clock();
    let host = host(&clock);
    let before = host.card(CREDIT_MAGSTRIPE).unwrap().available;
    let dir = tempfile::tempdir().unwrap();
    run_child_and_kill(
        dir.path(),
        &host,
        Some("after_journal_commit"),
        KillWhen::Prints("CRASH_POINT"),
    );
    check_consistent(&host, dir.path(), before, false);
}

#[test]
fn sigkill_after_sending() {
    let clock = clock();
    let host = host(&clock);
    let before = host.card(CREDIT_MAGSTRIPE).unwrap().available;
    // The host processes the sale, then holds the answer: the child is killed while waiting.
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::Delay { ms: 5_000 }));
    let dir = tempfile::tempdir().unwrap();
    run_child_and_kill(dir.path(), &host, None, KillWhen::HostSawSale);
    host.faults().clear();
    check_consistent(&host, dir.path(), before, true);
}

#[test]
fn sigkill_after_receiving_before_committing() {
    let clock = clock();
    let host = host(&clock);
    let before = host.card(CREDIT_MAGSTRIPE).unwrap().available;
    let dir = tempfile::tempdir().unwrap();
    run_child_and_kill(
        dir.path(),
        &host,
        Some("after_receive"),
        KillWhen::Prints("CRASH_POINT"),
    );
    // The host approved and charged; the terminal never recorded it: it must be reversed.
    check_consistent(&host, dir.path(), before, true);
}

/// One owner per terminal database (issue 15 item 2): while the child has a sale in flight
/// (stopped right after committing it, before sending), a second owner is refused with
/// "terminal busy" and changes nothing, and a read-only view shows the sale in progress
/// without touching it. Once the owner is killed, the next owner recovers the sale as a
/// reversal.
#[test]
fn a_second_owner_is_refused_and_a_reader_changes_nothing() {
    let clock = clock();
    let host = host(&clock);
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(
            CHILD,
            format!("{}|{}", dir.path().display(), host.posp_addr()),
        )
        .env("UNIPOS_CRASH_AT", "after_journal_commit")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    assert!(
        lines.any(|l| l.unwrap().contains("CRASH_POINT after_journal_commit")),
        "the child never reached its sale"
    );
    let db = dir.path().join("journal.db");
    let state = || -> String {
        let conn =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        conn.query_row(
            "SELECT state FROM txn WHERE request_id = 'crash-sale'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(state(), "sending");

    // A second owner: refused before it recovers anything.
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let err = try_open_terminal(
        terminal_config_for(host.posp_addr()),
        dir.path(),
        &clock,
        &holder,
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, unipos_terminal::EngineError::TerminalBusy(_)),
        "{err}"
    );
    assert_eq!(state(), "sending", "the refused owner changed nothing");

    // A reader sees the sale in progress and changes nothing either.
    let reader = unipos_terminal::JournalReader::open(&db).unwrap();
    let seen = reader.query("crash-sale").unwrap().unwrap();
    assert_eq!(seen.status, OutcomeStatus::InProgress);
    assert_eq!(
        reader.query_last().unwrap().unwrap().request_id,
        "crash-sale"
    );
    assert!(reader.pending_reversals().unwrap().is_empty());
    drop(reader);
    assert_eq!(state(), "sending");

    // The owner dies; the kernel releases its lock; the next owner recovers the sale.
    child.kill().unwrap();
    child.wait().unwrap();
    let (terminal, _) = open_terminal(
        terminal_config_for(host.posp_addr()),
        dir.path(),
        &clock,
        &holder,
    );
    assert_eq!(
        terminal.query("crash-sale").unwrap().unwrap().status,
        OutcomeStatus::ReversalPending
    );
}

#[test]
fn two_owners_in_one_process_are_refused_too() {
    let h = start();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let clock = clock();
    let err = try_open_terminal(h.config.clone(), h.dir.path(), &clock, &holder)
        .err()
        .unwrap();
    assert!(
        matches!(err, unipos_terminal::EngineError::TerminalBusy(_)),
        "{err}"
    );
    // The first owner is unaffected.
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let o = h
        .terminal
        .sale(SaleRequest {
            request_id: "still-mine".into(),
            amount: 100,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);
}
