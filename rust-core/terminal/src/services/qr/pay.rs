//! Paying: a scanned customer code (pay, then query/reverse until final) and a merchant-presented
//! dynamic code (create, show, wait); the cashier's cancel.

use super::drive::mark_paid;
use super::views::outcome;
use super::{as_i64, millis, QrService, PNG_SCALE, WAITING_FOR_PASSWORD};
use crate::context::Ctx;
use crate::error::{EngineError, RuleViolation};
use crate::link::qr_gateway::Exchange;
use crate::model::Fingerprint;
use crate::model::{
    NewOrder, OrderRow, Progress, QrDynamicCode, QrDynamicRequest, QrOrderKind, QrOutcome,
    QrPayRequest, QrState, QrStatus,
};
use crate::qr_code::render_qr;
use crate::services::Online;
use crate::validate::Validate;
use unipos_qr_protocol::messages::{CreateRequest, PayRequest};
use unipos_qr_protocol::outcome::QueryReason;
use unipos_qr_protocol::{mask_code, Channel, CreateOutcome, ErrorCode, PayOutcome, Route};

impl QrService {
    pub(crate) fn pay(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        req: QrPayRequest,
    ) -> Result<QrOutcome, EngineError> {
        req.validate()?;
        let fingerprint = req.fingerprint();
        if let Some(existing) = Self::known_order(ctx, &req.request_id, &fingerprint)? {
            // A repeat never pays again: resolve the attempt if it is open, then answer.
            return self.resume_foreground(ctx, online, existing);
        }
        // Route before anything is stored or sent; the error never repeats the code.
        let channel = match self.settings.router.route(&req.code) {
            Ok(Route::Channel(c)) => Some(c),
            Ok(Route::Auto) => None,
            Err(e) => {
                log::info!("QR code {} refused: {e}", mask_code(&req.code));
                return Err(EngineError::InvalidRequest(e.to_string()));
            }
        };
        // A cancel pressed before this attempt (a card wait's, say) is not for it.
        ctx.cancel.reset();
        self.begin(ctx, online)?;
        Self::check_business_order(ctx, &req.order_id)?;

        let timers = self.channel_timers(channel);
        let local = ctx.local();
        let scope = ctx.caller.scope.clone();
        let new = NewOrder {
            scope: &scope,
            request_id: &req.request_id,
            fingerprint,
            order_id: &req.order_id,
            kind: QrOrderKind::Scanned,
            channel,
            amount: req.amount,
            masked_code: Some(mask_code(&req.code)),
            subject: req.subject.as_deref(),
            number_prefix: Self::number_prefix(ctx),
            deadline_after_ms: timers.reverse_at_ms(0),
            batch: ctx.store.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: ctx.now(),
        };
        let mut o = ctx.store.insert_qr_order(&new)?;
        crate::crash::point("qr_after_persist");

        let pay = PayRequest {
            terminal_id: ctx.config.terminal_id.clone(),
            merchant_id: ctx.config.merchant_id.clone(),
            out_trade_no: o.out_trade_no.clone(),
            amount_fen: req.amount,
            auth_code: req.code,
            channel,
            subject: req.subject,
            description: None,
            request_time: Self::request_time(ctx),
        };
        ctx.emit(Progress::Qr(format!(
            "{}: sending the payment",
            channel.map_or("QR", Channel::name_en)
        )));
        let reply = self.exchange(ctx, &pay, millis(timers.pay_timeout_ms))?;
        let outcome = match &reply {
            Exchange::Sent(answer) => Some(PayOutcome::classify(&pay, answer)),
            Exchange::NotSent(_) => None,
        };
        drop(pay); // the code goes no further
        crate::crash::point("qr_after_pay_answer");
        let first_delay = match (reply, outcome) {
            (Exchange::NotSent(detail), _) => {
                log::warn!("QR {}: not sent: {detail}", o.out_trade_no);
                o.state = QrState::NotSent;
                o.last_error = Some(detail);
                Self::save(ctx, &o)?;
                return self.answer(ctx, o);
            }
            (Exchange::Sent(reply), outcome) => {
                if let Ok(resp) = &reply {
                    o.channel = o.channel.or(resp.order.channel);
                }
                let outcome = outcome.unwrap_or_else(PayOutcome::no_answer);
                match outcome {
                    PayOutcome::Paid(info) => {
                        mark_paid(&mut o, &info, false);
                        Self::save(ctx, &o)?;
                        return self.answer(ctx, o);
                    }
                    PayOutcome::DefinitelyFailed(code) => {
                        o.state = QrState::Failed;
                        o.error_code = Some(code.as_str().into());
                        Self::save(ctx, &o)?;
                        return self.answer(ctx, o);
                    }
                    PayOutcome::NeedsQuery(reason) => {
                        o.state = QrState::Querying;
                        o.error_code = match reason {
                            QueryReason::UserPaying => Some(ErrorCode::UserPaying.as_str().into()),
                            QueryReason::SystemError => {
                                Some(ErrorCode::SystemError.as_str().into())
                            }
                            QueryReason::OrderExists(c) => Some(c.as_str().into()),
                            QueryReason::NoValidAnswer | QueryReason::Unclear => None,
                        };
                        if let Err(e) = &reply {
                            o.last_error = Some(e.to_string());
                        }
                        Self::save(ctx, &o)?;
                        if reason == QueryReason::UserPaying {
                            ctx.emit(Progress::Qr(WAITING_FOR_PASSWORD.into()));
                        }
                        self.channel_timers(o.channel).first_query_delay_ms(reason)
                    }
                }
            }
        };
        let o = self.drive(ctx, o, first_delay, false)?;
        self.answer(ctx, o)
    }

    /// Cashier cancel: stop waiting now (never before the channel's earliest reverse) and
    /// reverse (dynamic: close) the attempt.
    pub(crate) fn cancel(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        request_id: &str,
    ) -> Result<QrOutcome, EngineError> {
        let o = ctx
            .store
            .qr_order_by_request_id(&ctx.caller.scope, request_id)?
            .ok_or_else(|| {
                RuleViolation::OriginalNotFound(format!(
                    "no QR payment with request id {request_id}"
                ))
            })?;
        if o.state.is_final() {
            return self.answer(ctx, o);
        }
        let mut o = o;
        if o.state == QrState::Querying || o.state == QrState::PayPending {
            o.state = QrState::Querying;
            self.stop_waiting(ctx, &mut o);
            Self::save(ctx, &o)?;
        }
        self.resume_foreground(ctx, online, o)
    }

    pub(crate) fn dynamic_create(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        req: QrDynamicRequest,
    ) -> Result<QrDynamicCode, EngineError> {
        req.validate()?;
        let fingerprint = req.fingerprint();
        if let Some(existing) = Self::known_order(ctx, &req.request_id, &fingerprint)? {
            let url = existing.code_url.clone().ok_or_else(|| {
                EngineError::InvalidRequest(format!(
                    "dynamic order {} has no code ({}); use qr_query",
                    req.request_id,
                    existing.state.as_str()
                ))
            })?;
            return Self::dynamic_code(existing, url);
        }
        // A cancel pressed before this code exists is not for it; one pressed while it is shown
        // (even before the wait starts) is.
        ctx.cancel.reset();
        self.begin(ctx, online)?;
        Self::check_business_order(ctx, &req.order_id)?;
        let timers = self.settings.timers.dynamic;
        let local = ctx.local();
        let scope = ctx.caller.scope.clone();
        let new = NewOrder {
            scope: &scope,
            request_id: &req.request_id,
            fingerprint,
            order_id: &req.order_id,
            kind: QrOrderKind::Dynamic,
            channel: None,
            amount: req.amount,
            masked_code: None,
            subject: req.subject.as_deref(),
            number_prefix: Self::number_prefix(ctx),
            deadline_after_ms: as_i64(timers.deadline_ms),
            batch: ctx.store.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: ctx.now(),
        };
        let mut o = ctx.store.insert_qr_order(&new)?;
        crate::crash::point("qr_after_persist");
        let create = CreateRequest {
            terminal_id: ctx.config.terminal_id.clone(),
            merchant_id: ctx.config.merchant_id.clone(),
            out_trade_no: o.out_trade_no.clone(),
            amount_fen: req.amount,
            subject: req.subject,
            description: None,
            expire_seconds: Some(timers.order_expire_seconds),
            request_time: Self::request_time(ctx),
        };
        ctx.emit(Progress::Qr("creating the payment code".into()));
        let reply = match self.exchange(ctx, &create, millis(timers.create_timeout_ms))? {
            Exchange::NotSent(detail) => {
                o.state = QrState::NotSent;
                o.last_error = Some(detail.clone());
                Self::save(ctx, &o)?;
                self.answer(ctx, o)?;
                return Err(EngineError::HostUnreachable(format!(
                    "QR gateway: {detail}"
                )));
            }
            Exchange::Sent(reply) => reply,
        };
        match CreateOutcome::classify(&reply) {
            CreateOutcome::Created { code_url, .. } => {
                o.state = QrState::Querying;
                o.code_url = Some(code_url.clone());
                Self::save(ctx, &o)?;
                ctx.emit(Progress::Qr(
                    "waiting for the customer to scan and pay".into(),
                ));
                Self::dynamic_code(o, code_url)
            }
            CreateOutcome::Rejected(code) => {
                o.state = QrState::Failed;
                o.error_code = Some(code.as_str().into());
                Self::save(ctx, &o)?;
                self.answer(ctx, o)?;
                Err(EngineError::Protocol(format!(
                    "the QR gateway refused the order: {code} ({})",
                    code.cashier_message()
                )))
            }
            CreateOutcome::Unknown => {
                // Whether the order exists is unknown: close it (harmless if it does not).
                o.state = QrState::Reversing;
                Self::save(ctx, &o)?;
                let o = self.drive(ctx, o, 0, false)?;
                let outcome = self.answer(ctx, o)?;
                Err(EngineError::HostUnreachable(format!(
                    "no valid answer from the QR gateway; the order was {}",
                    if outcome.status == QrStatus::ReversePending {
                        "queued for closing"
                    } else {
                        "closed"
                    }
                )))
            }
        }
    }

    pub(super) fn dynamic_code(o: OrderRow, url: String) -> Result<QrDynamicCode, EngineError> {
        let image = render_qr(&url, PNG_SCALE)
            .map_err(|e| EngineError::Protocol(format!("dynamic code: {e}")))?;
        Ok(QrDynamicCode {
            outcome: outcome(&o),
            code_url: url,
            image,
        })
    }

    /// Polls a shown dynamic code until it is paid, or closes it at its deadline.
    pub(crate) fn dynamic_wait(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        request_id: &str,
    ) -> Result<QrOutcome, EngineError> {
        let o = ctx
            .store
            .qr_order_by_request_id(&ctx.caller.scope, request_id)?
            .ok_or_else(|| {
                RuleViolation::OriginalNotFound(format!("no QR order with request id {request_id}"))
            })?;
        if o.kind != QrOrderKind::Dynamic {
            return Err(EngineError::InvalidRequest(format!(
                "{request_id} is not a dynamic code"
            )));
        }
        self.resume_foreground(ctx, online, o)
    }
}
