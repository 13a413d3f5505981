//! What the gateway reports of an order (admin API, tests) and why an admin call failed.

use serde::Serialize;
use unipos_qr_protocol::messages::ReverseAction;
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

/// How an order came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// The terminal scanned the customer's payment code (`pay`).
    Scanned,
    /// A merchant-presented dynamic code (`create`).
    Dynamic,
    /// A reverse or close arrived for an `out_trade_no` the gateway had never seen; the number
    /// is reserved so that a late pay with it is refused.
    Reserved,
}

/// One refund, as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundSnapshot {
    /// The terminal's refund number.
    pub out_refund_no: String,
    /// Amount in fen.
    pub refund_fen: u64,
    /// The channel's refund id.
    pub channel_refund_no: String,
    /// When, `yyyyMMddHHmmss`.
    pub refund_time: String,
}

/// A reversal (or close), as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReversalSnapshot {
    /// Closed unpaid, or paid and refunded.
    pub action: ReverseAction,
    /// Amount returned to the customer, in fen.
    pub refunded_fen: u64,
    /// When, `yyyyMMddHHmmss`.
    pub time: String,
    /// How many reverse calls the terminal made (retries included).
    pub attempts: u32,
}

/// An order as the reconciliation sees it. Carries the masked code only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSnapshot {
    /// The terminal that created it.
    pub terminal_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// The terminal's order number.
    pub out_trade_no: String,
    /// Scanned, dynamic or reserved.
    pub kind: OrderKind,
    /// The channel (for a dynamic order: the one the customer paid with).
    pub channel: Option<Channel>,
    /// The payment code, all but the last 4 digits masked.
    pub masked_code: Option<String>,
    /// The order amount in fen (0 for a reserved number).
    pub amount_fen: u64,
    /// The state now.
    pub state: TradeState,
    /// Amount the customer paid, in fen (0 if never paid).
    pub paid_fen: u64,
    /// Amount returned, by refunds and by a reverse, in fen.
    pub refunded_fen: u64,
    /// The channel's transaction id, once paid.
    pub channel_trade_no: Option<String>,
    /// When the gateway received it, `yyyyMMddHHmmss`.
    pub created_time: String,
    /// When it was paid.
    pub paid_time: Option<String>,
    /// When it was closed, failed or reversed.
    pub closed_time: Option<String>,
    /// Why it failed, for failed payments.
    pub failure: Option<ErrorCode>,
    /// Refunds, in order.
    pub refunds: Vec<RefundSnapshot>,
    /// The reversal, if any.
    pub reversal: Option<ReversalSnapshot>,
    /// A dynamic order's URL.
    pub code_url: Option<String>,
}

impl OrderSnapshot {
    /// Paid minus refunded: what the merchant keeps.
    #[must_use]
    pub fn net_fen(&self) -> u64 {
        self.paid_fen.saturating_sub(self.refunded_fen)
    }
}

/// Why an admin call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// No order has this token or `out_trade_no`.
    #[error("no QR order has token or out_trade_no {0:?}")]
    NotFound(String),
    /// Several terminals used this `out_trade_no`; use the token.
    #[error("several terminals have an order {0:?}; use the code_url token")]
    Ambiguous(String),
    /// The order cannot be paid any more.
    #[error("order {out_trade_no} is {state} and can no longer be paid")]
    NotPayable {
        /// The order.
        out_trade_no: String,
        /// Its state.
        state: TradeState,
    },
}
