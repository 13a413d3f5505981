//! A journal row as its caller sees it: the outcome, naming the original of a void, refund or
//! completion (its trace, and its request id when it belongs to the same caller).

use crate::error::EngineError;
use crate::model::{Outcome, TxnRecord};
use crate::store::Store;

/// The outcome of a journal row, naming its original (trace, and request id when it is of
/// the same scope).
pub(crate) fn described(store: &Store, row: &TxnRecord) -> Result<Outcome, EngineError> {
    let mut outcome = Outcome::from_record(row);
    if let Some(id) = row.original_id {
        if let Some(original) = store.by_id(id)? {
            outcome.original_trace = Some(original.trace);
            outcome.original_request_id =
                (original.scope == row.scope).then(|| original.request_id.clone());
        }
    }
    Ok(outcome)
}
