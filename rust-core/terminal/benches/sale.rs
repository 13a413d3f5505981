//! A sale end to end on loopback, durable commits included (the journal row + armed reversal
//! before sending, the answer after), beside the fsync latency of the same disk.
//! `cargo bench -p unipos-terminal --bench sale [-- N]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::time::Instant;
use unipos_hostsim::test_cards;
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::SaleRequest;

fn main() {
    let n: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(500);
    let dir = tempfile::tempdir_in(".").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let (_host, terminal, holder) = setup(dir.path());
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        holder.present(SimCard::magstripe(
            test_cards::CREDIT_MAGSTRIPE,
            test_cards::EXPIRY,
            None,
        ));
        let t = Instant::now();
        let o = terminal
            .sale(SaleRequest {
                request_id: format!("bench-{i}"),
                amount: 1,
            })
            .unwrap();
        lat.push(t.elapsed());
        assert!(o.status.is_approved(), "{o:?}");
    }
    lat.sort();
    let fsync = fsync_latency(dir.path(), 200);
    println!("sale end to end on loopback, {n} sales (durable SQLite commits, no printing wait):");
    println!(
        "  p50 {}  p99 {}  max {}",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(pct(&lat, 1.0))
    );
    println!("fsync (4 KiB write + fdatasync) on the same disk, 200 samples:");
    println!(
        "  p50 {}  p99 {}",
        ms(pct(&fsync, 0.5)),
        ms(pct(&fsync, 0.99))
    );
}
