//! What a merchant app (or any scoped caller) asks of [`crate::Terminal::serve`], and what it
//! gets back. One enum, so the capability each request needs is decided in one place.

use super::caller::Capability;
use super::fingerprint::Fingerprint;
use super::outcome::Outcome;
use super::qr::{
    QrDynamicCode, QrDynamicRequest, QrOutcome, QrPayRequest, QrRefundOutcome, QrRefundRequest,
    QrVoidRequest,
};
use super::reports::{SettlementReport, StartupReport};
use super::requests::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, PreAuthRequest, PreAuthVoidRequest,
    RefundRequest, SaleRequest, VoidRequest,
};

/// A request served on behalf of a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppRequest {
    /// Card sale.
    Sale(SaleRequest),
    /// Balance inquiry.
    Balance(BalanceRequest),
    /// Sale void of one of the caller's sales.
    Void(VoidRequest),
    /// Refund of one of the caller's sales.
    Refund(RefundRequest),
    /// Pre-authorisation.
    PreAuth(PreAuthRequest),
    /// Pre-authorisation void.
    PreAuthVoid(PreAuthVoidRequest),
    /// Pre-authorisation completion.
    Completion(CompletionRequest),
    /// Completion void.
    CompletionVoid(CompletionVoidRequest),
    /// QR payment with a scanned payment code.
    QrPay(QrPayRequest),
    /// Merchant-presented dynamic code: create it.
    QrDynamicCreate(QrDynamicRequest),
    /// Merchant-presented dynamic code: wait until it is paid (the request id of the create).
    QrDynamicWait(String),
    /// QR refund.
    QrRefund(QrRefundRequest),
    /// QR same-day void.
    QrVoid(QrVoidRequest),
    /// Reprint of the caller's last receipt (`None`) or of the given trace / request id.
    Reprint {
        /// The original's trace number in the current batch.
        trace: Option<u32>,
        /// The original's request id (the caller's own).
        original_request_id: Option<String>,
    },
    /// Settlement of the terminal.
    Settle,
    /// Sign-in (and downloads) of the terminal.
    SignIn,
}

impl AppRequest {
    /// The request id and fingerprint of a request that is journalled under its id (`None`
    /// for a follow-up or management request: wait, reprint, settlement, sign-in).
    pub fn journalled_as(&self) -> Option<(&str, String)> {
        Some(match self {
            AppRequest::Sale(r) => (&r.request_id, r.fingerprint()),
            AppRequest::Balance(r) => (&r.request_id, r.fingerprint()),
            AppRequest::Void(r) => (&r.request_id, r.fingerprint()),
            AppRequest::Refund(r) => (&r.request_id, r.fingerprint()),
            AppRequest::PreAuth(r) => (&r.request_id, r.fingerprint()),
            AppRequest::PreAuthVoid(r) => (&r.request_id, r.fingerprint()),
            AppRequest::Completion(r) => (&r.request_id, r.fingerprint()),
            AppRequest::CompletionVoid(r) => (&r.request_id, r.fingerprint()),
            AppRequest::QrPay(r) => (&r.request_id, r.fingerprint()),
            AppRequest::QrDynamicCreate(r) => (&r.request_id, r.fingerprint()),
            AppRequest::QrRefund(r) => (&r.request_id, r.fingerprint()),
            AppRequest::QrVoid(r) => (&r.request_id, r.fingerprint()),
            AppRequest::QrDynamicWait(_)
            | AppRequest::Reprint { .. }
            | AppRequest::Settle
            | AppRequest::SignIn => return None,
        })
    }

    /// The capabilities the request needs, and what it is called in a refusal.
    pub fn needs(&self) -> (&'static [Capability], &'static str) {
        match self {
            AppRequest::Sale(_) => (&[Capability::Sale], "take card sales"),
            AppRequest::Balance(_) => (&[Capability::Sale], "run balance inquiries"),
            AppRequest::Void(_) => (&[Capability::Void], "void sales"),
            AppRequest::Refund(_) => (&[Capability::Refund], "refund sales"),
            AppRequest::PreAuth(_)
            | AppRequest::PreAuthVoid(_)
            | AppRequest::Completion(_)
            | AppRequest::CompletionVoid(_) => (&[Capability::PreAuth], "run pre-authorisations"),
            AppRequest::QrPay(_)
            | AppRequest::QrDynamicCreate(_)
            | AppRequest::QrDynamicWait(_) => (&[Capability::Qr], "take QR payments"),
            AppRequest::QrRefund(_) => {
                (&[Capability::Qr, Capability::Refund], "refund QR payments")
            }
            AppRequest::QrVoid(_) => (&[Capability::Qr, Capability::Void], "void QR payments"),
            AppRequest::Reprint { .. } => (&[], "reprint"),
            AppRequest::Settle => (&[Capability::Settlement], "settle the terminal"),
            AppRequest::SignIn => (&[Capability::SignIn], "sign the terminal in"),
        }
    }
}

impl super::caller::Caller {
    /// Whether this caller may make `request`: `Err((action, capability))` names what it lacks.
    pub fn permits(&self, request: &AppRequest) -> Result<(), (&'static str, &'static str)> {
        let (needs, action) = request.needs();
        match needs.iter().find(|c| !self.may(**c)) {
            Some(missing) => Err((action, missing.as_str())),
            None => Ok(()),
        }
    }
}

/// What [`crate::Terminal::serve`] answers.
#[derive(Debug, Clone, PartialEq)]
pub enum AppAnswer {
    /// A card transaction (or a QR refund or void projected onto one).
    Txn(Outcome),
    /// A QR payment.
    Qr(QrOutcome),
    /// A dynamic code to show.
    QrCode(QrDynamicCode),
    /// A QR refund or void.
    QrRefund(QrRefundOutcome),
    /// The printed lines of a reprint.
    Reprinted(Vec<String>),
    /// Settlement.
    Settled(SettlementReport),
    /// Sign-in.
    SignedIn(StartupReport),
}
