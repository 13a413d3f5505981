//! Finding journal entries as a cashier names them (read only): the original of a void,
//! refund or completion for the confirmation screen, the filtered journal, the QR orders, and
//! what is unresolved before a new sale. The rules of each operation stay with the services,
//! which check them again when they run.

use crate::error::{EngineError, RuleViolation};
use crate::model::{JournalFilter, OriginalKey, OriginalView, QrOutcome, Unresolved};
use crate::queries;
use crate::services::idempotency::CASHIER_SCOPE;
use crate::services::qr::views;
use crate::store::Store;
use crate::validate;

/// The entry `key` names (`trace` in the current batch), or
/// [`RuleViolation::OriginalNotFound`] naming what was looked for.
pub(crate) fn find_original(store: &Store, key: &OriginalKey) -> Result<OriginalView, EngineError> {
    // The cashier names originals of every caller (as the card service lets the cashier void or
    // refund them).
    let cashier = crate::model::Caller::cashier();
    let scope = cashier.original_scope();
    let (row, what) = match key {
        OriginalKey::Trace(trace) => {
            validate::trace(*trace)?;
            let batch = store.current_batch()?;
            (
                store.by_trace(scope, batch, *trace)?,
                format!("trace {trace:06} in batch {batch:06}"),
            )
        }
        OriginalKey::Rrn { rrn, date } => {
            validate::rrn(rrn)?;
            validate::mmdd("date", date)?;
            (
                store.by_rrn(scope, rrn, date)?,
                format!("reference {rrn} on {date}"),
            )
        }
        OriginalKey::AuthCode { auth_code, date } => {
            validate::auth_code(auth_code)?;
            validate::mmdd("date", date)?;
            (
                store.preauth_by_auth_code(scope, auth_code, date)?,
                format!("pre-authorisation {auth_code} on {date}"),
            )
        }
    };
    row.map(|r| OriginalView::of(&r))
        .ok_or_else(|| RuleViolation::OriginalNotFound(what).into())
}

/// The journal as the query screen filters it, newest first.
pub(crate) fn journal(
    store: &Store,
    filter: &JournalFilter,
) -> Result<Vec<OriginalView>, EngineError> {
    if !(1..=1000).contains(&filter.limit) {
        return Err(EngineError::InvalidRequest(format!(
            "limit: must be 1 to 1000, got {}",
            filter.limit
        )));
    }
    if let Some(t) = filter.trace {
        validate::trace(t)?;
    }
    // A batch holds at most 999 entries; the newest thousand cover the open batch.
    Ok(store
        .recent(1000)?
        .iter()
        .filter(|r| filter.group.contains(r.kind))
        .filter(|r| filter.trace.is_none_or(|t| r.trace == t))
        .filter(|r| filter.batch.is_none_or(|b| r.batch == b))
        .take(filter.limit as usize)
        .map(OriginalView::of)
        .collect())
}

/// The cashier's QR attempts, newest first.
pub(crate) fn qr_orders(store: &Store, limit: u32) -> Result<Vec<QrOutcome>, EngineError> {
    let mut out = Vec::new();
    for o in store.qr_all_orders()?.iter().rev() {
        if out.len() >= limit as usize {
            break;
        }
        if let Some(q) = views::query(store, CASHIER_SCOPE, &o.request_id)? {
            out.push(q);
        }
    }
    Ok(out)
}

/// A QR attempt by the order number on its receipt (`out_trade_no`) or by its request id.
pub(crate) fn find_qr_order(store: &Store, number: &str) -> Result<QrOutcome, EngineError> {
    validate::id("order number", number)?;
    let request_id = store
        .qr_all_orders()?
        .into_iter()
        .find(|o| o.out_trade_no == number || o.request_id == number)
        .map(|o| o.request_id);
    match request_id {
        Some(id) => views::query(store, CASHIER_SCOPE, &id)?,
        None => None,
    }
    .ok_or_else(|| RuleViolation::OriginalNotFound(format!("QR order {number}")).into())
}

/// Lost answers, parked reversals and QR work the cashier must see before a new sale.
pub(crate) fn unresolved(store: &Store) -> Result<Unresolved, EngineError> {
    Ok(Unresolved {
        pending_reversals: queries::pending_reversals(store)?,
        parked_reversals: queries::parked_reversals(store)?,
        ..Unresolved::default()
    }
    .with_qr(queries::qr_pending_results(store)?))
}
