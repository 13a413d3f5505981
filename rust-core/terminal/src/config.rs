//! Terminal and acquirer configuration. The acquirer profile is data (ARCHITECTURE.md
//! decision 6): framing, MAC algorithm, key mode, timeouts and retry counts, with the
//! UnionPay defaults.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use unipos_crypto::MacAlgorithm;
use unipos_net::{Endpoint, Timeouts};

/// How work keys are delivered at sign-in (60.3 of the 0800).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyMode {
    /// `003`: double-length PIK and MAK.
    DoubleLength,
    /// `004`: double-length PIK, MAK and a track-data key.
    DoubleLengthWithTdk,
}

impl KeyMode {
    /// The 60.3 network code.
    pub fn network_code(self) -> unipos_iso8583::cup::NetworkCode {
        match self {
            KeyMode::DoubleLength => unipos_iso8583::cup::NetworkCode::SignInDoubleKeys,
            KeyMode::DoubleLengthWithTdk => {
                unipos_iso8583::cup::NetworkCode::SignInDoubleKeysWithTdk
            }
        }
    }
}

/// Which MAC the acquirer uses for field 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MacScheme {
    /// UnionPay "ECB" MAC (default).
    CupEcb,
    /// ANSI X9.19 retail MAC, 8 raw bytes.
    X919,
}

impl MacScheme {
    /// The crypto algorithm.
    pub fn algorithm(self) -> MacAlgorithm {
        match self {
            MacScheme::CupEcb => MacAlgorithm::CupEcb,
            MacScheme::X919 => MacAlgorithm::X919,
        }
    }
}

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

/// The acquirer profile: everything that differs from one acquirer to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquirerProfile {
    /// TPDU sent in requests (10 hex digits).
    pub tpdu: [u8; 5],
    /// Application header sent in requests.
    pub header: [u8; 6],
    /// MAC algorithm for field 64.
    pub mac: MacScheme,
    /// Work-key mode at sign-in.
    pub key_mode: KeyMode,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole exchange, connecting included (the UnionPay default is 60 s).
    pub response_timeout: Duration,
    /// Reversal attempts before a reversal is parked for manual handling.
    pub reversal_retries: u32,
    /// Attempts of a store-and-forward message before it is reported as stuck (it is kept).
    pub advice_retries: u32,
    /// 60.3 of the end-of-batch-upload message when totals balanced / did not balance.
    pub batch_upload_end_balanced: u16,
    /// See `batch_upload_end_balanced`.
    pub batch_upload_end_unbalanced: u16,
    /// Currency (field 49).
    pub currency: String,
    /// Whether the terminal supports partial approval (60.6 = 1).
    pub partial_approval: bool,
    /// Offset of local time from UTC, minutes (China: 480).
    pub utc_offset_minutes: i32,
}

impl Default for AcquirerProfile {
    fn default() -> Self {
        AcquirerProfile {
            tpdu: [0x60, 0x00, 0x03, 0x00, 0x00],
            header: [0x60, 0x31, 0x00, 0x31, 0x00, 0x01],
            mac: MacScheme::CupEcb,
            key_mode: KeyMode::DoubleLength,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            reversal_retries: 3,
            advice_retries: 3,
            batch_upload_end_balanced: 207,
            batch_upload_end_unbalanced: 202,
            currency: "156".into(),
            partial_approval: true,
            utc_offset_minutes: unipos_clock::CHINA_OFFSET_MINUTES,
        }
    }
}

impl AcquirerProfile {
    /// The response timeout bounds the whole exchange (connect, send, receive).
    pub(crate) fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.connect_timeout,
            exchange: self.response_timeout,
        }
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
    pub receipts: crate::receipt::ReceiptStyle,
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
            receipts: crate::receipt::ReceiptStyle::default(),
        }
    }
}
