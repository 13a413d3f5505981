//! The gateway's answers: the envelope every response carries and one body per operation.

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::codes::{ErrorCode, QrResult, TradeState};

/// The envelope fields every response carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `SUCCESS`, `FAIL` or `UNKNOWN`.
    pub result: QrResult,
    /// Why, when `result` is not `SUCCESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// A human-readable explanation (English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The channel's own code, for diagnostics only (e.g. `USERPAYING`, `ACQ.TRADE_HAS_SUCCESS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<String>,
}

impl Default for Status {
    /// `UNKNOWN` without a code: the safe reading of an empty answer.
    fn default() -> Self {
        Status::unknown(ErrorCode::SystemError)
    }
}

impl Status {
    /// `SUCCESS`.
    #[must_use]
    pub fn success() -> Self {
        Status {
            result: QrResult::Success,
            code: None,
            message: None,
            channel_code: None,
        }
    }

    /// `FAIL` with a code and its standard message.
    #[must_use]
    pub fn fail(code: ErrorCode) -> Self {
        Status {
            result: QrResult::Fail,
            code: Some(code),
            message: Some(code.cashier_message().into()),
            channel_code: None,
        }
    }

    /// `UNKNOWN` with a code and its standard message.
    #[must_use]
    pub fn unknown(code: ErrorCode) -> Self {
        Status {
            result: QrResult::Unknown,
            code: Some(code),
            message: Some(code.cashier_message().into()),
            channel_code: None,
        }
    }

    /// Replaces the message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sets the channel's own code.
    #[must_use]
    pub fn with_channel_code(mut self, channel_code: Option<&str>) -> Self {
        self.channel_code = channel_code.map(str::to_owned);
        self
    }
}

/// The order fields shared by the pay, query, reverse and close answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderInfo {
    /// Echo of the request's `out_trade_no` (the terminal checks it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// The channel that took (or is taking) the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The order's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state: Option<TradeState>,
    /// The order amount in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<u64>,
    /// The amount the customer paid, in fen (present once paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_fen: Option<u64>,
    /// The total refunded so far, in fen (including a refund made by a reverse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_fen: Option<u64>,
    /// The channel's transaction id (WeChat `transaction_id`, Alipay `trade_no`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_trade_no: Option<String>,
    /// When the payment completed, `yyyyMMddHHmmss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_time: Option<String>,
    /// The masked payment code (last 4 digits), for receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_code: Option<String>,
}

/// The answer to `pay`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PayResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// The order.
    #[serde(flatten)]
    pub order: OrderInfo,
}

/// The answer to `query`. `result` is `SUCCESS` when the order was found: read `trade_state`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueryResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// The order.
    #[serde(flatten)]
    pub order: OrderInfo,
    /// For a dynamic order: its `code_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_url: Option<String>,
}

/// What a reverse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReverseAction {
    /// The order was unpaid and is now closed: no money moved.
    Close,
    /// The order was paid and the money has been returned to the customer.
    Refund,
}

/// The answer to `reverse`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReverseResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// The order.
    #[serde(flatten)]
    pub order: OrderInfo,
    /// `true`: call reverse again (WeChat `recall=Y`, Alipay `retry_flag=Y`).
    #[serde(default)]
    pub retry: bool,
    /// On success: whether the order was closed or refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ReverseAction>,
}

/// The answer to `refund`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RefundResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// Echo of `out_trade_no`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Echo of `out_refund_no`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_refund_no: Option<String>,
    /// The amount this refund returned, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_fen: Option<u64>,
    /// All refunds of the order so far, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_total_fen: Option<u64>,
    /// The channel's refund id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_refund_no: Option<String>,
    /// When the refund was made, `yyyyMMddHHmmss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_time: Option<String>,
    /// The order's state afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state: Option<TradeState>,
}

/// The answer to `create`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// Echo of `out_trade_no`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// The URL to show as a QR code; WeChat, Alipay and UnionPay apps can all open it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_url: Option<String>,
    /// When the gateway closes the order if unpaid, `yyyyMMddHHmmss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    /// `NOTPAY` on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state: Option<TradeState>,
}

/// The answer to `close`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CloseResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
    /// The order.
    #[serde(flatten)]
    pub order: OrderInfo,
}

/// The body of an answer that refused a request before any operation (4xx), e.g.
/// `{"result":"FAIL","code":"INVALID_REQUEST","message":"..."}`. Every typed response also
/// decodes from it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// Envelope.
    #[serde(flatten)]
    pub status: Status,
}
