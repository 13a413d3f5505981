//! What a request came to, as the cashier screen, the CLI and third-party apps see it.
//! Only the masked PAN ever appears here.

use super::response_codes;
use super::txn::{TxnKind, TxnRecord, TxnState};

/// The status of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeStatus {
    /// Approved for the full amount.
    Approved,
    /// Approved for part of the amount (response `10`): collect the rest.
    PartiallyApproved,
    /// Declined by the host (see the response code).
    Declined,
    /// Still being processed.
    InProgress,
    /// Nothing reached the host.
    NotSent,
    /// No valid answer: a reversal is queued; no money moves once it is acknowledged.
    ReversalPending,
    /// Reversed: no money moved.
    Reversed,
    /// The reversal could not be delivered after the retry limit: manual handling needed.
    ReversalParked,
    /// Approved locally and queued for the host (completion advice).
    AdvicePending,
}

impl OutcomeStatus {
    /// Whether money moved (or will, for an advice).
    pub fn is_approved(self) -> bool {
        matches!(
            self,
            OutcomeStatus::Approved
                | OutcomeStatus::PartiallyApproved
                | OutcomeStatus::AdvicePending
        )
    }
}

/// The result of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The caller's request id.
    pub request_id: String,
    /// What was done.
    pub kind: TxnKind,
    /// Where it stands.
    pub status: OutcomeStatus,
    /// Field 39, when the host answered.
    pub response_code: Option<String>,
    /// Text for the cashier (Chinese / English).
    pub message: String,
    /// Requested amount, fen.
    pub amount: u64,
    /// Approved amount, fen (0 unless approved).
    pub approved_amount: u64,
    /// Still to collect after a partial approval, fen.
    pub remaining_amount: u64,
    /// Trace number (field 11).
    pub trace: u32,
    /// Batch number.
    pub batch: u32,
    /// Reference number (field 37).
    pub rrn: Option<String>,
    /// Authorisation code (field 38).
    pub auth_code: Option<String>,
    /// Card number, first 6 and last 4 digits only.
    pub masked_pan: Option<String>,
    /// Card organisation (`CUP`, `VIS`, ...).
    pub card_org: Option<String>,
    /// Balance in fen after a balance inquiry.
    pub balance: Option<i64>,
    /// Local date MMDD.
    pub date: String,
    /// Local time hhmmss.
    pub time: String,
    /// Something the cashier must know that does not change the result (e.g. the printer
    /// failed after an approval: reprint the receipt).
    pub notice: Option<String>,
    /// The merchant app's own order number, when it gave one.
    pub order_no: Option<String>,
    /// An approved void (or, for a pre-authorisation, a void or completion void) cancelled
    /// this transaction: the money moved back.
    pub voided: bool,
    /// A void, refund or completion: the trace number of its original (0 for a QR original).
    pub original_trace: Option<u32>,
    /// A void, refund or completion: its original's request id, when the original belongs to
    /// the same caller.
    pub original_request_id: Option<String>,
    /// A QR payment, refund or void: its QR order (refund) number; `None` for a card row.
    pub qr_order_no: Option<String>,
}

/// Parses an ISO balance (`1002156C000000012345`: account type, amount type, currency,
/// sign, 12 digits) into signed fen. The first balance set counts.
pub fn parse_balance(field54: &str) -> Option<i64> {
    let set = field54.get(..20)?;
    let sign = match set.as_bytes().get(7)? {
        b'C' => 1,
        b'D' => -1,
        _ => return None,
    };
    set.get(8..20)?.parse::<i64>().ok().map(|v| sign * v)
}

impl Outcome {
    /// The outcome recorded in a journal row.
    pub fn from_record(r: &TxnRecord) -> Outcome {
        let code = r.response_code.clone();
        let status = match r.state {
            TxnState::Sending => OutcomeStatus::InProgress,
            TxnState::Approved if code.as_deref() == Some("10") => OutcomeStatus::PartiallyApproved,
            TxnState::Approved => OutcomeStatus::Approved,
            TxnState::Declined => OutcomeStatus::Declined,
            TxnState::NotSent => OutcomeStatus::NotSent,
            TxnState::ReversalPending => OutcomeStatus::ReversalPending,
            TxnState::Reversed => OutcomeStatus::Reversed,
            TxnState::ReversalParked => OutcomeStatus::ReversalParked,
            TxnState::AdvicePending => OutcomeStatus::AdvicePending,
        };
        let approved = if status.is_approved() {
            r.effective_amount()
        } else {
            0
        };
        let message = match (&status, &code) {
            (OutcomeStatus::ReversalPending, _) => {
                "无应答，交易将被冲正 / No answer: the transaction is being reversed".to_owned()
            }
            (OutcomeStatus::Reversed, _) => "交易已冲正 / Reversed: no money moved".to_owned(),
            (OutcomeStatus::ReversalParked, _) => {
                "冲正失败，请联系收单机构 / Reversal failed: call the acquirer".to_owned()
            }
            (OutcomeStatus::NotSent, _) => "交易未发送 / Not sent: nothing was charged".to_owned(),
            (OutcomeStatus::InProgress, _) => "交易处理中 / In progress".to_owned(),
            (OutcomeStatus::AdvicePending, _) => {
                "交易成功（通知待上送） / Approved (advice queued)".to_owned()
            }
            (_, Some(c)) => {
                let info = response_codes::lookup(c);
                format!("{} / {}", info.zh, info.en)
            }
            (_, None) => String::new(),
        };
        Outcome {
            request_id: r.request_id.clone(),
            kind: r.kind,
            status,
            response_code: code,
            message,
            amount: r.amount,
            approved_amount: approved,
            remaining_amount: if status == OutcomeStatus::PartiallyApproved {
                r.amount.saturating_sub(approved)
            } else {
                0
            },
            trace: r.trace,
            batch: r.batch,
            rrn: r.rrn.clone(),
            auth_code: r.auth_code.clone(),
            masked_pan: r.pan_masked.clone(),
            card_org: r.card_org.clone(),
            balance: r.balance.as_deref().and_then(parse_balance),
            date: r.local_date.clone(),
            time: r.local_time.clone(),
            notice: None,
            order_no: r.order_no.clone(),
            voided: r.voided,
            original_trace: None,
            original_request_id: None,
            qr_order_no: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances() {
        assert_eq!(parse_balance("1002156C000000012345"), Some(12_345));
        assert_eq!(parse_balance("1002156D000000000100"), Some(-100));
        assert_eq!(parse_balance("short"), None);
    }
}
