//! Refunds and voids of paid QR payments: the `out_refund_no` is persisted before the first send
//! and reused on every retry; refunds never exceed the paid amount.

use super::views::refund_outcome;
use super::{QrService, REFUND_FOREGROUND_ATTEMPTS, REFUND_RETRY_INTERVAL};
use crate::context::Ctx;
use crate::error::{EngineError, RuleViolation};
use crate::link::qr_gateway::Exchange;
use crate::model::Fingerprint;
use crate::model::{
    NewRefund, OrderRow, Progress, QrRefundKind, QrRefundOutcome, QrRefundRequest, QrState,
    QrVoidRequest, RefundRow, RefundState,
};
use crate::services::Online;
use crate::store::RefundRefusal;
use crate::validate::Validate;
use unipos_qr_protocol::messages::RefundRequest;
use unipos_qr_protocol::{QrProtocolError, RefundOutcome};

/// A new refund or void, once the original is known to be refundable.
pub(super) struct RefundAsk<'a> {
    request_id: &'a str,
    fingerprint: String,
    original: &'a OrderRow,
    kind: QrRefundKind,
    amount: u64,
    reason: Option<String>,
}

impl QrService {
    pub(crate) fn refund(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        req: QrRefundRequest,
    ) -> Result<QrRefundOutcome, EngineError> {
        req.validate()?;
        let fingerprint = req.fingerprint();
        if let Some(existing) = Self::known_refund(ctx, &req.request_id, &fingerprint)? {
            return self.refund_repeat(ctx, online, existing);
        }
        let original = self.refundable(ctx, &req.original_request_id)?;
        self.new_refund(
            ctx,
            online,
            RefundAsk {
                request_id: &req.request_id,
                fingerprint,
                original: &original,
                kind: QrRefundKind::Refund,
                amount: req.amount,
                reason: req.reason,
            },
        )
    }

    pub(crate) fn void(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        req: QrVoidRequest,
    ) -> Result<QrRefundOutcome, EngineError> {
        req.validate()?;
        let fingerprint = req.fingerprint();
        if let Some(existing) = Self::known_refund(ctx, &req.request_id, &fingerprint)? {
            return self.refund_repeat(ctx, online, existing);
        }
        let original = self.refundable(ctx, &req.original_request_id)?;
        let today = ctx.local().mmdd();
        if original.local_date != today || original.batch != ctx.store.current_batch()? {
            return Err(RuleViolation::WrongOriginal(
                "a QR payment can be voided only on the day it was paid, before settlement; \
                 refund it instead"
                    .into(),
            )
            .into());
        }
        if !ctx
            .store
            .qr_refunds_of(original.id)?
            .iter()
            .all(|r| r.state == RefundState::Rejected)
        {
            return Err(RuleViolation::WrongOriginal(
                "the QR payment was already (partly) refunded; refund the rest instead".into(),
            )
            .into());
        }
        let amount = original.paid_amount;
        self.new_refund(
            ctx,
            online,
            RefundAsk {
                request_id: &req.request_id,
                fingerprint,
                original: &original,
                kind: QrRefundKind::Void,
                amount,
                reason: None,
            },
        )
    }

    pub(super) fn refundable(
        &self,
        ctx: &Ctx,
        original_request_id: &str,
    ) -> Result<OrderRow, EngineError> {
        // By the caller's own request id, else by the QR order number (`out_trade_no`) among
        // the originals the caller may use.
        let by_id = ctx
            .store
            .qr_order_by_request_id(&ctx.caller.scope, original_request_id)?;
        let original = match by_id {
            Some(o) => Some(o),
            None => ctx
                .store
                .qr_order_by_out_trade_no(ctx.caller.original_scope(), original_request_id)?,
        }
        .ok_or_else(|| {
            RuleViolation::OriginalNotFound(format!(
                "no QR payment with request id {original_request_id}"
            ))
        })?;
        if original.state != QrState::Paid {
            return Err(RuleViolation::WrongOriginal(format!(
                "only a paid QR payment can be refunded ({original_request_id} is {})",
                original.state.as_str()
            ))
            .into());
        }
        if original.voided {
            return Err(RuleViolation::AlreadyVoided.into());
        }
        Ok(original)
    }

    pub(super) fn refund_repeat(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        mut r: RefundRow,
    ) -> Result<QrRefundOutcome, EngineError> {
        if r.state == RefundState::Pending {
            self.begin(ctx, online)?;
            if let Some(fresh) = ctx.store.qr_refund_by_request_id(&r.scope, &r.request_id)? {
                r = fresh;
            }
            self.refund_attempts(ctx, &mut r, None)?;
        }
        refund_outcome(&ctx.store, &r)
    }

    pub(super) fn new_refund(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        ask: RefundAsk<'_>,
    ) -> Result<QrRefundOutcome, EngineError> {
        let RefundAsk {
            request_id,
            fingerprint,
            original,
            kind,
            amount,
            reason,
        } = ask;
        self.begin(ctx, online)?;
        let local = ctx.local();
        let scope = ctx.caller.scope.clone();
        let new = NewRefund {
            scope: &scope,
            request_id,
            fingerprint,
            order: original,
            kind,
            amount,
            number_prefix: Self::number_prefix(ctx),
            batch: ctx.store.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: ctx.now(),
        };
        let mut r = match ctx.store.insert_qr_refund(&new) {
            Ok(r) => r,
            Err(RefundRefusal::Exceeds { remaining }) => {
                return Err(RuleViolation::RefundExceedsOriginal {
                    requested: amount,
                    remaining,
                }
                .into())
            }
            Err(RefundRefusal::Storage(e)) => return Err(e.into()),
        };
        crate::crash::point("qr_refund_persisted");
        self.refund_attempts(ctx, &mut r, reason)?;
        refund_outcome(&ctx.store, &r)
    }

    /// A few foreground attempts, always with the stored `out_refund_no`.
    pub(super) fn refund_attempts(
        &self,
        ctx: &mut Ctx,
        r: &mut RefundRow,
        reason: Option<String>,
    ) -> Result<(), EngineError> {
        for attempt in 0..REFUND_FOREGROUND_ATTEMPTS {
            if attempt > 0 {
                ctx.clock.sleep(REFUND_RETRY_INTERVAL);
            }
            self.refund_once(ctx, r, reason.clone())?;
            if r.state != RefundState::Pending {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn refund_once(
        &self,
        ctx: &mut Ctx,
        r: &mut RefundRow,
        reason: Option<String>,
    ) -> Result<(), EngineError> {
        let order = ctx.store.qr_order_by_id(r.order_ref)?.ok_or_else(|| {
            EngineError::Protocol(format!("refund {} has no original", r.out_refund_no))
        })?;
        ctx.emit(Progress::Qr("sending the refund".into()));
        let request = RefundRequest {
            terminal_id: ctx.config.terminal_id.clone(),
            merchant_id: ctx.config.merchant_id.clone(),
            out_trade_no: order.out_trade_no.clone(),
            out_refund_no: r.out_refund_no.clone(),
            refund_fen: r.amount,
            reason,
            request_time: Self::request_time(ctx),
        };
        r.attempts += 1;
        let timeout = self.call_timeout(&order);
        let reply = match self.exchange(ctx, &request, timeout)? {
            Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
            Exchange::Sent(reply) => reply,
        };
        match RefundOutcome::classify(&request, &reply) {
            RefundOutcome::Refunded {
                channel_refund_no,
                refund_time,
                ..
            } => {
                r.state = RefundState::Done;
                r.channel_refund_no = channel_refund_no;
                r.refund_time = refund_time;
                r.error_code = None;
            }
            RefundOutcome::Retry => {
                r.last_error = Some(match &reply {
                    Err(e) => e.to_string(),
                    Ok(resp) => resp
                        .status
                        .code
                        .map_or("retry".to_owned(), |c| c.as_str().to_owned()),
                });
            }
            RefundOutcome::Rejected(code) => {
                r.state = RefundState::Rejected;
                r.error_code = Some(code.as_str().into());
            }
        }
        let now = ctx.now();
        ctx.store.save_qr_refund(r, now)?;
        Ok(())
    }
}
