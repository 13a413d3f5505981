//! Settlement, batch upload (with a SIGKILL in the middle), archive, store-and-forward.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_terminal::{
    CompletionRequest, EngineError, OutcomeStatus, PreAuthRequest, RefundRequest, SaleRequest,
    VoidRequest,
};

fn sale(
    h: &Harness,
    id: &str,
    amount: u64,
    card: unipos_terminal::hardware::sim::SimCard,
) -> unipos_terminal::Outcome {
    h.holder.present(card);
    let o = h
        .terminal
        .sale(SaleRequest {
            request_id: id.into(),
            amount,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    o
}

fn a_day_of_business(h: &Harness) {
    let s1 = sale(h, "s1", 10_000, mag(CREDIT_MAGSTRIPE));
    sale(h, "s2", 2_500, chip(DEBIT_IC));
    let s3 = sale(h, "s3", 800, mag(CREDIT_MAGSTRIPE));
    sale(h, "s4", 1_200, mag(FOREIGN_VISA));
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    h.terminal
        .void(VoidRequest {
            request_id: "v".into(),
            trace: s3.trace,
        })
        .unwrap();
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    h.terminal
        .refund(RefundRequest {
            request_id: "r".into(),
            amount: 3_000,
            rrn: s1.rrn.clone().unwrap(),
            date: s1.date.clone(),
        })
        .unwrap();
}

#[test]
fn balanced_settlement_closes_and_archives_the_batch() {
    let h = start();
    a_day_of_business(&h);
    let batch = h.terminal.current_batch().unwrap();
    let report = h.terminal.settle().unwrap();
    assert!(report.balanced, "{report:?}");
    assert!(!report.batch_uploaded);
    assert_eq!(report.batch, batch);
    // Domestic: 3 sales debit (10000 + 2500 + 800), credit: void 800 + refund 3000.
    assert_eq!(report.domestic.debit.count, 3);
    assert_eq!(report.domestic.debit.amount, 13_300);
    assert_eq!(report.domestic.credit.count, 2);
    assert_eq!(report.domestic.credit.amount, 3_800);
    assert_eq!(report.foreign.debit.count, 1);
    assert_eq!(report.foreign.debit.amount, 1_200);
    assert_eq!(h.terminal.current_batch().unwrap(), batch + 1);
    // The batch is archived: its report can be printed later.
    let lines = h.terminal.print_settlement(batch).unwrap();
    assert!(lines.iter().any(|l| l.contains("BALANCED")), "{lines:#?}");
    // Old journal entries remain queryable.
    assert!(h.terminal.query("s1").unwrap().is_some());
    // The terminal signed out; the next sale signs in again and works.
    sale(&h, "next-day", 100, mag(CREDIT_MAGSTRIPE));
    let check = h
        .host
        .upload_report(unipos_hostsim::defaults::TERMINAL_ID, batch)
        .unwrap();
    assert!(check.settlement.unwrap().domestic_balanced);
}

/// The terminal's journal gets a sale the host never saw (a lost write on the host side).
fn insert_phantom_sale(h: &Harness, trace: u32) {
    let conn = rusqlite::Connection::open(h.dir.path().join("journal.db")).unwrap();
    let batch = h.terminal.current_batch().unwrap();
    conn.execute(
        "INSERT INTO txn (request_id, kind, state, batch, trace, amount, approved_amount, \
         response_code, rrn, pan_masked, entry_mode, local_date, local_time, created_at, updated_at) \
         VALUES ('phantom', 'sale', 'approved', ?1, ?2, 4200, 4200, '00', '999999999999', \
         '621234******1232', '021', '1121', '100000', 0, 0)",
        rusqlite::params![batch, trace],
    )
    .unwrap();
}

#[test]
fn mismatch_triggers_batch_upload_and_the_host_sees_every_record() {
    let h = start();
    a_day_of_business(&h);
    insert_phantom_sale(&h, 900_001);
    let batch = h.terminal.current_batch().unwrap();
    let report = h.terminal.settle().unwrap();
    assert!(!report.balanced);
    assert!(report.batch_uploaded);
    // 4 sales + void + refund + the phantom.
    assert_eq!(report.records_uploaded, 7);
    let upload = h
        .host
        .upload_report(unipos_hostsim::defaults::TERMINAL_ID, batch)
        .unwrap();
    assert!(upload.finished);
    assert_eq!(upload.uploaded.len(), 7);
    assert_eq!(upload.declared_total, Some(7));
    assert!(
        upload
            .mismatches
            .iter()
            .any(|m| format!("{m:?}").contains("900001")),
        "the host records the transaction it lacks: {:?}",
        upload.mismatches
    );
    assert_eq!(h.terminal.current_batch().unwrap(), batch + 1);
}

#[test]
fn advices_queued_while_unreachable_arrive_once() {
    let h = start();
    h.holder.present(chip(DEBIT_IC));
    let p = h
        .terminal
        .preauth(PreAuthRequest {
            request_id: "p".into(),
            amount: 5_000,
        })
        .unwrap();
    // The advice's answer is lost (the host processed it).
    let mut lost = FaultRule::posp("0220", FaultAction::NoAnswer);
    lost.count = Some(1);
    h.host.faults().add(lost);
    h.holder.present(chip(DEBIT_IC));
    let c = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c".into(),
            amount: 5_000,
            auth_code: p.auth_code.unwrap(),
            date: p.date,
            advice: true,
        })
        .unwrap();
    assert_eq!(c.status, OutcomeStatus::AdvicePending);
    let report = h.terminal.flush_pending().unwrap();
    assert!(report.advices_sent >= 1, "{report:?}");
    assert_eq!(
        h.terminal.query("c").unwrap().unwrap().status,
        OutcomeStatus::Approved
    );
    let advices: Vec<_> = h
        .host_journal()
        .into_iter()
        .filter(|e| e.mti == "0220" && e.processing_code == "000000")
        .collect();
    assert_eq!(
        advices.len(),
        1,
        "retransmission must not apply twice: {advices:?}"
    );
    // TC uploads of the chip transactions arrived too.
    assert!(h.host_journal().iter().any(|e| e.tc_uploaded));
}

#[test]
fn no_transaction_while_batch_upload_is_unfinished_and_a_crash_resumes() {
    // The child settles a batch that needs an upload and is killed after the first record.
    let Ok(spec) = std::env::var("UNIPOS_SETTLE_CHILD") else {
        run_parent();
        return;
    };
    let mut parts = spec.split('|');
    let (dir, addr) = (parts.next().unwrap(), parts.next().unwrap());
    let clock = clock();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let mut config = unipos_terminal::TerminalConfig::new(
        unipos_hostsim::defaults::TERMINAL_ID,
        unipos_hostsim::defaults::MERCHANT_ID,
        unipos_terminal::HostAddress::tcp(addr),
    );
    config.profile.timeouts.response_ms = 5000;
    let (t, _) = open_terminal(config, std::path::Path::new(dir), &clock, &holder);
    t.startup().unwrap();
    let _ = t.settle();
    println!("CHILD_DONE");
}

fn run_parent() {
    let h = start();
    for i in 0..10 {
        sale(&h, &format!("s{i}"), 100 + i, mag(CREDIT_MAGSTRIPE));
    }
    insert_phantom_sale(&h, 900_002);
    let batch = h.terminal.current_batch().unwrap();
    let dir = h.dir.path().to_owned();
    let Harness {
        host,
        terminal,
        holder,
        clock,
        config,
        dir: tmp,
        ..
    } = h;
    drop(terminal);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_transaction_while_batch_upload_is_unfinished_and_a_crash_resumes",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            "UNIPOS_SETTLE_CHILD",
            format!("{}|{}", dir.display(), host.posp_addr()),
        )
        .env("UNIPOS_CRASH_AT", "batch_upload_progress")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let reached = BufReader::new(out)
        .lines()
        .any(|l| l.unwrap().contains("CRASH_POINT"));
    assert!(reached, "the child never reached the batch upload");
    child.kill().unwrap();
    let _ = child.wait();

    let (terminal, _) = open_terminal(config, &dir, &clock, &holder);
    terminal.startup().unwrap();
    holder.present(mag(CREDIT_MAGSTRIPE));
    let err = terminal
        .sale(SaleRequest {
            request_id: "blocked".into(),
            amount: 100,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::BatchUploadInProgress(b) if b == batch),
        "{err}"
    );
    let report = terminal.settle().unwrap();
    assert!(report.batch_uploaded);
    let upload = host
        .upload_report(unipos_hostsim::defaults::TERMINAL_ID, batch)
        .unwrap();
    assert!(upload.finished);
    let mut traces: Vec<u32> = upload.uploaded.iter().map(|r| r.trace).collect();
    let n = traces.len();
    traces.sort_unstable();
    traces.dedup();
    assert_eq!(traces.len(), n, "a record was uploaded twice");
    assert_eq!(n, 11);
    assert_eq!(terminal.current_batch().unwrap(), batch + 1);
    drop(tmp);
}

#[test]
fn tc_uploads_are_delivered_once() {
    let h = start();
    sale(&h, "c1", 100, chip(DEBIT_IC));
    let r = h.terminal.flush_pending().unwrap();
    assert_eq!((r.advices_sent, r.advices_waiting), (1, 0), "{r:?}");
    let r = h.terminal.flush_pending().unwrap();
    assert_eq!((r.advices_sent, r.advices_waiting), (0, 0), "{r:?}");
}

/// An advice whose answer was lost is retransmitted after a restart under new work keys:
/// the host recognises the repeat (its content, not its MAC) and answers it again under the
/// keys the terminal now holds. Nothing is applied twice.
#[test]
fn advice_retransmitted_after_a_restart_under_new_keys() {
    let h = start();
    h.holder.present(chip(DEBIT_IC));
    let p = h
        .terminal
        .preauth(PreAuthRequest {
            request_id: "p".into(),
            amount: 2_000,
        })
        .unwrap();
    let mut lost = FaultRule::posp("0220", FaultAction::NoAnswer);
    lost.count = Some(1);
    h.host.faults().add(lost);
    h.holder.present(chip(DEBIT_IC));
    let c = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c".into(),
            amount: 2_000,
            auth_code: p.auth_code.unwrap(),
            date: p.date,
            advice: true,
        })
        .unwrap();
    assert_eq!(c.status, OutcomeStatus::AdvicePending);
    let h = h.restart();
    h.terminal.resume().unwrap();
    let r = h.terminal.flush_pending().unwrap();
    assert_eq!(r.advices_waiting, 0, "{r:?}");
    assert_eq!(
        h.terminal.query("c").unwrap().unwrap().status,
        OutcomeStatus::Approved
    );
    let applied = h
        .host_journal()
        .into_iter()
        .filter(|e| e.mti == "0220" && e.processing_code == "000000")
        .count();
    assert_eq!(applied, 1);
}
