//! A corrupt stored value is a storage error, never a default (issue 15 item 8): a row whose
//! amount went negative, a kind this build does not know and a trace counter that is not a
//! number each stop the read or the transaction with `EngineError::Storage`, and nothing goes
//! to the host on a counter the terminal cannot trust.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_terminal::{EngineError, OutcomeStatus, SaleRequest};

fn sale(h: &Harness, id: &str) -> Result<unipos_terminal::Outcome, EngineError> {
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    h.terminal.sale(SaleRequest {
        request_id: id.into(),
        amount: 5_00,
    })
}

/// Changes the database behind the terminal's back, as a damaged flash or a bad tool would.
fn tamper(h: &Harness, sql: &str) {
    let db = rusqlite::Connection::open(h.dir.path().join("journal.db")).unwrap();
    assert_eq!(db.execute(sql, []).unwrap(), 1, "{sql}");
}

fn is_storage(r: Result<impl std::fmt::Debug, EngineError>) -> String {
    match r {
        Err(EngineError::Storage(e)) => e.to_string(),
        other => panic!("expected a storage error, got {other:?}"),
    }
}

#[test]
fn a_negative_amount_is_refused_not_read_as_zero() {
    let h = start();
    assert_eq!(sale(&h, "s1").unwrap().status, OutcomeStatus::Approved);
    tamper(&h, "UPDATE txn SET amount = -500 WHERE request_id = 's1'");
    let why = is_storage(h.terminal.query("s1"));
    assert!(why.contains("negative"), "{why}");
    is_storage(h.terminal.journal_entries(10));
}

#[test]
fn an_unknown_kind_is_refused_not_guessed() {
    let h = start();
    sale(&h, "s1").unwrap();
    tamper(
        &h,
        "UPDATE txn SET kind = 'teleport' WHERE request_id = 's1'",
    );
    let why = is_storage(h.terminal.query("s1"));
    assert!(why.contains("teleport"), "{why}");
}

#[test]
fn a_trace_counter_that_is_not_a_number_stops_the_sale_before_anything_is_sent() {
    let h = start();
    sale(&h, "s1").unwrap();
    let sent_before = h.host_journal().len();
    tamper(&h, "UPDATE meta SET value = 'x12' WHERE key = 'trace'");
    is_storage(sale(&h, "s2"));
    assert_eq!(
        h.host_journal().len(),
        sent_before,
        "nothing went to the host"
    );
    // The refused sale left no row: its id is unknown, not half-recorded.
    assert!(
        matches!(h.terminal.query("s2"), Ok(None)),
        "{:?}",
        h.terminal.query("s2")
    );
}
