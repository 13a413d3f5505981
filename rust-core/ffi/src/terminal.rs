//! [`PosTerminal`]: the engine's [`Terminal`] behind the FFI.

use crate::callbacks::{
    CardReader, CardReaderAdapter, EmvKernel, EmvKernelAdapter, ExternalSecurityModule, FaultSlot,
    KeyWrapper, KeyWrapperAdapter, PinPad, PinPadAdapter, Printer, PrinterAdapter, ProgressAdapter,
    ProgressListener, SecurityModuleCallback,
};
use crate::error::{from_engine, DeviceFault, PosError};
use crate::qr::{
    QrDynamicCode, QrOrderRequest, QrOutcome, QrPayRequest, QrRefundOutcome, QrRefundRequest,
    QrReturn,
};
use crate::types::{self, *};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use unipos_crypto::at_rest::{load_or_create_data_key, AtRestError, DataKey};
use unipos_crypto::persistent_module::PersistentSecurityModule;
use unipos_crypto::DesKey;
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::hardware::Hardware;
use unipos_terminal::vault::{AeadVault, SoftwareVault};
use unipos_terminal::{
    self as t, Dependencies, EngineError, JournalReader, SecurityHandle, Terminal,
};

/// A POS terminal: one financial transaction at a time. Every method blocks (call it off the
/// UI thread; the Kotlin wrapper does) and may be called from several threads: calls are
/// serialised and never corrupt state. Do not call it from inside a callback, except
/// [`PosTerminal::cancel_wait`].
#[derive(uniffi::Object)]
pub struct PosTerminal {
    pub(crate) terminal: Terminal,
    /// A read-only connection to the same journal: queries never wait for a running
    /// transaction (which holds the engine for as long as the card or the host takes).
    reader: Mutex<JournalReader>,
    /// Serialises calls of this object so the device-fault slots belong to one call.
    op: Mutex<()>,
    slot: FaultSlot,
    print_fault: FaultSlot,
    qr_enabled: bool,
}

impl std::fmt::Debug for PosTerminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PosTerminal").finish_non_exhaustive()
    }
}

/// A file beside the database: `<db><suffix>`.
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut path = db.as_os_str().to_owned();
    path.push(suffix);
    PathBuf::from(path)
}

/// Key files beside the database (`docs/operations.md`).
pub(crate) const DATA_KEY_SUFFIX: &str = ".datakey";
pub(crate) const SECURITY_MODULE_SUFFIX: &str = ".secmod";
/// The earlier clear TDES vault key: read (never written) so rows sealed before the
/// upgrade still open.
pub(crate) const LEGACY_VAULT_KEY_SUFFIX: &str = ".vaultkey";

fn at_rest_error(e: AtRestError) -> PosError {
    match e {
        AtRestError::Io { .. } => PosError::Storage {
            reason: e.to_string(),
        },
        _ => PosError::Configuration {
            reason: e.to_string(),
        },
    }
}

/// The vault: AES-256-GCM under a key derived from the data key; also opens rows sealed by
/// the earlier TDES vault while its key file exists.
fn vault_for(data_key: &DataKey, db: &Path) -> Result<AeadVault, PosError> {
    let key = data_key
        .derive("vault")
        .map_err(|e| PosError::internal(e.to_string()))?;
    let vault = AeadVault::new(key);
    let legacy_path = beside(db, LEGACY_VAULT_KEY_SUFFIX);
    match std::fs::read(&legacy_path) {
        Ok(raw) => {
            let raw = zeroize::Zeroizing::new(raw);
            let legacy = DesKey::from_bytes(&raw).map_err(|_| PosError::Configuration {
                reason: format!("{} is not a TDES key file", legacy_path.display()),
            })?;
            Ok(vault.with_legacy(SoftwareVault::new(legacy)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vault),
        Err(e) => Err(PosError::Storage {
            reason: format!("{}: {e}", legacy_path.display()),
        }),
    }
}

/// The software security module from its key file, with `tmk_hex` injected when given.
fn software_module(
    data_key: &DataKey,
    db: &Path,
    tmk_hex: Option<&str>,
) -> Result<PersistentSecurityModule, PosError> {
    let key = data_key
        .derive("secmod")
        .map_err(|e| PosError::internal(e.to_string()))?;
    let mut module = PersistentSecurityModule::open(&beside(db, SECURITY_MODULE_SUFFIX), key)
        .map_err(at_rest_error)?;
    if let Some(hex) = tmk_hex {
        let tmk = DesKey::from_hex(hex).map_err(|_| PosError::Configuration {
            reason: "softwareTmkHex is not a valid 16- or 24-byte key".into(),
        })?;
        if module
            .inject_master_key(tmk)
            .map_err(|e| PosError::Storage {
                reason: e.to_string(),
            })?
        {
            log::info!("software security module: TMK injected");
        }
    }
    if !module.has_master_key() {
        return Err(PosError::Configuration {
            reason: "no TMK: give a vendor security module, or inject a TMK into the software \
                     module once with softwareTmkHex"
                .into(),
        });
    }
    Ok(module)
}

fn fault_code(f: DeviceFault) -> i32 {
    match f {
        DeviceFault::PrinterOutOfPaper => 4001,
        _ => 4002,
    }
}

impl PosTerminal {
    /// Runs one engine call: serialised, device faults of this call only, errors mapped.
    pub(crate) fn run<T>(
        &self,
        f: impl FnOnce(&Terminal) -> Result<T, EngineError>,
    ) -> Result<T, PosError> {
        self.run_with_print(f).map(|(v, _)| v)
    }

    pub(crate) fn run_with_print<T>(
        &self,
        f: impl FnOnce(&Terminal) -> Result<T, EngineError>,
    ) -> Result<(T, i32), PosError> {
        let _guard = self.op.lock().unwrap_or_else(PoisonError::into_inner);
        let take = |s: &FaultSlot| s.lock().unwrap_or_else(PoisonError::into_inner).take();
        take(&self.slot);
        take(&self.print_fault);
        let result = f(&self.terminal);
        let fault = take(&self.slot);
        let print = take(&self.print_fault).map_or(0, fault_code);
        match result {
            Ok(v) => Ok((v, print)),
            Err(e) => {
                let err = from_engine(e, fault);
                log::info!("call failed with {} ({})", err.code(), err.code_name());
                Err(err)
            }
        }
    }

    /// A read of the journal through the read-only connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&JournalReader) -> Result<T, EngineError>,
    ) -> Result<T, PosError> {
        let reader = self.reader.lock().unwrap_or_else(PoisonError::into_inner);
        f(&reader).map_err(|e| from_engine(e, None))
    }

    pub(crate) fn outcome(
        &self,
        f: impl FnOnce(&Terminal) -> Result<t::Outcome, EngineError>,
    ) -> Result<Outcome, PosError> {
        let (o, print) = self.run_with_print(f)?;
        let mut o = Outcome::from(o);
        o.print_error_code = print;
        Ok(o)
    }
}

#[uniffi::export]
impl PosTerminal {
    /// Opens the terminal database (creating it) and recovers whatever a crash interrupted.
    ///
    /// Keys at rest: `key_wrapper` wraps the terminal's data key (the Android Keystore on a
    /// terminal), stored wrapped in `<db>.datakey`; card numbers in the journal are sealed
    /// with AES-256-GCM under a key derived from it.
    ///
    /// Security: with `security_module` = `null` the software module is used (host tests,
    /// emulator, development): its TMK and work keys live encrypted in `<db>.secmod`;
    /// `config.softwareTmkHex` injects a TMK into it. The PIN pad may then return a clear PIN.
    /// With a vendor module, `softwareTmkHex` must be `null` and the PIN pad must return
    /// encrypted PIN blocks. `emv_kernel` = `null` uses the built-in simulated kernel (test
    /// cards only; software module only).
    #[uniffi::constructor]
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        config: PosConfig,
        db_path: String,
        card_reader: Box<dyn CardReader>,
        pin_pad: Box<dyn PinPad>,
        printer: Box<dyn Printer>,
        emv_kernel: Option<Box<dyn EmvKernel>>,
        security_module: Option<Box<dyn SecurityModuleCallback>>,
        key_wrapper: Box<dyn KeyWrapper>,
    ) -> Result<Arc<Self>, PosError> {
        let slot: FaultSlot = Arc::default();
        let print_fault: FaultSlot = Arc::default();
        let engine_config = config.to_engine()?;
        let qr_enabled = engine_config.qr_gateway.is_some();
        let cfg = |reason: &str| PosError::Configuration {
            reason: reason.to_owned(),
        };
        let db = PathBuf::from(&db_path);
        let data_key = load_or_create_data_key(
            &beside(&db, DATA_KEY_SUFFIX),
            &KeyWrapperAdapter(key_wrapper),
        )
        .map_err(at_rest_error)?;
        let (security, software): (SecurityHandle, bool) =
            match (security_module, &config.software_tmk_hex) {
                (Some(_), Some(_)) => {
                    return Err(cfg(
                        "softwareTmkHex must be null when a security module is given",
                    ))
                }
                (Some(m), None) => (
                    Arc::new(Mutex::new(ExternalSecurityModule {
                        inner: Arc::from(m),
                        slot: slot.clone(),
                    })),
                    false,
                ),
                (None, tmk) => (
                    Arc::new(Mutex::new(software_module(&data_key, &db, tmk.as_deref())?)),
                    true,
                ),
            };
        let emv: Box<dyn t::hardware::EmvKernel> = match emv_kernel {
            Some(k) => Box::new(EmvKernelAdapter {
                inner: Arc::from(k),
                slot: slot.clone(),
            }),
            None if software => SimCardholder::new().hardware(security.clone()).emv,
            None => {
                return Err(cfg(
                    "an EMV kernel is required with a vendor security module",
                ))
            }
        };
        let hardware = Hardware {
            card_reader: Box::new(CardReaderAdapter {
                inner: Arc::from(card_reader),
                slot: slot.clone(),
            }),
            pin_pad: Box::new(PinPadAdapter {
                inner: Arc::from(pin_pad),
                slot: slot.clone(),
                software: software.then(|| security.clone()),
            }),
            emv,
            printer: Box::new(PrinterAdapter {
                inner: Arc::from(printer),
                slot: slot.clone(),
                print_fault: print_fault.clone(),
            }),
        };
        let deps = Dependencies {
            security,
            hardware,
            vault: Arc::new(vault_for(&data_key, &db)?),
            clock: Arc::new(unipos_clock::SystemClock),
            random: Box::new(unipos_crypto::random::OsRandom),
        };
        let terminal =
            Terminal::open(engine_config, &db, deps).map_err(|e| from_engine(e, None))?;
        let reader = JournalReader::open(&db).map_err(|e| from_engine(e, None))?;
        log::info!(
            "terminal {} opened ({} security module)",
            config.terminal_id,
            if software { "software" } else { "vendor" }
        );
        Ok(Arc::new(PosTerminal {
            terminal,
            reader: Mutex::new(reader),
            op: Mutex::new(()),
            slot,
            print_fault,
            qr_enabled,
        }))
    }

    /// Sets (or clears) the progress listener.
    pub fn set_progress_listener(&self, listener: Option<Box<dyn ProgressListener>>) {
        self.terminal.set_progress_listener(
            listener
                .map(|l| Arc::new(ProgressAdapter(Arc::from(l))) as Arc<dyn t::ProgressListener>),
        );
    }

    /// Sign-in, parameter / CA key / AID downloads, pending reversals and advices. No
    /// transaction is accepted before it succeeds.
    pub fn startup(&self) -> Result<StartupReport, PosError> {
        self.run(|t| t.startup()).map(Into::into)
    }

    /// After a restart: sign-in and the flush of pending reversals and advices only, when an
    /// earlier startup already stored the parameter, CA key and AID downloads; the whole
    /// startup otherwise. What an app calls when its process starts.
    pub fn resume(&self) -> Result<StartupReport, PosError> {
        self.run(|t| t.resume()).map(Into::into)
    }

    /// Whether startup has completed.
    pub fn is_ready(&self) -> bool {
        self.terminal.is_ready()
    }

    /// Sale (消费).
    pub fn sale(&self, request: SaleRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.sale(req))
    }

    /// Sale void (消费撤销).
    pub fn void(&self, request: VoidRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.void(req))
    }

    /// Refund (退货), partial and repeated up to the original amount.
    pub fn refund(&self, request: RefundRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.refund(req))
    }

    /// Pre-authorisation (预授权).
    pub fn pre_auth(&self, request: PreAuthRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.preauth(req))
    }

    /// Pre-authorisation void (预授权撤销).
    pub fn pre_auth_void(&self, request: PreAuthVoidRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.preauth_void(req))
    }

    /// Pre-authorisation completion (预授权完成).
    pub fn completion(&self, request: CompletionRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.completion(req))
    }

    /// Completion void (预授权完成撤销).
    pub fn completion_void(&self, request: CompletionVoidRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.outcome(|t| t.completion_void(req))
    }

    /// Balance inquiry (余额查询).
    pub fn balance_inquiry(&self, request_id: String) -> Result<Outcome, PosError> {
        let req = types::balance(&request_id)?;
        self.outcome(|t| t.balance_inquiry(req))
    }

    /// The stored outcome of a request id (`null` if unknown).
    pub fn query(&self, request_id: String) -> Result<Option<Outcome>, PosError> {
        self.run(|t| t.query(&request_id))
            .map(|o| o.map(Outcome::from))
    }

    /// The outcome of the last request.
    pub fn query_last(&self) -> Result<Option<Outcome>, PosError> {
        self.run(|t| t.query_last()).map(|o| o.map(Outcome::from))
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal(&self, limit: i32) -> Result<Vec<Outcome>, PosError> {
        let limit = u32::try_from(limit)
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| PosError::invalid("limit must be 1..1000"))?;
        self.run(|t| t.journal_entries(limit))
            .map(|v| v.into_iter().map(Outcome::from).collect())
    }

    /// Reversals given up on after the retry limit (manual handling).
    pub fn parked_reversals(&self) -> Result<Vec<Outcome>, PosError> {
        self.run(|t| t.parked_reversals())
            .map(|v| v.into_iter().map(Outcome::from).collect())
    }

    /// The supervisor decided to try the parked reversals again: they go back in the queue and
    /// are sent now, each retried up to the limit again. Returns what the flush did (a reversal
    /// that still gets no acknowledgement is parked again and counted in `reversalsParked`).
    pub fn retry_parked_reversals(&self) -> Result<FlushReport, PosError> {
        self.run(|t| {
            let requeued = t.retry_parked_reversals()?;
            log::info!("{requeued} parked reversal(s) put back in the queue");
            t.flush_pending()
        })
        .map(Into::into)
    }

    /// Reprints the merchant copy of `trace` (current batch) or of the last transaction.
    /// Returns the printed lines.
    pub fn reprint(&self, trace: Option<i32>) -> Result<Vec<String>, PosError> {
        let trace = trace.map(types::trace).transpose()?;
        self.run(|t| t.reprint(trace))
    }

    /// Settles the current batch (totals, batch upload when they differ, close, sign-out).
    pub fn settle(&self) -> Result<SettlementReport, PosError> {
        self.run(|t| t.settle()).map(Into::into)
    }

    /// Settles if the configured automatic settlement time has passed today.
    pub fn settle_if_due(&self) -> Result<Option<SettlementReport>, PosError> {
        self.run(|t| t.settle_if_due()).map(|r| r.map(Into::into))
    }

    /// Prints the report of a closed batch; returns the lines.
    pub fn print_settlement(&self, batch: i32) -> Result<Vec<String>, PosError> {
        let batch = u32::try_from(batch).map_err(|_| PosError::invalid("bad batch number"))?;
        self.run(|t| t.print_settlement(batch))
    }

    /// Sends pending reversals and store-and-forward messages now.
    pub fn flush_pending(&self) -> Result<FlushReport, PosError> {
        self.run(|t| t.flush_pending()).map(Into::into)
    }

    /// The cashier's cancel of a wait for the customer (a card, or a QR code being paid);
    /// callable from any thread while a transaction runs. See `Terminal::cancel_wait`.
    pub fn cancel_wait(&self) {
        self.terminal.cancel_wait();
    }

    // ---- QR ----------------------------------------------------------------------------------

    pub(crate) fn qr_ready(&self) -> Result<(), PosError> {
        if self.qr_enabled {
            Ok(())
        } else {
            Err(PosError::Unsupported {
                reason: "QR payments are not configured (no QR gateway)".into(),
            })
        }
    }

    /// QR pay by the customer's payment code: route, pay, query / reverse until a final result
    /// (or `REVERSE_PENDING`). Repeating a request id never pays twice.
    pub fn qr_pay(&self, request: QrPayRequest) -> Result<QrOutcome, PosError> {
        self.qr_ready()?;
        let req = crate::qr::pay(request)?;
        self.run(|t| t.qr_pay(req)).map(Into::into)
    }

    /// Creates a dynamic QR order and returns the code to show; then call
    /// [`PosTerminal::qr_order_wait`].
    pub fn qr_order_create(&self, request: QrOrderRequest) -> Result<QrDynamicCode, PosError> {
        self.qr_ready()?;
        let req = crate::qr::order(request)?;
        self.run(|t| t.qr_dynamic_create(req)).map(Into::into)
    }

    /// Waits until a shown dynamic code is paid, or closes it at its deadline.
    pub fn qr_order_wait(&self, request_id: String) -> Result<QrOutcome, PosError> {
        self.qr_ready()?;
        self.run(|t| t.qr_dynamic_wait(&request_id)).map(Into::into)
    }

    /// The cashier gives up on an open QR attempt (reverse / close it).
    pub fn qr_cancel(&self, request_id: String) -> Result<QrOutcome, PosError> {
        self.qr_ready()?;
        self.run(|t| t.qr_cancel(&request_id)).map(Into::into)
    }

    /// QR refund (`amount` set) or same-day void (`amount` = `null`).
    pub fn qr_refund(&self, request: QrRefundRequest) -> Result<QrRefundOutcome, PosError> {
        self.qr_ready()?;
        match crate::qr::refund(request)? {
            QrReturn::Refund(req) => self.run(|t| t.qr_refund(req)).map(Into::into),
            QrReturn::Void(req) => self.run(|t| t.qr_void(req)).map(Into::into),
        }
    }

    /// The full QR outcome of an attempt (`null` if unknown). `query` gives the card-shaped view.
    pub fn qr_query(&self, request_id: String) -> Result<Option<QrOutcome>, PosError> {
        self.run(|t| t.qr_query(&request_id))
            .map(|o| o.map(Into::into))
    }

    /// The outcome of a QR refund or void (`null` if unknown).
    pub fn qr_refund_query(&self, request_id: String) -> Result<Option<QrRefundOutcome>, PosError> {
        self.run(|t| t.qr_refund_query(&request_id))
            .map(|o| o.map(Into::into))
    }

    /// Unresolved QR attempts and background results the cashier has not seen yet.
    pub fn qr_pending_results(&self) -> Result<Vec<QrOutcome>, PosError> {
        self.run(|t| t.qr_pending_results())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// The cashier has seen a final QR result.
    pub fn qr_acknowledge(&self, request_id: String) -> Result<bool, PosError> {
        self.run(|t| t.qr_acknowledge(&request_id))
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<i32, PosError> {
        self.run(|t| t.current_batch())
            .map(|b| i32::try_from(b).unwrap_or(0))
    }
}
