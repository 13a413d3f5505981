//! The gateway's stable result, error-code and trade-state vocabulary, and the mapping from
//! the channels' own codes (QR.md §1.4, §1.5, §2.2).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;

/// The `result` of every gateway response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QrResult {
    /// The operation did what was asked (for `query`: the order was found; read `trade_state`).
    Success,
    /// The gateway or channel refused; `code` says why. Whether money may have moved depends
    /// on the code: use the classification in [`crate::outcome`], never `result` alone.
    Fail,
    /// The outcome is not known yet (customer entering a password, system error, channel
    /// timeout): query.
    Unknown,
}

/// The stable error codes of the gateway. New codes may be added in `/qr/v1/`; a code this
/// version does not know decodes as [`ErrorCode::Other`] and is treated as "unknown, query".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The customer must confirm in the wallet (WeChat `USERPAYING`, Alipay `10003`
    /// `WAIT_BUYER_PAY`). Normal: query until the deadline.
    UserPaying,
    /// The channel or gateway failed or timed out (`SYSTEMERROR`, `BANKERROR`, Alipay `20000`,
    /// `ACQ.SYSTEM_ERROR`). The order may or may not exist: query.
    SystemError,
    /// Too many requests (`FREQUENCY_LIMITED`). Retry later with the same identifiers.
    FrequencyLimited,
    /// The payment code has expired (`AUTHCODEEXPIRE`): ask for a fresh code.
    CodeExpired,
    /// Not a valid payment code, or not one of this channel (`AUTH_CODE_INVALID`,
    /// `ACQ.PAYMENT_AUTH_CODE_INVALID`).
    InvalidCode,
    /// The customer's balance is too low (`NOTENOUGH`, `ACQ.BUYER_BALANCE_NOT_ENOUGH`).
    InsufficientFunds,
    /// The customer's card type is not accepted (`NOTSUPORTCARD`).
    CardNotSupported,
    /// The payment was declined (wrong password, risk control, customer cancelled).
    PaymentDeclined,
    /// Another buyer already paid this order (`BUYER_MISMATCH`).
    BuyerMismatch,
    /// The terminal's channel differs from the gateway's routing of the code.
    ChannelMismatch,
    /// The order is already paid (`ORDERPAID`, `ACQ.TRADE_HAS_SUCCESS`): query to confirm.
    OrderPaid,
    /// The order is closed (`ORDERCLOSED`, `ACQ.TRADE_HAS_CLOSE`).
    OrderClosed,
    /// The order was reversed (`ORDERREVERSED`/`REVOKED`).
    OrderRevoked,
    /// No such order (`ORDERNOTEXIST`, `ACQ.TRADE_NOT_EXIST`).
    OrderNotFound,
    /// The order is not paid, so it cannot be refunded.
    OrderNotPaid,
    /// The `out_trade_no` was already used with different content (`OUT_TRADE_NO_USED`).
    OutTradeNoUsed,
    /// The `out_refund_no` was already used with different content.
    OutRefundNoUsed,
    /// The refunds would exceed the paid amount (`REFUND_FEE_INVALID`, `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL`).
    RefundExceeded,
    /// Too old to reverse (`REVERSE_EXPIRE`): refund instead.
    ReverseExpired,
    /// The amount is zero or too large.
    InvalidAmount,
    /// The request is malformed or a field is invalid (`PARAM_ERROR`).
    InvalidRequest,
    /// The terminal or merchant may not use this service (`NOAUTH`, `MCHID_NOT_EXIST`).
    NotPermitted,
    /// The request's `X-Unipos-Mac` is missing or wrong.
    MacInvalid,
    /// Sent by older gateways that tied QR to the POSP session; this gateway answers
    /// `MAC_INVALID` for a terminal it has no QR key for.
    NotSignedIn,
    /// The body's `terminal_id` differs from the `X-Unipos-Terminal` header.
    TerminalMismatch,
    /// No such endpoint.
    NotFound,
    /// A code this version does not know. Treated as "unknown: query".
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The wire form, e.g. `"USER_PAYING"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UserPaying => "USER_PAYING",
            ErrorCode::SystemError => "SYSTEM_ERROR",
            ErrorCode::FrequencyLimited => "FREQUENCY_LIMITED",
            ErrorCode::CodeExpired => "CODE_EXPIRED",
            ErrorCode::InvalidCode => "INVALID_CODE",
            ErrorCode::InsufficientFunds => "INSUFFICIENT_FUNDS",
            ErrorCode::CardNotSupported => "CARD_NOT_SUPPORTED",
            ErrorCode::PaymentDeclined => "PAYMENT_DECLINED",
            ErrorCode::BuyerMismatch => "BUYER_MISMATCH",
            ErrorCode::ChannelMismatch => "CHANNEL_MISMATCH",
            ErrorCode::OrderPaid => "ORDER_PAID",
            ErrorCode::OrderClosed => "ORDER_CLOSED",
            ErrorCode::OrderRevoked => "ORDER_REVOKED",
            ErrorCode::OrderNotFound => "ORDER_NOT_FOUND",
            ErrorCode::OrderNotPaid => "ORDER_NOT_PAID",
            ErrorCode::OutTradeNoUsed => "OUT_TRADE_NO_USED",
            ErrorCode::OutRefundNoUsed => "OUT_REFUND_NO_USED",
            ErrorCode::RefundExceeded => "REFUND_EXCEEDED",
            ErrorCode::ReverseExpired => "REVERSE_EXPIRED",
            ErrorCode::InvalidAmount => "INVALID_AMOUNT",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::NotPermitted => "NOT_PERMITTED",
            ErrorCode::MacInvalid => "MAC_INVALID",
            ErrorCode::NotSignedIn => "NOT_SIGNED_IN",
            ErrorCode::TerminalMismatch => "TERMINAL_MISMATCH",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Other => "OTHER",
        }
    }

    /// A short message for the cashier (English).
    #[must_use]
    pub fn cashier_message(self) -> &'static str {
        match self {
            ErrorCode::UserPaying => "waiting for the customer to confirm the payment",
            ErrorCode::SystemError => "payment system busy; checking the result",
            ErrorCode::FrequencyLimited => "too many requests; retrying",
            ErrorCode::CodeExpired => "payment code expired: ask the customer to refresh it",
            ErrorCode::InvalidCode => "invalid payment code: scan again",
            ErrorCode::InsufficientFunds => {
                "insufficient balance: the customer should choose another card"
            }
            ErrorCode::CardNotSupported => {
                "card not supported: the customer should choose another card"
            }
            ErrorCode::PaymentDeclined => "payment declined",
            ErrorCode::BuyerMismatch => "paid by another buyer: start a new order",
            ErrorCode::ChannelMismatch => "payment code belongs to another channel: scan again",
            ErrorCode::OrderPaid => "order already paid",
            ErrorCode::OrderClosed => "order closed: start a new order",
            ErrorCode::OrderRevoked => "order reversed: start a new order",
            ErrorCode::OrderNotFound => "order not found",
            ErrorCode::OrderNotPaid => "order not paid",
            ErrorCode::OutTradeNoUsed => "order number already used",
            ErrorCode::OutRefundNoUsed => "refund number already used for another refund",
            ErrorCode::RefundExceeded => "refund exceeds the amount paid",
            ErrorCode::ReverseExpired => "too late to reverse: make a refund",
            ErrorCode::InvalidAmount => "invalid amount",
            ErrorCode::InvalidRequest => "invalid request",
            ErrorCode::NotPermitted => "not permitted for this merchant or terminal",
            ErrorCode::MacInvalid => "message authentication failed: sign in again",
            ErrorCode::NotSignedIn => {
                "terminal not known to the gateway (older gateways): check the QR key"
            }
            ErrorCode::TerminalMismatch => "terminal id mismatch",
            ErrorCode::NotFound => "unknown gateway endpoint",
            ErrorCode::Other => "unknown result; checking",
        }
    }

    /// Maps a channel's own error code (WeChat v2 `err_code`, Alipay `code`/`sub_code`) to the
    /// stable set. Unknown codes map to [`ErrorCode::Other`], which the terminal treats as
    /// "unknown: query" — an unrecognised code is never taken as a definite failure.
    #[must_use]
    pub fn from_channel(channel: Channel, raw: &str) -> ErrorCode {
        match channel {
            Channel::WeChat => match raw {
                "USERPAYING" => ErrorCode::UserPaying,
                "SYSTEMERROR" | "BANKERROR" => ErrorCode::SystemError,
                "FREQUENCY_LIMITED" | "INVALID_REQ_TOO_MUCH" | "BIZERR_NEED_RETRY" => {
                    ErrorCode::FrequencyLimited
                }
                "AUTHCODEEXPIRE" => ErrorCode::CodeExpired,
                "AUTH_CODE_ERROR" | "AUTH_CODE_INVALID" => ErrorCode::InvalidCode,
                "NOTENOUGH" => ErrorCode::InsufficientFunds,
                "NOTSUPORTCARD" => ErrorCode::CardNotSupported,
                "PAYERROR" | "TRADE_ERROR" => ErrorCode::PaymentDeclined,
                "BUYER_MISMATCH" => ErrorCode::BuyerMismatch,
                "ORDERPAID" => ErrorCode::OrderPaid,
                "ORDERCLOSED" => ErrorCode::OrderClosed,
                "ORDERREVERSED" | "REVOKED" => ErrorCode::OrderRevoked,
                "ORDERNOTEXIST" => ErrorCode::OrderNotFound,
                "OUT_TRADE_NO_USED" => ErrorCode::OutTradeNoUsed,
                "REFUND_FEE_INVALID" | "REFUND_FEE_MISMATCH" => ErrorCode::RefundExceeded,
                "REVERSE_EXPIRE" => ErrorCode::ReverseExpired,
                "TOTAL_FEE_INVALID" => ErrorCode::InvalidAmount,
                "PARAM_ERROR"
                | "LACK_PARAMS"
                | "XML_FORMAT_ERROR"
                | "NOT_UTF8"
                | "REQUIRE_POST_METHOD"
                | "SIGNERROR" => ErrorCode::InvalidRequest,
                "NOAUTH" | "APPID_NOT_EXIST" | "MCHID_NOT_EXIST" | "APPID_MCHID_NOT_MATCH" => {
                    ErrorCode::NotPermitted
                }
                _ => ErrorCode::Other,
            },
            Channel::Alipay => match raw {
                "10003" | "WAIT_BUYER_PAY" => ErrorCode::UserPaying,
                "20000" | "ACQ.SYSTEM_ERROR" => ErrorCode::SystemError,
                "ACQ.PAYMENT_AUTH_CODE_INVALID" => ErrorCode::InvalidCode,
                "ACQ.BUYER_BALANCE_NOT_ENOUGH" | "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH" => {
                    ErrorCode::InsufficientFunds
                }
                "ACQ.PAYMENT_FAIL" | "ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR" => {
                    ErrorCode::PaymentDeclined
                }
                "ACQ.TRADE_BUYER_NOT_MATCH" => ErrorCode::BuyerMismatch,
                "ACQ.TRADE_HAS_SUCCESS" => ErrorCode::OrderPaid,
                "ACQ.TRADE_HAS_CLOSE" => ErrorCode::OrderClosed,
                "ACQ.TRADE_NOT_EXIST" => ErrorCode::OrderNotFound,
                "ACQ.CONTEXT_INCONSISTENT" => ErrorCode::OutTradeNoUsed,
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" => ErrorCode::RefundExceeded,
                "ACQ.REASON_TRADE_BEEN_FREEZEN" | "ACQ.TRADE_STATUS_ERROR" => {
                    ErrorCode::OrderNotPaid
                }
                "ACQ.INVALID_PARAMETER" | "40001" => ErrorCode::InvalidRequest,
                "ACQ.ACCESS_FORBIDDEN" | "40006" => ErrorCode::NotPermitted,
                _ => ErrorCode::Other,
            },
            // UnionPay QR reaches the terminal only through the acquirer, whose codes are
            // already the stable set.
            Channel::UnionPay => serde_json::from_value(serde_json::Value::String(raw.into()))
                .unwrap_or(ErrorCode::Other),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of an order at the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeState {
    /// Dynamic order created, nobody has paid yet (WeChat `NOTPAY`).
    Notpay,
    /// The customer is confirming (WeChat `USERPAYING`, Alipay `WAIT_BUYER_PAY`).
    Paying,
    /// Paid (WeChat `SUCCESS`, Alipay `TRADE_SUCCESS`/`TRADE_FINISHED`).
    Success,
    /// Paid, and refunded in part or in full (`refunded_fen` says how much).
    Refunded,
    /// Closed unpaid, or cancelled (Alipay `TRADE_CLOSED`, WeChat `CLOSED`).
    Closed,
    /// Reversed (WeChat `REVOKED`): unpaid and closed, or paid and refunded.
    Revoked,
    /// The payment failed (WeChat `PAYERROR`).
    Payerror,
}

impl TradeState {
    /// The wire form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TradeState::Notpay => "NOTPAY",
            TradeState::Paying => "PAYING",
            TradeState::Success => "SUCCESS",
            TradeState::Refunded => "REFUNDED",
            TradeState::Closed => "CLOSED",
            TradeState::Revoked => "REVOKED",
            TradeState::Payerror => "PAYERROR",
        }
    }

    /// Whether the state is final for the pay flow (no further change without a refund).
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, TradeState::Notpay | TradeState::Paying)
    }

    /// Whether the customer paid (possibly refunded since).
    #[must_use]
    pub fn is_paid(self) -> bool {
        matches!(self, TradeState::Success | TradeState::Refunded)
    }
}

impl fmt::Display for TradeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms_match_serde() {
        let all = [
            ErrorCode::UserPaying,
            ErrorCode::SystemError,
            ErrorCode::FrequencyLimited,
            ErrorCode::CodeExpired,
            ErrorCode::InvalidCode,
            ErrorCode::InsufficientFunds,
            ErrorCode::CardNotSupported,
            ErrorCode::PaymentDeclined,
            ErrorCode::BuyerMismatch,
            ErrorCode::ChannelMismatch,
            ErrorCode::OrderPaid,
            ErrorCode::OrderClosed,
            ErrorCode::OrderRevoked,
            ErrorCode::OrderNotFound,
            ErrorCode::OrderNotPaid,
            ErrorCode::OutTradeNoUsed,
            ErrorCode::OutRefundNoUsed,
            ErrorCode::RefundExceeded,
            ErrorCode::ReverseExpired,
            ErrorCode::InvalidAmount,
            ErrorCode::InvalidRequest,
            ErrorCode::NotPermitted,
            ErrorCode::MacInvalid,
            ErrorCode::NotSignedIn,
            ErrorCode::TerminalMismatch,
            ErrorCode::NotFound,
            ErrorCode::Other,
        ];
        for c in all {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            assert_eq!(
                serde_json::from_str::<ErrorCode>(&format!("\"{}\"", c.as_str())).unwrap(),
                c
            );
            assert_eq!(ErrorCode::from_channel(Channel::UnionPay, c.as_str()), c);
        }
        for s in [
            TradeState::Notpay,
            TradeState::Paying,
            TradeState::Success,
            TradeState::Refunded,
            TradeState::Closed,
            TradeState::Revoked,
            TradeState::Payerror,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn unknown_codes_decode_as_other() {
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"SOMETHING_NEW\"").unwrap(),
            ErrorCode::Other
        );
    }

    #[test]
    fn channel_mapping() {
        use ErrorCode as E;
        let wx = |s| ErrorCode::from_channel(Channel::WeChat, s);
        let ali = |s| ErrorCode::from_channel(Channel::Alipay, s);
        assert_eq!(wx("USERPAYING"), E::UserPaying);
        assert_eq!(wx("AUTHCODEEXPIRE"), E::CodeExpired);
        assert_eq!(wx("NOTENOUGH"), E::InsufficientFunds);
        assert_eq!(wx("SYSTEMERROR"), E::SystemError);
        assert_eq!(wx("BANKERROR"), E::SystemError);
        assert_eq!(wx("ORDERNOTEXIST"), E::OrderNotFound);
        assert_eq!(wx("ORDERPAID"), E::OrderPaid);
        assert_eq!(wx("ORDERCLOSED"), E::OrderClosed);
        assert_eq!(wx("ORDERREVERSED"), E::OrderRevoked);
        assert_eq!(wx("REVERSE_EXPIRE"), E::ReverseExpired);
        assert_eq!(wx("AUTH_CODE_INVALID"), E::InvalidCode);
        assert_eq!(wx("WHATEVER"), E::Other);
        assert_eq!(ali("10003"), E::UserPaying);
        assert_eq!(ali("WAIT_BUYER_PAY"), E::UserPaying);
        assert_eq!(ali("20000"), E::SystemError);
        assert_eq!(ali("ACQ.TRADE_HAS_SUCCESS"), E::OrderPaid);
        assert_eq!(ali("ACQ.PAYMENT_AUTH_CODE_INVALID"), E::InvalidCode);
        assert_eq!(ali("40004"), E::Other);
    }
}
