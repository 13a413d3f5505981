//! Requests of a scoped caller (a merchant app through the AIDL service or the pay Intent):
//! [`PosTerminal::for_caller`] gives a [`CallerSession`] whose every request is served by the
//! engine in the caller's scope with the caller's capabilities (`Terminal::serve`). The
//! engine, not the app, decides what a caller may see and change.

use crate::error::PosError;
use crate::qr::{
    QrDynamicCode, QrOrderRequest, QrOutcome, QrPayRequest, QrRefundOutcome, QrRefundRequest,
};
use crate::terminal::PosTerminal;
use crate::types::{self, *};
use std::sync::Arc;
use unipos_terminal as t;

/// What the acquirer's allow-list grants a caller (`docs/integration-guide.md` §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Capability {
    /// Card sales and balance inquiries.
    Sale,
    /// QR payments.
    Qr,
    /// The pre-authorisation family.
    PreAuth,
    /// Voids.
    Void,
    /// Refunds.
    Refund,
    /// Settlement.
    Settlement,
    /// Sign-in.
    SignIn,
    /// The whole terminal's journal (last transaction, reprints).
    Query,
    /// Originals of any caller for void / refund / completion.
    AnyOriginal,
}

impl From<Capability> for t::Capability {
    fn from(c: Capability) -> Self {
        match c {
            Capability::Sale => t::Capability::Sale,
            Capability::Qr => t::Capability::Qr,
            Capability::PreAuth => t::Capability::PreAuth,
            Capability::Void => t::Capability::Void,
            Capability::Refund => t::Capability::Refund,
            Capability::Settlement => t::Capability::Settlement,
            Capability::SignIn => t::Capability::SignIn,
            Capability::Query => t::Capability::Query,
            Capability::AnyOriginal => t::Capability::AnyOriginal,
        }
    }
}

/// The capability of an allow-list name (`sale`, `qr`, `preauth`, `void`, `refund`,
/// `settlement`, `signin`, `query`, `any_original`), `null` for an unknown name. The app
/// parses the allow-list with this, so the names live in the engine only.
#[uniffi::export]
pub fn capability_from_name(name: String) -> Option<Capability> {
    t::Capability::parse(&name).map(|c| match c {
        t::Capability::Sale => Capability::Sale,
        t::Capability::Qr => Capability::Qr,
        t::Capability::PreAuth => Capability::PreAuth,
        t::Capability::Void => Capability::Void,
        t::Capability::Refund => Capability::Refund,
        t::Capability::Settlement => Capability::Settlement,
        t::Capability::SignIn => Capability::SignIn,
        t::Capability::Query => Capability::Query,
        t::Capability::AnyOriginal => Capability::AnyOriginal,
    })
}

/// The capabilities a listed app gets when its allow-list entry names none.
#[uniffi::export]
pub fn default_capabilities() -> Vec<Capability> {
    vec![Capability::Sale, Capability::Qr]
}

/// Who calls: its scope (the package name of a merchant app) and its capabilities.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallerScope {
    /// Request ids, results and originals are this caller's own.
    pub scope: String,
    /// What it may do.
    pub capabilities: Vec<Capability>,
}

/// Who prints the receipt: the merchant app itself (`None`) or the acquiring app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PrintMode {
    /// The terminal's setting (both copies).
    Auto,
    /// Nothing: the merchant app prints.
    None,
    /// Merchant copy only.
    Merchant,
    /// Customer copy only.
    Customer,
    /// Both copies.
    Both,
}

/// What a merchant app adds to a request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MerchantFields {
    /// Its own order number (stored, printed, queryable with `query_by_order_no`).
    #[uniffi(default = None)]
    pub order_no: Option<String>,
    /// One line printed on the receipt.
    #[uniffi(default = None)]
    pub receipt_remark: Option<String>,
    /// Who prints.
    pub print_mode: PrintMode,
}

fn engine_fields(f: MerchantFields) -> t::MerchantFields {
    t::MerchantFields {
        order_no: f.order_no.filter(|s| !s.is_empty()),
        receipt_remark: f.receipt_remark.filter(|s| !s.is_empty()),
        print_mode: match f.print_mode {
            PrintMode::Auto => t::PrintMode::Auto,
            PrintMode::None => t::PrintMode::None,
            PrintMode::Merchant => t::PrintMode::Merchant,
            PrintMode::Customer => t::PrintMode::Customer,
            PrintMode::Both => t::PrintMode::Both,
        },
    }
}

/// A merchant app's session with the terminal: everything it asks is served in its scope.
#[derive(uniffi::Object)]
pub struct CallerSession {
    pos: Arc<PosTerminal>,
    caller: t::Caller,
}

impl std::fmt::Debug for CallerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallerSession")
            .field("scope", &self.caller.scope)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl PosTerminal {
    /// A session for one caller (its scope must be 1 to 128 printable characters; the
    /// cashier's own scope is the empty one and cannot be taken by a caller).
    pub fn for_caller(
        self: Arc<Self>,
        caller: CallerScope,
    ) -> Result<Arc<CallerSession>, PosError> {
        if caller.scope.is_empty()
            || caller.scope.len() > 128
            || caller.scope.chars().any(char::is_control)
        {
            return Err(PosError::invalid(
                "caller scope must be 1 to 128 printable characters",
            ));
        }
        Ok(Arc::new(CallerSession {
            pos: self,
            caller: t::Caller::app(
                caller.scope,
                caller.capabilities.into_iter().map(Into::into),
            ),
        }))
    }

    /// The stored outcome of `request_id` in `scope` (`null` if that scope never used it).
    pub fn query_in_scope(
        &self,
        scope: String,
        request_id: String,
    ) -> Result<Option<Outcome>, PosError> {
        self.run(|t| t.query_in(&scope, &request_id))
            .map(|o| o.map(Outcome::from))
    }
}

impl CallerSession {
    fn serve(
        &self,
        fields: MerchantFields,
        request: t::AppRequest,
    ) -> Result<(t::AppAnswer, i32), PosError> {
        let fields = engine_fields(fields);
        self.pos
            .run_with_print(|t| t.serve(&self.caller, fields, request))
    }

    fn txn(&self, fields: MerchantFields, request: t::AppRequest) -> Result<Outcome, PosError> {
        match self.serve(fields, request)? {
            (t::AppAnswer::Txn(o), print) => {
                let mut o = Outcome::from(o);
                o.print_error_code = print;
                Ok(o)
            }
            _ => Err(PosError::internal("unexpected answer to a card request")),
        }
    }

    fn qr(&self, fields: MerchantFields, request: t::AppRequest) -> Result<QrOutcome, PosError> {
        self.pos.qr_ready()?;
        match self.serve(fields, request)? {
            (t::AppAnswer::Qr(o), _) => Ok(o.into()),
            _ => Err(PosError::internal("unexpected answer to a QR request")),
        }
    }
}

#[uniffi::export]
impl CallerSession {
    /// The caller's scope.
    pub fn scope(&self) -> String {
        self.caller.scope.clone()
    }

    /// Card sale.
    pub fn sale(&self, request: SaleRequest, fields: MerchantFields) -> Result<Outcome, PosError> {
        let req = t::SaleRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
        };
        self.txn(fields, t::AppRequest::Sale(req))
    }

    /// Balance inquiry.
    pub fn balance_inquiry(&self, request_id: String) -> Result<Outcome, PosError> {
        let req = t::BalanceRequest {
            request_id: types::request_id(&request_id)?,
        };
        self.txn(no_fields(), t::AppRequest::Balance(req))
    }

    /// Void of one of the caller's sales (by trace).
    pub fn void(&self, request: VoidRequest, fields: MerchantFields) -> Result<Outcome, PosError> {
        let req = t::VoidRequest {
            request_id: types::request_id(&request.request_id)?,
            trace: types::trace(request.original_trace)?,
        };
        self.txn(fields, t::AppRequest::Void(req))
    }

    /// Refund of one of the caller's sales (by reference number and date).
    pub fn refund(
        &self,
        request: RefundRequest,
        fields: MerchantFields,
    ) -> Result<Outcome, PosError> {
        let req = t::RefundRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
            rrn: request.original_rrn,
            date: request.original_date,
        };
        self.txn(fields, t::AppRequest::Refund(req))
    }

    /// Pre-authorisation.
    pub fn pre_auth(
        &self,
        request: PreAuthRequest,
        fields: MerchantFields,
    ) -> Result<Outcome, PosError> {
        let req = t::PreAuthRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
        };
        self.txn(fields, t::AppRequest::PreAuth(req))
    }

    /// Pre-authorisation void.
    pub fn pre_auth_void(
        &self,
        request: PreAuthVoidRequest,
        fields: MerchantFields,
    ) -> Result<Outcome, PosError> {
        let req = t::PreAuthVoidRequest {
            request_id: types::request_id(&request.request_id)?,
            auth_code: request.auth_code,
            date: request.original_date,
        };
        self.txn(fields, t::AppRequest::PreAuthVoid(req))
    }

    /// Pre-authorisation completion.
    pub fn completion(
        &self,
        request: CompletionRequest,
        fields: MerchantFields,
    ) -> Result<Outcome, PosError> {
        let req = t::CompletionRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
            auth_code: request.auth_code,
            date: request.original_date,
            advice: request.advice,
        };
        self.txn(fields, t::AppRequest::Completion(req))
    }

    /// Completion void.
    pub fn completion_void(
        &self,
        request: CompletionVoidRequest,
        fields: MerchantFields,
    ) -> Result<Outcome, PosError> {
        let req = t::CompletionVoidRequest {
            request_id: types::request_id(&request.request_id)?,
            trace: types::trace(request.original_trace)?,
        };
        self.txn(fields, t::AppRequest::CompletionVoid(req))
    }

    /// QR payment with the customer's scanned payment code (the terminal's scanner, or the
    /// merchant app's own).
    pub fn qr_pay(
        &self,
        request: QrPayRequest,
        fields: MerchantFields,
    ) -> Result<QrOutcome, PosError> {
        let req = crate::qr::pay(request)?;
        self.qr(fields, t::AppRequest::QrPay(req))
    }

    /// A dynamic code to show; then [`CallerSession::qr_order_wait`].
    pub fn qr_order_create(
        &self,
        request: QrOrderRequest,
        fields: MerchantFields,
    ) -> Result<QrDynamicCode, PosError> {
        self.pos.qr_ready()?;
        let req = crate::qr::order(request)?;
        match self.serve(fields, t::AppRequest::QrDynamicCreate(req))? {
            (t::AppAnswer::QrCode(c), _) => Ok(c.into()),
            _ => Err(PosError::internal("unexpected answer to a QR order")),
        }
    }

    /// Waits until the caller's shown code is paid (or closes it at its deadline).
    pub fn qr_order_wait(
        &self,
        request_id: String,
        fields: MerchantFields,
    ) -> Result<QrOutcome, PosError> {
        self.qr(fields, t::AppRequest::QrDynamicWait(request_id))
    }

    /// QR refund (`amount` set) or same-day void (`amount` = `null`) of one of the caller's QR
    /// payments, named by its request id or its QR order number.
    pub fn qr_refund(&self, request: QrRefundRequest) -> Result<QrRefundOutcome, PosError> {
        self.pos.qr_ready()?;
        let request_id = types::request_id(&request.request_id)?;
        let original_request_id = request.original_request_id;
        if original_request_id.is_empty() || original_request_id.len() > 64 {
            return Err(PosError::invalid(
                "the original QR payment must be named (request id or QR order number)",
            ));
        }
        let req = match request.amount {
            Some(a) => t::AppRequest::QrRefund(t::QrRefundRequest {
                request_id,
                original_request_id,
                amount: types::amount(a)?,
                reason: request.reason,
            }),
            None => t::AppRequest::QrVoid(t::QrVoidRequest {
                request_id,
                original_request_id,
            }),
        };
        match self.serve(no_fields(), req)? {
            (t::AppAnswer::QrRefund(r), _) => Ok(r.into()),
            _ => Err(PosError::internal("unexpected answer to a QR refund")),
        }
    }

    /// Reprints the caller's last receipt, or the one of `original_request_id` / `trace`.
    pub fn reprint(
        &self,
        original_request_id: Option<String>,
        trace: Option<i32>,
    ) -> Result<Vec<String>, PosError> {
        let trace = trace.map(types::trace).transpose()?;
        let original_request_id = original_request_id.filter(|s| !s.is_empty());
        match self.serve(
            no_fields(),
            t::AppRequest::Reprint {
                trace,
                original_request_id,
            },
        )? {
            (t::AppAnswer::Reprinted(lines), _) => Ok(lines),
            _ => Err(PosError::internal("unexpected answer to a reprint")),
        }
    }

    /// Settlement (needs the `settlement` capability).
    pub fn settle(&self) -> Result<SettlementReport, PosError> {
        match self.serve(no_fields(), t::AppRequest::Settle)? {
            (t::AppAnswer::Settled(r), _) => Ok(r.into()),
            _ => Err(PosError::internal("unexpected answer to a settlement")),
        }
    }

    /// Sign-in and downloads (needs the `signin` capability).
    pub fn sign_in(&self) -> Result<StartupReport, PosError> {
        match self.serve(no_fields(), t::AppRequest::SignIn)? {
            (t::AppAnswer::SignedIn(r), _) => Ok(r.into()),
            _ => Err(PosError::internal("unexpected answer to a sign-in")),
        }
    }

    /// The outcome of one of the caller's request ids (`null`: never used by this caller).
    pub fn query(&self, request_id: String) -> Result<Option<Outcome>, PosError> {
        let scope = &self.caller.scope;
        self.pos
            .run(|t| t.query_in(scope, &request_id))
            .map(|o| o.map(Outcome::from))
    }

    /// The newest of the caller's requests that carried its order number `order_no`.
    pub fn query_by_order_no(&self, order_no: String) -> Result<Option<Outcome>, PosError> {
        let scope = &self.caller.scope;
        self.pos
            .run(|t| t.query_by_order_no(scope, &order_no))
            .map(|o| o.map(Outcome::from))
    }

    /// The caller's last request (the terminal's last with the `query` capability).
    pub fn query_last(&self) -> Result<Option<Outcome>, PosError> {
        self.pos
            .run(|t| t.query_last_of(&self.caller))
            .map(|o| o.map(Outcome::from))
    }
}

fn no_fields() -> MerchantFields {
    MerchantFields {
        order_no: None,
        receipt_remark: None,
        print_mode: PrintMode::Auto,
    }
}
