//! The business rules of card transactions, checked before anything is read from a card or
//! sent: well-formed requests, originals that exist and may be voided, refunded or completed,
//! and the message shape of each kind (PROTOCOL.md §1.5).

use crate::context::Ctx;
use crate::error::{EngineError, RuleViolation};
use crate::model::{TxnKind, TxnRecord, TxnState};
use unipos_iso8583::cup::{OriginalMessage, TransactionType};

/// MTI, processing code, condition code and 60.1 per kind (PROTOCOL.md §1.5).
pub(crate) fn message_shape(
    kind: TxnKind,
) -> (&'static str, &'static str, &'static str, TransactionType) {
    match kind {
        TxnKind::BalanceInquiry => ("0200", "310000", "00", TransactionType::BalanceInquiry),
        TxnKind::Sale => ("0200", "000000", "00", TransactionType::Sale),
        TxnKind::SaleVoid => ("0200", "200000", "00", TransactionType::SaleVoid),
        TxnKind::Refund => ("0220", "200000", "00", TransactionType::Refund),
        TxnKind::PreAuth => ("0100", "030000", "06", TransactionType::PreAuth),
        TxnKind::PreAuthVoid => ("0100", "200000", "06", TransactionType::PreAuthVoid),
        TxnKind::Completion => ("0200", "000000", "06", TransactionType::Completion),
        TxnKind::CompletionAdvice => ("0220", "000000", "06", TransactionType::CompletionAdvice),
        TxnKind::CompletionVoid => ("0200", "200000", "06", TransactionType::CompletionVoid),
    }
}

/// EMV 9C transaction type.
pub(crate) fn emv_type(kind: TxnKind) -> u8 {
    match kind {
        TxnKind::BalanceInquiry => 0x31,
        TxnKind::PreAuth => 0x03,
        TxnKind::SaleVoid | TxnKind::Refund | TxnKind::PreAuthVoid | TxnKind::CompletionVoid => {
            0x20
        }
        _ => 0x00,
    }
}

/// The original of a void: in the current batch, of the right kind, approved, not voided.
pub(crate) fn original_in_batch(
    ctx: &Ctx,
    trace: u32,
    kind: TxnKind,
) -> Result<TxnRecord, EngineError> {
    let batch = ctx.store.current_batch()?;
    let original = match ctx
        .store
        .by_trace(ctx.caller.original_scope(), batch, trace)?
    {
        Some(o) => o,
        // A merchant app sees only its own transactions: another app's trace is not found
        // for it (never "exists but is not yours").
        None if ctx.caller.original_scope().is_some() => {
            return Err(RuleViolation::OriginalNotFound(format!(
                "no transaction of this app with trace {trace:06} in the current batch"
            ))
            .into())
        }
        None => return Err(RuleViolation::OriginalNotInBatch(trace).into()),
    };
    if original.kind != kind {
        return Err(RuleViolation::WrongOriginal(format!(
            "trace {trace:06} is a {}, not a {}",
            original.kind.as_str(),
            kind.as_str()
        ))
        .into());
    }
    if original.state != TxnState::Approved {
        return Err(
            RuleViolation::WrongOriginal(format!("trace {trace:06} was not approved")).into(),
        );
    }
    if original.voided {
        return Err(RuleViolation::AlreadyVoided.into());
    }
    Ok(original)
}

pub(crate) fn original_fields(original: &TxnRecord) -> Vec<(u8, String)> {
    let mut extra = vec![(
        61,
        OriginalMessage {
            batch: original.batch,
            trace: original.trace,
            date: None,
            extra: String::new(),
        }
        .to_digits(),
    )];
    if let Some(rrn) = &original.rrn {
        extra.push((37, rrn.clone()));
    }
    if let Some(auth) = &original.auth_code {
        extra.push((38, auth.clone()));
    }
    extra
}

/// A live pre-authorisation by auth code and date.
pub(crate) fn live_preauth(
    ctx: &Ctx,
    auth_code: &str,
    date: &str,
) -> Result<TxnRecord, EngineError> {
    let preauth = ctx
        .store
        .preauth_by_auth_code(ctx.caller.original_scope(), auth_code, date)?
        .ok_or_else(|| {
            RuleViolation::OriginalNotFound(format!(
                "no pre-authorisation with auth code {auth_code} on {date}"
            ))
        })?;
    if preauth.voided {
        return Err(RuleViolation::AlreadyVoided.into());
    }
    if preauth.completed {
        return Err(RuleViolation::AlreadyCompleted.into());
    }
    const THIRTY_DAYS_MS: i64 = 30 * 24 * 3600 * 1000;
    if ctx.now() - preauth.created_at > THIRTY_DAYS_MS {
        return Err(RuleViolation::PreAuthExpired.into());
    }
    Ok(preauth)
}

pub(crate) fn preauth_reference(preauth: &TxnRecord) -> Vec<(u8, String)> {
    let mut extra = vec![(
        61,
        OriginalMessage {
            batch: 0,
            trace: 0,
            date: Some(preauth.local_date.clone()),
            extra: String::new(),
        }
        .to_digits(),
    )];
    if let Some(auth) = &preauth.auth_code {
        extra.push((38, auth.clone()));
    }
    extra
}
