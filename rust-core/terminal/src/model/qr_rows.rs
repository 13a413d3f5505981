//! QR attempts and refunds as stored (tables `qr_order` and `qr_refund`), and what a new one
//! needs before it is stored.

use super::qr::{QrOrderKind, QrRefundKind, QrState};
use unipos_qr_protocol::Channel;

/// One QR attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderRow {
    pub id: i64,
    pub scope: String,
    pub request_id: String,
    /// What the attempt asked for (kind, amount, business order).
    pub fingerprint: String,
    pub order_id: String,
    pub kind: QrOrderKind,
    pub out_trade_no: String,
    pub channel: Option<Channel>,
    pub amount: u64,
    pub masked_code: Option<String>,
    pub subject: Option<String>,
    pub state: QrState,
    pub paid_amount: u64,
    pub refunded_amount: u64,
    pub reverse_refunded: bool,
    pub late_success: bool,
    pub voided: bool,
    pub acknowledged: bool,
    pub error_code: Option<String>,
    pub last_error: Option<String>,
    pub channel_trade_no: Option<String>,
    pub paid_time: Option<String>,
    pub code_url: Option<String>,
    pub pay_sent_at: i64,
    pub deadline_at: i64,
    pub reverse_attempts: u32,
    pub batch: u32,
    pub card_seq: i64,
    pub local_date: String,
    pub local_time: String,
}

/// What is known of a new attempt before it is stored.
pub(crate) struct NewOrder<'a> {
    pub scope: &'a str,
    pub request_id: &'a str,
    pub fingerprint: String,
    pub order_id: &'a str,
    pub kind: QrOrderKind,
    pub channel: Option<Channel>,
    pub amount: u64,
    pub masked_code: Option<String>,
    pub subject: Option<&'a str>,
    /// Terminal id + local date `yyyyMMdd`: the `out_trade_no` prefix.
    pub number_prefix: String,
    /// How long after `now` the deadline is (reverse / close).
    pub deadline_after_ms: i64,
    pub batch: u32,
    pub local_date: String,
    pub local_time: String,
    pub now: i64,
}

/// One refund or void as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub id: i64,
    pub scope: String,
    pub request_id: String,
    /// What the refund asked for (kind, original, amount).
    pub fingerprint: String,
    pub order_ref: i64,
    pub out_refund_no: String,
    pub kind: QrRefundKind,
    pub amount: u64,
    pub state: RefundState,
    pub error_code: Option<String>,
    pub last_error: Option<String>,
    pub channel_refund_no: Option<String>,
    pub refund_time: Option<String>,
    pub attempts: u32,
    pub batch: u32,
    pub card_seq: i64,
    pub local_date: String,
    pub local_time: String,
}

/// The stored state of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundState {
    Pending,
    Done,
    Rejected,
}

impl RefundState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RefundState::Pending => "pending",
            RefundState::Done => "done",
            RefundState::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<RefundState> {
        match s {
            "pending" => Some(RefundState::Pending),
            "done" => Some(RefundState::Done),
            "rejected" => Some(RefundState::Rejected),
            _ => None,
        }
    }
}

/// What a new refund needs.
pub(crate) struct NewRefund<'a> {
    pub scope: &'a str,
    pub request_id: &'a str,
    pub fingerprint: String,
    pub order: &'a OrderRow,
    pub kind: QrRefundKind,
    pub amount: u64,
    /// Terminal id + local date: the `out_refund_no` prefix.
    pub number_prefix: String,
    pub batch: u32,
    pub local_date: String,
    pub local_time: String,
    pub now: i64,
}
