//! QR payments as the terminal keeps and reports them: settings, requests, states, outcomes,
//! and the stored rows of attempts and refunds. Plain data; the state machine is in
//! `services::qr`.

use super::outcome::{Outcome, OutcomeStatus};
use super::txn::TxnKind;
use std::time::Duration;
use unipos_qr_protocol::auth::MacScheme;
use unipos_qr_protocol::{Channel, QrTimers, Router};

/// QR configuration of the terminal. The defaults follow QR.md: the channels' published
/// routing rules, the per-channel timer table, X9.19 MAC under the MAK.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QrSettings {
    /// Payment-code routing by prefix and length.
    pub router: Router,
    /// Per-channel query, deadline and reverse timers, and the dynamic-code timers.
    pub timers: QrTimers,
    /// The MAC algorithm and padding the gateway uses (default X9.19, padding method 1).
    pub mac: MacScheme,
    /// Overrides every gateway response timeout (default: the channel's pay timeout, 10 s).
    /// Wall-clock time: the only wait that does not go through the injected clock.
    pub response_timeout: Option<Duration>,
    /// Time allowed to connect to the gateway (`None`: 10 s).
    pub connect_timeout: Option<Duration>,
}

/// Pay with the customer's payment code (the cashier scanned it).
#[derive(Clone, PartialEq, Eq)]
pub struct QrPayRequest {
    /// Idempotency key of this attempt (unique across card and QR requests).
    pub request_id: String,
    /// The business order this attempt pays (several attempts may share it, one at a time).
    pub order_id: String,
    /// Amount in fen.
    pub amount: u64,
    /// The scanned payment code (digits). Never stored or logged; `Debug` masks it.
    pub code: String,
    /// Goods description shown in the customer's wallet.
    pub subject: Option<String>,
}

impl std::fmt::Debug for QrPayRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrPayRequest")
            .field("request_id", &self.request_id)
            .field("order_id", &self.order_id)
            .field("amount", &self.amount)
            .field("code", &unipos_qr_protocol::mask_code(&self.code))
            .field("subject", &self.subject)
            .finish()
    }
}

/// Show a merchant-presented dynamic code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrDynamicRequest {
    /// Idempotency key of this attempt.
    pub request_id: String,
    /// The business order.
    pub order_id: String,
    /// Amount in fen.
    pub amount: u64,
    /// Goods description.
    pub subject: Option<String>,
}

/// Refund part of a paid QR order; repeated refunds are allowed up to the paid amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRefundRequest {
    /// Idempotency key of the refund (a retry with the same key reuses its `out_refund_no`).
    pub request_id: String,
    /// The `request_id` of the paid attempt.
    pub original_request_id: String,
    /// Amount to refund, fen.
    pub amount: u64,
    /// Reason shown to the customer.
    pub reason: Option<String>,
}

/// Void a QR payment the same day: a full refund of a payment not yet refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrVoidRequest {
    /// Idempotency key of the void.
    pub request_id: String,
    /// The `request_id` of the paid attempt.
    pub original_request_id: String,
}

/// A dynamic code to show: the URL and its rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrDynamicCode {
    /// The attempt, as stored (status `InProgress` while the code is shown).
    pub outcome: QrOutcome,
    /// The URL the code encodes.
    pub code_url: String,
    /// The code as modules and as PNG.
    pub image: QrCodeImage,
}

/// Scanned payment code or merchant-presented dynamic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrOrderKind {
    /// The cashier scanned the customer's payment code.
    Scanned,
    /// The customer scanned the terminal's dynamic code.
    Dynamic,
}

impl QrOrderKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            QrOrderKind::Scanned => "scanned",
            QrOrderKind::Dynamic => "dynamic",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<QrOrderKind> {
        match s {
            "scanned" => Some(QrOrderKind::Scanned),
            "dynamic" => Some(QrOrderKind::Dynamic),
            _ => None,
        }
    }
}

/// The persisted state of a QR attempt (see the module documentation for the transitions).
/// For a dynamic order, PAY_PENDING is "create sent", QUERYING is "code shown", REVERSING and
/// REVERSE_PENDING close the order instead of reversing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrState {
    /// Committed; the pay (or create) is being sent, or a crash interrupted it.
    PayPending,
    /// Outcome unknown: querying until the deadline.
    Querying,
    /// Deadline reached: reversing (dynamic: closing).
    Reversing,
    /// The reverse (close) is not confirmed yet: retried at every flush point.
    ReversePending,
    /// Paid. Final.
    Paid,
    /// Not charged (definite failure, or closed/revoked unpaid). Final.
    Failed,
    /// Nothing reached the gateway. Final.
    NotSent,
    /// Reversed; `reverse_refunded` says whether money was taken and returned. Final.
    Reversed,
    /// Dynamic order closed unpaid. Final.
    Closed,
}

impl QrState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            QrState::PayPending => "pay_pending",
            QrState::Querying => "querying",
            QrState::Reversing => "reversing",
            QrState::ReversePending => "reverse_pending",
            QrState::Paid => "paid",
            QrState::Failed => "failed",
            QrState::NotSent => "not_sent",
            QrState::Reversed => "reversed",
            QrState::Closed => "closed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<QrState> {
        [
            QrState::PayPending,
            QrState::Querying,
            QrState::Reversing,
            QrState::ReversePending,
            QrState::Paid,
            QrState::Failed,
            QrState::NotSent,
            QrState::Reversed,
            QrState::Closed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the attempt has reached a state that will not change by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            QrState::Paid
                | QrState::Failed
                | QrState::NotSent
                | QrState::Reversed
                | QrState::Closed
        )
    }
}

/// What a QR attempt came to, for the cashier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrStatus {
    /// Paid: complete the sale.
    Paid,
    /// Paid, but learned only after the terminal had given up waiting (or after a restart):
    /// the cashier was not told it was paid and must complete the sale or refund it.
    LateSuccess,
    /// Not charged; `error_code` says why (ask for another code or another payment method).
    Failed,
    /// The gateway could not be reached; nothing was charged.
    NotSent,
    /// Still open: querying or reversing (or the dynamic code is shown).
    InProgress,
    /// The reverse is not confirmed yet; the terminal retries it at every flush point.
    ReversePending,
    /// Reversed before any charge: nothing was charged.
    Reversed,
    /// The customer paid, and the reverse returned the money ("payment cancelled, refunded").
    ReversedRefunded,
    /// The dynamic code was closed unpaid.
    Closed,
}

impl QrStatus {
    /// Whether the customer's money stays with the merchant (possibly refunded in part since).
    pub fn is_paid(self) -> bool {
        matches!(self, QrStatus::Paid | QrStatus::LateSuccess)
    }

    /// Whether the outcome is final.
    pub fn is_final(self) -> bool {
        !matches!(self, QrStatus::InProgress | QrStatus::ReversePending)
    }
}

/// The result of a QR attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrOutcome {
    /// The attempt's idempotency key.
    pub request_id: String,
    /// The business order.
    pub order_id: String,
    /// Scanned or dynamic.
    pub kind: QrOrderKind,
    /// What it came to.
    pub status: QrStatus,
    /// The state machine's state.
    pub state: QrState,
    /// The channel (for a dynamic order: once paid).
    pub channel: Option<Channel>,
    /// The gateway order number.
    pub out_trade_no: String,
    /// Requested amount, fen.
    pub amount: u64,
    /// Paid amount, fen (0 unless paid).
    pub paid_amount: u64,
    /// Refunded so far by refunds and voids, fen.
    pub refunded_amount: u64,
    /// Whether the payment was voided.
    pub voided: bool,
    /// The payment code, all but the last 4 digits masked.
    pub masked_code: Option<String>,
    /// The channel's transaction id.
    pub channel_trade_no: Option<String>,
    /// When it was paid, `yyyyMMddHHmmss`.
    pub paid_time: Option<String>,
    /// The gateway's error code (`CODE_EXPIRED`, `INSUFFICIENT_FUNDS`, ...), when relevant.
    pub error_code: Option<String>,
    /// Text for the cashier (Chinese / English).
    pub message: String,
    /// A dynamic order's URL.
    pub code_url: Option<String>,
    /// Local date MMDD and time hhmmss of the attempt.
    pub date: String,
    /// See `date`.
    pub time: String,
    /// The batch it belongs to on the settlement report.
    pub batch: u32,
    /// Something the cashier must know that does not change the result (the printer failed
    /// after the payment: reprint).
    pub notice: Option<String>,
}

impl QrOutcome {
    /// The card-shaped projection used by `Terminal::query` and `query_last`: `kind` is
    /// `Sale`, `masked_pan` carries the masked code, `card_org` the channel (`WECHAT`, ...),
    /// `rrn` the channel's transaction id, `response_code` the gateway's error code, `trace` 0.
    /// A late success is `Approved` with a notice.
    pub fn to_outcome(&self) -> Outcome {
        let status = match self.status {
            QrStatus::Paid | QrStatus::LateSuccess => OutcomeStatus::Approved,
            QrStatus::Failed => OutcomeStatus::Declined,
            QrStatus::NotSent => OutcomeStatus::NotSent,
            QrStatus::InProgress => OutcomeStatus::InProgress,
            QrStatus::ReversePending => OutcomeStatus::ReversalPending,
            QrStatus::Reversed | QrStatus::ReversedRefunded | QrStatus::Closed => {
                OutcomeStatus::Reversed
            }
        };
        Outcome {
            request_id: self.request_id.clone(),
            kind: TxnKind::Sale,
            status,
            response_code: self.error_code.clone(),
            message: self.message.clone(),
            amount: self.amount,
            approved_amount: if self.status.is_paid() {
                self.paid_amount
            } else {
                0
            },
            remaining_amount: 0,
            trace: 0,
            batch: self.batch,
            rrn: self.channel_trade_no.clone(),
            auth_code: None,
            masked_pan: self.masked_code.clone(),
            card_org: self.channel.map(|c| c.code().to_owned()),
            balance: None,
            date: self.date.clone(),
            time: self.time.clone(),
            notice: (self.status == QrStatus::LateSuccess).then(|| {
                "迟到的支付成功 / Late success: paid after the terminal stopped waiting; \
                 complete the sale or refund it"
                    .to_owned()
            }),
            order_no: Some(self.order_id.clone()),
            voided: self.voided,
            original_trace: None,
            original_request_id: None,
            qr_order_no: Some(self.out_trade_no.clone()),
        }
    }
}

/// Refund or void.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrRefundKind {
    /// A partial or full refund.
    Refund,
    /// A same-day void (full refund).
    Void,
}

/// Where a QR refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrRefundStatus {
    /// Refunded.
    Refunded,
    /// Not confirmed yet: retried with the same `out_refund_no` at every flush point and
    /// whenever the request is repeated.
    Pending,
    /// Refused by the gateway; nothing was refunded.
    Rejected,
}

/// The result of a QR refund or void.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRefundOutcome {
    /// The refund's idempotency key.
    pub request_id: String,
    /// The paid attempt's request id.
    pub original_request_id: String,
    /// Refund or void.
    pub kind: QrRefundKind,
    /// Where it stands.
    pub status: QrRefundStatus,
    /// The refund number sent to the gateway (persisted before the first send).
    pub out_refund_no: String,
    /// Amount, fen.
    pub amount: u64,
    /// The channel.
    pub channel: Option<Channel>,
    /// The original's total refunded after this refund (as known to the terminal), fen.
    pub refunded_total: u64,
    /// The channel's refund id.
    pub channel_refund_no: Option<String>,
    /// The gateway's error code when rejected or pending.
    pub error_code: Option<String>,
    /// Text for the cashier.
    pub message: String,
    /// Local date MMDD and time hhmmss.
    pub date: String,
    /// See `date`.
    pub time: String,
    /// The batch it belongs to on the settlement report.
    pub batch: u32,
}

impl QrRefundOutcome {
    /// The card-shaped projection (`kind` `Refund`, `SaleVoid` for a void).
    pub fn to_outcome(&self) -> Outcome {
        let status = match self.status {
            QrRefundStatus::Refunded => OutcomeStatus::Approved,
            QrRefundStatus::Pending => OutcomeStatus::InProgress,
            QrRefundStatus::Rejected => OutcomeStatus::Declined,
        };
        Outcome {
            request_id: self.request_id.clone(),
            kind: match self.kind {
                QrRefundKind::Refund => TxnKind::Refund,
                QrRefundKind::Void => TxnKind::SaleVoid,
            },
            status,
            response_code: self.error_code.clone(),
            message: self.message.clone(),
            amount: self.amount,
            approved_amount: if status == OutcomeStatus::Approved {
                self.amount
            } else {
                0
            },
            remaining_amount: 0,
            trace: 0,
            batch: self.batch,
            rrn: self.channel_refund_no.clone(),
            auth_code: None,
            masked_pan: None,
            card_org: self.channel.map(|c| c.code().to_owned()),
            balance: None,
            date: self.date.clone(),
            time: self.time.clone(),
            notice: None,
            order_no: None,
            voided: false,
            original_trace: Some(0),
            original_request_id: Some(self.original_request_id.clone()).filter(|id| !id.is_empty()),
            qr_order_no: Some(self.out_refund_no.clone()),
        }
    }
}

/// One line of terminal-versus-gateway reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrOrderSummary {
    /// The gateway order number.
    pub out_trade_no: String,
    /// The attempt's request id.
    pub request_id: String,
    /// The terminal's state.
    pub state: QrState,
    /// The channel.
    pub channel: Option<Channel>,
    /// Requested amount, fen.
    pub amount: u64,
    /// Paid amount, fen (0 if never paid).
    pub paid_amount: u64,
    /// Returned to the customer (refunds, voids and a refunding reverse), fen.
    pub returned_amount: u64,
}

impl QrOrderSummary {
    /// What the merchant keeps, fen.
    pub fn net_amount(&self) -> u64 {
        self.paid_amount.saturating_sub(self.returned_amount)
    }
}

/// A rendered QR code.
#[derive(Clone, PartialEq, Eq)]
pub struct QrCodeImage {
    /// Modules per side.
    pub width: usize,
    /// Row-major modules, `true` = dark; `width * width` entries, no quiet zone.
    pub modules: Vec<bool>,
    /// The code as a greyscale PNG, with a quiet zone of 4 modules.
    pub png: Vec<u8>,
}

impl std::fmt::Debug for QrCodeImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrCodeImage")
            .field("width", &self.width)
            .field("png_bytes", &self.png.len())
            .finish_non_exhaustive()
    }
}

impl QrCodeImage {
    /// Whether the module at (`x`, `y`) is dark (`false` outside the symbol).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.modules[y * self.width + x]
    }
}
