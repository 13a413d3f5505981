//! [`Terminal`]: the public face of the engine, safe to share between threads.

use crate::config::TerminalConfig;
use crate::context::Dependencies;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::hardware::CancelToken;
use crate::model::{
    AppAnswer, AppRequest, BalanceRequest, Caller, CompletionRequest, CompletionVoidRequest,
    FlushReport, MerchantFields, Outcome, PreAuthRequest, PreAuthVoidRequest, ProgressListener,
    QrDynamicCode, QrDynamicRequest, QrOrderSummary, QrOutcome, QrPayRequest, QrRefundOutcome,
    QrRefundRequest, QrSettings, QrVoidRequest, RefundRequest, SaleRequest, SettlementReport,
    StartupReport, VoidRequest,
};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

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
        let cancel = CancelToken::new();
        Ok(Terminal {
            engine: Mutex::new(Engine::open(config, db_path, deps, cancel.clone())?),
            cancel,
        })
    }

    pub(crate) fn engine(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the progress listener.
    pub fn set_progress_listener(&self, listener: Option<Arc<dyn ProgressListener>>) {
        self.engine().set_progress_listener(listener);
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
        self.engine().is_ready()
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
        self.engine().reprint(match trace {
            Some(t) => crate::services::printing::ReprintOf::Trace(t),
            None => crate::services::printing::ReprintOf::Last,
        })
    }

    /// Serves a request on behalf of `caller` (a merchant app: its scope and capabilities):
    /// refused with [`EngineError::NotPermitted`] when the caller lacks a capability the
    /// request needs; request ids, originals (unless the caller may use any original) and
    /// reprints are those of the caller's scope; `fields` (order number, receipt remark, who
    /// prints) are stored and printed with it.
    pub fn serve(
        &self,
        caller: &Caller,
        fields: MerchantFields,
        request: AppRequest,
    ) -> Result<AppAnswer, EngineError> {
        crate::serve::serve(&mut self.engine(), caller.clone(), fields, request)
    }

    /// The stored outcome of a request id of `scope` (`None` if that scope never used it):
    /// what a merchant app's query by request id answers.
    pub fn query_in(&self, scope: &str, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        self.engine().query(scope, request_id)
    }

    /// The newest request of `scope` that carried the merchant's order number `order_no`.
    pub fn query_by_order_no(
        &self,
        scope: &str,
        order_no: &str,
    ) -> Result<Option<Outcome>, EngineError> {
        self.engine().query_by_order_no(scope, order_no)
    }

    /// The caller's last request (the terminal's last for a caller granted `query`).
    pub fn query_last_of(&self, caller: &Caller) -> Result<Option<Outcome>, EngineError> {
        self.engine().query_last(caller)
    }

    /// Prints the report of a closed batch. Returns the printed lines.
    pub fn print_settlement(&self, batch: u32) -> Result<Vec<String>, EngineError> {
        self.engine().print_settlement(batch)
    }

    /// Sends pending reversals and store-and-forward messages now.
    pub fn flush_pending(&self) -> Result<FlushReport, EngineError> {
        self.engine().flush_pending()
    }

    /// The stored outcome of a request id (`None` if unknown). Card transactions first, then
    /// QR payments and refunds, projected onto [`Outcome`] ([`crate::model::QrOutcome::to_outcome`];
    /// `qr_query` has the full QR detail).
    pub fn query(&self, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        self.engine().query("", request_id)
    }

    /// The outcome of the last request of any caller, card or QR.
    pub fn query_last(&self) -> Result<Option<Outcome>, EngineError> {
        self.engine().query_last(&Caller::cashier())
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal_entries(&self, limit: u32) -> Result<Vec<Outcome>, EngineError> {
        self.engine().journal(limit)
    }

    /// Reversals given up on after the retry limit (manual handling).
    pub fn parked_reversals(&self) -> Result<Vec<Outcome>, EngineError> {
        self.engine().parked_reversals()
    }

    /// Manual handling decided to try the parked reversals again: they go back in the queue
    /// and are sent at the next flush point. Returns how many were re-queued.
    pub fn retry_parked_reversals(&self) -> Result<usize, EngineError> {
        self.engine().retry_parked_reversals()
    }

    /// The cashier's cancel of a wait for the customer (works from any thread, even while a
    /// transaction runs): a wait for a card ends the transaction as cancelled; a shown dynamic
    /// code is closed at once (paid if the customer paid first); a scanned code the customer is
    /// still confirming is reversed at its channel's earliest reverse. Work already sent is
    /// never abandoned: the answer or the reversal decides.
    pub fn cancel_wait(&self) {
        self.cancel.cancel();
    }

    /// A handle that does what [`Terminal::cancel_wait`] does, for a screen or a progress
    /// listener that does not hold the terminal.
    pub fn wait_canceller(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Commits (one fsync each) and WAL frames the terminal's database has written since it
    /// was opened: what the journal costs the flash (docs/performance.md §3).
    pub fn wal_stats(&self) -> crate::store::WalStats {
        self.engine().store().wal_stats()
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32, EngineError> {
        Ok(self.engine().store().current_batch()?)
    }

    // ---- QR payments (the state machine is documented in `services::qr`) ---------------

    /// Replaces the QR routing table, timers and MAC scheme.
    pub fn set_qr_settings(&self, settings: QrSettings) {
        self.engine().set_qr_settings(settings);
    }

    /// The QR settings in use.
    pub fn qr_settings(&self) -> QrSettings {
        self.engine().qr_settings()
    }

    /// Pays with the customer's scanned payment code: route, persist, pay, then query /
    /// reverse until a final result or REVERSE_PENDING. Repeating a `request_id` returns its
    /// result and never pays again. Refused while another attempt of the same `order_id` is
    /// unresolved ([`EngineError::InProgress`] naming it) or after one was paid.
    pub fn qr_pay(&self, req: QrPayRequest) -> Result<QrOutcome, EngineError> {
        self.engine().qr_pay(req)
    }

    /// Creates a merchant-presented dynamic code and returns it to show (URL, modules, PNG);
    /// then call [`Terminal::qr_dynamic_wait`].
    pub fn qr_dynamic_create(&self, req: QrDynamicRequest) -> Result<QrDynamicCode, EngineError> {
        self.engine().qr_dynamic_create(req)
    }

    /// Polls a shown dynamic code until it is paid; closes it at its deadline.
    pub fn qr_dynamic_wait(&self, request_id: &str) -> Result<QrOutcome, EngineError> {
        self.engine().qr_dynamic_wait(request_id)
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
        self.engine().qr_orders()
    }
}
