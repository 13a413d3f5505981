//! The engine: orchestration only (ARCHITECTURE.md decision 1). One request at a time (the
//! [`crate::Terminal`] holds it behind a mutex); before a request goes online the engine runs
//! its pre-steps (sign-in when due, the settlement lock, pending reversals and advices, open
//! QR work), then hands the request to the service that owns it, then prints what is due.

use crate::config::TerminalConfig;
use crate::context::{Ctx, Dependencies};
use crate::error::EngineError;
use crate::link::posp::{HostDemands, HostLink};
use crate::model::{
    BalanceRequest, Caller, CompletionRequest, CompletionVoidRequest, FlushReport, MerchantFields,
    Outcome, PreAuthRequest, PreAuthVoidRequest, Progress, ProgressListener, QrDynamicCode,
    QrDynamicRequest, QrOrderSummary, QrOutcome, QrPayRequest, QrRefundOutcome, QrRefundRequest,
    QrSettings, QrVoidRequest, RefundRequest, SaleRequest, SettlementReport, StartupReport,
    VoidRequest,
};
use crate::queries;
use crate::services::card::{self, CardDone};
use crate::services::idempotency::CASHIER_SCOPE;
use crate::services::operators::{Need, Operators};
use crate::services::qr::QrService;
use crate::services::session::{Downloads, Session};
use crate::services::{forward, printing, settlement, Online};
use crate::store::Store;
use std::path::Path;
use std::sync::{Arc, PoisonError};

pub(crate) struct Engine {
    ctx: Ctx,
    session: Session,
    qr: QrService,
    operators: Operators,
}

/// Reversals and advices, then open QR work (which never blocks card work; what stays open is
/// listed by `qr_pending_results`).
fn flush(ctx: &mut Ctx, qr: &QrService) -> Result<FlushReport, EngineError> {
    let report = forward::flush(ctx)?;
    qr.flush(ctx);
    Ok(report)
}

/// Installs the provisioned QR key unless the security module holds it already (same check
/// value): QR needs no sign-in, only this key.
fn install_qr_key(ctx: &Ctx) -> Result<(), EngineError> {
    let Some(key) = &ctx.config.qr_key else {
        return Ok(());
    };
    let mut module = ctx.security.lock().unwrap_or_else(PoisonError::into_inner);
    if module.qr_key_check_value().map(Vec::from).as_ref() == Some(&key.check_value) {
        return Ok(());
    }
    module.install_qr_key(key)?;
    log::info!("QR gateway key installed");
    Ok(())
}

/// The pre-step of every QR call: the terminal's own QR key, nothing of the POSP session
/// (QR needs no card sign-in; a POSP that is down does not stop QR).
fn qr_ready(ctx: &mut Ctx) -> Result<(), EngineError> {
    let module = ctx.security.lock().unwrap_or_else(PoisonError::into_inner);
    if module.qr_key_check_value().is_none() {
        return Err(EngineError::Config(
            "no QR gateway key in the security module: provision the terminal's QR key \
             (it comes from the acquirer with the TMK)"
                .into(),
        ));
    }
    Ok(())
}

/// The batch limit (the profile's `settlement.batch_limit`): a full batch refuses the next
/// settled transaction; one nearly full (a tenth of the limit left) gets a notice.
fn batch_room(ctx: &Ctx) -> Result<Option<String>, EngineError> {
    let batch = ctx.store.current_batch()?;
    let limit = ctx.config.profile.settlement.batch_limit;
    // The exact count reads every row of the batch, a cost that grew with each sale; the index
    // count bounds it from above, so far from the notice mark the exact one is not needed.
    let notice_from = limit.saturating_sub(limit / 10).saturating_sub(1);
    if ctx.store.batch_row_count(batch)? < notice_from {
        return Ok(None);
    }
    let held = ctx.store.batch_settlement_count(batch)?;
    if held >= limit {
        return Err(EngineError::BatchFull { batch, limit });
    }
    let left = limit - held - 1;
    Ok((left <= limit / 10).then(|| {
        format!(
            "batch {batch:06} holds {} of {limit} transactions: settle soon",
            held + 1
        )
    }))
}

fn startup_report(d: Downloads, flushed: FlushReport) -> StartupReport {
    StartupReport {
        batch: d.batch,
        parameters: d.parameters,
        ca_keys: d.ca_keys,
        ca_keys_refused: d.ca_keys_refused,
        aids: d.aids,
        signed_in: d.signed_in,
        flushed,
    }
}

impl Engine {
    /// Opens the database and recovers whatever a crash interrupted.
    pub(crate) fn open(
        config: TerminalConfig,
        db_path: &Path,
        deps: Dependencies,
        cancel: crate::hardware::CancelToken,
    ) -> Result<Engine, EngineError> {
        let mut store = Store::open(db_path)?;
        let posp = HostLink::new(&config)?;
        let recovered = store.recover(deps.clock.now_millis())?;
        if recovered > 0 {
            log::warn!("{recovered} interrupted request(s) found at start: reversals queued");
        }
        let mut engine = Engine {
            ctx: Ctx {
                config,
                store,
                posp,
                demands: HostDemands::default(),
                security: deps.security,
                hardware: deps.hardware,
                vault: deps.vault,
                clock: deps.clock,
                random: deps.random,
                progress: None,
                cancel,
                qr_path_refused: None,
                operator: None,
                caller: Caller::cashier(),
                merchant_fields: MerchantFields::default(),
            },
            session: Session::idle(),
            qr: QrService::default(),
            operators: Operators::default(),
        };
        engine.session = Session::restore(&mut engine.ctx)?;
        engine.operators = Operators::restore(&mut engine.ctx)?;
        install_qr_key(&engine.ctx)?;
        Ok(engine)
    }

    pub(crate) fn set_progress_listener(&mut self, listener: Option<Arc<dyn ProgressListener>>) {
        self.ctx.progress = listener;
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.session.is_ready()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.ctx.store
    }

    /// The infrastructure, for the read-only views and the operator and management services.
    pub(crate) fn ctx(&mut self) -> &mut Ctx {
        &mut self.ctx
    }

    /// Whether a cashier entry point may run (operator signed in, supervisor grant).
    pub(crate) fn guard(&mut self, need: Need<'_>) -> Result<(), EngineError> {
        self.operators.check(&self.ctx, need)
    }

    /// The supervisor's password for `action`.
    pub(crate) fn authorize_supervisor(
        &mut self,
        password: &str,
        action: crate::model::GuardedAction,
    ) -> Result<crate::model::SupervisorGrant, EngineError> {
        self.operators.authorize(&mut self.ctx, password, action)
    }

    /// Terminal sign-out (签退): the host session ends; the next request signs in again.
    pub(crate) fn sign_out(&mut self) -> Result<(), EngineError> {
        settlement::sign_out(&mut self.ctx)?;
        self.session.begin_startup();
        Ok(())
    }

    // ---- startup ------------------------------------------------------------------------

    pub(crate) fn startup(&mut self) -> Result<StartupReport, EngineError> {
        let Engine {
            ctx, session, qr, ..
        } = self;
        session.begin_startup();
        let downloads = session.sign_in_and_download(ctx)?;
        let flushed = flush(ctx, qr)?;
        session.set_ready();
        Ok(startup_report(downloads, flushed))
    }

    pub(crate) fn resume(&mut self) -> Result<StartupReport, EngineError> {
        let Engine {
            ctx, session, qr, ..
        } = self;
        session.begin_startup();
        let Some(downloads) = session.resume(ctx)? else {
            return self.startup();
        };
        let flushed = flush(ctx, qr)?;
        session.set_ready();
        Ok(startup_report(downloads, flushed))
    }

    pub(crate) fn flush_pending(&mut self) -> Result<FlushReport, EngineError> {
        let Engine {
            ctx, session, qr, ..
        } = self;
        session.ensure_keys(ctx)?;
        flush(ctx, qr)
    }

    // ---- card transactions --------------------------------------------------------------

    /// Runs a card request with the card pre-step, then prints the slips of an approval.
    /// `settled` requests take a place in the batch's totals and so count against its limit.
    fn card(
        &mut self,
        settled: bool,
        run: impl FnOnce(&mut Ctx, Online<'_>) -> Result<CardDone, EngineError>,
    ) -> Result<Outcome, EngineError> {
        let Engine {
            ctx, session, qr, ..
        } = self;
        let mut parked = None;
        let mut batch_notice = None;
        let mut online = |ctx: &mut Ctx| -> Result<(), EngineError> {
            session.ensure_keys(ctx)?;
            if let Some(batch) = ctx.store.upload_in_progress()? {
                return Err(EngineError::BatchUploadInProgress(batch));
            }
            if settled {
                batch_notice = batch_room(ctx)?;
            }
            // Reversals go before the next transaction (DOMAIN.md rule 2): when this returns,
            // each was acknowledged or parked; the cashier is told of a parked one.
            parked = flush(ctx, qr)?.parked_notice();
            Ok(())
        };
        let mut outcome = match run(ctx, &mut online)? {
            CardDone::Stored(outcome) => *outcome,
            CardDone::Recorded { row, print } => {
                let mut outcome = crate::services::outcomes::described(&ctx.store, &row)?;
                if print {
                    outcome.notice = printing::print_slips(ctx, &row);
                }
                outcome
            }
        };
        for notice in [parked, batch_notice].into_iter().flatten() {
            outcome.notice = Some(match outcome.notice {
                Some(n) => format!("{n}\n{notice}"),
                None => notice,
            });
        }
        Ok(outcome)
    }

    pub(crate) fn balance_inquiry(&mut self, req: BalanceRequest) -> Result<Outcome, EngineError> {
        self.card(false, |ctx, online| card::balance_inquiry(ctx, req, online))
    }

    pub(crate) fn sale(&mut self, req: SaleRequest) -> Result<Outcome, EngineError> {
        self.card(true, |ctx, online| card::sale(ctx, req, online))
    }

    pub(crate) fn void(&mut self, req: VoidRequest) -> Result<Outcome, EngineError> {
        self.card(true, |ctx, online| card::void(ctx, req, online))
    }

    pub(crate) fn refund(&mut self, req: RefundRequest) -> Result<Outcome, EngineError> {
        self.card(true, |ctx, online| card::refund(ctx, req, online))
    }

    pub(crate) fn preauth(&mut self, req: PreAuthRequest) -> Result<Outcome, EngineError> {
        self.card(false, |ctx, online| card::preauth(ctx, req, online))
    }

    pub(crate) fn preauth_void(&mut self, req: PreAuthVoidRequest) -> Result<Outcome, EngineError> {
        self.card(false, |ctx, online| card::preauth_void(ctx, req, online))
    }

    pub(crate) fn completion(&mut self, req: CompletionRequest) -> Result<Outcome, EngineError> {
        self.card(true, |ctx, online| card::completion(ctx, req, online))
    }

    pub(crate) fn completion_void(
        &mut self,
        req: CompletionVoidRequest,
    ) -> Result<Outcome, EngineError> {
        self.card(true, |ctx, online| card::completion_void(ctx, req, online))
    }

    // ---- settlement and printing -----------------------------------------------------------

    pub(crate) fn settle(&mut self) -> Result<SettlementReport, EngineError> {
        let Engine {
            ctx, session, qr, ..
        } = self;
        session.ensure_keys(ctx)?;
        let batch = ctx.store.current_batch()?;
        ctx.emit(Progress::Settlement(format!("batch {batch:06}: flushing")));
        let flushed = flush(ctx, qr)?;
        settlement::settle(ctx, &flushed)
    }

    pub(crate) fn settle_if_due(&mut self) -> Result<Option<SettlementReport>, EngineError> {
        if settlement::is_due(&self.ctx)? {
            self.settle().map(Some)
        } else {
            Ok(None)
        }
    }

    pub(crate) fn batch_report(&self, batch: u32) -> Result<Option<SettlementReport>, EngineError> {
        queries::batch_report(&self.ctx.store, batch)
    }

    pub(crate) fn print_settlement(&mut self, batch: u32) -> Result<Vec<String>, EngineError> {
        let report = queries::batch_report(&self.ctx.store, batch)?.ok_or_else(|| {
            EngineError::InvalidRequest(format!("batch {batch:06} is not settled"))
        })?;
        printing::print_settlement(&mut self.ctx, &report)
    }

    pub(crate) fn reprint(&mut self, of: printing::ReprintOf) -> Result<Vec<String>, EngineError> {
        printing::reprint(&mut self.ctx, of)
    }

    /// Puts the caller of the next request (and what it added to it) in place; returns the
    /// previous ones, to be put back when the request is done.
    pub(crate) fn swap_caller(
        &mut self,
        caller: Caller,
        fields: MerchantFields,
    ) -> (Caller, MerchantFields) {
        (
            std::mem::replace(&mut self.ctx.caller, caller),
            std::mem::replace(&mut self.ctx.merchant_fields, fields),
        )
    }

    // ---- queries ---------------------------------------------------------------------------

    pub(crate) fn query(
        &self,
        scope: &str,
        request_id: &str,
    ) -> Result<Option<Outcome>, EngineError> {
        queries::query(&self.ctx.store, scope, request_id)
    }

    pub(crate) fn query_last(&self, caller: &Caller) -> Result<Option<Outcome>, EngineError> {
        queries::query_last(&self.ctx.store, caller.read_scope())
    }

    pub(crate) fn query_by_order_no(
        &self,
        scope: &str,
        order_no: &str,
    ) -> Result<Option<Outcome>, EngineError> {
        queries::query_by_order_no(&self.ctx.store, scope, order_no)
    }

    pub(crate) fn journal(&self, limit: u32) -> Result<Vec<Outcome>, EngineError> {
        queries::journal(&self.ctx.store, limit)
    }

    pub(crate) fn parked_reversals(&self) -> Result<Vec<Outcome>, EngineError> {
        queries::parked_reversals(&self.ctx.store)
    }

    pub(crate) fn retry_parked_reversals(&mut self) -> Result<usize, EngineError> {
        let now = self.ctx.now();
        let parked = self.ctx.store.parked_reversals()?;
        for r in &parked {
            self.ctx.store.retry_parked_reversal(r.txn_id, now)?;
        }
        Ok(parked.len())
    }

    // ---- QR payments -----------------------------------------------------------------------

    pub(crate) fn set_qr_settings(&mut self, settings: QrSettings) {
        self.qr.settings = settings;
    }

    pub(crate) fn qr_settings(&self) -> QrSettings {
        self.qr.settings.clone()
    }

    pub(crate) fn qr_pay(&mut self, req: QrPayRequest) -> Result<QrOutcome, EngineError> {
        let Engine { ctx, qr, .. } = self;
        let mut outcome = qr.pay(ctx, &mut qr_ready, req)?;
        outcome.notice = printing::print_qr_slips(ctx, &outcome);
        Ok(outcome)
    }

    pub(crate) fn qr_dynamic_create(
        &mut self,
        req: QrDynamicRequest,
    ) -> Result<QrDynamicCode, EngineError> {
        let Engine { ctx, qr, .. } = self;
        qr.dynamic_create(ctx, &mut qr_ready, req)
    }

    pub(crate) fn qr_dynamic_wait(&mut self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let Engine { ctx, qr, .. } = self;
        let mut outcome = qr.dynamic_wait(ctx, &mut qr_ready, request_id)?;
        outcome.notice = printing::print_qr_slips(ctx, &outcome);
        Ok(outcome)
    }

    pub(crate) fn qr_cancel(&mut self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let Engine { ctx, qr, .. } = self;
        qr.cancel(ctx, &mut qr_ready, request_id)
    }

    pub(crate) fn qr_refund(
        &mut self,
        req: QrRefundRequest,
    ) -> Result<QrRefundOutcome, EngineError> {
        let Engine { ctx, qr, .. } = self;
        qr.refund(ctx, &mut qr_ready, req)
    }

    pub(crate) fn qr_void(&mut self, req: QrVoidRequest) -> Result<QrRefundOutcome, EngineError> {
        let Engine { ctx, qr, .. } = self;
        qr.void(ctx, &mut qr_ready, req)
    }

    pub(crate) fn qr_query(&self, request_id: &str) -> Result<Option<QrOutcome>, EngineError> {
        queries::qr_query(&self.ctx.store, CASHIER_SCOPE, request_id)
    }

    pub(crate) fn qr_refund_query(
        &self,
        request_id: &str,
    ) -> Result<Option<QrRefundOutcome>, EngineError> {
        queries::qr_refund_query(&self.ctx.store, CASHIER_SCOPE, request_id)
    }

    pub(crate) fn qr_pending_results(&self) -> Result<Vec<QrOutcome>, EngineError> {
        queries::qr_pending_results(&self.ctx.store)
    }

    pub(crate) fn qr_acknowledge(&mut self, request_id: &str) -> Result<bool, EngineError> {
        self.qr.acknowledge(&mut self.ctx, request_id)
    }

    pub(crate) fn qr_orders(&self) -> Result<Vec<QrOrderSummary>, EngineError> {
        queries::qr_orders(&self.ctx.store)
    }
}
