//! The terminal's configuration: its identity, where its hosts are, receipts, and the acquirer
//! profile (`unipos-profile`: framing, MAC, key mode, timeouts, reversal and settlement
//! choices, as data with the UnionPay defaults).

use std::net::SocketAddr;
use unipos_net::{Endpoint, Timeouts};
pub use unipos_profile::{AcquirerProfile, KeyMode, MacScheme, ProfileError};

/// How the terminal reaches the POSP and the QR gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAddress {
    /// Plain TCP with 2-byte framing (POSP only).
    Tcp(SocketAddr),
    /// HTTPS with a pinned CA: `/posp` for 8583 frames, `/qr/v1/...` for QR.
    Https {
        /// Host address.
        addr: SocketAddr,
        /// Name in the server certificate.
        server_name: String,
        /// Pinned CA certificate, PEM.
        ca_pem: String,
    },
}

impl HostAddress {
    pub(crate) fn endpoint(&self) -> Endpoint {
        match self {
            HostAddress::Tcp(addr) => Endpoint::Tcp { addr: *addr },
            HostAddress::Https {
                addr,
                server_name,
                ca_pem,
            } => Endpoint::Https {
                addr: *addr,
                server_name: server_name.clone(),
                ca_pem: ca_pem.clone(),
            },
        }
    }
}

/// The time limits of one POSP exchange under `profile`.
pub(crate) fn timeouts(profile: &AcquirerProfile) -> Timeouts {
    Timeouts {
        connect: profile.connect_timeout(),
        read: profile.response_timeout(),
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
    /// Operator number (field 63 in sign-in and settlement).
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
        }
    }
}
