//! Finding journal entries as a cashier names them (read only): the original of a void,
//! refund or completion for the confirmation screen, and the filtered journal. The rules of
//! each operation stay with the card service, which checks them again when it runs.

use crate::error::{EngineError, RuleViolation};
use crate::model::{JournalFilter, OriginalKey, OriginalView};
use crate::store::Store;
use crate::validate;

/// The entry `key` names (`trace` in the current batch), or
/// [`RuleViolation::OriginalNotFound`] naming what was looked for.
pub(crate) fn find_original(store: &Store, key: &OriginalKey) -> Result<OriginalView, EngineError> {
    let (row, what) = match key {
        OriginalKey::Trace(trace) => {
            validate::trace(*trace)?;
            let batch = store.current_batch()?;
            (
                store.by_trace(batch, *trace)?,
                format!("trace {trace:06} in batch {batch:06}"),
            )
        }
        OriginalKey::Rrn { rrn, date } => {
            validate::rrn(rrn)?;
            validate::mmdd("date", date)?;
            (
                store.by_rrn(rrn, date)?,
                format!("reference {rrn} on {date}"),
            )
        }
        OriginalKey::AuthCode { auth_code, date } => {
            validate::auth_code(auth_code)?;
            validate::mmdd("date", date)?;
            (
                store.preauth_by_auth_code(auth_code, date)?,
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
