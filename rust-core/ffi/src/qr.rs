//! QR payments: pay by the customer's payment code, merchant-presented dynamic codes, refunds
//! and voids. Only the masked payment code ever comes back.

use crate::error::PosError;
use crate::types::{qr_failure_code, to_i64, QR_NOT_COMPLETED};
use unipos_terminal as t;

/// Pay with the customer's scanned payment code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrPayRequest {
    /// Idempotency key of this attempt (unique across card and QR requests).
    pub request_id: String,
    /// The business order (several attempts may share it, one at a time).
    pub order_id: String,
    /// Amount, fen.
    pub amount: i64,
    /// The scanned payment code (digits). Never stored or logged.
    pub code: String,
    /// Goods description shown in the wallet.
    #[uniffi(default = None)]
    pub subject: Option<String>,
}

impl std::fmt::Debug for QrPayRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrPayRequest")
            .field("request_id", &self.request_id)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

/// Show a dynamic code for the customer to scan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrOrderRequest {
    /// Idempotency key.
    pub request_id: String,
    /// The business order.
    pub order_id: String,
    /// Amount, fen.
    pub amount: i64,
    /// Goods description.
    #[uniffi(default = None)]
    pub subject: Option<String>,
}

/// Refund (part of) a paid QR payment, or void it (`amount` = `null`, same day).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrRefundRequest {
    /// Idempotency key of the refund.
    pub request_id: String,
    /// The request id of the paid attempt.
    pub original_request_id: String,
    /// Amount to refund, fen; `null` = void (full, same day, before settlement).
    pub amount: Option<i64>,
    /// Reason shown to the customer.
    #[uniffi(default = None)]
    pub reason: Option<String>,
}

/// Where a QR attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum QrStatus {
    /// Paid.
    Paid,
    /// Paid, learned after the terminal stopped waiting: complete the sale or refund it.
    LateSuccess,
    /// Not charged (see `gatewayError`).
    Failed,
    /// The gateway could not be reached; nothing charged.
    NotSent,
    /// Still open (querying, reversing, dynamic code shown).
    InProgress,
    /// The reverse is not confirmed yet; retried at every flush point.
    ReversePending,
    /// Reversed before any charge.
    Reversed,
    /// Paid, then reversed: money returned.
    ReversedRefunded,
    /// The dynamic code was closed unpaid.
    Closed,
}

/// The result of a QR attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrOutcome {
    /// The attempt's request id.
    pub request_id: String,
    /// The business order.
    pub order_id: String,
    /// Whether this was a dynamic (merchant-presented) code.
    pub dynamic: bool,
    /// Where it stands.
    pub status: QrStatus,
    /// The contract code: 0 paid, 2002/2009/2010 not paid, 3001 not sent, 3003 unknown yet.
    pub error_code: i32,
    /// The gateway's error name (`CODE_EXPIRED`, ...).
    pub gateway_error: Option<String>,
    /// `WECHAT`, `ALIPAY`, `UNIONPAY`.
    pub channel: Option<String>,
    /// The gateway order number.
    pub out_trade_no: String,
    /// Requested amount, fen.
    pub amount: i64,
    /// Paid amount, fen.
    pub paid_amount: i64,
    /// Refunded so far, fen.
    pub refunded_amount: i64,
    /// Whether it was voided.
    pub voided: bool,
    /// The payment code with all but the last 4 digits masked.
    pub masked_code: Option<String>,
    /// The channel's transaction id.
    pub channel_trade_no: Option<String>,
    /// `yyyyMMddHHmmss`.
    pub paid_time: Option<String>,
    /// Text for the cashier.
    pub message: String,
    /// The URL of a dynamic code.
    pub code_url: Option<String>,
    /// Local date MMDD.
    pub date: String,
    /// Local time hhmmss.
    pub time: String,
    /// Batch.
    pub batch: i32,
}

fn gateway_code(status: QrStatus, gateway_error: Option<&str>) -> i32 {
    match status {
        QrStatus::Paid | QrStatus::LateSuccess => 0,
        QrStatus::Failed => qr_failure_code(gateway_error),
        QrStatus::NotSent => 3001,
        QrStatus::InProgress => 1002,
        QrStatus::ReversePending => 3003,
        QrStatus::Reversed | QrStatus::ReversedRefunded | QrStatus::Closed => QR_NOT_COMPLETED,
    }
}

impl From<t::QrOutcome> for QrOutcome {
    fn from(o: t::QrOutcome) -> Self {
        let status = match o.status {
            t::QrStatus::Paid => QrStatus::Paid,
            t::QrStatus::LateSuccess => QrStatus::LateSuccess,
            t::QrStatus::Failed => QrStatus::Failed,
            t::QrStatus::NotSent => QrStatus::NotSent,
            t::QrStatus::InProgress => QrStatus::InProgress,
            t::QrStatus::ReversePending => QrStatus::ReversePending,
            t::QrStatus::Reversed => QrStatus::Reversed,
            t::QrStatus::ReversedRefunded => QrStatus::ReversedRefunded,
            t::QrStatus::Closed => QrStatus::Closed,
        };
        QrOutcome {
            error_code: gateway_code(status, o.error_code.as_deref()),
            request_id: o.request_id,
            order_id: o.order_id,
            dynamic: o.kind == t::QrOrderKind::Dynamic,
            status,
            gateway_error: o.error_code,
            channel: o.channel.map(|c| c.code().to_owned()),
            out_trade_no: o.out_trade_no,
            amount: to_i64(o.amount),
            paid_amount: to_i64(o.paid_amount),
            refunded_amount: to_i64(o.refunded_amount),
            voided: o.voided,
            masked_code: o.masked_code,
            channel_trade_no: o.channel_trade_no,
            paid_time: o.paid_time,
            message: o.message,
            code_url: o.code_url,
            date: o.date,
            time: o.time,
            batch: i32::try_from(o.batch).unwrap_or(0),
        }
    }
}

/// A dynamic code to show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrDynamicCode {
    /// The attempt (status `InProgress` while shown).
    pub outcome: QrOutcome,
    /// The URL the code encodes.
    pub code_url: String,
    /// Modules per side.
    pub width: i32,
    /// The code as a greyscale PNG (quiet zone included).
    pub png: Vec<u8>,
}

impl From<t::QrDynamicCode> for QrDynamicCode {
    fn from(c: t::QrDynamicCode) -> Self {
        QrDynamicCode {
            outcome: c.outcome.into(),
            code_url: c.code_url,
            width: i32::try_from(c.image.width).unwrap_or(0),
            png: c.image.png,
        }
    }
}

/// Where a QR refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum QrRefundStatus {
    /// Refunded.
    Refunded,
    /// Not confirmed yet (retried with the same refund number).
    Pending,
    /// Refused; nothing refunded.
    Rejected,
}

/// The result of a QR refund or void.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrRefundOutcome {
    /// The refund's request id.
    pub request_id: String,
    /// The paid attempt's request id.
    pub original_request_id: String,
    /// A void (true) or a refund.
    pub void: bool,
    /// Where it stands.
    pub status: QrRefundStatus,
    /// The contract code: 0 refunded, 3003 pending, 2009 rejected.
    pub error_code: i32,
    /// The gateway's error name.
    pub gateway_error: Option<String>,
    /// The refund number sent to the gateway.
    pub out_refund_no: String,
    /// Amount, fen.
    pub amount: i64,
    /// The channel.
    pub channel: Option<String>,
    /// The original's refunded total after this refund, fen.
    pub refunded_total: i64,
    /// The channel's refund id.
    pub channel_refund_no: Option<String>,
    /// Text for the cashier.
    pub message: String,
    /// Local date MMDD.
    pub date: String,
    /// Local time hhmmss.
    pub time: String,
    /// Batch.
    pub batch: i32,
}

impl From<t::QrRefundOutcome> for QrRefundOutcome {
    fn from(o: t::QrRefundOutcome) -> Self {
        let (status, error_code) = match o.status {
            t::QrRefundStatus::Refunded => (QrRefundStatus::Refunded, 0),
            t::QrRefundStatus::Pending => (QrRefundStatus::Pending, 3003),
            t::QrRefundStatus::Rejected => (QrRefundStatus::Rejected, 2009),
        };
        QrRefundOutcome {
            request_id: o.request_id,
            original_request_id: o.original_request_id,
            void: o.kind == t::QrRefundKind::Void,
            status,
            error_code,
            gateway_error: o.error_code,
            out_refund_no: o.out_refund_no,
            amount: to_i64(o.amount),
            channel: o.channel.map(|c| c.code().to_owned()),
            refunded_total: to_i64(o.refunded_total),
            channel_refund_no: o.channel_refund_no,
            message: o.message,
            date: o.date,
            time: o.time,
            batch: i32::try_from(o.batch).unwrap_or(0),
        }
    }
}

pub(crate) fn pay(r: QrPayRequest) -> Result<t::QrPayRequest, PosError> {
    Ok(t::QrPayRequest {
        request_id: crate::types::request_id(&r.request_id)?,
        order_id: crate::types::order_id(&r.order_id)?,
        amount: crate::types::amount(r.amount)?,
        code: r.code,
        subject: r.subject,
    })
}

pub(crate) fn order(r: QrOrderRequest) -> Result<t::QrDynamicRequest, PosError> {
    Ok(t::QrDynamicRequest {
        request_id: crate::types::request_id(&r.request_id)?,
        order_id: crate::types::order_id(&r.order_id)?,
        amount: crate::types::amount(r.amount)?,
        subject: r.subject,
    })
}

/// A QR refund request converted: a partial refund, or a same-day void (no amount).
pub(crate) enum QrReturn {
    Refund(t::QrRefundRequest),
    Void(t::QrVoidRequest),
}

pub(crate) fn refund(r: QrRefundRequest) -> Result<QrReturn, PosError> {
    let request_id = crate::types::request_id(&r.request_id)?;
    let original_request_id = crate::types::request_id(&r.original_request_id)?;
    Ok(match r.amount {
        Some(a) => QrReturn::Refund(t::QrRefundRequest {
            request_id,
            original_request_id,
            amount: crate::types::amount(a)?,
            reason: r.reason,
        }),
        None => QrReturn::Void(t::QrVoidRequest {
            request_id,
            original_request_id,
        }),
    })
}
