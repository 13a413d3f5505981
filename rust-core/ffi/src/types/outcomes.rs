//! Outcomes of transactions: kinds, statuses and the stable decline codes.

use super::{to_i32, to_i64};
use unipos_terminal as t;

/// What a journal entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TxnKind {
    /// Balance inquiry.
    BalanceInquiry,
    /// Sale.
    Sale,
    /// Sale void.
    SaleVoid,
    /// Refund.
    Refund,
    /// Pre-authorisation.
    PreAuth,
    /// Pre-authorisation void.
    PreAuthVoid,
    /// Completion (request).
    Completion,
    /// Completion (advice).
    CompletionAdvice,
    /// Completion void.
    CompletionVoid,
    /// QR payment.
    QrPay,
    /// QR refund.
    QrRefund,
    /// A kind this version of the bindings does not know (see `kindName`).
    Other,
}

impl TxnKind {
    /// From the engine's stable kind name, so kinds added later map to `Other` instead of
    /// breaking the build or the ABI.
    fn from_name(name: &str) -> TxnKind {
        match name {
            "balance" => TxnKind::BalanceInquiry,
            "sale" => TxnKind::Sale,
            "sale_void" => TxnKind::SaleVoid,
            "refund" => TxnKind::Refund,
            "preauth" => TxnKind::PreAuth,
            "preauth_void" => TxnKind::PreAuthVoid,
            "completion" => TxnKind::Completion,
            "completion_advice" => TxnKind::CompletionAdvice,
            "completion_void" => TxnKind::CompletionVoid,
            "qr_pay" | "qr_sale" | "qr" => TxnKind::QrPay,
            "qr_refund" => TxnKind::QrRefund,
            _ => TxnKind::Other,
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OutcomeStatus {
    /// Approved for the full amount.
    Approved,
    /// Approved for part of the amount: collect the rest.
    PartiallyApproved,
    /// Declined by the host.
    Declined,
    /// Still being processed.
    InProgress,
    /// Nothing reached the host.
    NotSent,
    /// No valid answer: a reversal is queued (outcome unknown until it is acknowledged).
    ReversalPending,
    /// Reversed: no money moved.
    Reversed,
    /// The reversal failed after the retry limit: manual handling.
    ReversalParked,
    /// Approved locally, advice queued.
    AdvicePending,
}

/// The result of a request. Only the masked PAN ever appears here.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Outcome {
    /// The caller's request id.
    pub request_id: String,
    /// What was done.
    pub kind: TxnKind,
    /// The engine's stable kind name (`sale`, `refund`, ...).
    pub kind_name: String,
    /// Where it stands.
    pub status: OutcomeStatus,
    /// The contract code of this outcome: 0 approved, 2xxx declined, 3xxx not sent / unknown /
    /// reversed (same table as errors).
    pub error_code: i32,
    /// Field 39, when the host answered.
    pub response_code: Option<String>,
    /// Text for the cashier.
    pub message: String,
    /// Requested amount, fen.
    pub amount: i64,
    /// Approved amount, fen.
    pub approved_amount: i64,
    /// Still to collect after a partial approval, fen.
    pub remaining_amount: i64,
    /// Trace number.
    pub trace: i32,
    /// Batch number.
    pub batch: i32,
    /// Reference number (field 37).
    pub rrn: Option<String>,
    /// Authorisation code (field 38).
    pub auth_code: Option<String>,
    /// Card number, first 6 and last 4 digits only.
    pub masked_pan: Option<String>,
    /// Card organisation.
    pub card_org: Option<String>,
    /// Balance, fen (balance inquiry).
    pub balance: Option<i64>,
    /// Local date MMDD.
    pub date: String,
    /// Local time hhmmss.
    pub time: String,
    /// Something the cashier must know that does not change the result.
    pub notice: Option<String>,
    /// 0, or the 4xxx printer code when the receipt of this call could not be printed.
    pub print_error_code: i32,
    /// The merchant app's own order number, when it gave one.
    pub order_no: Option<String>,
    /// An approved void cancelled this transaction (the money moved back).
    pub voided: bool,
    /// A void, refund or completion: its original's trace number.
    pub original_trace: Option<i32>,
    /// A void, refund or completion: its original's request id (same caller only).
    pub original_request_id: Option<String>,
    /// A QR payment, refund or void: its QR order (refund) number; `null` for a card row.
    pub qr_order_no: Option<String>,
}

/// The contract code of a host response code (field 39) of a decline.
pub fn decline_code(response_code: &str) -> i32 {
    match response_code {
        "51" => 2002,
        "55" => 2003,
        "75" => 2004,
        "54" | "33" => 2005,
        "04" | "07" | "14" | "15" | "34" | "41" | "43" | "57" | "59" | "62" => 2006,
        "03" | "58" | "97" => 2007,
        _ => 2001,
    }
}

/// The code of a QR payment that failed for good, from the gateway's error code.
pub fn qr_failure_code(gateway_error: Option<&str>) -> i32 {
    match gateway_error {
        Some("INSUFFICIENT_FUNDS") => 2002,
        _ => 2009,
    }
}

/// A QR payment not completed: reversed before any charge, or a shown code closed unpaid
/// (`QR_PAYMENT_CLOSED`).
pub const QR_NOT_COMPLETED: i32 = 2010;

impl From<t::Outcome> for Outcome {
    fn from(o: t::Outcome) -> Self {
        let status = match o.status {
            t::OutcomeStatus::Approved => OutcomeStatus::Approved,
            t::OutcomeStatus::PartiallyApproved => OutcomeStatus::PartiallyApproved,
            t::OutcomeStatus::Declined => OutcomeStatus::Declined,
            t::OutcomeStatus::InProgress => OutcomeStatus::InProgress,
            t::OutcomeStatus::NotSent => OutcomeStatus::NotSent,
            t::OutcomeStatus::ReversalPending => OutcomeStatus::ReversalPending,
            t::OutcomeStatus::Reversed => OutcomeStatus::Reversed,
            t::OutcomeStatus::ReversalParked => OutcomeStatus::ReversalParked,
            t::OutcomeStatus::AdvicePending => OutcomeStatus::AdvicePending,
        };
        // A QR payment's card-shaped projection (`qr_order_no` set) keeps the codes its QR outcome
        // has, so a query answers what the transaction's own result said.
        let qr = o.qr_order_no.is_some();
        let error_code = match status {
            OutcomeStatus::Approved
            | OutcomeStatus::PartiallyApproved
            | OutcomeStatus::AdvicePending => 0,
            OutcomeStatus::Declined if qr => qr_failure_code(o.response_code.as_deref()),
            OutcomeStatus::Reversed if qr => QR_NOT_COMPLETED,
            OutcomeStatus::Declined => decline_code(o.response_code.as_deref().unwrap_or("")),
            OutcomeStatus::InProgress => 1002,
            OutcomeStatus::NotSent => 3001,
            OutcomeStatus::ReversalPending | OutcomeStatus::ReversalParked => 3003,
            OutcomeStatus::Reversed => 3002,
        };
        let kind_name = o.kind.as_str().to_owned();
        Outcome {
            request_id: o.request_id,
            kind: TxnKind::from_name(&kind_name),
            kind_name,
            status,
            error_code,
            response_code: o.response_code,
            message: o.message,
            amount: to_i64(o.amount),
            approved_amount: to_i64(o.approved_amount),
            remaining_amount: to_i64(o.remaining_amount),
            trace: to_i32(o.trace),
            batch: to_i32(o.batch),
            rrn: o.rrn,
            auth_code: o.auth_code,
            masked_pan: o.masked_pan,
            card_org: o.card_org,
            balance: o.balance,
            date: o.date,
            time: o.time,
            notice: o.notice,
            print_error_code: 0,
            order_no: o.order_no,
            voided: o.voided,
            original_trace: o.original_trace.map(to_i32),
            original_request_id: o.original_request_id,
            qr_order_no: o.qr_order_no,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decline_codes() {
        assert_eq!(decline_code("51"), 2002);
        assert_eq!(decline_code("05"), 2001);
    }

    fn engine_outcome(status: t::OutcomeStatus, qr_order_no: Option<&str>) -> t::Outcome {
        t::Outcome {
            request_id: "r1".into(),
            kind: t::TxnKind::Sale,
            status,
            response_code: qr_order_no.map(|_| "INSUFFICIENT_FUNDS".to_owned()),
            message: String::new(),
            amount: 100,
            approved_amount: 0,
            remaining_amount: 0,
            trace: 0,
            batch: 1,
            rrn: None,
            auth_code: None,
            masked_pan: None,
            card_org: None,
            balance: None,
            date: "1201".into(),
            time: "101010".into(),
            notice: None,
            order_no: None,
            voided: false,
            original_trace: None,
            original_request_id: None,
            qr_order_no: qr_order_no.map(str::to_owned),
        }
    }

    #[test]
    fn a_qr_payment_queried_keeps_the_codes_of_its_own_result() {
        let code = |s, qr| Outcome::from(engine_outcome(s, qr)).error_code;
        // A shown code closed unpaid (or a scanned one reversed) is "not completed", as the QR
        // outcome says; a card sale reversed after a lost answer is "no answer, reversed".
        assert_eq!(
            code(t::OutcomeStatus::Reversed, Some("Q1")),
            QR_NOT_COMPLETED
        );
        assert_eq!(code(t::OutcomeStatus::Reversed, None), 3002);
        assert_eq!(code(t::OutcomeStatus::Declined, Some("Q1")), 2002);
        assert_eq!(code(t::OutcomeStatus::Declined, None), 2001);
    }
}
