//! Settlement totals and batch upload of a full batch against the local simulator.
//! `cargo bench -p unipos-terminal --bench settlement [-- N]`. The default N is 999, the
//! largest batch a terminal holds (the profile's `settlement.batch_limit` is at most 999, as
//! field 48 counts in 3 digits); the 1,000th sale would be refused with "settle first".
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
        .unwrap_or(999);
    let dir = tempfile::tempdir_in(".").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let (host, terminal, holder) = setup(dir.path());
    let fill = Instant::now();
    for i in 0..n {
        holder.present(SimCard::magstripe(
            test_cards::CREDIT_MAGSTRIPE,
            test_cards::EXPIRY,
            None,
        ));
        terminal
            .sale(SaleRequest {
                request_id: format!("fill-{i}"),
                amount: 1 + (i as u64 % 100),
            })
            .unwrap();
        if (i + 1) % 1000 == 0 {
            eprintln!("  {} sales in {:.1} s", i + 1, fill.elapsed().as_secs_f64());
        }
    }
    let t = Instant::now();
    let report = terminal.settle().unwrap();
    let settle = t.elapsed();
    println!("batch of {n} sales:");
    println!(
        "  settlement (totals + {}) in {:.3} s; balanced={} records uploaded={}",
        if report.batch_uploaded {
            "batch upload"
        } else {
            "no upload"
        },
        settle.as_secs_f64(),
        report.balanced,
        report.records_uploaded
    );
    let upload = host
        .upload_report(unipos_hostsim::defaults::TERMINAL_ID, report.batch)
        .map(|u| u.uploaded.len())
        .unwrap_or(0);
    println!("  host received {upload} uploaded record(s)");
}
