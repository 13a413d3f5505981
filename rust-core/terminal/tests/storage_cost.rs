//! What a transaction costs the terminal's flash (issue 15 item 10): the commits (with
//! `synchronous=FULL`, one WAL fsync each) and the WAL frames (pages) of a sale, counted by the
//! store's WAL hook. A sale needs exactly two durable commits: the journal row with its armed
//! reversal before sending, and the answer after. docs/performance.md §3 says what each frame
//! is; a change that adds one fails here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_terminal::{OutcomeStatus, SaleRequest};

#[test]
fn a_magstripe_sale_is_two_commits_and_at_most_eight_wal_frames() {
    let h = start();
    // The first sale of a fresh database can touch pages later sales share; measure steady state.
    for i in 0..3 {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        let o = h
            .terminal
            .sale(SaleRequest {
                request_id: format!("warm-{i}"),
                amount: 1_00,
            })
            .unwrap();
        assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    }
    let mut per_sale = Vec::new();
    for i in 0..5 {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        let before = h.terminal.wal_stats();
        let o = h
            .terminal
            .sale(SaleRequest {
                request_id: format!("s-{i}"),
                amount: 2_00,
            })
            .unwrap();
        assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
        per_sale.push(h.terminal.wal_stats().since(before));
    }
    eprintln!("per sale: {per_sale:?}");
    for s in &per_sale {
        assert_eq!(s.commits, 2, "{per_sale:?}");
        assert!(s.frames <= 8, "{per_sale:?}");
    }
}
