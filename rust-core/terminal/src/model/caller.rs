//! Who asks: the caller's scope and what the acquirer granted it (`docs/integration-guide.md`
//! §1, "Capabilities"). A merchant app's request ids, results and originals live in its own
//! scope; the cashier's screens have a scope of their own and every capability.

use std::collections::BTreeSet;

/// What a caller may do. The allow-list names them in lower case (`sale`, `qr`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// Card sales and balance inquiries.
    Sale,
    /// QR payments (scanned or shown) and refunds or voids of the caller's own QR payments
    /// when it also holds [`Capability::Refund`] / [`Capability::Void`].
    Qr,
    /// Pre-authorisation, its void, completion and completion void.
    PreAuth,
    /// Voids (card sale voids, QR same-day voids).
    Void,
    /// Refunds.
    Refund,
    /// Settlement (end of day) for the whole terminal.
    Settlement,
    /// Sign-in of the terminal.
    SignIn,
    /// Read the whole terminal's journal: the terminal's last transaction, and reprints of
    /// any receipt. Queries of the caller's own requests need no capability.
    Query,
    /// Void, refund or complete originals of any caller, not only the caller's own.
    AnyOriginal,
}

impl Capability {
    /// Every capability, in the allow-list's order.
    pub const ALL: [Capability; 9] = [
        Capability::Sale,
        Capability::Qr,
        Capability::PreAuth,
        Capability::Void,
        Capability::Refund,
        Capability::Settlement,
        Capability::SignIn,
        Capability::Query,
        Capability::AnyOriginal,
    ];

    /// The allow-list's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Sale => "sale",
            Capability::Qr => "qr",
            Capability::PreAuth => "preauth",
            Capability::Void => "void",
            Capability::Refund => "refund",
            Capability::Settlement => "settlement",
            Capability::SignIn => "signin",
            Capability::Query => "query",
            Capability::AnyOriginal => "any_original",
        }
    }

    /// The capability of an allow-list name (case-insensitive, `-` for `_` accepted).
    pub fn parse(name: &str) -> Option<Capability> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        let n = match n.as_str() {
            "pre_auth" => "preauth",
            "sign_in" => "signin",
            other => other,
        }
        .to_owned();
        Capability::ALL.into_iter().find(|c| c.as_str() == n)
    }

    /// What a merchant app gets when the allow-list names none: sales, QR payments and
    /// queries of its own requests.
    pub const DEFAULT: [Capability; 2] = [Capability::Sale, Capability::Qr];
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Whose request ids these are: `""` for the cashier's screens, the package name of a
    /// merchant app. Request ids are unique within a scope only.
    pub scope: String,
    /// What the caller may do.
    pub capabilities: BTreeSet<Capability>,
}

impl Caller {
    /// The cashier at the terminal: its own scope, every capability.
    pub fn cashier() -> Caller {
        Caller {
            scope: String::new(),
            capabilities: Capability::ALL.into_iter().collect(),
        }
    }

    /// A merchant app with the given capabilities.
    pub fn app(
        scope: impl Into<String>,
        capabilities: impl IntoIterator<Item = Capability>,
    ) -> Caller {
        Caller {
            scope: scope.into(),
            capabilities: capabilities.into_iter().collect(),
        }
    }

    /// Whether the caller holds `capability`.
    pub fn may(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// The scope originals and reprints are looked up in: the caller's own, or `None` (every
    /// scope) when it may use any original.
    pub fn original_scope(&self) -> Option<&str> {
        (!self.may(Capability::AnyOriginal)).then_some(self.scope.as_str())
    }

    /// The scope the terminal-wide reads (last transaction, reprint) look in.
    pub fn read_scope(&self) -> Option<&str> {
        (!self.may(Capability::Query)).then_some(self.scope.as_str())
    }
}

/// Who prints the receipt. The seeds' rule: a merchant app either prints its own receipt or
/// lets the acquiring app print it, chosen by a parameter of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintMode {
    /// The terminal's setting (both copies).
    #[default]
    Auto,
    /// Nothing: the merchant app prints its own receipt.
    None,
    /// The merchant copy only.
    Merchant,
    /// The customer copy only.
    Customer,
    /// Both copies.
    Both,
}

impl PrintMode {
    /// Whether the merchant / customer copy is printed.
    pub fn copies(self) -> (bool, bool) {
        match self {
            PrintMode::Auto | PrintMode::Both => (true, true),
            PrintMode::None => (false, false),
            PrintMode::Merchant => (true, false),
            PrintMode::Customer => (false, true),
        }
    }
}

/// What a merchant app adds to a request besides the transaction itself: its own order
/// number (stored with the row, printed, queryable) and a remark line for the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantFields {
    /// The merchant app's order number (≤ 64 printable ASCII).
    pub order_no: Option<String>,
    /// One line printed on the receipt (≤ 60 characters).
    pub receipt_remark: Option<String>,
    /// Who prints.
    pub print_mode: PrintMode,
}
