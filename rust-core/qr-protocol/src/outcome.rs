//! What an answer means for the terminal's state machine (QR.md §7a).
//!
//! The rules, in order of importance:
//!
//! 1. Only an authenticated answer counts. A transport failure after the request may have
//!    left, a bad MAC, a body that does not decode or does not echo the order: all are
//!    "no valid answer" and never a success or a failure ([`PayOutcome::no_answer`]).
//! 2. `result` is the gateway's claim; the classification trusts it only where that is safe.
//!    A `FAIL` is a *definite* failure (nothing charged, the order is finished) only for the
//!    codes in [`is_definite_pay_failure`]. Any other code — `ORDER_PAID`,
//!    `OUT_TRADE_NO_USED`, an unrecognised one — means "query".
//! 3. A success must be consistent: paid amount equal to the requested amount and a paid
//!    trade state; anything else is queried (and, if it stays odd, reversed).

use crate::channel::Channel;
use crate::codes::{ErrorCode, QrResult, TradeState};
use crate::error::QrProtocolError;
use crate::messages::{
    CloseResponse, CreateResponse, OrderInfo, PayRequest, PayResponse, QueryResponse,
    RefundRequest, RefundResponse, ReverseAction, ReverseResponse,
};

/// A confirmed payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidInfo {
    /// The channel that took the payment.
    pub channel: Option<Channel>,
    /// The channel's transaction id.
    pub channel_trade_no: Option<String>,
    /// Amount paid in fen.
    pub paid_fen: u64,
    /// Refunded so far in fen.
    pub refunded_fen: u64,
    /// When, `yyyyMMddHHmmss`.
    pub paid_time: Option<String>,
}

/// Why the outcome of a pay is not known yet; selects the first query delay
/// ([`crate::timers::ChannelTimers::first_query_delay_ms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryReason {
    /// The customer is confirming in the wallet (`USER_PAYING`).
    UserPaying,
    /// The gateway or channel reported a system error or busy (`SYSTEM_ERROR`, `FREQUENCY_LIMITED`).
    SystemError,
    /// The order number already exists (`ORDER_PAID`, `OUT_TRADE_NO_USED`): only a query tells
    /// whether it was paid, and with which amount.
    OrderExists(ErrorCode),
    /// No authenticated answer (timeout, reset, 5xx without MAC, bad MAC, garbled body).
    NoValidAnswer,
    /// An answer the rules do not recognise as final (unknown code, inconsistent success).
    Unclear,
}

/// What a `pay` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    /// Paid: print the receipt.
    Paid(PaidInfo),
    /// Definitely not charged; the order is finished (FAILED). The code says why.
    DefinitelyFailed(ErrorCode),
    /// Unknown: go to QUERYING (never re-send the pay).
    NeedsQuery(QueryReason),
}

/// The codes that prove a pay did not charge the customer: the request was refused before
/// or by the channel, and the order is finished.
#[must_use]
pub fn is_definite_pay_failure(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::CodeExpired
            | ErrorCode::InvalidCode
            | ErrorCode::InsufficientFunds
            | ErrorCode::CardNotSupported
            | ErrorCode::PaymentDeclined
            | ErrorCode::BuyerMismatch
            | ErrorCode::ChannelMismatch
            | ErrorCode::OrderClosed
            | ErrorCode::OrderRevoked
            | ErrorCode::InvalidAmount
            | ErrorCode::InvalidRequest
            | ErrorCode::NotPermitted
            | ErrorCode::TerminalMismatch
            | ErrorCode::NotFound
    )
}

fn paid_info(order: &OrderInfo, expected_fen: Option<u64>) -> Option<PaidInfo> {
    let state = order.trade_state?;
    if !state.is_paid() {
        return None;
    }
    let paid_fen = order.paid_fen.or(order.amount_fen)?;
    if expected_fen.is_some_and(|e| e != paid_fen) {
        return None;
    }
    Some(PaidInfo {
        channel: order.channel,
        channel_trade_no: order.channel_trade_no.clone(),
        paid_fen,
        refunded_fen: order.refunded_fen.unwrap_or(0),
        paid_time: order.paid_time.clone(),
    })
}

impl PayOutcome {
    /// The outcome when no authenticated answer arrived after the request may have been sent.
    #[must_use]
    pub fn no_answer() -> Self {
        PayOutcome::NeedsQuery(QueryReason::NoValidAnswer)
    }

    /// Classifies the result of [`crate::auth::open_response`] for a pay.
    #[must_use]
    pub fn classify(request: &PayRequest, reply: &Result<PayResponse, QrProtocolError>) -> Self {
        let Ok(resp) = reply else {
            return PayOutcome::no_answer();
        };
        let code = resp.status.code.unwrap_or(ErrorCode::Other);
        match resp.status.result {
            QrResult::Success => match paid_info(&resp.order, Some(request.amount_fen)) {
                Some(info) if resp.order.trade_state == Some(TradeState::Success) => {
                    PayOutcome::Paid(info)
                }
                _ => PayOutcome::NeedsQuery(QueryReason::Unclear),
            },
            QrResult::Unknown => PayOutcome::NeedsQuery(reason_for(code)),
            QrResult::Fail => {
                let claims_paid = resp.order.trade_state.is_some_and(TradeState::is_paid);
                if is_definite_pay_failure(code) && !claims_paid {
                    PayOutcome::DefinitelyFailed(code)
                } else {
                    PayOutcome::NeedsQuery(reason_for(code))
                }
            }
        }
    }
}

fn reason_for(code: ErrorCode) -> QueryReason {
    match code {
        ErrorCode::UserPaying => QueryReason::UserPaying,
        ErrorCode::SystemError | ErrorCode::FrequencyLimited => QueryReason::SystemError,
        ErrorCode::OrderPaid | ErrorCode::OutTradeNoUsed => QueryReason::OrderExists(code),
        _ => QueryReason::Unclear,
    }
}

/// What a `query` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOutcome {
    /// Paid (with the requested amount): PAID.
    Paid(PaidInfo),
    /// Finished without a charge, or charged and returned (`CLOSED`, `REVOKED`, `PAYERROR`):
    /// FAILED / REVERSED.
    Failed(TradeState),
    /// Still open (`PAYING`, `NOTPAY`): query again until the deadline, then reverse/close.
    Pending(TradeState),
    /// `ORDER_NOT_FOUND`: the pay may still be in flight; keep querying until the deadline,
    /// then reverse (the reverse of an unknown order closes its number for good).
    NotFound,
    /// No usable answer: query again.
    Unknown,
}

impl QueryOutcome {
    /// Classifies a query answer. `expected_fen` is the order amount the terminal asked for;
    /// a paid state with another amount is [`QueryOutcome::Unknown`] (reverse at the deadline).
    #[must_use]
    pub fn classify(
        expected_fen: Option<u64>,
        reply: &Result<QueryResponse, QrProtocolError>,
    ) -> Self {
        let Ok(resp) = reply else {
            return QueryOutcome::Unknown;
        };
        match resp.status.result {
            QrResult::Success => match resp.order.trade_state {
                Some(s) if s.is_paid() => paid_info(&resp.order, expected_fen)
                    .map_or(QueryOutcome::Unknown, QueryOutcome::Paid),
                Some(s @ (TradeState::Paying | TradeState::Notpay)) => QueryOutcome::Pending(s),
                Some(s) => QueryOutcome::Failed(s),
                None => QueryOutcome::Unknown,
            },
            QrResult::Fail if resp.status.code == Some(ErrorCode::OrderNotFound) => {
                QueryOutcome::NotFound
            }
            _ => QueryOutcome::Unknown,
        }
    }
}

/// What a `reverse` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReverseOutcome {
    /// Reversed; `refunded` is true when the order had been paid and the money was returned
    /// (print "payment cancelled, refunded").
    Done {
        /// Whether money was returned.
        refunded: bool,
    },
    /// Call reverse again after the retry interval (`retry`, `UNKNOWN`, no valid answer).
    Retry,
    /// The gateway will not reverse this order (e.g. `REVERSE_EXPIRED`: refund instead);
    /// hand it to manual handling.
    Rejected(ErrorCode),
}

impl ReverseOutcome {
    /// Classifies a reverse answer.
    #[must_use]
    pub fn classify(reply: &Result<ReverseResponse, QrProtocolError>) -> Self {
        let Ok(resp) = reply else {
            return ReverseOutcome::Retry;
        };
        if resp.retry {
            return ReverseOutcome::Retry;
        }
        match (resp.status.result, resp.status.code) {
            (QrResult::Success, _) => ReverseOutcome::Done {
                refunded: resp.action == Some(ReverseAction::Refund)
                    || resp.order.refunded_fen.is_some_and(|f| f > 0),
            },
            (
                QrResult::Fail,
                Some(
                    c @ (ErrorCode::ReverseExpired
                    | ErrorCode::InvalidRequest
                    | ErrorCode::NotPermitted
                    | ErrorCode::TerminalMismatch
                    | ErrorCode::NotFound),
                ),
            ) => ReverseOutcome::Rejected(c),
            _ => ReverseOutcome::Retry,
        }
    }
}

/// What a `refund` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Refunded (possibly by an earlier attempt with the same `out_refund_no`).
    Refunded {
        /// This refund's amount in fen.
        refund_fen: u64,
        /// All refunds of the order in fen.
        refunded_total_fen: u64,
        /// The channel's refund id.
        channel_refund_no: Option<String>,
        /// When, `yyyyMMddHHmmss`.
        refund_time: Option<String>,
    },
    /// Retry later **with the same `out_refund_no`**.
    Retry,
    /// Refused; nothing was refunded.
    Rejected(ErrorCode),
}

impl RefundOutcome {
    /// Classifies a refund answer.
    #[must_use]
    pub fn classify(
        request: &RefundRequest,
        reply: &Result<RefundResponse, QrProtocolError>,
    ) -> Self {
        let Ok(resp) = reply else {
            return RefundOutcome::Retry;
        };
        match (resp.status.result, resp.status.code) {
            (QrResult::Success, _) => {
                let same_refund = resp.out_refund_no.as_deref() == Some(&request.out_refund_no)
                    && resp.refund_fen == Some(request.refund_fen);
                // A success that names another refund contradicts the request: the gateway
                // may have refunded, so this is not a refusal (taking it for one invites a
                // second refund by other means). Sent again with the same out_refund_no, it is
                // answered once more; a number really used for another refund gets
                // OUT_REFUND_NO_USED, which is a refusal.
                if !same_refund {
                    return RefundOutcome::Retry;
                }
                RefundOutcome::Refunded {
                    refund_fen: request.refund_fen,
                    refunded_total_fen: resp.refunded_total_fen.unwrap_or(request.refund_fen),
                    channel_refund_no: resp.channel_refund_no.clone(),
                    refund_time: resp.refund_time.clone(),
                }
            }
            (QrResult::Unknown, _)
            | (
                QrResult::Fail,
                None
                | Some(ErrorCode::SystemError | ErrorCode::FrequencyLimited | ErrorCode::Other),
            ) => RefundOutcome::Retry,
            (QrResult::Fail, Some(code)) => RefundOutcome::Rejected(code),
        }
    }
}

/// What a `close` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseOutcome {
    /// Closed (or already closed/reversed): nothing charged.
    Closed,
    /// The customer paid before the close: query and complete the sale (or refund it).
    AlreadyPaid,
    /// Call close again.
    Retry,
    /// Refused for another reason; manual handling.
    Rejected(ErrorCode),
}

impl CloseOutcome {
    /// Classifies a close answer.
    #[must_use]
    pub fn classify(reply: &Result<CloseResponse, QrProtocolError>) -> Self {
        let Ok(resp) = reply else {
            return CloseOutcome::Retry;
        };
        match (resp.status.result, resp.status.code) {
            (QrResult::Success, _) => CloseOutcome::Closed,
            (QrResult::Fail, Some(ErrorCode::OrderPaid)) => CloseOutcome::AlreadyPaid,
            (QrResult::Fail, Some(ErrorCode::OrderClosed | ErrorCode::OrderRevoked)) => {
                CloseOutcome::Closed
            }
            (
                QrResult::Fail,
                Some(
                    c @ (ErrorCode::InvalidRequest
                    | ErrorCode::NotPermitted
                    | ErrorCode::TerminalMismatch
                    | ErrorCode::NotFound),
                ),
            ) => CloseOutcome::Rejected(c),
            _ => CloseOutcome::Retry,
        }
    }
}

/// What a `create` answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// Show `code_url` as a QR code and start querying.
    Created {
        /// The URL to encode.
        code_url: String,
        /// When the gateway closes it, `yyyyMMddHHmmss`.
        expire_time: Option<String>,
    },
    /// Refused; no order exists.
    Rejected(ErrorCode),
    /// Unknown whether the order exists: close it (close of an unknown order is harmless).
    Unknown,
}

impl CreateOutcome {
    /// Classifies a create answer.
    #[must_use]
    pub fn classify(reply: &Result<CreateResponse, QrProtocolError>) -> Self {
        let Ok(resp) = reply else {
            return CreateOutcome::Unknown;
        };
        match (resp.status.result, resp.status.code, &resp.code_url) {
            (QrResult::Success, _, Some(url)) if !url.is_empty() => CreateOutcome::Created {
                code_url: url.clone(),
                expire_time: resp.expire_time.clone(),
            },
            (
                QrResult::Fail,
                Some(
                    c @ (ErrorCode::InvalidAmount
                    | ErrorCode::InvalidRequest
                    | ErrorCode::NotPermitted
                    | ErrorCode::OutTradeNoUsed
                    | ErrorCode::OrderClosed
                    | ErrorCode::OrderRevoked
                    | ErrorCode::TerminalMismatch
                    | ErrorCode::NotFound),
                ),
                _,
            ) => CreateOutcome::Rejected(c),
            _ => CreateOutcome::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{decode_response, Status};

    fn req() -> PayRequest {
        PayRequest {
            terminal_id: "12345678".into(),
            merchant_id: "M1".into(),
            out_trade_no: "A1".into(),
            amount_fen: 100,
            auth_code: "134919586213926735".into(),
            channel: Some(Channel::WeChat),
            subject: None,
            description: None,
            request_time: "20261121093000".into(),
        }
    }

    fn pay(json: &str) -> PayOutcome {
        PayOutcome::classify(&req(), &decode_response(json.as_bytes()))
    }

    #[test]
    fn pay_classification() {
        assert!(matches!(
            pay(r#"{"result":"SUCCESS","trade_state":"SUCCESS","paid_fen":100}"#),
            PayOutcome::Paid(PaidInfo { paid_fen: 100, .. })
        ));
        // Wrong amount, missing state: never "paid" on trust.
        assert_eq!(
            pay(r#"{"result":"SUCCESS","trade_state":"SUCCESS","paid_fen":99}"#),
            PayOutcome::NeedsQuery(QueryReason::Unclear)
        );
        assert_eq!(
            pay(r#"{"result":"SUCCESS"}"#),
            PayOutcome::NeedsQuery(QueryReason::Unclear)
        );
        assert_eq!(
            pay(r#"{"result":"UNKNOWN","code":"USER_PAYING"}"#),
            PayOutcome::NeedsQuery(QueryReason::UserPaying)
        );
        assert_eq!(
            pay(r#"{"result":"FAIL","code":"USER_PAYING"}"#),
            PayOutcome::NeedsQuery(QueryReason::UserPaying)
        );
        assert_eq!(
            pay(r#"{"result":"UNKNOWN","code":"SYSTEM_ERROR"}"#),
            PayOutcome::NeedsQuery(QueryReason::SystemError)
        );
        for definite in [
            "CODE_EXPIRED",
            "INSUFFICIENT_FUNDS",
            "INVALID_CODE",
            "ORDER_CLOSED",
            "ORDER_REVOKED",
            "CHANNEL_MISMATCH",
        ] {
            assert!(
                matches!(
                    pay(&format!(r#"{{"result":"FAIL","code":"{definite}"}}"#)),
                    PayOutcome::DefinitelyFailed(_)
                ),
                "{definite}"
            );
        }
        for unclear in [
            "ORDER_PAID",
            "OUT_TRADE_NO_USED",
            "SOMETHING_NEW",
            "ORDER_NOT_FOUND",
        ] {
            assert!(
                matches!(
                    pay(&format!(r#"{{"result":"FAIL","code":"{unclear}"}}"#)),
                    PayOutcome::NeedsQuery(_)
                ),
                "{unclear}"
            );
        }
        assert_eq!(
            pay(r#"{"result":"FAIL","code":"ORDER_PAID"}"#),
            PayOutcome::NeedsQuery(QueryReason::OrderExists(ErrorCode::OrderPaid))
        );
        assert_eq!(
            pay(r#"{"result":"FAIL"}"#),
            PayOutcome::NeedsQuery(QueryReason::Unclear)
        );
        // A "definite" code contradicted by a paid state is not definite.
        assert!(matches!(
            pay(r#"{"result":"FAIL","code":"CODE_EXPIRED","trade_state":"SUCCESS"}"#),
            PayOutcome::NeedsQuery(_)
        ));
        // No valid answer.
        assert_eq!(pay("garbage"), PayOutcome::no_answer());
        assert_eq!(
            PayOutcome::classify(&req(), &Err(QrProtocolError::MacMismatch)),
            PayOutcome::NeedsQuery(QueryReason::NoValidAnswer)
        );
    }

    #[test]
    fn query_classification() {
        let q = |json: &str| QueryOutcome::classify(Some(100), &decode_response(json.as_bytes()));
        assert!(matches!(
            q(r#"{"result":"SUCCESS","trade_state":"SUCCESS","paid_fen":100}"#),
            QueryOutcome::Paid(_)
        ));
        assert!(matches!(
            q(r#"{"result":"SUCCESS","trade_state":"REFUNDED","paid_fen":100,"refunded_fen":50}"#),
            QueryOutcome::Paid(PaidInfo {
                refunded_fen: 50,
                ..
            })
        ));
        assert_eq!(
            q(r#"{"result":"SUCCESS","trade_state":"SUCCESS","paid_fen":1}"#),
            QueryOutcome::Unknown
        );
        assert_eq!(
            q(r#"{"result":"SUCCESS","trade_state":"PAYING"}"#),
            QueryOutcome::Pending(TradeState::Paying)
        );
        assert_eq!(
            q(r#"{"result":"SUCCESS","trade_state":"REVOKED"}"#),
            QueryOutcome::Failed(TradeState::Revoked)
        );
        assert_eq!(
            q(r#"{"result":"SUCCESS","trade_state":"PAYERROR"}"#),
            QueryOutcome::Failed(TradeState::Payerror)
        );
        assert_eq!(
            q(r#"{"result":"FAIL","code":"ORDER_NOT_FOUND"}"#),
            QueryOutcome::NotFound
        );
        assert_eq!(
            q(r#"{"result":"UNKNOWN","code":"SYSTEM_ERROR"}"#),
            QueryOutcome::Unknown
        );
        assert_eq!(q(r#"{"result":"SUCCESS"}"#), QueryOutcome::Unknown);
    }

    #[test]
    fn reverse_classification() {
        let r = |json: &str| ReverseOutcome::classify(&decode_response(json.as_bytes()));
        assert_eq!(
            r(r#"{"result":"SUCCESS","action":"CLOSE"}"#),
            ReverseOutcome::Done { refunded: false }
        );
        assert_eq!(
            r(r#"{"result":"SUCCESS","action":"REFUND"}"#),
            ReverseOutcome::Done { refunded: true }
        );
        assert_eq!(
            r(r#"{"result":"SUCCESS","retry":true}"#),
            ReverseOutcome::Retry
        );
        assert_eq!(
            r(r#"{"result":"UNKNOWN","code":"SYSTEM_ERROR","retry":true}"#),
            ReverseOutcome::Retry
        );
        assert_eq!(
            r(r#"{"result":"FAIL","code":"SYSTEM_ERROR"}"#),
            ReverseOutcome::Retry
        );
        assert_eq!(
            r(r#"{"result":"FAIL","code":"REVERSE_EXPIRED"}"#),
            ReverseOutcome::Rejected(ErrorCode::ReverseExpired)
        );
        assert_eq!(
            ReverseOutcome::classify(&Err(QrProtocolError::MacMissing)),
            ReverseOutcome::Retry
        );
    }

    #[test]
    fn refund_close_create_classification() {
        let rr = RefundRequest {
            terminal_id: "12345678".into(),
            merchant_id: "M1".into(),
            out_trade_no: "A1".into(),
            out_refund_no: "R1".into(),
            refund_fen: 30,
            reason: None,
            request_time: "20261121093000".into(),
        };
        let f = |json: &str| RefundOutcome::classify(&rr, &decode_response(json.as_bytes()));
        assert!(matches!(
            f(
                r#"{"result":"SUCCESS","out_refund_no":"R1","refund_fen":30,"refunded_total_fen":60}"#
            ),
            RefundOutcome::Refunded {
                refunded_total_fen: 60,
                ..
            }
        ));
        assert_eq!(
            f(r#"{"result":"SUCCESS","out_refund_no":"R1","refund_fen":31}"#),
            RefundOutcome::Retry
        );
        assert_eq!(
            f(r#"{"result":"SUCCESS","out_refund_no":"R2","refund_fen":30}"#),
            RefundOutcome::Retry
        );
        assert_eq!(
            f(r#"{"result":"FAIL","code":"OUT_REFUND_NO_USED"}"#),
            RefundOutcome::Rejected(ErrorCode::OutRefundNoUsed)
        );
        assert_eq!(
            f(r#"{"result":"UNKNOWN","code":"SYSTEM_ERROR"}"#),
            RefundOutcome::Retry
        );
        assert_eq!(
            f(r#"{"result":"FAIL","code":"REFUND_EXCEEDED"}"#),
            RefundOutcome::Rejected(ErrorCode::RefundExceeded)
        );

        let c = |json: &str| CloseOutcome::classify(&decode_response(json.as_bytes()));
        assert_eq!(
            c(r#"{"result":"SUCCESS","trade_state":"CLOSED"}"#),
            CloseOutcome::Closed
        );
        assert_eq!(
            c(r#"{"result":"FAIL","code":"ORDER_PAID"}"#),
            CloseOutcome::AlreadyPaid
        );
        assert_eq!(
            c(r#"{"result":"UNKNOWN","code":"SYSTEM_ERROR"}"#),
            CloseOutcome::Retry
        );

        let k = |json: &str| CreateOutcome::classify(&decode_response(json.as_bytes()));
        assert!(matches!(
            k(r#"{"result":"SUCCESS","code_url":"https://qr.unipos.example/pay/x"}"#),
            CreateOutcome::Created { .. }
        ));
        assert_eq!(k(r#"{"result":"SUCCESS"}"#), CreateOutcome::Unknown);
        assert_eq!(
            k(r#"{"result":"FAIL","code":"INVALID_AMOUNT"}"#),
            CreateOutcome::Rejected(ErrorCode::InvalidAmount)
        );
        let _ = Status::success();
    }
}
