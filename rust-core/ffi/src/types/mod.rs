//! Records and enums that cross the FFI: configuration, requests, outcomes and reports.
//! Amounts are `i64` fen (Kotlin `Long`); trace and batch numbers are `i32` (6 digits).

mod config;
mod desk;
mod outcomes;
mod reports;
mod requests;

pub use config::*;
pub(crate) use desk::count;
pub use desk::{
    EchoResult, GuardedAction, JournalFilter, KeyCheck, KeyStatus, KindGroup, OperatorInfo,
    OriginalKey, OriginalView, SupervisorGrant, TerminalParameter,
};
pub use outcomes::*;
pub use reports::*;
pub(crate) use requests::balance;
pub use requests::*;

use crate::error::PosError;

/// `u64` fen to `i64` (saturating; amounts are far below 2^63).
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Largest amount accepted (fen): 12 digits of field 4.
pub const MAX_AMOUNT: i64 = 999_999_999_999;

/// Validates an amount: positive, at most 12 digits.
pub(crate) fn amount(v: i64) -> Result<u64, PosError> {
    if v <= 0 {
        return Err(PosError::amount(format!(
            "the amount must be positive, got {v} fen"
        )));
    }
    if v > MAX_AMOUNT {
        return Err(PosError::amount(format!(
            "the amount exceeds {MAX_AMOUNT} fen"
        )));
    }
    u64::try_from(v).map_err(|_| PosError::amount("invalid amount"))
}

/// Validates a 6-digit trace number.
pub(crate) fn trace(v: i32) -> Result<u32, PosError> {
    match u32::try_from(v) {
        Ok(t) if (1..=999_999).contains(&t) => Ok(t),
        _ => Err(PosError::invalid(format!(
            "trace number must be 1..999999, got {v}"
        ))),
    }
}

pub(crate) fn request_id(id: &str) -> Result<String, PosError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if ok {
        Ok(id.to_owned())
    } else {
        Err(PosError::invalid(
            "requestId must be 1 to 64 characters of A-Z a-z 0-9 - _ . :",
        ))
    }
}

/// Validates a business order number (a merchant app's `orderNo`): 1 to 64 printable ASCII
/// characters, the contract's rule (a QR attempt's order id is the merchant's order number).
pub(crate) fn order_id(id: &str) -> Result<String, PosError> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(id.to_owned())
    } else {
        Err(PosError::invalid(
            "orderId / orderNo must be 1 to 64 printable ASCII characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(amount(0).is_err());
        assert!(amount(-5).is_err());
        assert_eq!(amount(1).ok(), Some(1));
        assert_eq!(amount(MAX_AMOUNT + 1).map_err(|e| e.code()), Err(1009));
        assert!(trace(0).is_err());
        assert_eq!(trace(12).ok(), Some(12));
        assert!(request_id("").is_err());
        assert!(request_id("order 1").is_err());
        assert!(request_id("order-1_a.b:c").is_ok());
        assert!(
            order_id("A#1/2026").is_ok(),
            "the contract's orderNo is printable ASCII"
        );
        assert!(order_id("").is_err() && order_id("a b").is_err() && order_id("订单").is_err());
    }
}
