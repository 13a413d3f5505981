//! Card transaction requests as Kotlin sends them (checked and converted in `crate::terminal`).

/// Sale (消费).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SaleRequest {
    /// Idempotency key (the caller's order id).
    pub request_id: String,
    /// Amount, fen.
    pub amount: i64,
}

/// Sale void (消费撤销) by the sale's trace number (current batch).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace of the sale.
    pub original_trace: i32,
}

/// Refund (退货) of a sale by reference number and date.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RefundRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to refund, fen.
    pub amount: i64,
    /// Reference number (field 37) of the original.
    pub original_rrn: String,
    /// Date MMDD of the original.
    pub original_date: String,
}

/// Pre-authorisation (预授权).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PreAuthRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to hold, fen.
    pub amount: i64,
}

/// Pre-authorisation void (预授权撤销).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PreAuthVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub original_date: String,
}

/// Pre-authorisation completion (预授权完成), request or advice.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CompletionRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount, fen (at most 115 % of the pre-auth).
    pub amount: i64,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub original_date: String,
    /// Send as an advice (store-and-forward).
    #[uniffi(default = false)]
    pub advice: bool,
}

/// Completion void (预授权完成撤销) by the completion's trace number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CompletionVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace of the completion.
    pub original_trace: i32,
}
