//! Card transaction requests as Kotlin sends them, and their checked conversion to the
//! engine's requests (one place for `PosTerminal` and `CashierDesk`).

use super::{amount, request_id, trace};
use crate::error::PosError;
use unipos_terminal as t;

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

impl SaleRequest {
    pub(crate) fn to_engine(&self) -> Result<t::SaleRequest, PosError> {
        Ok(t::SaleRequest {
            request_id: request_id(&self.request_id)?,
            amount: amount(self.amount)?,
        })
    }
}

impl VoidRequest {
    pub(crate) fn to_engine(&self) -> Result<t::VoidRequest, PosError> {
        Ok(t::VoidRequest {
            request_id: request_id(&self.request_id)?,
            trace: trace(self.original_trace)?,
        })
    }
}

impl RefundRequest {
    pub(crate) fn to_engine(&self) -> Result<t::RefundRequest, PosError> {
        Ok(t::RefundRequest {
            request_id: request_id(&self.request_id)?,
            amount: amount(self.amount)?,
            rrn: self.original_rrn.clone(),
            date: self.original_date.clone(),
        })
    }
}

impl PreAuthRequest {
    pub(crate) fn to_engine(&self) -> Result<t::PreAuthRequest, PosError> {
        Ok(t::PreAuthRequest {
            request_id: request_id(&self.request_id)?,
            amount: amount(self.amount)?,
        })
    }
}

impl PreAuthVoidRequest {
    pub(crate) fn to_engine(&self) -> Result<t::PreAuthVoidRequest, PosError> {
        Ok(t::PreAuthVoidRequest {
            request_id: request_id(&self.request_id)?,
            auth_code: self.auth_code.clone(),
            date: self.original_date.clone(),
        })
    }
}

impl CompletionRequest {
    pub(crate) fn to_engine(&self) -> Result<t::CompletionRequest, PosError> {
        Ok(t::CompletionRequest {
            request_id: request_id(&self.request_id)?,
            amount: amount(self.amount)?,
            auth_code: self.auth_code.clone(),
            date: self.original_date.clone(),
            advice: self.advice,
        })
    }
}

impl CompletionVoidRequest {
    pub(crate) fn to_engine(&self) -> Result<t::CompletionVoidRequest, PosError> {
        Ok(t::CompletionVoidRequest {
            request_id: request_id(&self.request_id)?,
            trace: trace(self.original_trace)?,
        })
    }
}

/// A balance inquiry's request.
pub(crate) fn balance(id: &str) -> Result<t::BalanceRequest, PosError> {
    Ok(t::BalanceRequest {
        request_id: request_id(id)?,
    })
}
