//! The six requests a terminal sends.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::routing::mask_code;

/// `POST /qr/v1/pay`: charge the customer's payment code (付款码支付, B scans C).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// Terminal id (ISO 8583 field 41); must equal the `X-Unipos-Terminal` header.
    pub terminal_id: String,
    /// Merchant id (field 42).
    pub merchant_id: String,
    /// The terminal's order number for this attempt: unique, never reused after a final state.
    pub out_trade_no: String,
    /// Amount in fen.
    pub amount_fen: u64,
    /// The scanned payment code (digits). Never logged: `Debug` shows it masked.
    pub auth_code: String,
    /// The channel the terminal routed the code to; the gateway re-checks and answers
    /// `CHANNEL_MISMATCH` if it disagrees. Absent: the gateway routes (auto fallback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Goods description shown in the customer's wallet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the terminal sent the request, `yyyyMMddHHmmss` (China Standard Time).
    pub request_time: String,
}

impl fmt::Debug for PayRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayRequest")
            .field("terminal_id", &self.terminal_id)
            .field("merchant_id", &self.merchant_id)
            .field("out_trade_no", &self.out_trade_no)
            .field("amount_fen", &self.amount_fen)
            .field("auth_code", &mask_code(&self.auth_code))
            .field("channel", &self.channel)
            .field("subject", &self.subject)
            .field("description", &self.description)
            .field("request_time", &self.request_time)
            .finish()
    }
}

/// `POST /qr/v1/query`, `/qr/v1/reverse` and `/qr/v1/close`: an operation on one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRef {
    /// Terminal id; must equal the `X-Unipos-Terminal` header.
    pub terminal_id: String,
    /// Merchant id.
    pub merchant_id: String,
    /// The order.
    pub out_trade_no: String,
    /// When the terminal sent the request, `yyyyMMddHHmmss`.
    pub request_time: String,
}

/// `POST /qr/v1/query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueryRequest(pub OrderRef);

/// `POST /qr/v1/reverse`: undo an order whose outcome the terminal could not learn in time.
/// Unpaid orders are closed; paid ones are refunded in full. Idempotent; repeat while the
/// answer says `retry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReverseRequest(pub OrderRef);

/// `POST /qr/v1/close`: close an unpaid order (dynamic orders at their deadline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CloseRequest(pub OrderRef);

/// `POST /qr/v1/refund`: refund part of a paid order. Partial and repeated refunds are
/// allowed up to the paid amount in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Terminal id; must equal the `X-Unipos-Terminal` header.
    pub terminal_id: String,
    /// Merchant id.
    pub merchant_id: String,
    /// The paid order.
    pub out_trade_no: String,
    /// The terminal's refund number: persisted before sending and **reused on every retry**;
    /// the gateway refunds at most once per `out_refund_no`.
    pub out_refund_no: String,
    /// Amount to refund, in fen.
    pub refund_fen: u64,
    /// Reason shown to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the terminal sent the request, `yyyyMMddHHmmss`.
    pub request_time: String,
}

/// `POST /qr/v1/create`: a merchant-presented dynamic order. The answer's `code_url` is shown
/// as a QR code that the WeChat, Alipay and UnionPay apps can all open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// Terminal id; must equal the `X-Unipos-Terminal` header.
    pub terminal_id: String,
    /// Merchant id.
    pub merchant_id: String,
    /// The terminal's order number.
    pub out_trade_no: String,
    /// Amount in fen.
    pub amount_fen: u64,
    /// Goods description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How long the code may be paid, in seconds (30–7200); the gateway closes the order
    /// afterwards. Absent: the gateway's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_seconds: Option<u32>,
    /// When the terminal sent the request, `yyyyMMddHHmmss`.
    pub request_time: String,
}
