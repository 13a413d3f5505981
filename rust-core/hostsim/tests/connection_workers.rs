#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The POSP's connection workers. Alone in its test binary: it counts this process's threads.

mod common;

use common::*;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use unipos_hostsim::test_cards as cards;
use unipos_iso8583::cup::TransactionType;

fn sale_msg(t: &mut Term, amount: u64) -> unipos_iso8583::Message {
    let m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(amount));
    t.with_card(m, cards::DEBIT_IC, None)
}

/// The names of this process's threads that serve POSP connections (Linux: /proc).
#[cfg(target_os = "linux")]
fn posp_workers() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| n.starts_with("hostsim-posp-"))
        .collect();
    names.sort();
    names
}

/// Opens a connection and returns it after one approved sale on it.
#[cfg(target_os = "linux")]
fn served(host: &unipos_hostsim::RunningHost, t: &mut Term) -> TcpStream {
    let mut s = TcpStream::connect(host.posp_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let m = sale_msg(t, 1);
    unipos_net::frame_io::write_frame(&mut s, 2, &t.frame_body(&m)).unwrap();
    let a = unipos_net::frame_io::read_frame(&mut s, 2, 4096).unwrap();
    assert_eq!(t.decode(&a).code(), "00");
    s
}

#[cfg(target_os = "linux")]
#[test]
fn connection_workers_are_reused_and_end_with_the_host() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    // Time for a worker to see the terminal's close and wait in accept again.
    let settle = || std::thread::sleep(Duration::from_millis(200));
    // Until the pool has `n` workers (those that end do so once their connection is closed).
    let workers_become = |n: usize| {
        let until = Instant::now() + Duration::from_secs(5);
        while posp_workers().len() != n && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(posp_workers().len(), n, "{:?}", posp_workers());
    };
    // One connection after another: two workers serve them all, one serving and one waiting in
    // accept; a thread per connection would show six names. One name more is right too: when
    // a connection comes before the last worker is back in accept (a loaded machine), the
    // waiting one takes it and starts a spare, and a surplus worker ends after its connection.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let s = served(&host, &mut t);
        seen.extend(posp_workers());
        drop(s);
        settle();
    }
    assert!((2..=3).contains(&seen.len()), "{seen:?}");
    workers_become(2);
    // Two at once: one worker each and one more waiting; afterwards the spare one ends.
    let a = served(&host, &mut t);
    let b = served(&host, &mut t);
    assert!(posp_workers().len() >= 3, "{:?}", posp_workers());
    drop((a, b));
    workers_become(2);
    let c = served(&host, &mut t);
    drop(c);
    settle();
    workers_become(2);
    // Waiting workers do not hold up the shutdown.
    let started = Instant::now();
    host.shutdown();
    assert!(started.elapsed() < Duration::from_secs(2));
    // Joined; the kernel lists an exited thread a little longer on a loaded machine.
    workers_become(0);
}
