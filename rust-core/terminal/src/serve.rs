//! Requests served on behalf of a caller ([`crate::Terminal::serve`]): the capability check,
//! the merchant's fields checked, the caller put in place for the services (request ids,
//! originals and reprints in its scope), then the request itself. The one place where what a
//! merchant app may do is decided.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::model::{AppAnswer, AppRequest, Caller, MerchantFields};
use crate::services::printing::ReprintOf;

/// Serves `request` for `caller`: refused with [`EngineError::NotPermitted`] before anything
/// is read, stored or sent when the caller lacks a capability it needs.
pub(crate) fn serve(
    engine: &mut Engine,
    caller: Caller,
    fields: MerchantFields,
    request: AppRequest,
) -> Result<AppAnswer, EngineError> {
    permitted(&caller, &request)?;
    crate::validate::merchant_fields(&fields)?;
    let previous = engine.swap_caller(caller, fields);
    let answer = run(engine, request);
    let (caller, fields) = previous;
    engine.swap_caller(caller, fields);
    answer
}

/// [`EngineError::NotPermitted`] when `caller` lacks a capability `request` needs.
pub(crate) fn permitted(caller: &Caller, request: &AppRequest) -> Result<(), EngineError> {
    caller
        .permits(request)
        .map_err(|(action, capability)| EngineError::NotPermitted {
            action: action.to_owned(),
            capability,
        })
}

fn run(engine: &mut Engine, request: AppRequest) -> Result<AppAnswer, EngineError> {
    Ok(match request {
        AppRequest::Sale(r) => AppAnswer::Txn(engine.sale(r)?),
        AppRequest::Balance(r) => AppAnswer::Txn(engine.balance_inquiry(r)?),
        AppRequest::Void(r) => AppAnswer::Txn(engine.void(r)?),
        AppRequest::Refund(r) => AppAnswer::Txn(engine.refund(r)?),
        AppRequest::PreAuth(r) => AppAnswer::Txn(engine.preauth(r)?),
        AppRequest::PreAuthVoid(r) => AppAnswer::Txn(engine.preauth_void(r)?),
        AppRequest::Completion(r) => AppAnswer::Txn(engine.completion(r)?),
        AppRequest::CompletionVoid(r) => AppAnswer::Txn(engine.completion_void(r)?),
        AppRequest::QrPay(r) => AppAnswer::Qr(engine.qr_pay(r)?),
        AppRequest::QrDynamicCreate(r) => AppAnswer::QrCode(engine.qr_dynamic_create(r)?),
        AppRequest::QrDynamicWait(id) => AppAnswer::Qr(engine.qr_dynamic_wait(&id)?),
        AppRequest::QrRefund(r) => AppAnswer::QrRefund(engine.qr_refund(r)?),
        AppRequest::QrVoid(r) => AppAnswer::QrRefund(engine.qr_void(r)?),
        AppRequest::Reprint {
            trace,
            original_request_id,
        } => AppAnswer::Reprinted(engine.reprint(match (original_request_id, trace) {
            (Some(id), _) => ReprintOf::RequestId(id),
            (None, Some(t)) => ReprintOf::Trace(t),
            (None, None) => ReprintOf::Last,
        })?),
        AppRequest::Settle => AppAnswer::Settled(engine.settle()?),
        AppRequest::SignIn => AppAnswer::SignedIn(engine.startup()?),
    })
}
