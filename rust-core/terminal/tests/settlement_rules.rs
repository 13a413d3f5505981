//! Settlement as each acquirer wants it (issue 15 item 7), checked on the wire: how voids
//! count in the field 48 totals, the end-of-upload message of a balanced batch, and the batch
//! limit that makes the terminal ask for settlement before the 3-digit counts overflow. The
//! host simulator follows the same profile settings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::wiretap::{tapped, Tapped};
use common::*;
use unipos_hostsim::config::VoidCounting;
use unipos_iso8583::cup::{Field60, SettlementTotals};
use unipos_terminal::{EngineError, OutcomeStatus, VoidRequest};

/// A sale of 10.00, its void, and a sale of 3.00; then settlement. Returns the 0500's field 48.
fn sale_void_sale_settle(r: &Tapped) -> (SettlementTotals, unipos_terminal::SettlementReport) {
    let voided = r.sale("s1", mag(CREDIT_MAGSTRIPE), 10_00).unwrap();
    r.holder.present(mag(CREDIT_MAGSTRIPE));
    let void = r
        .terminal
        .void(VoidRequest {
            request_id: "v1".into(),
            trace: voided.trace,
        })
        .unwrap();
    assert_eq!(void.status, OutcomeStatus::Approved);
    r.sale("s2", mag(CREDIT_MAGSTRIPE), 3_00).unwrap();
    let report = r.terminal.settle().unwrap();
    let sent = r.tap.requests("0500").pop().unwrap();
    (
        SettlementTotals::parse(sent.text(48).unwrap()).unwrap(),
        report,
    )
}

#[test]
fn voids_count_gross_by_default_and_net_when_the_acquirer_says_so() {
    let (r, started) = tapped(|_| {}, |_| {}, |_| {});
    started.unwrap();
    let (f48, report) = sale_void_sale_settle(&r);
    let d = f48.domestic;
    assert_eq!((d.debit_count, d.debit_amount), (2, 13_00));
    assert_eq!((d.credit_count, d.credit_amount), (1, 10_00));
    assert!(report.balanced && !report.batch_uploaded);

    let (r, started) = tapped(
        |h| h.host.voids = VoidCounting::Net,
        |t| t.profile.settlement.voids = VoidCounting::Net,
        |_| {},
    );
    started.unwrap();
    let (f48, report) = sale_void_sale_settle(&r);
    let d = f48.domestic;
    assert_eq!(
        (d.debit_count, d.debit_amount),
        (1, 3_00),
        "the voided sale is out"
    );
    assert_eq!(
        (d.credit_count, d.credit_amount),
        (0, 0),
        "and so is its void"
    );
    assert!(report.balanced, "the host nets them out too");
}

#[test]
fn terminal_and_host_counting_differently_do_not_balance_and_the_upload_settles_it() {
    let (r, started) = tapped(
        |_| {},
        |t| t.profile.settlement.voids = VoidCounting::Net,
        |_| {},
    );
    started.unwrap();
    let (_, report) = sale_void_sale_settle(&r);
    assert!(!report.balanced && report.batch_uploaded);
    // Net: only the surviving sale is uploaded.
    assert_eq!(report.records_uploaded, 1);
}

#[test]
fn a_balanced_batch_sends_the_end_of_upload_message_when_the_acquirer_closes_on_it() {
    // Default: balanced, no 0320 at all.
    let (r, started) = tapped(|_| {}, |_| {}, |_| {});
    started.unwrap();
    r.sale("s", mag(CREDIT_MAGSTRIPE), 5_00).unwrap();
    assert!(r.terminal.settle().unwrap().balanced);
    assert!(r.tap.requests("0320").is_empty());

    let (r, started) = tapped(
        |h| h.host.end_message_when_balanced = true,
        |t| t.profile.settlement.end_message_when_balanced = true,
        |_| {},
    );
    started.unwrap();
    r.sale("s", mag(CREDIT_MAGSTRIPE), 5_00).unwrap();
    let batch = r.terminal.current_batch().unwrap();
    let report = r.terminal.settle().unwrap();
    assert!(report.balanced && !report.batch_uploaded);
    let end = r
        .tap
        .requests("0320")
        .pop()
        .expect("an end-of-upload message");
    let f60 = Field60::parse(end.text(60).unwrap()).unwrap();
    assert_eq!(f60.network_code, 207);
    assert_eq!(end.text(48), Some("0000"));
    // The host closed the batch on it.
    let host_batch = r
        .host
        .posp()
        .open_batch(unipos_hostsim::config::defaults::TERMINAL_ID)
        .unwrap();
    assert_eq!(host_batch, batch + 1);
}

#[test]
fn a_full_batch_asks_for_settlement_before_the_next_transaction() {
    let (r, started) = tapped(|_| {}, |t| t.profile.settlement.batch_limit = 3, |_| {});
    started.unwrap();
    assert!(r
        .sale("b1", mag(CREDIT_MAGSTRIPE), 1_00)
        .unwrap()
        .notice
        .is_none());
    r.sale("b2", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    let third = r.sale("b3", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    assert!(
        third.notice.as_deref().unwrap_or("").contains("3 of 3"),
        "{third:?}"
    );
    let sent = r.tap.requests("0200").len();
    let e = r.sale("b4", mag(CREDIT_MAGSTRIPE), 1_00).unwrap_err();
    assert!(matches!(e, EngineError::BatchFull { limit: 3, .. }), "{e}");
    assert_eq!(r.tap.requests("0200").len(), sent, "nothing sent");
    // A balance inquiry takes no place in the totals: still allowed.
    r.holder.present(mag(CREDIT_MAGSTRIPE));
    r.terminal
        .balance_inquiry(unipos_terminal::BalanceRequest {
            request_id: "bal".into(),
        })
        .unwrap();
    r.terminal.settle().unwrap();
    assert_eq!(
        r.sale("b4", mag(CREDIT_MAGSTRIPE), 1_00).unwrap().status,
        OutcomeStatus::Approved
    );
}
