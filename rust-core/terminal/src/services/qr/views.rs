//! What the terminal reports of QR attempts: outcomes (with the card-shaped projection used by
//! `query` and `query_last`), the results the cashier has not seen, reconciliation lines.

use super::{code_message, QrService};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::model::{
    OrderRow, Outcome, QrOrderSummary, QrOutcome, QrRefundOutcome, QrRefundStatus, QrState,
    QrStatus, RefundRow, RefundState,
};
use crate::store::Store;
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

/// The QR attempt or refund of a request id, projected onto the card outcome.
pub(crate) fn projected(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<Outcome>, EngineError> {
    if let Some(o) = store.qr_order_by_request_id(scope, request_id)? {
        return Ok(Some(outcome(&o).to_outcome()));
    }
    match store.qr_refund_by_request_id(scope, request_id)? {
        Some(r) => Ok(Some(refund_outcome(store, &r)?.to_outcome())),
        None => Ok(None),
    }
}

/// The newest QR record (attempt or refund) of `scope` (every scope: `None`) with the card
/// sequence it was created after.
pub(crate) fn newest(
    store: &Store,
    scope: Option<&str>,
) -> Result<Option<(i64, Outcome)>, EngineError> {
    let order = store.qr_newest_order(scope)?;
    let refund = store.qr_newest_refund(scope)?;
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
            return Ok(Some((r.card_seq, refund_outcome(store, &r)?.to_outcome())));
        }
    }
    Ok(order.map(|o| (o.card_seq, outcome(&o).to_outcome())))
}

pub(crate) fn query(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<QrOutcome>, EngineError> {
    Ok(store
        .qr_order_by_request_id(scope, request_id)?
        .map(|o| outcome(&o)))
}

pub(crate) fn refund_query(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<QrRefundOutcome>, EngineError> {
    match store.qr_refund_by_request_id(scope, request_id)? {
        Some(r) => Ok(Some(refund_outcome(store, &r)?)),
        None => Ok(None),
    }
}

pub(crate) fn pending_results(store: &Store) -> Result<Vec<QrOutcome>, EngineError> {
    Ok(store.qr_pending_results()?.iter().map(outcome).collect())
}

pub(crate) fn order_summaries(store: &Store) -> Result<Vec<QrOrderSummary>, EngineError> {
    Ok(store
        .qr_all_orders()?
        .into_iter()
        .map(|o| QrOrderSummary {
            returned_amount: o.refunded_amount + if o.reverse_refunded { o.paid_amount } else { 0 },
            out_trade_no: o.out_trade_no,
            request_id: o.request_id,
            state: o.state,
            channel: o.channel,
            amount: o.amount,
            paid_amount: o.paid_amount,
        })
        .collect())
}

/// The outcome of a refund or void as stored.
pub(crate) fn refund_outcome(store: &Store, r: &RefundRow) -> Result<QrRefundOutcome, EngineError> {
    let original = store.qr_order_by_id(r.order_ref)?;
    let status = match r.state {
        RefundState::Done => QrRefundStatus::Refunded,
        RefundState::Pending => QrRefundStatus::Pending,
        RefundState::Rejected => QrRefundStatus::Rejected,
    };
    let message = match status {
        QrRefundStatus::Refunded => "退款成功 / Refunded".to_owned(),
        QrRefundStatus::Pending => {
            "退款处理中 / Refund pending: the terminal retries it with the same refund number"
                .to_owned()
        }
        QrRefundStatus::Rejected => format!(
            "退款失败 / Refund refused: {}",
            r.error_code.as_deref().map_or("refused", code_message)
        ),
    };
    Ok(QrRefundOutcome {
        request_id: r.request_id.clone(),
        original_request_id: original
            .as_ref()
            .map(|o| o.request_id.clone())
            .unwrap_or_default(),
        kind: r.kind,
        status,
        out_refund_no: r.out_refund_no.clone(),
        amount: r.amount,
        channel: original.as_ref().and_then(|o| o.channel),
        refunded_total: original.as_ref().map_or(0, |o| o.refunded_amount),
        channel_refund_no: r.channel_refund_no.clone(),
        error_code: r.error_code.clone(),
        message,
        date: r.local_date.clone(),
        time: r.local_time.clone(),
        batch: r.batch,
    })
}

impl QrService {
    pub(crate) fn acknowledge(&self, ctx: &mut Ctx, request_id: &str) -> Result<bool, EngineError> {
        match ctx
            .store
            .qr_order_by_request_id(&ctx.caller.scope, request_id)?
        {
            Some(mut o) if o.state.is_final() => {
                o.acknowledged = true;
                Self::save(ctx, &o)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
