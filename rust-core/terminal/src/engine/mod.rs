//! The engine: one financial transaction at a time (ARCHITECTURE.md decision 1), with
//! background work (reversals, advices) at defined flush points.

mod card;
mod flush;
mod printing;
mod settlement;
mod startup;

pub use card::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, PreAuthRequest, PreAuthVoidRequest,
    RefundRequest, SaleRequest, VoidRequest,
};
pub use flush::FlushReport;
pub use settlement::{KindTotal, SettlementReport, TotalsView};
pub use startup::StartupReport;

use crate::config::TerminalConfig;
use crate::error::EngineError;
use crate::hardware::{CancelToken, Hardware};
use crate::host_link::HostLink;
use crate::journal::Journal;
use crate::outcome::Outcome;
use crate::qr::{
    QrDynamicCode, QrDynamicRequest, QrOrderSummary, QrOutcome, QrPayRequest, QrRefundOutcome,
    QrRefundRequest, QrSettings, QrVoidRequest,
};
use crate::vault::Vault;
use crate::SecurityHandle;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use unipos_clock::Clock;

/// What the engine is doing, for the cashier screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A startup step (`sign-in`, `parameters`, `CA keys 3/12`, ...).
    Startup(String),
    /// Waiting for the customer's card.
    WaitingForCard,
    /// Waiting for the PIN.
    WaitingForPin,
    /// Talking to the host (trace number).
    Sending(u32),
    /// Sending a reversal (trace of the reversed transaction).
    Reversing(u32),
    /// Sending store-and-forward messages.
    SendingAdvices,
    /// Printing a receipt.
    Printing,
    /// Settlement and batch-upload steps.
    Settlement(String),
    /// QR: waiting for the customer (entering the password), querying, reversing.
    Qr(String),
}

/// Receives progress events (called on the engine's thread; keep it quick).
pub trait ProgressListener: Send + Sync {
    /// One event.
    fn progress(&self, event: &Progress);
}

/// What the engine needs besides its configuration and database.
pub struct Dependencies {
    /// The PIN pad / secure element holding the TMK and work keys.
    pub security: SecurityHandle,
    /// Card reader, PIN pad, EMV kernel, printer.
    pub hardware: Hardware,
    /// Seals card numbers kept in the journal.
    pub vault: Arc<dyn Vault>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Dependencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dependencies").finish_non_exhaustive()
    }
}

pub(crate) struct Engine {
    pub(crate) config: TerminalConfig,
    pub(crate) journal: Journal,
    pub(crate) security: SecurityHandle,
    pub(crate) hardware: Hardware,
    pub(crate) vault: Arc<dyn Vault>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) link: HostLink,
    pub(crate) ready: bool,
    /// Day number (local) of the last successful sign-in.
    pub(crate) signed_in_day: Option<i64>,
    /// The host asked for a sign-in, or keys failed.
    pub(crate) sign_in_due: bool,
    /// The host asked for new parameters, CA keys or AIDs (response header).
    pub(crate) downloads_due: bool,
    pub(crate) progress: Option<Arc<dyn ProgressListener>>,
    pub(crate) cancel: CancelToken,
    /// QR routing, timers and MAC scheme (`Terminal::set_qr_settings`).
    pub(crate) qr: crate::qr::QrSettings,
}

impl Engine {
    pub(crate) fn emit(&self, event: Progress) {
        if let Some(p) = &self.progress {
            p.progress(&event);
        }
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    pub(crate) fn local(&self) -> unipos_clock::LocalTime {
        self.clock.local(self.config.profile.utc_offset_minutes)
    }
}

/// A POS terminal: the public face of the engine. All methods take `&self` and are
/// serialised internally, so the terminal can be shared between threads (the FFI layer calls
/// it from several Kotlin threads).
///
/// ```no_run
/// # use unipos_terminal::*;
/// # fn demo(config: TerminalConfig, deps: Dependencies) -> Result<(), EngineError> {
/// let terminal = Terminal::open(config, std::path::Path::new("journal.db"), deps)?;
/// terminal.startup()?;
/// let outcome = terminal.sale(SaleRequest { request_id: "order-1".into(), amount: 1_234 })?;
/// println!("{} {}", outcome.message, outcome.approved_amount);
/// # Ok(()) }
/// ```
pub struct Terminal {
    engine: Mutex<Engine>,
    cancel: CancelToken,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal").finish_non_exhaustive()
    }
}

impl Terminal {
    /// Opens the terminal database (creating it if needed) and recovers anything a crash
    /// interrupted. Call [`Terminal::startup`] before transactions.
    pub fn open(
        config: TerminalConfig,
        db_path: &Path,
        deps: Dependencies,
    ) -> Result<Terminal, EngineError> {
        let mut journal = Journal::open(db_path)?;
        let link = HostLink::new(&config).map_err(|e| EngineError::Config(e.to_string()))?;
        let recovered = journal.recover(deps.clock.now_millis())?;
        if recovered > 0 {
            log::warn!("{recovered} interrupted request(s) found at start: reversals queued");
        }
        let cancel = CancelToken::new();
        Ok(Terminal {
            engine: Mutex::new(Engine {
                config,
                journal,
                security: deps.security,
                hardware: deps.hardware,
                vault: deps.vault,
                clock: deps.clock,
                link,
                ready: false,
                signed_in_day: None,
                sign_in_due: true,
                downloads_due: false,
                progress: None,
                cancel: cancel.clone(),
                qr: crate::qr::QrSettings::default(),
            }),
            cancel,
        })
    }

    fn engine(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the progress listener.
    pub fn set_progress_listener(&self, listener: Option<Arc<dyn ProgressListener>>) {
        self.engine().progress = listener;
    }

    /// Sign-in, parameter, CA key and AID downloads, then pending reversals and advices.
    /// No transaction is accepted before this succeeds.
    pub fn startup(&self) -> Result<StartupReport, EngineError> {
        self.engine().startup()
    }

    /// After a restart: sign-in and flush only, when an earlier startup already stored the
    /// downloads; otherwise the whole startup.
    pub fn resume(&self) -> Result<StartupReport, EngineError> {
        self.engine().resume()
    }

    /// Whether startup has completed.
    pub fn is_ready(&self) -> bool {
        self.engine().ready
    }

    /// Balance inquiry.
    pub fn balance_inquiry(&self, req: BalanceRequest) -> Result<Outcome, EngineError> {
        self.engine().balance_inquiry(req)
    }

    /// Sale (消费).
    pub fn sale(&self, req: SaleRequest) -> Result<Outcome, EngineError> {
        self.engine().sale(req)
    }

    /// Sale void (消费撤销): same batch, full amount, not already voided.
    pub fn void(&self, req: VoidRequest) -> Result<Outcome, EngineError> {
        self.engine().void(req)
    }

    /// Refund (退货): original by RRN and date; partial and repeated up to the original.
    pub fn refund(&self, req: RefundRequest) -> Result<Outcome, EngineError> {
        self.engine().refund(req)
    }

    /// Pre-authorisation (预授权); needs the PIN.
    pub fn preauth(&self, req: PreAuthRequest) -> Result<Outcome, EngineError> {
        self.engine().preauth(req)
    }

    /// Pre-authorisation void (预授权撤销).
    pub fn preauth_void(&self, req: PreAuthVoidRequest) -> Result<Outcome, EngineError> {
        self.engine().preauth_void(req)
    }

    /// Pre-authorisation completion (预授权完成), request or advice; up to 115%.
    pub fn completion(&self, req: CompletionRequest) -> Result<Outcome, EngineError> {
        self.engine().completion(req)
    }

    /// Completion void (预授权完成撤销): restores the pre-authorisation.
    pub fn completion_void(&self, req: CompletionVoidRequest) -> Result<Outcome, EngineError> {
        self.engine().completion_void(req)
    }

    /// Settles the current batch: totals (0500), batch upload when they do not match (resumed
    /// after a crash), batch close and archive, sign-out.
    pub fn settle(&self) -> Result<SettlementReport, EngineError> {
        self.engine().settle()
    }

    /// Settles if the configured automatic settlement time has passed today (the app calls
    /// this periodically; the engine decides).
    pub fn settle_if_due(&self) -> Result<Option<SettlementReport>, EngineError> {
        self.engine().settle_if_due()
    }

    /// The report of a closed batch (archived, never deleted).
    pub fn batch_report(&self, batch: u32) -> Result<Option<SettlementReport>, EngineError> {
        self.engine().batch_report(batch)
    }

    /// Reprints the merchant copy of `trace` (current batch) or of the last transaction,
    /// marked as a reprint. Returns the printed lines.
    pub fn reprint(&self, trace: Option<u32>) -> Result<Vec<String>, EngineError> {
        self.engine().reprint(trace)
    }

    /// Prints the report of a closed batch. Returns the printed lines.
    pub fn print_settlement(&self, batch: u32) -> Result<Vec<String>, EngineError> {
        let mut e = self.engine();
        let report = e.batch_report(batch)?.ok_or_else(|| {
            EngineError::InvalidRequest(format!("batch {batch:06} is not settled"))
        })?;
        let lines =
            crate::receipt::render_settlement(&report, &e.merchant_info(), &e.config.receipts);
        e.hardware.printer.print(&lines)?;
        Ok(lines)
    }

    /// Sends pending reversals and store-and-forward messages now.
    pub fn flush_pending(&self) -> Result<FlushReport, EngineError> {
        let mut e = self.engine();
        e.ensure_keys()?;
        e.flush()
    }

    /// The stored outcome of a request id (`None` if unknown). Card transactions first, then
    /// QR payments and refunds, projected onto [`Outcome`] ([`crate::qr::QrOutcome::to_outcome`];
    /// `qr_query` has the full QR detail).
    pub fn query(&self, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        let e = self.engine();
        match e.journal.by_request_id(request_id)? {
            Some(r) => Ok(Some(Outcome::from_record(&r))),
            None => e.qr_projected(request_id),
        }
    }

    /// The outcome of the last request, card or QR.
    pub fn query_last(&self) -> Result<Option<Outcome>, EngineError> {
        let e = self.engine();
        let card = e.journal.last()?;
        match (card, e.qr_newest()?) {
            // A QR record remembers the newest card row at its creation: it is newer than
            // every card row up to that one.
            (Some(c), Some((card_seq, _))) if card_seq < c.id => Ok(Some(Outcome::from_record(&c))),
            (_, Some((_, qr))) => Ok(Some(qr)),
            (Some(c), None) => Ok(Some(Outcome::from_record(&c))),
            (None, None) => Ok(None),
        }
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal_entries(&self, limit: u32) -> Result<Vec<Outcome>, EngineError> {
        Ok(self
            .engine()
            .journal
            .recent(limit)?
            .iter()
            .map(Outcome::from_record)
            .collect())
    }

    /// Reversals given up on after the retry limit (manual handling).
    pub fn parked_reversals(&self) -> Result<Vec<Outcome>, EngineError> {
        let e = self.engine();
        let mut out = Vec::new();
        for r in e.journal.parked_reversals()? {
            if let Some(row) = e.journal.by_id(r.txn_id)? {
                out.push(Outcome::from_record(&row));
            }
        }
        Ok(out)
    }

    /// Manual handling decided to try the parked reversals again: they go back in the queue
    /// and are sent at the next flush point. Returns how many were re-queued.
    pub fn retry_parked_reversals(&self) -> Result<usize, EngineError> {
        let mut e = self.engine();
        let now = e.now();
        let parked = e.journal.parked_reversals()?;
        for r in &parked {
            e.journal.retry_parked_reversal(r.txn_id, now)?;
        }
        Ok(parked.len())
    }

    /// Cancels a wait for a card (works from any thread, even while a transaction runs).
    pub fn cancel_card_wait(&self) {
        self.cancel.cancel();
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32, EngineError> {
        Ok(self.engine().journal.current_batch()?)
    }

    // -----------------------------------------------------------------------------------
    // QR payments (issue #6; the state machine is documented in `crate::qr`)

    /// Replaces the QR routing table, timers and MAC scheme.
    pub fn set_qr_settings(&self, settings: QrSettings) {
        self.engine().qr = settings;
    }

    /// The QR settings in use.
    pub fn qr_settings(&self) -> QrSettings {
        self.engine().qr.clone()
    }

    /// Pays with the customer's scanned payment code: route, persist, pay, then query /
    /// reverse until a final result or REVERSE_PENDING. Repeating a `request_id` returns its
    /// result and never pays again. Refused while another attempt of the same `order_id` is
    /// unresolved ([`EngineError::InProgress`] naming it) or after one was paid.
    pub fn qr_pay(&self, req: QrPayRequest) -> Result<QrOutcome, EngineError> {
        let mut e = self.engine();
        let mut outcome = e.qr_pay(req)?;
        outcome.notice = e.print_qr_slips(&outcome);
        Ok(outcome)
    }

    /// Creates a merchant-presented dynamic code and returns it to show (URL, modules, PNG);
    /// then call [`Terminal::qr_dynamic_wait`].
    pub fn qr_dynamic_create(&self, req: QrDynamicRequest) -> Result<QrDynamicCode, EngineError> {
        self.engine().qr_dynamic_create(req)
    }

    /// Polls a shown dynamic code until it is paid; closes it at its deadline.
    pub fn qr_dynamic_wait(&self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let mut e = self.engine();
        let mut outcome = e.qr_dynamic_wait(request_id)?;
        outcome.notice = e.print_qr_slips(&outcome);
        Ok(outcome)
    }

    /// The cashier gives up on an open attempt: reverse (dynamic: close) it now, but never
    /// before the channel's earliest reverse.
    pub fn qr_cancel(&self, request_id: &str) -> Result<QrOutcome, EngineError> {
        self.engine().qr_cancel(request_id)
    }

    /// Refunds part of a paid QR payment (repeatable up to the paid amount); the
    /// `out_refund_no` is persisted first and reused on every retry.
    pub fn qr_refund(&self, req: QrRefundRequest) -> Result<QrRefundOutcome, EngineError> {
        self.engine().qr_refund(req)
    }

    /// Voids a QR payment the same day (before settlement): a full refund of a payment not
    /// refunded yet.
    pub fn qr_void(&self, req: QrVoidRequest) -> Result<QrRefundOutcome, EngineError> {
        self.engine().qr_void(req)
    }

    /// The full QR outcome of an attempt (`None` if unknown).
    pub fn qr_query(&self, request_id: &str) -> Result<Option<QrOutcome>, EngineError> {
        self.engine().qr_query(request_id)
    }

    /// The outcome of a QR refund or void (`None` if unknown).
    pub fn qr_refund_query(
        &self,
        request_id: &str,
    ) -> Result<Option<QrRefundOutcome>, EngineError> {
        self.engine().qr_refund_query(request_id)
    }

    /// What the cashier must see before new sales: unresolved attempts, and results reached
    /// in the background (after a restart or at a flush point: late successes, reverses) that
    /// were not handed to a caller yet. Oldest first.
    pub fn qr_pending_results(&self) -> Result<Vec<QrOutcome>, EngineError> {
        self.engine().qr_pending_results()
    }

    /// The cashier has seen a final result: drop it from [`Terminal::qr_pending_results`].
    /// Returns `false` for an unknown or unresolved attempt.
    pub fn qr_acknowledge(&self, request_id: &str) -> Result<bool, EngineError> {
        self.engine().qr_acknowledge(request_id)
    }

    /// Every QR attempt with its amounts, for reconciliation against the gateway.
    pub fn qr_orders(&self) -> Result<Vec<QrOrderSummary>, EngineError> {
        self.engine().qr_order_summaries()
    }
}
