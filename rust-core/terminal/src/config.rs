//! The terminal's configuration: its identity, where its hosts are, receipts, and the acquirer
//! profile (`unipos-profile`: framing, MAC, key mode, timeouts, reversal and settlement
//! choices, as data with the UnionPay defaults).

use unipos_net::{Endpoint, Timeouts};
pub use unipos_profile::{AcquirerProfile, KeyMode, MacScheme, ProfileError};

/// How the terminal reaches the POSP and the QR gateway. Addresses are `host:port` strings,
/// resolved at each connection (not when the terminal opens); the first is the primary, the
/// others are fallbacks, tried in order only when connecting fails (nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAddress {
    /// Plain TCP with 2-byte framing (POSP) / plain HTTP (QR gateway, tests only).
    Tcp {
        /// `host:port`, primary first.
        addresses: Vec<String>,
    },
    /// HTTPS with a pinned CA: `/posp` for 8583 frames, `/qr/v1/...` for QR.
    Https {
        /// `host:port`, primary first.
        addresses: Vec<String>,
        /// Name in the server certificate.
        server_name: String,
        /// Pinned CA certificate, PEM.
        ca_pem: String,
    },
}

impl HostAddress {
    /// Plain TCP to one `host:port` (anything displayed that way: a `SocketAddr`, a string).
    pub fn tcp(address: impl ToString) -> HostAddress {
        HostAddress::Tcp {
            addresses: vec![address.to_string()],
        }
    }

    /// HTTPS to one `host:port`, pinning `ca_pem` and checking `server_name`.
    pub fn https(
        address: impl ToString,
        server_name: impl Into<String>,
        ca_pem: impl Into<String>,
    ) -> HostAddress {
        HostAddress::Https {
            addresses: vec![address.to_string()],
            server_name: server_name.into(),
            ca_pem: ca_pem.into(),
        }
    }

    /// Adds fallback addresses after the ones already there.
    pub fn with_fallbacks<S: ToString>(mut self, fallbacks: impl IntoIterator<Item = S>) -> Self {
        let list = match &mut self {
            HostAddress::Tcp { addresses } | HostAddress::Https { addresses, .. } => addresses,
        };
        list.extend(fallbacks.into_iter().map(|a| a.to_string()));
        self
    }

    /// The addresses, primary first.
    pub fn addresses(&self) -> &[String] {
        match self {
            HostAddress::Tcp { addresses } | HostAddress::Https { addresses, .. } => addresses,
        }
    }

    pub(crate) fn endpoint(&self) -> Endpoint {
        match self {
            HostAddress::Tcp { addresses } => Endpoint::Tcp {
                addresses: addresses.clone(),
            },
            HostAddress::Https {
                addresses,
                server_name,
                ca_pem,
            } => Endpoint::Https {
                addresses: addresses.clone(),
                server_name: server_name.clone(),
                ca_pem: ca_pem.clone(),
            },
        }
    }
}

/// The time limits of one POSP exchange under `profile`: the response timeout bounds the
/// whole exchange (connect, send, receive).
pub(crate) fn timeouts(profile: &AcquirerProfile) -> Timeouts {
    Timeouts {
        connect: profile.connect_timeout(),
        exchange: profile.response_timeout(),
    }
}

/// The whole terminal configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalConfig {
    /// Terminal id (field 41, 8 characters).
    pub terminal_id: String,
    /// Merchant id (field 42, 15 characters).
    pub merchant_id: String,
    /// Merchant name for receipts.
    pub merchant_name: String,
    /// The operator code (field 63, three digits) of requests made while no operator is
    /// signed in: merchant apps' requests and background work. A signed-in operator's own
    /// number replaces it (`01` goes as `001`).
    pub operator: String,
    /// Where the POSP is.
    pub posp: HostAddress,
    /// Where the QR gateway is (HTTPS in production; plain HTTP allowed for tests).
    pub qr_gateway: Option<HostAddress>,
    /// The acquirer profile.
    pub profile: AcquirerProfile,
    /// Local time `HH:MM` of automatic settlement (`None`: manual only).
    pub auto_settlement: Option<String>,
    /// Receipt language and width.
    pub receipts: crate::model::ReceiptStyle,
    /// What the terminal's readers can read (60.4).
    pub card_reading: crate::hardware::CardReading,
    /// The terminal's QR gateway key as provisioned: encrypted under the TMK with its check
    /// value (role `Qr`). Installed into the security module at open when it is not there
    /// yet; `None` keeps whatever the module holds.
    pub qr_key: Option<unipos_crypto::unwrap::WrappedKey>,
}

impl TerminalConfig {
    /// A configuration with the UnionPay profile defaults.
    pub fn new(terminal_id: &str, merchant_id: &str, posp: HostAddress) -> TerminalConfig {
        TerminalConfig {
            terminal_id: terminal_id.into(),
            merchant_id: merchant_id.into(),
            merchant_name: String::new(),
            operator: "001".into(),
            posp,
            qr_gateway: None,
            profile: AcquirerProfile::default(),
            auto_settlement: None,
            receipts: crate::model::ReceiptStyle::default(),
            card_reading: crate::hardware::CardReading::default(),
            qr_key: None,
        }
    }
}
