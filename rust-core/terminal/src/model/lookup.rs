//! Finding transactions the way a cashier names them: an original by trace, by reference
//! number and date, or by authorisation code and date; the journal by kind and trace.

use super::outcome::Outcome;
use super::qr::{QrOutcome, QrStatus};
use super::txn::{TxnKind, TxnRecord};

/// How the cashier names the original of a void, refund or completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginalKey {
    /// Trace number (凭证号) in the current batch: sale void, completion void.
    Trace(u32),
    /// Reference number (参考号, field 37) and date MMDD: refund.
    Rrn {
        /// 12 characters.
        rrn: String,
        /// MMDD of the original.
        date: String,
    },
    /// Authorisation code (授权码, field 38) and date MMDD of a pre-authorisation: pre-auth
    /// void, completion.
    AuthCode {
        /// 6 characters.
        auth_code: String,
        /// MMDD of the pre-authorisation.
        date: String,
    },
}

/// Kinds the journal screen filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindGroup {
    /// Everything.
    #[default]
    All,
    /// Sales.
    Sales,
    /// Sale voids and completion voids.
    Voids,
    /// Refunds.
    Refunds,
    /// Pre-authorisations, their voids and completions.
    PreAuths,
    /// Balance inquiries.
    Balance,
}

impl KindGroup {
    /// Whether `kind` belongs to the group.
    pub fn contains(self, kind: TxnKind) -> bool {
        match self {
            KindGroup::All => true,
            KindGroup::Sales => kind == TxnKind::Sale,
            KindGroup::Voids => matches!(kind, TxnKind::SaleVoid | TxnKind::CompletionVoid),
            KindGroup::Refunds => kind == TxnKind::Refund,
            KindGroup::PreAuths => matches!(
                kind,
                TxnKind::PreAuth
                    | TxnKind::PreAuthVoid
                    | TxnKind::Completion
                    | TxnKind::CompletionAdvice
            ),
            KindGroup::Balance => kind == TxnKind::BalanceInquiry,
        }
    }
}

/// What the journal screen asks for: newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalFilter {
    /// Kinds.
    pub group: KindGroup,
    /// Only this trace number.
    pub trace: Option<u32>,
    /// Only this batch (`None`: every batch still on the terminal).
    pub batch: Option<u32>,
    /// At most this many entries (1–1000).
    pub limit: u32,
}

impl Default for JournalFilter {
    fn default() -> Self {
        JournalFilter {
            group: KindGroup::All,
            trace: None,
            batch: None,
            limit: 100,
        }
    }
}

/// A journal entry as the list, the detail and the confirmation screens show it: the outcome
/// plus what later transactions did to it, and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalView {
    /// The outcome (masked card only).
    pub outcome: Outcome,
    /// A void of it was approved.
    pub voided: bool,
    /// Refunded so far, fen.
    pub refunded_amount: u64,
    /// A pre-authorisation with an approved completion.
    pub completed: bool,
    /// The operator code field 63 carried (`None` for rows written before operators).
    pub operator: Option<String>,
}

impl OriginalView {
    /// The view of a journal row.
    pub fn of(row: &TxnRecord) -> OriginalView {
        OriginalView {
            outcome: Outcome::from_record(row),
            voided: row.voided,
            refunded_amount: row.refunded_amount,
            completed: row.completed,
            operator: row.request_fields.get(&63).cloned(),
        }
    }
}

/// What must be resolved or seen before a new sale, each with what to do (the home screen's
/// banner).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unresolved {
    /// Lost answers whose reversal goes out before the next transaction, by itself.
    pub pending_reversals: Vec<Outcome>,
    /// Reversals given up on after the retry limit: the supervisor retries them, or the
    /// acquirer handles them by hand.
    pub parked_reversals: Vec<Outcome>,
    /// QR attempts still being resolved (querying, reversing): do not charge again.
    pub open_qr: Vec<QrOutcome>,
    /// QR results reached in the background that the cashier has not seen (a late success to
    /// complete or refund, a reversed payment): acknowledge them once seen.
    pub qr_results: Vec<QrOutcome>,
}

impl Unresolved {
    /// Nothing to show.
    pub fn is_empty(&self) -> bool {
        self.pending_reversals.is_empty()
            && self.parked_reversals.is_empty()
            && self.open_qr.is_empty()
            && self.qr_results.is_empty()
    }

    /// Splits the QR results into those still open and those reached in the background.
    pub fn with_qr(mut self, pending: Vec<QrOutcome>) -> Unresolved {
        for o in pending {
            if matches!(o.status, QrStatus::InProgress | QrStatus::ReversePending) {
                self.open_qr.push(o);
            } else {
                self.qr_results.push(o);
            }
        }
        self
    }
}
