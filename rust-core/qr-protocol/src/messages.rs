//! The JSON messages of the acquirer's aggregated QR gateway, version 1 (`/qr/v1/`).
//!
//! Every request is `POST <path>` with a JSON body, `Content-Type: application/json` and the
//! two authentication headers of [`crate::auth`]. Requests are strict (unknown fields are
//! refused, every field is validated); responses are tolerant (fields added later in `v1` are
//! ignored by older terminals), but the terminal only acts on a response whose MAC verifies.
//!
//! Money is always integer fen (`u64`), times are `yyyyMMddHHmmss` in China Standard Time.

use core::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::codes::{ErrorCode, QrResult, TradeState};
use crate::error::{sanitize_message, QrProtocolError, ValidationError};
use crate::routing::{check_code_syntax, mask_code};

/// The versioned path prefix of every gateway endpoint.
pub const PATH_PREFIX: &str = "/qr/v1/";
/// The largest request or response body either side accepts.
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// The largest amount in fen (the 12 digits of ISO 8583 field 4: 9 999 999 999.99 yuan).
pub const MAX_AMOUNT_FEN: u64 = 999_999_999_999;
/// Shortest and longest validity of a dynamic (merchant-presented) order, in seconds.
pub const EXPIRE_SECONDS_RANGE: (u32, u32) = (30, 7200);

/// The six gateway operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /qr/v1/pay`: pay with the customer's scanned payment code.
    Pay,
    /// `POST /qr/v1/query`: the state of an order.
    Query,
    /// `POST /qr/v1/reverse`: reverse (WeChat 撤销, Alipay cancel, UnionPay 冲正) an order.
    Reverse,
    /// `POST /qr/v1/refund`: refund part or all of a paid order.
    Refund,
    /// `POST /qr/v1/create`: create a merchant-presented dynamic order ("three codes in one").
    Create,
    /// `POST /qr/v1/close`: close an unpaid order.
    Close,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 6] = [
        Operation::Pay,
        Operation::Query,
        Operation::Reverse,
        Operation::Refund,
        Operation::Create,
        Operation::Close,
    ];

    /// The short name: `pay`, `query`, `reverse`, `refund`, `create`, `close`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Operation::Pay => "pay",
            Operation::Query => "query",
            Operation::Reverse => "reverse",
            Operation::Refund => "refund",
            Operation::Create => "create",
            Operation::Close => "close",
        }
    }

    /// The endpoint path, e.g. `/qr/v1/pay`.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Operation::Pay => "/qr/v1/pay",
            Operation::Query => "/qr/v1/query",
            Operation::Reverse => "/qr/v1/reverse",
            Operation::Refund => "/qr/v1/refund",
            Operation::Create => "/qr/v1/create",
            Operation::Close => "/qr/v1/close",
        }
    }

    /// The operation of a request path (exact match; a query string is not allowed).
    #[must_use]
    pub fn from_path(path: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.path() == path)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

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

// ---------------------------------------------------------------------------------------------
// Responses

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

// ---------------------------------------------------------------------------------------------
// Traits tying requests to their responses

/// A gateway response type.
pub trait QrResponse: Serialize + DeserializeOwned + Default + fmt::Debug {
    /// The envelope.
    fn status(&self) -> &Status;
    /// The `out_trade_no` echo, if any.
    fn echoed_out_trade_no(&self) -> Option<&str>;
}

macro_rules! response_impl {
    ($t:ty, order) => {
        impl QrResponse for $t {
            fn status(&self) -> &Status {
                &self.status
            }
            fn echoed_out_trade_no(&self) -> Option<&str> {
                self.order.out_trade_no.as_deref()
            }
        }
    };
    ($t:ty, flat) => {
        impl QrResponse for $t {
            fn status(&self) -> &Status {
                &self.status
            }
            fn echoed_out_trade_no(&self) -> Option<&str> {
                self.out_trade_no.as_deref()
            }
        }
    };
}
response_impl!(PayResponse, order);
response_impl!(QueryResponse, order);
response_impl!(ReverseResponse, order);
response_impl!(CloseResponse, order);
response_impl!(RefundResponse, flat);
response_impl!(CreateResponse, flat);

impl QrResponse for ErrorResponse {
    fn status(&self) -> &Status {
        &self.status
    }
    fn echoed_out_trade_no(&self) -> Option<&str> {
        None
    }
}

/// A gateway request type.
pub trait QrRequest: Serialize + DeserializeOwned + fmt::Debug {
    /// Its endpoint.
    const OPERATION: Operation;
    /// Its answer.
    type Response: QrResponse;
    /// The terminal id in the body.
    fn terminal_id(&self) -> &str;
    /// The order it concerns.
    fn out_trade_no(&self) -> &str;
    /// Checks every field (the terminal before sending, the gateway on receipt).
    ///
    /// # Errors
    /// The first invalid field.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl QrRequest for PayRequest {
    const OPERATION: Operation = Operation::Pay;
    type Response = PayResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_amount("amount_fen", self.amount_fen)?;
        if check_code_syntax(&self.auth_code).is_err() {
            return Err(ValidationError {
                field: "auth_code",
                reason: "must be 1 to 128 digits",
                code: ErrorCode::InvalidCode,
            });
        }
        check_text("subject", self.subject.as_deref(), 128)?;
        check_text("description", self.description.as_deref(), 256)?;
        check_time("request_time", &self.request_time)
    }
}

macro_rules! order_ref_request {
    ($t:ty, $op:expr, $resp:ty) => {
        impl QrRequest for $t {
            const OPERATION: Operation = $op;
            type Response = $resp;
            fn terminal_id(&self) -> &str {
                &self.0.terminal_id
            }
            fn out_trade_no(&self) -> &str {
                &self.0.out_trade_no
            }
            fn validate(&self) -> Result<(), ValidationError> {
                check_ids(
                    &self.0.terminal_id,
                    &self.0.merchant_id,
                    &self.0.out_trade_no,
                )?;
                check_time("request_time", &self.0.request_time)
            }
        }
    };
}
order_ref_request!(QueryRequest, Operation::Query, QueryResponse);
order_ref_request!(ReverseRequest, Operation::Reverse, ReverseResponse);
order_ref_request!(CloseRequest, Operation::Close, CloseResponse);

impl QrRequest for RefundRequest {
    const OPERATION: Operation = Operation::Refund;
    type Response = RefundResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_identifier("out_refund_no", &self.out_refund_no, 64, true)?;
        check_amount("refund_fen", self.refund_fen)?;
        check_text("reason", self.reason.as_deref(), 80)?;
        check_time("request_time", &self.request_time)
    }
}

impl QrRequest for CreateRequest {
    const OPERATION: Operation = Operation::Create;
    type Response = CreateResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_amount("amount_fen", self.amount_fen)?;
        check_text("subject", self.subject.as_deref(), 128)?;
        check_text("description", self.description.as_deref(), 256)?;
        if let Some(s) = self.expire_seconds {
            if !(EXPIRE_SECONDS_RANGE.0..=EXPIRE_SECONDS_RANGE.1).contains(&s) {
                return Err(invalid("expire_seconds", "must be 30 to 7200 seconds"));
            }
        }
        check_time("request_time", &self.request_time)
    }
}

impl QueryRequest {
    /// A query for one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        QueryRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl ReverseRequest {
    /// A reverse of one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        ReverseRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl CloseRequest {
    /// A close of one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        CloseRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl OrderRef {
    /// A reference to one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        OrderRef {
            terminal_id: terminal_id.into(),
            merchant_id: merchant_id.into(),
            out_trade_no: out_trade_no.into(),
            request_time: request_time.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

fn invalid(field: &'static str, reason: &'static str) -> ValidationError {
    ValidationError {
        field,
        reason,
        code: ErrorCode::InvalidRequest,
    }
}

fn check_ids(
    terminal_id: &str,
    merchant_id: &str,
    out_trade_no: &str,
) -> Result<(), ValidationError> {
    check_identifier("terminal_id", terminal_id, 16, false)?;
    check_identifier("merchant_id", merchant_id, 32, false)?;
    check_identifier("out_trade_no", out_trade_no, 32, true)
}

/// Letters and digits; order numbers may also use `_ - | *` (WeChat's `out_trade_no` rule).
fn check_identifier(
    field: &'static str,
    value: &str,
    max: usize,
    order_number: bool,
) -> Result<(), ValidationError> {
    if value.is_empty() || value.len() > max {
        return Err(invalid(
            field,
            match max {
                16 => "must be 1 to 16 characters",
                32 => "must be 1 to 32 characters",
                _ => "must be 1 to 64 characters",
            },
        ));
    }
    let ok = value.bytes().all(|b| {
        b.is_ascii_alphanumeric() || (order_number && matches!(b, b'_' | b'-' | b'|' | b'*'))
    });
    if !ok {
        return Err(invalid(
            field,
            if order_number {
                "may contain only letters, digits and _ - | *"
            } else {
                "may contain only letters and digits"
            },
        ));
    }
    Ok(())
}

fn check_amount(field: &'static str, fen: u64) -> Result<(), ValidationError> {
    if fen == 0 || fen > MAX_AMOUNT_FEN {
        return Err(ValidationError {
            field,
            reason: "must be 1 to 999999999999 fen",
            code: ErrorCode::InvalidAmount,
        });
    }
    Ok(())
}

fn check_text(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<(), ValidationError> {
    let Some(v) = value else { return Ok(()) };
    if v.chars().count() > max_chars {
        return Err(invalid(field, "is too long"));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a `yyyyMMddHHmmss` timestamp (plausible calendar fields).
fn check_time(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if parse_time(value).is_none() {
        return Err(invalid(field, "must be yyyyMMddHHmmss"));
    }
    Ok(())
}

/// Splits a `yyyyMMddHHmmss` timestamp into (year, month, day, hour, minute, second), or
/// `None` when it is not 14 digits with plausible fields.
#[must_use]
pub fn parse_time(value: &str) -> Option<(u32, u32, u32, u32, u32, u32)> {
    if value.len() != 14 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: core::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok());
    let (y, mo, d, h, mi, s) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    );
    let ok = (2000..=2099).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 60;
    ok.then_some((y, mo, d, h, mi, s))
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding

/// Encodes a message as compact JSON.
///
/// # Errors
/// [`QrProtocolError::Malformed`] if serialization fails (it cannot for these types).
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, QrProtocolError> {
    serde_json::to_vec(message)
        .map_err(|e| QrProtocolError::Malformed(sanitize_message(&e.to_string())))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    if bytes.len() > MAX_BODY_LEN {
        return Err(QrProtocolError::BodyTooLarge {
            len: bytes.len(),
            max: MAX_BODY_LEN,
        });
    }
    serde_json::from_slice(bytes)
        .map_err(|e| QrProtocolError::Malformed(sanitize_message(&e.to_string())))
}

/// Decodes a response body. Never panics, whatever the bytes; the error text never
/// contains a payment code.
///
/// # Errors
/// [`QrProtocolError::BodyTooLarge`] or [`QrProtocolError::Malformed`].
pub fn decode_response<T: QrResponse>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    decode(bytes)
}

/// Decodes and validates a request body (strict: unknown fields are refused).
///
/// # Errors
/// [`QrProtocolError::BodyTooLarge`], [`QrProtocolError::Malformed`] or
/// [`QrProtocolError::Invalid`].
pub fn decode_request<T: QrRequest>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    let request: T = decode(bytes)?;
    request.validate()?;
    Ok(request)
}

/// Feeds arbitrary bytes to every decoder; for fuzz targets and property tests. Returns how
/// many decoders accepted the input.
pub fn fuzz_decode(bytes: &[u8]) -> usize {
    [
        decode_response::<PayResponse>(bytes).is_ok(),
        decode_response::<QueryResponse>(bytes).is_ok(),
        decode_response::<ReverseResponse>(bytes).is_ok(),
        decode_response::<RefundResponse>(bytes).is_ok(),
        decode_response::<CreateResponse>(bytes).is_ok(),
        decode_response::<CloseResponse>(bytes).is_ok(),
        decode_response::<ErrorResponse>(bytes).is_ok(),
        decode_request::<PayRequest>(bytes).is_ok(),
        decode_request::<QueryRequest>(bytes).is_ok(),
        decode_request::<ReverseRequest>(bytes).is_ok(),
        decode_request::<RefundRequest>(bytes).is_ok(),
        decode_request::<CreateRequest>(bytes).is_ok(),
        decode_request::<CloseRequest>(bytes).is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn pay() -> PayRequest {
        PayRequest {
            terminal_id: "12345678".into(),
            merchant_id: "123456789012345".into(),
            out_trade_no: "1234567820261121000001".into(),
            amount_fen: 1234,
            auth_code: "134919586213926735".into(),
            channel: Some(Channel::WeChat),
            subject: Some("咖啡 x2".into()),
            description: None,
            request_time: "20261121093000".into(),
        }
    }

    #[test]
    fn operations_and_paths() {
        for op in Operation::ALL {
            assert!(op.path().starts_with(PATH_PREFIX));
            assert!(op.path().ends_with(op.name()));
            assert_eq!(Operation::from_path(op.path()), Some(op));
        }
        assert_eq!(Operation::from_path("/qr/v1/pay?x=1"), None);
        assert_eq!(Operation::from_path("/qr/v2/pay"), None);
    }

    #[test]
    fn pay_request_wire_form() {
        let json = String::from_utf8(encode(&pay()).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"terminal_id":"12345678","merchant_id":"123456789012345","out_trade_no":"1234567820261121000001","amount_fen":1234,"auth_code":"134919586213926735","channel":"WECHAT","subject":"咖啡 x2","request_time":"20261121093000"}"#
        );
        let back: PayRequest = decode_request(json.as_bytes()).unwrap();
        assert_eq!(back, pay());
        let debug = format!("{back:?}");
        assert!(!debug.contains("134919586213926735"));
        assert!(debug.contains("6735"));
    }

    #[test]
    fn requests_are_strict() {
        let json = r#"{"terminal_id":"12345678","merchant_id":"M1","out_trade_no":"A1","amount_fen":1,"auth_code":"134919586213926735","request_time":"20261121093000","tip":5}"#;
        let err = decode_request::<PayRequest>(json.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("unknown field `tip`"), "{err}");

        let mut p = pay();
        p.amount_fen = 0;
        assert_eq!(p.validate().unwrap_err().code, ErrorCode::InvalidAmount);
        p.amount_fen = MAX_AMOUNT_FEN + 1;
        assert_eq!(p.validate().unwrap_err().field, "amount_fen");
        let mut p = pay();
        p.auth_code = "1349 1958".into();
        assert_eq!(p.validate().unwrap_err().code, ErrorCode::InvalidCode);
        let mut p = pay();
        p.out_trade_no = "a b".into();
        assert_eq!(p.validate().unwrap_err().field, "out_trade_no");
        let mut p = pay();
        p.request_time = "2026-11-21 09:30".into();
        assert_eq!(p.validate().unwrap_err().field, "request_time");
        let mut p = pay();
        p.subject = Some("a\nb".into());
        assert_eq!(p.validate().unwrap_err().field, "subject");
        let mut p = pay();
        p.terminal_id = "T".repeat(17);
        assert_eq!(p.validate().unwrap_err().field, "terminal_id");

        let q = QueryRequest::new("12345678", "M1", "A1", "20261121093000");
        let json = encode(&q).unwrap();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"terminal_id":"12345678","merchant_id":"M1","out_trade_no":"A1","request_time":"20261121093000"}"#
        );
        assert_eq!(decode_request::<QueryRequest>(&json).unwrap(), q);
    }

    #[test]
    fn responses_are_tolerant_and_error_bodies_decode_everywhere() {
        let json = r#"{"result":"SUCCESS","out_trade_no":"A1","channel":"ALIPAY","trade_state":"SUCCESS","amount_fen":100,"paid_fen":100,"channel_trade_no":"2026","paid_time":"20261121093005","new_field":{"x":1}}"#;
        let r: PayResponse = decode_response(json.as_bytes()).unwrap();
        assert_eq!(r.status.result, QrResult::Success);
        assert_eq!(r.order.paid_fen, Some(100));
        assert_eq!(r.order.channel, Some(Channel::Alipay));

        let err = r#"{"result":"FAIL","code":"INVALID_REQUEST","message":"bad"}"#;
        assert_eq!(fuzz_decode(err.as_bytes()), 7);
        let r: RefundResponse = decode_response(err.as_bytes()).unwrap();
        assert_eq!(r.status.code, Some(ErrorCode::InvalidRequest));

        let r: ReverseResponse =
            decode_response(br#"{"result":"SUCCESS","retry":false,"action":"REFUND"}"#).unwrap();
        assert_eq!(r.action, Some(ReverseAction::Refund));
        let back = encode(&r).unwrap();
        assert_eq!(decode_response::<ReverseResponse>(&back).unwrap(), r);
    }

    #[test]
    fn decode_errors_are_clear_and_masked() {
        let e = decode_response::<PayResponse>(b"").unwrap_err();
        assert!(matches!(e, QrProtocolError::Malformed(_)));
        let e = decode_request::<PayRequest>(
            br#"{"terminal_id":"1","merchant_id":"1","out_trade_no":"1","amount_fen":1,"auth_code":134919586213926735,"request_time":"20261121093000"}"#,
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("134919586213926735"), "{text}");
        let big = vec![b' '; MAX_BODY_LEN + 1];
        assert!(matches!(
            decode_response::<PayResponse>(&big),
            Err(QrProtocolError::BodyTooLarge { .. })
        ));
        assert!(decode_response::<PayResponse>(&[b'['; 10_000]).is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("20261121093005"), Some((2026, 11, 21, 9, 30, 5)));
        for bad in [
            "2026112109300",
            "202611210930051",
            "20261321093005",
            "20261121243005",
            "2026112109300x",
            "",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = fuzz_decode(&bytes);
        }

        #[test]
        fn decoders_never_panic_on_jsonish_text(s in r#"[\{\}\[\]":,0-9a-z_ .\-]{0,200}"#) {
            let _ = fuzz_decode(s.as_bytes());
        }

        #[test]
        fn pay_requests_round_trip(amount in 1u64..=MAX_AMOUNT_FEN, code in "[0-9]{16,24}", no in "[A-Za-z0-9_]{1,32}") {
            let mut p = pay();
            p.amount_fen = amount;
            p.auth_code = code;
            p.out_trade_no = no;
            let bytes = encode(&p).unwrap();
            prop_assert_eq!(decode_request::<PayRequest>(&bytes).unwrap(), p);
        }
    }
}
