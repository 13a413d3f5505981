//! Sustained POSP throughput on loopback: concurrent terminals on persistent TCP
//! connections sending sale + reversal pairs (each pair is two MAC'd requests with a full
//! ledger round trip). `scripts/bench/hostsim.sh` runs the longer `loadgen` example.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/client.rs"]
mod client;

use client::{config, BenchTerminal};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::{Duration, Instant};
use unipos_hostsim::HostSim;

const TERMINALS: usize = 4;

fn throughput(c: &mut Criterion) {
    let host = HostSim::start(config(TERMINALS)).unwrap();
    let addr = host.posp_addr();
    let mut group = c.benchmark_group("posp");
    // Two requests per iteration.
    group.throughput(Throughput::Elements(2));
    group.measurement_time(Duration::from_secs(5));
    // Terminals keep their connection and trace counter across iterations, as real ones do
    // (a terminal restarting its traces in the same batch would rightly get 94).
    let mut terms: Vec<BenchTerminal> = (0..TERMINALS)
        .map(|i| BenchTerminal::connect(addr, &format!("7{i:07}")).unwrap())
        .collect();
    group.bench_function("sale_and_reversal_4_terminals", |b| {
        b.iter_custom(|iters| {
            let per = iters.div_ceil(TERMINALS as u64);
            let started = Instant::now();
            std::thread::scope(|s| {
                for t in terms.iter_mut() {
                    s.spawn(move || {
                        for _ in 0..per {
                            let (a, b) = t.sale_and_reversal(100).unwrap();
                            assert_eq!((a.as_str(), b.as_str()), ("00", "00"));
                        }
                    });
                }
            });
            // Scale to the requested iteration count.
            started
                .elapsed()
                .mul_f64(iters as f64 / (per * TERMINALS as u64) as f64)
        })
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
