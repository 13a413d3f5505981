//! Card transactions as the journal keeps them: kinds, states, rows, and what a request or an
//! answer writes. Plain data: card data here is the masked PAN and the sealed PAN only.

use std::collections::BTreeMap;

/// Kinds of journalled transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TxnKind {
    BalanceInquiry,
    Sale,
    SaleVoid,
    Refund,
    PreAuth,
    PreAuthVoid,
    Completion,
    CompletionAdvice,
    CompletionVoid,
}

impl TxnKind {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnKind::BalanceInquiry => "balance",
            TxnKind::Sale => "sale",
            TxnKind::SaleVoid => "sale_void",
            TxnKind::Refund => "refund",
            TxnKind::PreAuth => "preauth",
            TxnKind::PreAuthVoid => "preauth_void",
            TxnKind::Completion => "completion",
            TxnKind::CompletionAdvice => "completion_advice",
            TxnKind::CompletionVoid => "completion_void",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<TxnKind> {
        ALL_KINDS.iter().copied().find(|k| k.as_str() == s)
    }

    /// Whether a lost answer is resolved by a 0400 reversal (money may have moved).
    /// Completion advices are store-and-forward instead; balance inquiries move no money.
    pub fn reversible(self) -> bool {
        !matches!(self, TxnKind::BalanceInquiry | TxnKind::CompletionAdvice)
    }

    /// Settlement direction: debits are sales and completions, credits are voids, refunds
    /// and completion voids (PROTOCOL.md §1.7). Pre-authorisations and their voids move no
    /// money and are not settled.
    pub fn settlement_side(self) -> Option<SettlementSide> {
        match self {
            TxnKind::Sale | TxnKind::Completion | TxnKind::CompletionAdvice => {
                Some(SettlementSide::Debit)
            }
            TxnKind::SaleVoid | TxnKind::Refund | TxnKind::CompletionVoid => {
                Some(SettlementSide::Credit)
            }
            _ => None,
        }
    }

    /// A void of an earlier transaction (sale void, pre-auth void, completion void).
    pub fn is_void(self) -> bool {
        matches!(
            self,
            TxnKind::SaleVoid | TxnKind::PreAuthVoid | TxnKind::CompletionVoid
        )
    }
}

/// Debit or credit in settlement totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementSide {
    /// Money to the merchant.
    Debit,
    /// Money back to the card.
    Credit,
}

pub(crate) const ALL_KINDS: [TxnKind; 9] = [
    TxnKind::BalanceInquiry,
    TxnKind::Sale,
    TxnKind::SaleVoid,
    TxnKind::Refund,
    TxnKind::PreAuth,
    TxnKind::PreAuthVoid,
    TxnKind::Completion,
    TxnKind::CompletionAdvice,
    TxnKind::CompletionVoid,
];

/// Where a journalled transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnState {
    /// Persisted; the request is being sent (or a crash interrupted it: see recovery).
    Sending,
    /// The host approved (fully or partly).
    Approved,
    /// The host declined.
    Declined,
    /// Nothing reached the host.
    NotSent,
    /// No valid answer: a reversal must be sent.
    ReversalPending,
    /// The reversal was acknowledged: no money moved.
    Reversed,
    /// The reversal failed too often: kept for manual handling.
    ReversalParked,
    /// Approved offline / advice queued: waiting for store-and-forward.
    AdvicePending,
}

impl TxnState {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnState::Sending => "sending",
            TxnState::Approved => "approved",
            TxnState::Declined => "declined",
            TxnState::NotSent => "not_sent",
            TxnState::ReversalPending => "reversal_pending",
            TxnState::Reversed => "reversed",
            TxnState::ReversalParked => "reversal_parked",
            TxnState::AdvicePending => "advice_pending",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<TxnState> {
        [
            TxnState::Sending,
            TxnState::Approved,
            TxnState::Declined,
            TxnState::NotSent,
            TxnState::ReversalPending,
            TxnState::Reversed,
            TxnState::ReversalParked,
            TxnState::AdvicePending,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the transaction has reached a state that will not change by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TxnState::Approved | TxnState::Declined | TxnState::NotSent | TxnState::Reversed
        )
    }
}

/// One journal row.
#[derive(Clone, PartialEq, Eq)]
pub struct TxnRecord {
    /// Row id.
    pub id: i64,
    /// Whose request id it is (`""`: the cashier; a merchant app's scope otherwise).
    pub scope: String,
    /// The caller's idempotency key (unique within its scope).
    pub request_id: String,
    /// What the request asked for when the id was first used (kind, amount, original):
    /// a reuse of the id for anything else is a conflict.
    pub fingerprint: String,
    /// What it is.
    pub kind: TxnKind,
    /// Where it stands.
    pub state: TxnState,
    /// Batch number.
    pub batch: u32,
    /// Trace number (field 11).
    pub trace: u32,
    /// Requested amount, fen.
    pub amount: u64,
    /// Approved amount, fen (partial approval: less than requested).
    pub approved_amount: Option<u64>,
    /// Field 39.
    pub response_code: Option<String>,
    /// Field 37.
    pub rrn: Option<String>,
    /// Field 38.
    pub auth_code: Option<String>,
    /// Field 15.
    pub settlement_date: Option<String>,
    /// Card organisation from field 63 (`CUP`, `VIS`, ...).
    pub card_org: Option<String>,
    /// Field 54 of a balance inquiry.
    pub balance: Option<String>,
    /// First 6 + last 4.
    pub pan_masked: Option<String>,
    /// The PAN sealed by the vault.
    pub pan_sealed: Option<Vec<u8>>,
    /// Field 14, YYMM.
    pub expiry: Option<String>,
    /// Field 22.
    pub entry_mode: Option<String>,
    /// Field 23.
    pub psn: Option<String>,
    /// Field 55 sent (ICC data without tags 57/5A).
    pub icc_data: Option<Vec<u8>>,
    /// Domestic card (settlement group).
    pub domestic: bool,
    /// The transaction this one refers to (void, refund, completion, ...).
    pub original_id: Option<i64>,
    /// Local date MMDD of the request.
    pub local_date: String,
    /// Local time hhmmss of the request.
    pub local_time: String,
    /// Non-sensitive request fields needed to rebuild a reversal (number → logical value;
    /// binary values as hex).
    pub request_fields: BTreeMap<u8, String>,
    /// A void of this transaction was approved.
    pub voided: bool,
    /// Sum of approved refunds against this transaction, fen.
    pub refunded_amount: u64,
    /// Pre-authorisation: an approved completion exists (and was not voided).
    pub completed: bool,
    /// Creation time, ms since epoch.
    pub created_at: i64,
    /// Last update, ms since epoch.
    pub updated_at: i64,
    /// The merchant app's own order number, when it gave one.
    pub order_no: Option<String>,
    /// The remark line the merchant app asked to print on the receipt.
    pub receipt_remark: Option<String>,
}

/// Card data is masked; the sealed PAN is shown as its length only.
impl std::fmt::Debug for TxnRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxnRecord")
            .field("id", &self.id)
            .field("request_id", &self.request_id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("batch", &self.batch)
            .field("trace", &self.trace)
            .field("amount", &self.amount)
            .field("approved_amount", &self.approved_amount)
            .field("response_code", &self.response_code)
            .field("rrn", &self.rrn)
            .field("auth_code", &self.auth_code)
            .field("pan_masked", &self.pan_masked)
            .field("original_id", &self.original_id)
            .finish_non_exhaustive()
    }
}

impl TxnRecord {
    /// The amount that counts for settlement and receipts: the approved amount if any.
    pub fn effective_amount(&self) -> u64 {
        self.approved_amount.unwrap_or(self.amount)
    }
}

/// What a new request row holds.
#[derive(Clone)]
pub struct NewTxn {
    /// Whose request id it is.
    pub scope: String,
    /// Idempotency key.
    pub request_id: String,
    /// What the request asks for (see [`TxnRecord::fingerprint`]).
    pub fingerprint: String,
    /// Kind.
    pub kind: TxnKind,
    /// Requested amount.
    pub amount: u64,
    /// Masked PAN.
    pub pan_masked: Option<String>,
    /// Sealed PAN.
    pub pan_sealed: Option<Vec<u8>>,
    /// Expiry.
    pub expiry: Option<String>,
    /// Entry mode.
    pub entry_mode: Option<String>,
    /// Card sequence number.
    pub psn: Option<String>,
    /// ICC data (sanitised).
    pub icc_data: Option<Vec<u8>>,
    /// Domestic card.
    pub domestic: bool,
    /// Referenced transaction.
    pub original_id: Option<i64>,
    /// MMDD.
    pub local_date: String,
    /// hhmmss.
    pub local_time: String,
    /// Non-sensitive request fields.
    pub request_fields: BTreeMap<u8, String>,
    /// Now, ms.
    pub now: i64,
    /// The merchant app's order number.
    pub order_no: Option<String>,
    /// The receipt remark.
    pub receipt_remark: Option<String>,
}

/// The answer fields recorded when a request completes.
#[derive(Debug, Clone, Default)]
pub struct AnswerFields {
    /// Field 39.
    pub response_code: String,
    /// Approved amount (for approvals).
    pub approved_amount: Option<u64>,
    /// Field 37.
    pub rrn: Option<String>,
    /// Field 38.
    pub auth_code: Option<String>,
    /// Field 15.
    pub settlement_date: Option<String>,
    /// Field 63 organisation.
    pub card_org: Option<String>,
    /// Field 54.
    pub balance: Option<String>,
}

/// A reversal record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalRecord {
    /// The transaction to reverse.
    pub txn_id: i64,
    /// `pending` (to send before the next transaction) or `parked` (manual handling). A
    /// request in flight needs no record: its journal row in state `sending` is the armed
    /// reversal.
    pub state: String,
    /// Field 39 of the 0400: `98`, `96`, `A0`, `06`.
    pub reason: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Last failure.
    pub last_error: Option<String>,
}

/// What `begin` found.
#[derive(Debug)]
pub enum Begun {
    /// A new row was written (with its armed reversal if the kind is reversible).
    New(TxnRecord),
    /// The request id exists already: its row, unchanged.
    Existing(TxnRecord),
}

/// Effects of an approval on the transaction it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalEffect {
    /// Nothing.
    None,
    /// The original is now voided (sale void, pre-auth void, completion void).
    Voided,
    /// Add to the original's refunded total.
    Refunded(u64),
    /// The pre-authorisation is now completed.
    Completed,
    /// A completion void: the completion is voided and its pre-auth is open again.
    CompletionVoided {
        /// The pre-authorisation of the completion.
        preauth_id: i64,
    },
}

/// A queued store-and-forward message.
#[derive(Debug, Clone)]
pub(crate) struct SafEntry {
    pub id: i64,
    pub txn_id: Option<i64>,
    pub kind: String,
    pub attempts: u32,
    pub payload: BTreeMap<u8, String>,
}
