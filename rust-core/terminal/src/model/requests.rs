//! What a caller asks of the engine for a card transaction. Amounts are fen.

/// Balance inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRequest {
    /// Idempotency key.
    pub request_id: String,
}

/// Sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    /// Idempotency key (the caller's order id).
    pub request_id: String,
    /// Amount in fen.
    pub amount: u64,
}

/// Sale void: the sale's trace number in the current batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace number of the sale.
    pub trace: u32,
}

/// Refund of a sale (or completion) found by reference number and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to refund, fen.
    pub amount: u64,
    /// Reference number (field 37) of the original.
    pub rrn: String,
    /// Date MMDD of the original.
    pub date: String,
}

/// Pre-authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreAuthRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to hold, fen.
    pub amount: u64,
}

/// Pre-authorisation void, by auth code and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreAuthVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub date: String,
}

/// Pre-authorisation completion, by auth code and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to charge, fen (at most 115% of the pre-auth).
    pub amount: u64,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub date: String,
    /// Send as an advice (0220, store-and-forward) instead of a request (0200).
    pub advice: bool,
}

/// Completion void: the completion's trace number in the current batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace number of the completion.
    pub trace: u32,
}
