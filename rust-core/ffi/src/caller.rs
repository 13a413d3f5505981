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
use std::sync::{Arc, Weak};
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

/// What a scoped caller asks (the AIDL / Intent request mapped by the app).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScopedRequest {
    /// Card sale.
    Sale {
        /// The sale.
        request: SaleRequest,
    },
    /// Balance inquiry.
    Balance {
        /// Idempotency key.
        request_id: String,
    },
    /// Void of one of the caller's sales (by trace).
    Void {
        /// The void.
        request: VoidRequest,
    },
    /// Refund of one of the caller's sales (by reference number and date).
    Refund {
        /// The refund.
        request: RefundRequest,
    },
    /// Pre-authorisation.
    PreAuth {
        /// The pre-authorisation.
        request: PreAuthRequest,
    },
    /// Pre-authorisation void.
    PreAuthVoid {
        /// The void.
        request: PreAuthVoidRequest,
    },
    /// Completion.
    Completion {
        /// The completion.
        request: CompletionRequest,
    },
    /// Completion void.
    CompletionVoid {
        /// The void.
        request: CompletionVoidRequest,
    },
    /// QR payment with the customer's payment code (scanned by the terminal or by the
    /// merchant app's own scanner).
    QrPay {
        /// The payment.
        request: QrPayRequest,
    },
    /// A dynamic code to show: create it (then `QrShowWait`).
    QrShowCreate {
        /// The order.
        request: QrOrderRequest,
    },
    /// Wait until the caller's shown code is paid (or close it at its deadline).
    QrShowWait {
        /// The request id of the create.
        request_id: String,
    },
    /// QR refund (`amount` set) or same-day void (`amount` = `null`) of one of the caller's QR
    /// payments, named by its request id or its QR order number.
    QrRefund {
        /// The refund.
        request: QrRefundRequest,
    },
    /// Reprint of the caller's last receipt, or of `original_request_id` / `trace`.
    Reprint {
        /// The original's request id.
        original_request_id: Option<String>,
        /// The original's trace in the current batch.
        trace: Option<i32>,
    },
    /// Settlement (capability `settlement`).
    Settle,
    /// Sign-in (capability `signin`).
    SignIn,
}

/// What [`CallerSession::serve`] answers.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ScopedAnswer {
    /// A card transaction.
    Txn {
        /// Its outcome.
        outcome: Outcome,
    },
    /// A QR payment.
    Qr {
        /// Its outcome.
        outcome: QrOutcome,
    },
    /// A dynamic code to show.
    QrCode {
        /// The code.
        code: QrDynamicCode,
    },
    /// A QR refund or void.
    QrRefund {
        /// Its outcome.
        outcome: QrRefundOutcome,
    },
    /// A reprint's lines.
    Reprinted {
        /// What was printed.
        lines: Vec<String>,
    },
    /// Settlement.
    Settled {
        /// The report.
        report: SettlementReport,
    },
    /// Sign-in.
    SignedIn {
        /// The report.
        report: StartupReport,
    },
}

/// What the journal already knows of a request (answered without waiting for a running
/// transaction).
// uniffi passes enum payloads by value (no Box across the FFI); one per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum KnownRequest {
    /// The request id is new in this scope (or the request is not journalled under its id).
    New,
    /// The same request was made before: its stored outcome (in progress or final).
    Repeat {
        /// The stored outcome.
        outcome: Outcome,
    },
}

fn engine_request(r: ScopedRequest) -> Result<t::AppRequest, PosError> {
    Ok(match r {
        ScopedRequest::Sale { request } => t::AppRequest::Sale(t::SaleRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
        }),
        ScopedRequest::Balance { request_id } => t::AppRequest::Balance(t::BalanceRequest {
            request_id: types::request_id(&request_id)?,
        }),
        ScopedRequest::Void { request } => t::AppRequest::Void(t::VoidRequest {
            request_id: types::request_id(&request.request_id)?,
            trace: types::trace(request.original_trace)?,
        }),
        ScopedRequest::Refund { request } => t::AppRequest::Refund(t::RefundRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
            rrn: request.original_rrn,
            date: request.original_date,
        }),
        ScopedRequest::PreAuth { request } => t::AppRequest::PreAuth(t::PreAuthRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
        }),
        ScopedRequest::PreAuthVoid { request } => {
            t::AppRequest::PreAuthVoid(t::PreAuthVoidRequest {
                request_id: types::request_id(&request.request_id)?,
                auth_code: request.auth_code,
                date: request.original_date,
            })
        }
        ScopedRequest::Completion { request } => t::AppRequest::Completion(t::CompletionRequest {
            request_id: types::request_id(&request.request_id)?,
            amount: types::amount(request.amount)?,
            auth_code: request.auth_code,
            date: request.original_date,
            advice: request.advice,
        }),
        ScopedRequest::CompletionVoid { request } => {
            t::AppRequest::CompletionVoid(t::CompletionVoidRequest {
                request_id: types::request_id(&request.request_id)?,
                trace: types::trace(request.original_trace)?,
            })
        }
        ScopedRequest::QrPay { request } => t::AppRequest::QrPay(crate::qr::pay(request)?),
        ScopedRequest::QrShowCreate { request } => {
            t::AppRequest::QrDynamicCreate(crate::qr::order(request)?)
        }
        ScopedRequest::QrShowWait { request_id } => {
            t::AppRequest::QrDynamicWait(types::request_id(&request_id)?)
        }
        ScopedRequest::QrRefund { request } => {
            let request_id = types::request_id(&request.request_id)?;
            // A request id or a QR order number: both are printable ASCII.
            let original = types::order_id(&request.original_request_id).map_err(|_| {
                PosError::invalid(
                    "the original QR payment must be named by its request id or QR order number \
                     (1 to 64 printable ASCII characters)",
                )
            })?;
            match request.amount {
                Some(a) => t::AppRequest::QrRefund(t::QrRefundRequest {
                    request_id,
                    original_request_id: original,
                    amount: types::amount(a)?,
                    reason: request.reason,
                }),
                None => t::AppRequest::QrVoid(t::QrVoidRequest {
                    request_id,
                    original_request_id: original,
                }),
            }
        }
        ScopedRequest::Reprint {
            original_request_id,
            trace,
        } => t::AppRequest::Reprint {
            trace: trace.map(types::trace).transpose()?,
            original_request_id: original_request_id.filter(|s| !s.is_empty()),
        },
        ScopedRequest::Settle => t::AppRequest::Settle,
        ScopedRequest::SignIn => t::AppRequest::SignIn,
    })
}

fn is_qr(r: &t::AppRequest) -> bool {
    matches!(
        r,
        t::AppRequest::QrPay(_)
            | t::AppRequest::QrDynamicCreate(_)
            | t::AppRequest::QrDynamicWait(_)
            | t::AppRequest::QrRefund(_)
            | t::AppRequest::QrVoid(_)
    )
}

/// A caller's session with the terminal: everything it asks is served in its scope with its
/// capabilities.
#[derive(uniffi::Object)]
pub struct CallerSession {
    /// Weak: a session the app forgets to close must not keep the terminal (and its database's
    /// owner lock) alive after the terminal is closed.
    pos: Weak<PosTerminal>,
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
    /// A session for a merchant app (its scope: 1 to 128 printable characters; the empty
    /// scope is the cashier's and cannot be taken).
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
            pos: Arc::downgrade(&self),
            caller: t::Caller::app(
                caller.scope,
                caller.capabilities.into_iter().map(Into::into),
            ),
        }))
    }

    /// The cashier's own session (the terminal's screens): the cashier scope, every capability.
    pub fn cashier_session(self: Arc<Self>) -> Arc<CallerSession> {
        Arc::new(CallerSession {
            pos: Arc::downgrade(&self),
            caller: t::Caller::cashier(),
        })
    }

    /// The stored outcome of `request_id` in `scope` (`null` if that scope never used it).
    /// Read from the journal without waiting for a running transaction.
    pub fn query_in_scope(
        &self,
        scope: String,
        request_id: String,
    ) -> Result<Option<Outcome>, PosError> {
        self.read(|r| r.query_in(&scope, &request_id))
            .map(|o| o.map(Outcome::from))
    }
}

impl CallerSession {
    fn pos(&self) -> Result<Arc<PosTerminal>, PosError> {
        self.pos.upgrade().ok_or_else(|| PosError::Configuration {
            reason: "the terminal was closed: open it again and take a new session".into(),
        })
    }
}

#[uniffi::export]
impl CallerSession {
    /// The caller's scope.
    pub fn scope(&self) -> String {
        self.caller.scope.clone()
    }

    /// Serves one request: refused with 1017 `CapabilityNotGranted` before anything is read,
    /// stored or sent when the caller lacks what it needs; originals and reprints are the
    /// caller's own unless it may use any. Blocks for the whole transaction.
    pub fn serve(
        &self,
        request: ScopedRequest,
        fields: MerchantFields,
    ) -> Result<ScopedAnswer, PosError> {
        let request = engine_request(request)?;
        if is_qr(&request) {
            self.pos()?.qr_ready()?;
        }
        let fields = engine_fields(fields);
        let (answer, print) = self
            .pos()?
            .run_with_print(|t| t.serve(&self.caller, fields, request))?;
        Ok(match answer {
            t::AppAnswer::Txn(o) => {
                let mut outcome = Outcome::from(o);
                outcome.print_error_code = print;
                ScopedAnswer::Txn { outcome }
            }
            t::AppAnswer::Qr(o) => ScopedAnswer::Qr { outcome: o.into() },
            t::AppAnswer::QrCode(c) => ScopedAnswer::QrCode { code: c.into() },
            t::AppAnswer::QrRefund(o) => ScopedAnswer::QrRefund { outcome: o.into() },
            t::AppAnswer::Reprinted(lines) => ScopedAnswer::Reprinted { lines },
            t::AppAnswer::Settled(r) => ScopedAnswer::Settled { report: r.into() },
            t::AppAnswer::SignedIn(r) => ScopedAnswer::SignedIn { report: r.into() },
        })
    }

    /// Whether the journal already knows `request` (without waiting for a running
    /// transaction): new, a repeat (its stored outcome), or 1004 `RequestIdConflict` for an
    /// id this caller used for another request.
    pub fn known(&self, request: ScopedRequest) -> Result<KnownRequest, PosError> {
        let request = engine_request(request)?;
        Ok(
            match self.pos()?.read(|r| r.known(&self.caller, &request))? {
                None => KnownRequest::New,
                Some(o) => KnownRequest::Repeat { outcome: o.into() },
            },
        )
    }

    /// The outcome of one of the caller's request ids (`null`: never used by this caller).
    pub fn query(&self, request_id: String) -> Result<Option<Outcome>, PosError> {
        let scope = &self.caller.scope;
        self.pos()?
            .read(|r| r.query_in(scope, &request_id))
            .map(|o| o.map(Outcome::from))
    }

    /// The newest of the caller's requests that carried its order number `order_no`.
    pub fn query_by_order_no(&self, order_no: String) -> Result<Option<Outcome>, PosError> {
        let scope = &self.caller.scope;
        self.pos()?
            .read(|r| r.query_by_order_no(scope, &order_no))
            .map(|o| o.map(Outcome::from))
    }

    /// The caller's last request (the terminal's last with the `query` capability).
    pub fn query_last(&self) -> Result<Option<Outcome>, PosError> {
        self.pos()?
            .read(|r| r.query_last_of(&self.caller))
            .map(|o| o.map(Outcome::from))
    }
}
