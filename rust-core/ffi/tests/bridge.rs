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

#[derive(Debug)]
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

/// The test's key wrapper: the labelled software stand-in (a KEK file in the test folder).
struct TestWrapper(unipos_crypto::at_rest::SoftwareKeyWrapper);

impl TestWrapper {
    fn boxed(dir: &std::path::Path) -> Box<dyn KeyWrapper> {
        Box::new(TestWrapper(
            unipos_crypto::at_rest::SoftwareKeyWrapper::open_or_create(&dir.join("test.kek"))
                .unwrap(),
        ))
    }
}

impl KeyWrapper for TestWrapper {
    fn wrap(&self, plain: Vec<u8>) -> Result<Vec<u8>, CallbackError> {
        use unipos_crypto::at_rest::KeyWrap;
        self.0.wrap(&plain).map_err(|e| CallbackError::Failed {
            reason: e.to_string(),
        })
    }
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, CallbackError> {
        use unipos_crypto::at_rest::KeyWrap;
        self.0
            .unwrap(&wrapped)
            .map(|k| k.to_vec())
            .map_err(|e| CallbackError::Failed {
                reason: e.to_string(),
            })
    }
}

/// A keystore that lost its key: wraps, never unwraps.
struct LostKeystore;
impl KeyWrapper for LostKeystore {
    fn wrap(&self, plain: Vec<u8>) -> Result<Vec<u8>, CallbackError> {
        Ok(plain.iter().map(|b| !b).collect())
    }
    fn unwrap(&self, _: Vec<u8>) -> Result<Vec<u8>, CallbackError> {
        Err(CallbackError::Failed {
            reason: "KeyPermanentlyInvalidated".into(),
        })
    }
}

fn config(host: &RunningHost, tid: &str, tmk: Option<&str>) -> PosConfig {
    PosConfig {
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
        batch_limit: None,
        card_reading: None,
        auto_settlement: None,
        receipt_width: 32,
        qr_key: None,
        software_tmk_hex: tmk.map(Into::into),
    }
}

fn open(host: &RunningHost, dir: &std::path::Path, tid: &str) -> (Arc<PosTerminal>, Arc<Reader>) {
    open_with(
        config(host, tid, Some(defaults::TMK_HEX)),
        dir,
        TestWrapper::boxed(dir),
    )
    .unwrap()
}

fn open_with(
    config: PosConfig,
    dir: &std::path::Path,
    wrapper: Box<dyn KeyWrapper>,
) -> Result<(Arc<PosTerminal>, Arc<Reader>), PosError> {
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
        wrapper,
    )?;
    Ok((t, reader))
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

#[test]
fn keys_at_rest_tmk_given_once_resume_and_no_card_number_in_clear() {
    let host = HostSim::start(HostSimConfig::default().with_seed(8)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = open(&host, dir.path(), defaults::TERMINAL_ID);
    t.startup().unwrap();
    let o = t
        .sale(SaleRequest {
            request_id: "k1".into(),
            amount: 500,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);
    let trace = o.trace;
    drop(t);

    // Every file beside the database: no TMK, no card number, in clear.
    let tmk = hex::decode(defaults::TMK_HEX).unwrap();
    let pan = test_cards::CREDIT_MAGSTRIPE.as_bytes();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_uppercase();
        assert!(!bytes.windows(tmk.len()).any(|w| w == &tmk[..]), "{path:?}");
        if !path.ends_with("test.kek") {
            assert!(!text.contains(defaults::TMK_HEX), "{path:?}");
        }
        assert!(!bytes.windows(pan.len()).any(|w| w == pan), "{path:?}");
    }
    assert!(dir.path().join("journal.db.datakey").exists());
    assert!(dir.path().join("journal.db.secmod").exists());
    assert!(!dir.path().join("journal.db.vaultkey").exists());

    // Reopened without a TMK: the software module has it from its key file; resume signs in
    // (the downloads are stored) and the sealed card number still opens (the void reads it).
    let (t, _) = open_with(
        config(&host, defaults::TERMINAL_ID, None),
        dir.path(),
        TestWrapper::boxed(dir.path()),
    )
    .unwrap();
    assert!(!t.is_ready());
    let report = t.resume().unwrap();
    assert_eq!(report.parameters, 4, "the stored downloads: {report:?}");
    assert!(t.is_ready());
    let v = t
        .void(VoidRequest {
            request_id: "k1-void".into(),
            original_trace: trace,
        })
        .unwrap();
    assert_eq!(v.status, OutcomeStatus::Approved, "{}", v.message);
    drop(t);

    // The keystore lost its key: a clear refusal naming the data-key file, nothing replaced.
    let before = std::fs::read(dir.path().join("journal.db.datakey")).unwrap();
    let e = open_with(
        config(&host, defaults::TERMINAL_ID, None),
        dir.path(),
        Box::new(LostKeystore),
    )
    .unwrap_err();
    assert_eq!(e.code(), 5003, "{e}");
    assert!(e.to_string().contains("datakey"), "{e}");
    assert_eq!(
        std::fs::read(dir.path().join("journal.db.datakey")).unwrap(),
        before
    );
}

#[test]
fn no_tmk_anywhere_is_refused_and_no_module_file_is_made() {
    let host = HostSim::start(HostSimConfig::default().with_seed(9)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = open_with(
        config(&host, defaults::TERMINAL_ID, None),
        dir.path(),
        TestWrapper::boxed(dir.path()),
    )
    .unwrap_err();
    assert_eq!(e.code(), 5003);
    assert!(e.to_string().contains("no TMK"), "{e}");
    assert!(!dir.path().join("journal.db.secmod").exists());
}

#[test]
fn rows_sealed_by_the_earlier_tdes_vault_still_open() {
    use std::sync::Mutex;
    use unipos_terminal::hardware::sim::{SimCard, SimCardholder};
    use unipos_terminal::vault::SoftwareVault;
    let host = HostSim::start(HostSimConfig::default().with_seed(10)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    // An installation from before the upgrade: a sale sealed by the TDES vault, whose clear key
    // is in `<db>.vaultkey`, and a software module built from the TMK in the configuration.
    let (legacy, raw) = SoftwareVault::generate().unwrap();
    std::fs::write(dir.path().join("journal.db.vaultkey"), &raw[..]).unwrap();
    let trace = {
        let tmk = unipos_crypto::DesKey::from_hex(defaults::TMK_HEX).unwrap();
        let security: unipos_terminal::SecurityHandle = Arc::new(Mutex::new(
            unipos_crypto::SoftwareSecurityModule::with_master_key(tmk),
        ));
        let holder = SimCardholder::new();
        let deps = unipos_terminal::Dependencies {
            security: security.clone(),
            hardware: holder.hardware(security),
            vault: Arc::new(legacy),
            clock: Arc::new(unipos_clock::SystemClock),
            random: Box::new(unipos_crypto::random::OsRandom),
        };
        let config = unipos_terminal::TerminalConfig::new(
            defaults::TERMINAL_ID,
            defaults::MERCHANT_ID,
            unipos_terminal::HostAddress::tcp(host.posp_addr()),
        );
        let old = unipos_terminal::Terminal::open(config, &db, deps).unwrap();
        old.startup().unwrap();
        holder.present(SimCard::magstripe(
            test_cards::CREDIT_MAGSTRIPE,
            test_cards::EXPIRY,
            Some(defaults::PIN),
        ));
        let o = old
            .sale(unipos_terminal::SaleRequest {
                request_id: "old-sale".into(),
                amount: 300,
            })
            .unwrap();
        o.trace
    };
    // After the upgrade: the void opens the sale's card number sealed by the old vault.
    let (t, _) = open(&host, dir.path(), defaults::TERMINAL_ID);
    t.resume().unwrap();
    let v = t
        .void(VoidRequest {
            request_id: "old-sale-void".into(),
            original_trace: i32::try_from(trace).unwrap(),
        })
        .unwrap();
    assert_eq!(v.status, OutcomeStatus::Approved, "{}", v.message);
    drop(t);
    // A damaged legacy key file is a clear configuration error.
    std::fs::write(dir.path().join("journal.db.vaultkey"), b"short").unwrap();
    let e = open_with(
        config(&host, defaults::TERMINAL_ID, None),
        dir.path(),
        TestWrapper::boxed(dir.path()),
    )
    .unwrap_err();
    assert_eq!(e.code(), 5003, "{e}");
}

#[test]
fn the_cashier_desk_guards_and_maps_operator_errors_to_stable_codes() {
    let host = HostSim::start(HostSimConfig::default().with_seed(11)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (t, _reader) = open(&host, dir.path(), "62969003");
    t.startup().unwrap();
    let desk = t.clone().cashier_desk();
    let sale = |id: &str| {
        desk.sale(SaleRequest {
            request_id: id.into(),
            amount: 500,
        })
    };
    assert_eq!(sale("d0").unwrap_err().code(), 1101);
    let e = desk
        .authorize_supervisor("123456".into(), GuardedAction::Void)
        .unwrap_err();
    assert_eq!(e.code(), 1105);
    desk.change_password("00".into(), "123456".into(), "135790".into())
        .unwrap();
    let e = desk
        .authorize_supervisor("000000".into(), GuardedAction::Void)
        .unwrap_err();
    assert!(
        matches!(
            e,
            PosError::WrongPassword {
                attempts_left: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        !format!("{e:?}{e}").contains("000000"),
        "no password in errors"
    );
    let g = desk
        .authorize_supervisor("135790".into(), GuardedAction::OperatorManagement)
        .unwrap();
    assert!(!format!("{g:?}").contains(&g.token), "no token in Debug");
    desk.add_operator(g.token.clone(), "07".into(), "7777".into())
        .unwrap();
    assert_eq!(
        desk.sign_in("08".into(), "7777".into()).unwrap_err().code(),
        1106
    );
    let me = desk.sign_in("07".into(), "7777".into()).unwrap();
    assert!(me.signed_in && !me.is_supervisor);
    let o = sale("d1").unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);

    let void = VoidRequest {
        request_id: "d1-void".into(),
        original_trace: o.trace,
    };
    assert_eq!(
        desk.void(void.clone(), "forged".into()).unwrap_err().code(),
        1102
    );
    let g = desk
        .authorize_supervisor("135790".into(), GuardedAction::Void)
        .unwrap();
    let v = desk.void(void, g.token).unwrap();
    assert_eq!(v.status, OutcomeStatus::Approved);

    let found = desk
        .find_original(OriginalKey::Trace { trace: o.trace })
        .unwrap();
    assert!(found.voided && found.operator.as_deref() == Some("007"));
    assert_eq!(
        desk.find_original(OriginalKey::Trace { trace: 999_990 })
            .unwrap_err()
            .code(),
        1010
    );
    let voids = desk
        .journal(JournalFilter {
            group: KindGroup::Voids,
            trace: None,
            batch: None,
            limit: 10,
        })
        .unwrap();
    assert_eq!(voids.len(), 1);
    let keys = desk.key_status().unwrap();
    assert!(keys.work_keys_installed && keys.keys.len() >= 2);
    assert_eq!(desk.echo_test().unwrap().response_code, "00");
    // The merchant-app path needs neither operator nor supervisor.
    desk.sign_out_operator().unwrap();
    let o = t
        .sale(SaleRequest {
            request_id: "app-1".into(),
            amount: 300,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);

    let table: Vec<(i32, String)> = error_code_table()
        .into_iter()
        .map(|e| (e.code, e.name))
        .collect();
    for (code, name) in [
        (1101, "OPERATOR_NOT_SIGNED_IN"),
        (1102, "SUPERVISOR_REQUIRED"),
        (1103, "WRONG_PASSWORD"),
        (1104, "PASSWORD_LOCKED"),
        (1105, "PASSWORD_CHANGE_REQUIRED"),
        (1106, "UNKNOWN_OPERATOR"),
    ] {
        assert!(table.contains(&(code, name.to_owned())), "{code} {name}");
    }
}

/// The supervisor's retry of a parked reversal, through the facade: it goes out again at once
/// and the report says what happened.
#[test]
fn a_parked_reversal_is_retried_through_the_facade() {
    use unipos_hostsim::faults::{FaultAction, FaultRule};
    let mut hc = HostSimConfig::default().with_seed(11);
    hc.host.response_timeout_secs = 1;
    let host = HostSim::start(hc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = open(&host, dir.path(), defaults::TERMINAL_ID);
    t.startup().unwrap();
    let mut lose = FaultRule::posp("0200", FaultAction::NoAnswer);
    lose.count = Some(1);
    host.faults().add(lose);
    let drop_reversals = host
        .faults()
        .add(FaultRule::posp("0400", FaultAction::DropRequest));
    let e = t
        .sale(SaleRequest {
            request_id: "lost".into(),
            amount: 900,
        })
        .unwrap_err();
    assert_eq!(e.code(), 3003, "{e}");
    let report = t.flush_pending().unwrap();
    assert_eq!((report.reversals_sent, report.reversals_parked), (0, 1));
    assert_eq!(t.parked_reversals().unwrap().len(), 1);

    // Still unreachable: parked again, and said so.
    let again = t.retry_parked_reversals().unwrap();
    assert_eq!((again.reversals_sent, again.reversals_parked), (0, 1));
    host.faults().remove(drop_reversals);
    let done = t.retry_parked_reversals().unwrap();
    assert_eq!((done.reversals_sent, done.reversals_parked), (1, 0));
    assert!(t.parked_reversals().unwrap().is_empty());
    assert_eq!(
        t.query("lost".into()).unwrap().unwrap().status,
        OutcomeStatus::Reversed
    );
}
