//! The FFI surface driven from Rust (the same calls the Kotlin bindings make), against the
//! in-process host simulator: a sale through the callback adapters, error mapping, and
//! concurrent calls from several threads. Also runs under qemu-aarch64 (scripts/test-aarch64.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use unipos::*;
use unipos_hostsim::config::{defaults, test_cards};
use unipos_hostsim::server::{HostSim, RunningHost};
use unipos_hostsim::HostSimConfig;

struct Reader {
    throw_next: AtomicUsize,
}

impl CardReader for Reader {
    fn read_card(
        &self,
        _prompt: CardPrompt,
        _cancel: Arc<CancelSignal>,
    ) -> Result<CardReadResult, CallbackError> {
        if self.throw_next.swap(0, Ordering::SeqCst) == 1 {
            return Err(CallbackError::Unexpected {
                reason: "reader unplugged".into(),
            });
        }
        let pan = test_cards::CREDIT_MAGSTRIPE;
        Ok(CardReadResult::Card {
            card: CardInput {
                entry: EntryMode::Magstripe,
                pan: pan.into(),
                expiry: Some(test_cards::EXPIRY.into()),
                track2: Some(format!("{pan}D{}2010000000000", test_cards::EXPIRY)),
                psn: None,
            },
        })
    }
}

struct Pad;
impl PinPad for Pad {
    fn read_pin(&self, request: PinRequest) -> Result<PinResult, CallbackError> {
        assert!(request.masked_pan.contains('*'));
        Ok(PinResult::ClearPin {
            digits: defaults::PIN.as_bytes().to_vec(),
        })
    }
}

struct Paper;
impl Printer for Paper {
    fn print(&self, lines: Vec<String>) -> Result<(), CallbackError> {
        assert!(!lines.concat().contains(test_cards::CREDIT_MAGSTRIPE));
        Ok(())
    }
}

fn open(host: &RunningHost, dir: &std::path::Path, tid: &str) -> (Arc<PosTerminal>, Arc<Reader>) {
    let config = PosConfig {
        terminal_id: tid.into(),
        merchant_id: defaults::MERCHANT_ID.into(),
        posp: HostEndpoint {
            address: host.posp_addr().to_string(),
            tls: None,
            fallback_addresses: vec![],
        },
        merchant_name: String::new(),
        operator: "001".into(),
        qr_gateway: None,
        profile_json: None,
        connect_timeout_ms: Some(2_000),
        response_timeout_ms: Some(1_000),
        reversal_retries: Some(3),
        mac_scheme: None,
        auto_settlement: None,
        receipt_width: 32,
        software_tmk_hex: Some(defaults::TMK_HEX.into()),
        vault_key: None,
    };
    struct Shared(Arc<Reader>);
    impl CardReader for Shared {
        fn read_card(
            &self,
            p: CardPrompt,
            c: Arc<CancelSignal>,
        ) -> Result<CardReadResult, CallbackError> {
            self.0.read_card(p, c)
        }
    }
    let reader = Arc::new(Reader {
        throw_next: AtomicUsize::new(0),
    });
    let t = PosTerminal::open(
        config,
        dir.join("journal.db").display().to_string(),
        Box::new(Shared(reader.clone())),
        Box::new(Pad),
        Box::new(Paper),
        None,
        None,
    )
    .unwrap();
    (t, reader)
}

#[test]
fn sale_errors_and_concurrency_through_the_facade() {
    let host = HostSim::start(HostSimConfig::default().with_seed(7)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (t, reader) = open(&host, dir.path(), defaults::TERMINAL_ID);

    let early = t
        .sale(SaleRequest {
            request_id: "early".into(),
            amount: 100,
        })
        .unwrap_err();
    assert_eq!(error_code(early), 1006);
    t.startup().unwrap();

    let o = t
        .sale(SaleRequest {
            request_id: "s1".into(),
            amount: 1_234,
        })
        .unwrap();
    assert_eq!((o.status, o.error_code), (OutcomeStatus::Approved, 0));
    assert_eq!(o.masked_pan.as_deref(), Some("621234******1232"));

    let e = t
        .sale(SaleRequest {
            request_id: "s0".into(),
            amount: 0,
        })
        .unwrap_err();
    assert_eq!(e.code(), 1009);
    reader.throw_next.store(1, Ordering::SeqCst);
    let e = t
        .sale(SaleRequest {
            request_id: "s-throw".into(),
            amount: 10,
        })
        .unwrap_err();
    assert_eq!(e.code(), 4003, "{e}");

    // 6 threads, 4 sales each (one shared id per thread pair): serialised, no double charge.
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let t = t.clone();
            std::thread::spawn(move || {
                (0..4)
                    .map(|j| {
                        t.sale(SaleRequest {
                            request_id: format!("c{}-{j}", i / 2),
                            amount: 10,
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in threads {
        for r in h.join().unwrap() {
            match r {
                Ok(o) => assert_eq!(o.status, OutcomeStatus::Approved),
                Err(e) => assert_eq!(e.code(), 1002, "{e}"),
            }
        }
    }
    let rows: Vec<_> = t
        .journal(100)
        .unwrap()
        .into_iter()
        .filter(|o| o.request_id.starts_with('c'))
        .collect();
    assert_eq!(rows.len(), 12);
    let mut traces: Vec<_> = rows.iter().map(|o| o.trace).collect();
    traces.sort_unstable();
    traces.dedup();
    assert_eq!(traces.len(), 12);
}
