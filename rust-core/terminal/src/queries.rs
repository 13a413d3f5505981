//! What the journal says, read only: outcomes by request id, the last request, the journal,
//! parked reversals, QR results, closed batches. The engine answers these for its owner; a
//! [`crate::JournalReader`] answers them for any other process without changing anything.

use crate::error::EngineError;
use crate::model::{Outcome, QrOrderSummary, QrOutcome, QrRefundOutcome, SettlementReport};
use crate::services::outcomes;
use crate::services::qr::views;
use crate::store::Store;

/// The stored outcome of a request id in `scope` (`None` if unknown): card transactions first,
/// then QR attempts and refunds projected onto [`Outcome`].
pub(crate) fn query(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<Outcome>, EngineError> {
    match store.by_request_id(scope, request_id)? {
        Some(r) => Ok(Some(outcomes::described(store, &r)?)),
        None => views::projected(store, scope, request_id),
    }
}

/// The outcome of the last request of `scope` (every scope: `None`), card or QR.
pub(crate) fn query_last(
    store: &Store,
    scope: Option<&str>,
) -> Result<Option<Outcome>, EngineError> {
    let card = store.last(scope)?;
    match (card, views::newest(store, scope)?) {
        // A QR record remembers the newest card row at its creation: it is newer than every
        // card row up to that one.
        (Some(c), Some((card_seq, _))) if card_seq < c.id => {
            Ok(Some(outcomes::described(store, &c)?))
        }
        (_, Some((_, qr))) => Ok(Some(qr)),
        (Some(c), None) => Ok(Some(outcomes::described(store, &c)?)),
        (None, None) => Ok(None),
    }
}

/// The newest request of `scope` that carried the merchant app's order number `order_no`,
/// card or QR.
pub(crate) fn query_by_order_no(
    store: &Store,
    scope: &str,
    order_no: &str,
) -> Result<Option<Outcome>, EngineError> {
    let card = store.by_order_no(scope, order_no)?;
    let qr = store.qr_order_by_order_id(scope, order_no)?;
    match (card, qr) {
        (Some(c), Some(q)) if q.card_seq < c.id => Ok(Some(outcomes::described(store, &c)?)),
        (_, Some(q)) => views::projected(store, scope, &q.request_id),
        (Some(c), None) => Ok(Some(outcomes::described(store, &c)?)),
        (None, None) => Ok(None),
    }
}

/// The newest `limit` journal entries, newest first.
pub(crate) fn journal(store: &Store, limit: u32) -> Result<Vec<Outcome>, EngineError> {
    Ok(store
        .recent(limit)?
        .iter()
        .map(Outcome::from_record)
        .collect())
}

/// Reversals given up on after the retry limit (manual handling).
pub(crate) fn parked_reversals(store: &Store) -> Result<Vec<Outcome>, EngineError> {
    let mut out = Vec::new();
    for r in store.parked_reversals()? {
        if let Some(row) = store.by_id(r.txn_id)? {
            out.push(Outcome::from_record(&row));
        }
    }
    Ok(out)
}

/// Reversals still to send before the next transaction.
pub(crate) fn pending_reversals(store: &Store) -> Result<Vec<Outcome>, EngineError> {
    let mut out = Vec::new();
    for r in store.pending_reversals()? {
        if let Some(row) = store.by_id(r.txn_id)? {
            out.push(Outcome::from_record(&row));
        }
    }
    Ok(out)
}

/// The full QR outcome of an attempt.
pub(crate) fn qr_query(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<QrOutcome>, EngineError> {
    views::query(store, scope, request_id)
}

/// The outcome of a QR refund or void.
pub(crate) fn qr_refund_query(
    store: &Store,
    scope: &str,
    request_id: &str,
) -> Result<Option<QrRefundOutcome>, EngineError> {
    views::refund_query(store, scope, request_id)
}

/// Unresolved QR attempts and results the cashier has not seen.
pub(crate) fn qr_pending_results(store: &Store) -> Result<Vec<QrOutcome>, EngineError> {
    views::pending_results(store)
}

/// Every QR attempt, for reconciliation.
pub(crate) fn qr_orders(store: &Store) -> Result<Vec<QrOrderSummary>, EngineError> {
    views::order_summaries(store)
}

/// The report of a closed batch (archived, never deleted).
pub(crate) fn batch_report(
    store: &Store,
    batch: u32,
) -> Result<Option<SettlementReport>, EngineError> {
    store
        .batch_report_json(batch)?
        .map(|j| {
            serde_json::from_str(&j).map_err(|e| {
                EngineError::Storage(crate::error::StorageError::corrupt(
                    "read batch report",
                    format!("batch {batch:06}: {e}"),
                ))
            })
        })
        .transpose()
}
