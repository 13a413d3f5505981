//! [`JournalReader`]: the terminal's journal for a process that does not own the terminal
//! (the CLI's `last`, `journal` and `query`, a diagnostics screen). It never takes the owner's
//! lock, never recovers, never changes anything: an in-flight request reads as in progress.

use crate::error::EngineError;
use crate::model::{AppRequest, Caller, Outcome, QrOutcome, QrRefundOutcome, SettlementReport};
use crate::queries;
use crate::services::idempotency::CASHIER_SCOPE;
use crate::store::Store;
use std::path::Path;

/// A read-only view of a terminal database.
#[derive(Debug)]
pub struct JournalReader {
    store: Store,
}

impl JournalReader {
    /// Opens `db` read-only; it must exist at this build's schema.
    pub fn open(db: &Path) -> Result<JournalReader, EngineError> {
        Ok(JournalReader {
            store: Store::open_read_only(db)?,
        })
    }

    /// The stored outcome of a request id (`None` if unknown).
    pub fn query(&self, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        queries::query(&self.store, CASHIER_SCOPE, request_id)
    }

    /// The outcome of the last request, card or QR.
    pub fn query_last(&self) -> Result<Option<Outcome>, EngineError> {
        queries::query_last(&self.store, None)
    }

    /// The stored outcome of a request id of `scope` (`None` if that scope never used it).
    pub fn query_in(&self, scope: &str, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        queries::query(&self.store, scope, request_id)
    }

    /// The newest request of `scope` that carried the merchant's order number.
    pub fn query_by_order_no(
        &self,
        scope: &str,
        order_no: &str,
    ) -> Result<Option<Outcome>, EngineError> {
        queries::query_by_order_no(&self.store, scope, order_no)
    }

    /// The caller's last request (the terminal's last for a caller granted `query`).
    pub fn query_last_of(&self, caller: &Caller) -> Result<Option<Outcome>, EngineError> {
        queries::query_last(&self.store, caller.read_scope())
    }

    /// Whether `request` of `scope` was seen already, without waiting for the engine: `None`
    /// for a new request id (or a request that is not journalled under its id), its stored
    /// outcome for a repeat of the same request, [`EngineError::RequestIdConflict`] for an id
    /// used for another request. What a front end answers at once (already done / in
    /// progress / conflict) before it queues the request; the engine checks again when it
    /// runs it.
    /// A request the caller is not granted is refused here already
    /// ([`EngineError::NotPermitted`]).
    pub fn known(
        &self,
        caller: &Caller,
        request: &AppRequest,
    ) -> Result<Option<Outcome>, EngineError> {
        crate::serve::permitted(caller, request)?;
        let scope = caller.scope.as_str();
        let Some((request_id, fingerprint)) = request.journalled_as() else {
            return Ok(None);
        };
        match crate::services::idempotency::known_as(&self.store, scope, request_id, &fingerprint)?
        {
            None => Ok(None),
            Some(_) => queries::query(&self.store, scope, request_id),
        }
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal_entries(&self, limit: u32) -> Result<Vec<Outcome>, EngineError> {
        queries::journal(&self.store, limit)
    }

    /// Reversals given up on after the retry limit.
    pub fn parked_reversals(&self) -> Result<Vec<Outcome>, EngineError> {
        queries::parked_reversals(&self.store)
    }

    /// Reversals still to send before the next transaction.
    pub fn pending_reversals(&self) -> Result<Vec<Outcome>, EngineError> {
        queries::pending_reversals(&self.store)
    }

    /// The full QR outcome of an attempt.
    pub fn qr_query(&self, request_id: &str) -> Result<Option<QrOutcome>, EngineError> {
        queries::qr_query(&self.store, CASHIER_SCOPE, request_id)
    }

    /// A QR attempt by the order number on its receipt (订单号) or its request id (`None` if
    /// neither names one).
    pub fn qr_find_order(&self, number: &str) -> Result<Option<QrOutcome>, EngineError> {
        match crate::lookup::find_qr_order(&self.store, number) {
            Ok(o) => Ok(Some(o)),
            Err(EngineError::Rule(crate::error::RuleViolation::OriginalNotFound(_))) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The outcome of a QR refund or void.
    pub fn qr_refund_query(
        &self,
        request_id: &str,
    ) -> Result<Option<QrRefundOutcome>, EngineError> {
        queries::qr_refund_query(&self.store, CASHIER_SCOPE, request_id)
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32, EngineError> {
        Ok(self.store.current_batch()?)
    }

    /// The report of a closed batch.
    pub fn batch_report(&self, batch: u32) -> Result<Option<SettlementReport>, EngineError> {
        queries::batch_report(&self.store, batch)
    }
}
