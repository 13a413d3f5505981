//! Load generator: starts a simulator in-process, then `--terminals N` terminals on
//! persistent TCP connections send sale + reversal pairs for `--seconds S`; prints the
//! sustained requests per second. Used by `scripts/bench/hostsim.sh`.
//!
//! `cargo run --release -p unipos-hostsim --example loadgen -- --terminals 4 --seconds 5`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/client.rs"]
mod client;

use client::{config, BenchTerminal};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use unipos_hostsim::HostSim;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let terminals = arg("--terminals", 4) as usize;
    let seconds = arg("--seconds", 5);
    let host = HostSim::start(config(terminals)).unwrap();
    let addr = host.posp_addr();
    let stop = AtomicBool::new(false);
    let requests = AtomicU64::new(0);
    let failures = AtomicU64::new(0);
    let mut terms: Vec<BenchTerminal> = (0..terminals)
        .map(|i| BenchTerminal::connect(addr, &format!("7{i:07}")).unwrap())
        .collect();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in terms.iter_mut() {
            let (stop, requests, failures) = (&stop, &requests, &failures);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match t.sale_and_reversal(100) {
                        Ok((a, b)) if a == "00" && b == "00" => {
                            requests.fetch_add(2, Ordering::Relaxed);
                        }
                        _ => {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed().as_secs_f64();
    let n = requests.load(Ordering::Relaxed);
    println!(
        "terminals={terminals} seconds={elapsed:.2} requests={n} failures={} requests_per_second={:.0}",
        failures.load(Ordering::Relaxed),
        n as f64 / elapsed
    );
    host.shutdown();
}
