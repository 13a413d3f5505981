//! A request id names one request: repeated as it was, it answers the stored outcome; reused
//! for another amount, kind or original it is a request-id conflict, and nothing is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_terminal::{EngineError, OutcomeStatus, RefundRequest, SaleRequest, VoidRequest};

fn assert_conflict(result: Result<unipos_terminal::Outcome, EngineError>, id: &str) {
    match result {
        Err(EngineError::RequestIdConflict {
            request_id,
            used_for,
        }) => {
            assert_eq!(request_id, id);
            // What it was first used for, so that an integrator can see their mistake.
            assert!(used_for.contains("sale"), "{used_for}");
        }
        other => panic!("not a request-id conflict: {other:?}"),
    }
}

#[test]
fn a_reused_request_id_is_its_stored_outcome_or_a_conflict_never_a_new_request() {
    let h = start();
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let sale = h
        .terminal
        .sale(SaleRequest {
            request_id: "till-7".into(),
            amount: 1_234,
        })
        .unwrap();
    assert_eq!(sale.status, OutcomeStatus::Approved, "{sale:?}");
    let sent = h.host_journal().len();
    let funds = h.available(CREDIT_MAGSTRIPE);

    // The same request again: the stored outcome, with no card and nothing sent.
    let again = h
        .terminal
        .sale(SaleRequest {
            request_id: "till-7".into(),
            amount: 1_234,
        })
        .unwrap();
    assert_eq!(
        (again.trace, again.status),
        (sale.trace, OutcomeStatus::Approved)
    );

    // Another amount, a refund, a void: each a conflict, and none of them reaches the host.
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    assert_conflict(
        h.terminal.sale(SaleRequest {
            request_id: "till-7".into(),
            amount: 1_235,
        }),
        "till-7",
    );
    assert_conflict(
        h.terminal.refund(RefundRequest {
            request_id: "till-7".into(),
            amount: 1_234,
            rrn: sale.rrn.clone().unwrap(),
            date: sale.date.clone(),
        }),
        "till-7",
    );
    assert_conflict(
        h.terminal.void(VoidRequest {
            request_id: "till-7".into(),
            trace: sale.trace,
        }),
        "till-7",
    );
    assert_eq!(h.host_journal().len(), sent, "a conflict sent something");
    assert_eq!(h.available(CREDIT_MAGSTRIPE), funds);
    // The sale stands as it was.
    let stored = h.terminal.query("till-7").unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.amount),
        (OutcomeStatus::Approved, 1_234)
    );
}
