//! Crash consistency under random work: a child process runs random card and QR transactions
//! against the host simulator and is killed with SIGKILL at random moments, again and again
//! on the same database. Then the terminal restarts, recovers, settles, and its journal and
//! QR orders must agree exactly with the host ledger and the QR gateway: nothing lost,
//! nothing charged twice, every reversal accounted for.
//!
//! CI runs a short round (`UNIPOS_RELIABILITY_KILLS`, default 30); `scripts/reliability.sh
//! --long` runs 1,000 kills.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use unipos_cli::desktop;
use unipos_clock::SystemClock;
use unipos_hostsim::{defaults, test_cards as cards, HostSim, HostSimConfig, RunningHost};
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::{
    CompletionRequest, HostAddress, OutcomeStatus, PreAuthRequest, QrPayRequest, RefundRequest,
    SaleRequest, TerminalConfig, VoidRequest,
};

const CHILD: &str = "UNIPOS_RELIABILITY_CHILD";

fn config(posp: &str, https: &str, ca_pem: &str) -> TerminalConfig {
    let mut c = TerminalConfig::new(
        defaults::TERMINAL_ID,
        defaults::MERCHANT_ID,
        HostAddress::tcp(posp),
    );
    c.profile.timeouts.response_ms = 3000;
    c.qr_gateway = Some(HostAddress::Https {
        addresses: vec![https.to_owned()],
        server_name: "127.0.0.1".into(),
        ca_pem: ca_pem.into(),
    });
    c
}

/// QR timers in milliseconds instead of tens of seconds: this test runs on the real clock
/// (two processes cannot share a manual one), and recovery must not wait a WeChat deadline.
fn fast_qr(t: &unipos_terminal::Terminal) {
    let mut settings = t.qr_settings();
    for c in [
        &mut settings.timers.wechat,
        &mut settings.timers.alipay,
        &mut settings.timers.unionpay,
    ] {
        c.first_query_delay_ms = 20;
        c.first_query_delay_after_error_ms = 20;
        c.query_interval_ms = 20;
        c.deadline_ms = 400;
        c.earliest_reverse_ms = 100;
        c.reverse_interval_ms = 20;
    }
    t.set_qr_settings(settings);
}

/// A tiny deterministic generator (xorshift), seeded per child run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The child: random transactions until killed.
#[test]
fn reliability_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let (db, posp, https, ca, seed) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
    let ca_pem = std::fs::read_to_string(ca).unwrap();
    let t = desktop::open(
        config(posp, https, &ca_pem),
        Path::new(db),
        Some(defaults::TMK_HEX),
        Arc::new(SystemClock),
    )
    .unwrap();
    fast_qr(&t.terminal);
    t.terminal.resume().unwrap();
    println!("READY");
    let mut rng = Rng(seed.parse::<u64>().unwrap() | 1);
    let run = seed;
    for i in 0.. {
        let id = format!("r{run}-{i}");
        let card = if rng.below(2) == 0 {
            SimCard::magstripe(cards::CREDIT_MAGSTRIPE, cards::EXPIRY, Some(defaults::PIN))
        } else {
            SimCard::chip(cards::DEBIT_IC, cards::EXPIRY, Some(defaults::PIN))
        };
        let approved: Vec<_> = t
            .terminal
            .journal_entries(50)
            .unwrap()
            .into_iter()
            .filter(|o| o.status == OutcomeStatus::Approved && o.trace != 0)
            .collect();
        t.holder.present(card);
        let amount = 100 + rng.below(5_000);
        let _ = match rng.below(7) {
            0 | 1 => t
                .terminal
                .sale(SaleRequest {
                    request_id: id,
                    amount,
                })
                .map(|_| ()),
            2 => match approved.iter().find(|o| o.kind.as_str() == "sale") {
                Some(s) => {
                    let pan = if s.masked_pan.as_deref().is_some_and(|p| p.ends_with("1232")) {
                        cards::CREDIT_MAGSTRIPE
                    } else {
                        cards::DEBIT_IC
                    };
                    t.holder
                        .present(SimCard::magstripe(pan, cards::EXPIRY, None));
                    if rng.below(2) == 0 {
                        t.terminal
                            .void(VoidRequest {
                                request_id: id,
                                trace: s.trace,
                            })
                            .map(|_| ())
                    } else {
                        t.terminal
                            .refund(RefundRequest {
                                request_id: id,
                                amount: 1 + rng.below(s.approved_amount.max(1)),
                                rrn: s.rrn.clone().unwrap_or_default(),
                                date: s.date.clone(),
                            })
                            .map(|_| ())
                    }
                }
                None => Ok(()),
            },
            3 => t
                .terminal
                .preauth(PreAuthRequest {
                    request_id: id,
                    amount,
                })
                .map(|_| ()),
            4 => match approved.iter().find(|o| o.kind.as_str() == "preauth") {
                Some(p) => {
                    t.holder
                        .present(SimCard::chip(cards::DEBIT_IC, cards::EXPIRY, None));
                    t.terminal
                        .completion(CompletionRequest {
                            request_id: id,
                            amount: p.approved_amount,
                            auth_code: p.auth_code.clone().unwrap_or_default(),
                            date: p.date.clone(),
                            advice: rng.below(2) == 0,
                        })
                        .map(|_| ())
                }
                None => Ok(()),
            },
            _ => {
                // Codes whose outcome is immediate: paid (00), insufficient funds (03),
                // expired (04), declined (12).
                let suffix = ["00", "00", "03", "04", "12"][rng.below(5) as usize];
                let code = match rng.below(3) {
                    0 => format!("1349195862139267{suffix}"),
                    1 => format!("287634438256643{suffix}"),
                    _ => format!("62257350532016152{suffix}"),
                };
                t.terminal
                    .qr_pay(QrPayRequest {
                        request_id: id.clone(),
                        order_id: format!("o-{id}"),
                        amount,
                        code,
                        subject: None,
                    })
                    .map(|_| ())
            }
        };
        println!("OP {i}");
    }
}

/// Where the child was when it died, read from its database.
fn kill_point(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let sending: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM txn WHERE state = 'sending'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    if sending > 0 {
        let kind: String = conn
            .query_row(
                "SELECT kind FROM txn WHERE state = 'sending' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap_or_default();
        return format!("card request in flight ({kind})");
    }
    let qr: Option<String> = conn
        .query_row(
            "SELECT state FROM qr_order WHERE state NOT IN ('paid','failed','not_sent','reversed','closed') LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(state) = qr {
        return format!("QR order {state}");
    }
    let pending: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM reversal WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    if pending > 0 {
        return "reversal pending".into();
    }
    "between transactions".into()
}

#[test]
fn random_kills_never_lose_or_double_charge() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let kills: u32 = std::env::var("UNIPOS_RELIABILITY_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let mut host_config = HostSimConfig::default().with_seed(9);
    // The host manages the answer timeout (DF04): 3 s, as the child's profile.
    host_config.host.response_timeout_secs = 3;
    let host: RunningHost = HostSim::start(host_config).unwrap();
    std::fs::write(&ca, host.ca_pem()).unwrap();
    let db = dir.path().join("journal.db");
    let https = host.https_addr().unwrap();

    // First start: full startup.
    {
        let t = desktop::open(
            config(
                &host.posp_addr().to_string(),
                &https.to_string(),
                host.ca_pem(),
            ),
            &db,
            Some(defaults::TMK_HEX),
            Arc::new(SystemClock),
        )
        .unwrap();
        t.terminal.startup().unwrap();
    }

    let mut points: BTreeMap<String, u32> = BTreeMap::new();
    let mut rng = Rng(0x5EED_1234);
    let started = Instant::now();
    for run in 0..kills {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "reliability_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD,
                format!(
                    "{}|{}|{}|{}|{}",
                    db.display(),
                    host.posp_addr(),
                    https,
                    ca.display(),
                    run + 1
                ),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // (libtest may print "test reliability_child ... " in front of the first line.)
        let ready = lines
            .by_ref()
            .any(|l| l.map(|l| l.ends_with("READY")).unwrap_or(false));
        assert!(ready, "child {run} did not start");
        // Let it work for a random number of operations, then kill it mid-flight after a
        // random extra delay.
        let ops = 1 + rng.below(6);
        let mut seen = 0;
        for l in lines.by_ref() {
            if l.map(|l| l.contains("OP ")).unwrap_or(false) {
                seen += 1;
                if seen >= ops {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(8_000)));
        child.kill().unwrap();
        let _ = child.wait();
        let point = kill_point(&db);
        *points.entry(point).or_default() += 1;
    }

    // Restart, recover, settle, reconcile.
    let t = desktop::open(
        config(
            &host.posp_addr().to_string(),
            &https.to_string(),
            host.ca_pem(),
        ),
        &db,
        Some(defaults::TMK_HEX),
        Arc::new(SystemClock),
    )
    .unwrap();
    fast_qr(&t.terminal);
    t.terminal.resume().unwrap();
    t.terminal.flush_pending().unwrap();
    let report = match t.terminal.settle() {
        Ok(r) => r,
        Err(e) => {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let mut stmt = conn
                .prepare("SELECT s.kind, s.state, s.attempts, s.last_error, s.payload, t.state FROM saf s LEFT JOIN txn t ON t.id = s.txn_id WHERE s.state != 'done'")
                .unwrap();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "{} {} {} {:?} {} txn={:?}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?
                    ))
                })
                .unwrap()
                .filter_map(Result::ok)
                .collect();
            panic!("settlement failed: {e}; queued advices: {rows:#?}");
        }
    };
    let differences = unipos_cli::reconcile::reconcile(&t.terminal, &host).unwrap();
    let entries = t.terminal.journal_entries(u32::MAX).unwrap().len();
    eprintln!(
        "reliability: {kills} SIGKILLs in {:.1} s, {entries} journal entries, settlement {} ({} uploaded); kill points: {points:?}",
        started.elapsed().as_secs_f64(),
        if report.balanced { "balanced" } else { "unbalanced" },
        report.records_uploaded
    );
    assert!(
        differences.is_empty(),
        "differences after {kills} kills: {differences:#?}"
    );
}
