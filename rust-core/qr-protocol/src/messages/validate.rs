//! Field validation shared by the requests.

use super::MAX_AMOUNT_FEN;
use crate::codes::ErrorCode;
use crate::error::ValidationError;

pub(super) fn invalid(field: &'static str, reason: &'static str) -> ValidationError {
    ValidationError {
        field,
        reason,
        code: ErrorCode::InvalidRequest,
    }
}

pub(super) fn check_ids(
    terminal_id: &str,
    merchant_id: &str,
    out_trade_no: &str,
) -> Result<(), ValidationError> {
    check_identifier("terminal_id", terminal_id, 16, false)?;
    check_identifier("merchant_id", merchant_id, 32, false)?;
    check_identifier("out_trade_no", out_trade_no, 32, true)
}

/// Letters and digits; order numbers may also use `_ - | *` (WeChat's `out_trade_no` rule).
pub(super) fn check_identifier(
    field: &'static str,
    value: &str,
    max: usize,
    order_number: bool,
) -> Result<(), ValidationError> {
    if value.is_empty() || value.len() > max {
        return Err(invalid(
            field,
            match max {
                16 => "must be 1 to 16 characters",
                32 => "must be 1 to 32 characters",
                _ => "must be 1 to 64 characters",
            },
        ));
    }
    let ok = value.bytes().all(|b| {
        b.is_ascii_alphanumeric() || (order_number && matches!(b, b'_' | b'-' | b'|' | b'*'))
    });
    if !ok {
        return Err(invalid(
            field,
            if order_number {
                "may contain only letters, digits and _ - | *"
            } else {
                "may contain only letters and digits"
            },
        ));
    }
    Ok(())
}

pub(super) fn check_amount(field: &'static str, fen: u64) -> Result<(), ValidationError> {
    if fen == 0 || fen > MAX_AMOUNT_FEN {
        return Err(ValidationError {
            field,
            reason: "must be 1 to 999999999999 fen",
            code: ErrorCode::InvalidAmount,
        });
    }
    Ok(())
}

pub(super) fn check_text(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<(), ValidationError> {
    let Some(v) = value else { return Ok(()) };
    if v.chars().count() > max_chars {
        return Err(invalid(field, "is too long"));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a `yyyyMMddHHmmss` timestamp (plausible calendar fields).
pub(super) fn check_time(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if parse_time(value).is_none() {
        return Err(invalid(field, "must be yyyyMMddHHmmss"));
    }
    Ok(())
}

/// Splits a `yyyyMMddHHmmss` timestamp into (year, month, day, hour, minute, second), or
/// `None` when it is not 14 digits with plausible fields.
#[must_use]
pub fn parse_time(value: &str) -> Option<(u32, u32, u32, u32, u32, u32)> {
    if value.len() != 14 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: core::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok());
    let (y, mo, d, h, mi, s) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    );
    let ok = (2000..=2099).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 60;
    ok.then_some((y, mo, d, h, mi, s))
}
