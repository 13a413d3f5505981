//! A sale end to end on loopback, durable commits included (the journal row + armed reversal
//! before sending, the answer after), beside the fsync latency of the same disk.
//! `cargo bench -p unipos-terminal --bench sale [-- [https] N]` (`https`: the POSP over HTTPS
//! with the pinned CA instead of raw TCP). It also prints the commits (WAL fsyncs) and WAL
//! frames per sale that the store counted.
//!
//! The disk's fsync is timed twice: once after each sale, so that the sales and their yardstick
//! see the disk in the same moments (this shared disk drifts by a third within minutes), and
//! 200 times in a row after the sales, as the bench did first. A bare loopback exchange of the
//! same sizes is timed too: the part of a sale that no code of ours can take away here.
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
    let link = if std::env::args().any(|a| a == "https") {
        Link::Https
    } else {
        Link::Tcp
    };
    // UNIPOS_BENCH_DIR=/dev/shm puts the journal on tmpfs (fsync is free there), which leaves
    // the code and the transport; the default is the disk the bench runs on.
    let dir = match std::env::var_os("UNIPOS_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir_in(".").unwrap_or_else(|_| tempfile::tempdir().unwrap()),
    };
    let (_host, terminal, holder) = setup_with(dir.path(), link);
    let mut lat = Vec::with_capacity(n);
    let mut probe = FsyncProbe::new(dir.path());
    let mut beside = Vec::with_capacity(n);
    let wal_before = terminal.wal_stats();
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
        beside.push(probe.sample());
    }
    let wal = terminal.wal_stats().since(wal_before);
    drop(probe);
    lat.sort();
    beside.sort();
    let fsync = fsync_latency(dir.path(), 200);
    let floor = exchange_floor(1000);
    let over = match link {
        Link::Tcp => "TCP",
        Link::Https => "HTTPS",
    };
    println!(
        "sale end to end on loopback over {over}, {n} sales (durable SQLite commits, no printing wait):"
    );
    println!(
        "  p50 {}  p99 {}  max {}",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(pct(&lat, 1.0))
    );
    // Per sale, from the store's WAL hook: each commit is one WAL fsync (synchronous=FULL).
    let per_sale = |x: u64| x as f64 / n.max(1) as f64;
    println!(
        "  per sale: {:.2} commits (WAL fsyncs), {:.2} WAL frames (pages)",
        per_sale(wal.commits),
        per_sale(wal.frames)
    );
    println!("fsync (4 KiB write + fdatasync) on the same disk:");
    println!(
        "  one after each sale: p50 {}  p99 {}",
        ms(pct(&beside, 0.5)),
        ms(pct(&beside, 0.99))
    );
    println!(
        "  200 in a row after the sales: p50 {}  p99 {}",
        ms(pct(&fsync, 0.5)),
        ms(pct(&fsync, 0.99))
    );
    println!(
        "a bare loopback exchange (connect, 252 bytes out, 122 back, close), 1000 samples:\n  p50 {}  p99 {}",
        ms(pct(&floor, 0.5)),
        ms(pct(&floor, 0.99))
    );
    // Issue 15's target: the sale's p50 within 1.3x of two fsyncs (its two durable commits).
    // That leaves 0.6 fsyncs beyond the two, for the bare exchange and all the code.
    let ratio = |fsyncs: &[std::time::Duration]| {
        let two = 2.0 * pct(fsyncs, 0.5).as_secs_f64();
        (two > 0.0).then(|| pct(&lat, 0.5).as_secs_f64() / two)
    };
    if let (Some(beside), Some(after)) = (ratio(&beside), ratio(&fsync)) {
        println!(
            "sale p50 / (2 x fsync p50) = {beside:.2} beside the sales, {after:.2} after them (target <= 1.30)"
        );
    }
}
