//! Caller-supplied request ids (ARCHITECTURE.md decision 4): one id, one request, across card
//! and QR requests of a scope. A repeat of the id for the same request answers the stored
//! outcome; a repeat for another request is a request-id conflict, before anything is read,
//! stored or sent.

use crate::error::EngineError;
use crate::model::{same_request, OrderRow, RefundRow, TxnRecord};
use crate::store::Store;

/// The scope of the cashier's own requests (a merchant app's requests have a scope of their
/// own).
pub(crate) const CASHIER_SCOPE: &str = "";

/// What a request id was already used for.
pub(crate) enum Known {
    /// A card transaction.
    Card(TxnRecord),
    /// A QR payment attempt (scanned or dynamic).
    QrOrder(OrderRow),
    /// A QR refund or void.
    QrRefund(RefundRow),
}

impl Known {
    fn fingerprint(&self) -> &str {
        match self {
            Known::Card(r) => &r.fingerprint,
            Known::QrOrder(o) => &o.fingerprint,
            Known::QrRefund(r) => &r.fingerprint,
        }
    }
}

/// The request id must be 1 to 64 printable characters.
pub(crate) fn check_request_id(id: &str) -> Result<(), EngineError> {
    if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
        return Err(EngineError::InvalidRequest(
            "the request id must be 1 to 64 printable characters".into(),
        ));
    }
    Ok(())
}

/// What `request_id` was used for in `scope`, if anything, provided it was used for this same
/// request (`fingerprint`); another request is a [`EngineError::RequestIdConflict`].
pub(crate) fn known_as(
    store: &Store,
    scope: &str,
    request_id: &str,
    fingerprint: &str,
) -> Result<Option<Known>, EngineError> {
    check_request_id(request_id)?;
    let known = if let Some(row) = store.by_request_id(scope, request_id)? {
        Known::Card(row)
    } else if let Some(order) = store.qr_order_by_request_id(scope, request_id)? {
        Known::QrOrder(order)
    } else if let Some(refund) = store.qr_refund_by_request_id(scope, request_id)? {
        Known::QrRefund(refund)
    } else {
        return Ok(None);
    };
    if same_request(known.fingerprint(), fingerprint) {
        Ok(Some(known))
    } else {
        Err(EngineError::RequestIdConflict {
            request_id: request_id.to_owned(),
            used_for: known.fingerprint().to_owned(),
        })
    }
}
