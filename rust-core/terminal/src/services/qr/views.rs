//! What the terminal reports of QR attempts: outcomes (with the card-shaped projection used by
//! `query` and `query_last`), the results the cashier has not seen, reconciliation lines.

use super::{code_message, QrService};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::model::{
    OrderRow, Outcome, QrOrderSummary, QrOutcome, QrRefundOutcome, QrState, QrStatus,
};
use crate::services::idempotency::CASHIER_SCOPE;
use unipos_qr_protocol::Channel;

pub(super) fn outcome(o: &OrderRow) -> QrOutcome {
    let status = match o.state {
        QrState::Paid if o.late_success => QrStatus::LateSuccess,
        QrState::Paid => QrStatus::Paid,
        QrState::Failed => QrStatus::Failed,
        QrState::NotSent => QrStatus::NotSent,
        QrState::PayPending | QrState::Querying | QrState::Reversing => QrStatus::InProgress,
        QrState::ReversePending => QrStatus::ReversePending,
        QrState::Reversed if o.reverse_refunded => QrStatus::ReversedRefunded,
        QrState::Reversed => QrStatus::Reversed,
        QrState::Closed => QrStatus::Closed,
    };
    let channel = o.channel.map_or("QR", Channel::name_en);
    let message = match status {
        QrStatus::Paid => format!("支付成功 / Paid ({channel})"),
        QrStatus::LateSuccess => format!(
            "迟到的支付成功 / Late success ({channel}): paid after the terminal stopped \
             waiting; complete the sale or refund it"
        ),
        QrStatus::Failed => format!(
            "支付失败 / Not paid: {}",
            o.error_code.as_deref().map_or("declined", code_message)
        ),
        QrStatus::NotSent => {
            "未发送 / Not sent: the QR gateway could not be reached; nothing was charged".to_owned()
        }
        QrStatus::InProgress => "处理中 / In progress: checking the payment result".to_owned(),
        QrStatus::ReversePending => {
            "撤销处理中 / Being reversed: the terminal keeps retrying; do not hand over goods"
                .to_owned()
        }
        QrStatus::Reversed => "已撤销 / Cancelled: nothing was charged".to_owned(),
        QrStatus::ReversedRefunded => {
            "已撤销并退款 / Payment cancelled, refunded to the customer".to_owned()
        }
        QrStatus::Closed => "已关闭 / Code closed: nothing was paid".to_owned(),
    };
    QrOutcome {
        request_id: o.request_id.clone(),
        order_id: o.order_id.clone(),
        kind: o.kind,
        status,
        state: o.state,
        channel: o.channel,
        out_trade_no: o.out_trade_no.clone(),
        amount: o.amount,
        paid_amount: o.paid_amount,
        refunded_amount: o.refunded_amount,
        voided: o.voided,
        masked_code: o.masked_code.clone(),
        channel_trade_no: o.channel_trade_no.clone(),
        paid_time: o.paid_time.clone(),
        error_code: o.error_code.clone(),
        message,
        code_url: o.code_url.clone(),
        date: o.local_date.clone(),
        time: o.local_time.clone(),
        batch: o.batch,
        notice: None,
    }
}

impl QrService {
    /// The QR attempt or refund of a request id, projected onto the card outcome.
    pub(crate) fn projected(
        &self,
        ctx: &Ctx,
        request_id: &str,
    ) -> Result<Option<Outcome>, EngineError> {
        if let Some(o) = ctx
            .store
            .qr_order_by_request_id(CASHIER_SCOPE, request_id)?
        {
            return Ok(Some(outcome(&o).to_outcome()));
        }
        match ctx
            .store
            .qr_refund_by_request_id(CASHIER_SCOPE, request_id)?
        {
            Some(r) => Ok(Some(self.refund_outcome(ctx, &r)?.to_outcome())),
            None => Ok(None),
        }
    }

    /// The newest QR record (attempt or refund) with the card sequence it was created after.
    pub(crate) fn newest(&self, ctx: &Ctx) -> Result<Option<(i64, Outcome)>, EngineError> {
        let order = ctx.store.qr_newest_order()?;
        let refund = ctx.store.qr_newest_refund()?;
        // Both draw their numbers from the same counter, the last 6 digits of the number.
        let seq = |no: &str| {
            no.get(no.len().saturating_sub(6)..)
                .and_then(|s| s.parse::<u32>().ok())
        };
        let pick_refund = match (&order, &refund) {
            (Some(o), Some(r)) => {
                (r.card_seq, seq(&r.out_refund_no)) > (o.card_seq, seq(&o.out_trade_no))
            }
            (None, Some(_)) => true,
            _ => false,
        };
        if pick_refund {
            if let Some(r) = refund {
                return Ok(Some((
                    r.card_seq,
                    self.refund_outcome(ctx, &r)?.to_outcome(),
                )));
            }
        }
        Ok(order.map(|o| (o.card_seq, outcome(&o).to_outcome())))
    }

    pub(crate) fn query(
        &self,
        ctx: &Ctx,
        request_id: &str,
    ) -> Result<Option<QrOutcome>, EngineError> {
        Ok(ctx
            .store
            .qr_order_by_request_id(CASHIER_SCOPE, request_id)?
            .map(|o| outcome(&o)))
    }

    pub(crate) fn refund_query(
        &self,
        ctx: &Ctx,
        request_id: &str,
    ) -> Result<Option<QrRefundOutcome>, EngineError> {
        match ctx
            .store
            .qr_refund_by_request_id(CASHIER_SCOPE, request_id)?
        {
            Some(r) => Ok(Some(self.refund_outcome(ctx, &r)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn pending_results(&self, ctx: &Ctx) -> Result<Vec<QrOutcome>, EngineError> {
        Ok(ctx
            .store
            .qr_pending_results()?
            .iter()
            .map(outcome)
            .collect())
    }

    pub(crate) fn acknowledge(&self, ctx: &mut Ctx, request_id: &str) -> Result<bool, EngineError> {
        match ctx
            .store
            .qr_order_by_request_id(CASHIER_SCOPE, request_id)?
        {
            Some(mut o) if o.state.is_final() => {
                o.acknowledged = true;
                Self::save(ctx, &o)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    pub(crate) fn order_summaries(&self, ctx: &Ctx) -> Result<Vec<QrOrderSummary>, EngineError> {
        Ok(ctx
            .store
            .qr_all_orders()?
            .into_iter()
            .map(|o| QrOrderSummary {
                returned_amount: o.refunded_amount
                    + if o.reverse_refunded { o.paid_amount } else { 0 },
                out_trade_no: o.out_trade_no,
                request_id: o.request_id,
                state: o.state,
                channel: o.channel,
                amount: o.amount,
                paid_amount: o.paid_amount,
            })
            .collect())
    }
}
