//! The acquirer's message-security schemes: the MAC of field 64 and the sign-in key mode.

use serde::{Deserialize, Serialize};
use unipos_crypto::MacAlgorithm;
use unipos_iso8583::cup::NetworkCode;

/// Which MAC the acquirer uses for field 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MacScheme {
    /// UnionPay "ECB" MAC: field 64 carries 8 hex characters (PROTOCOL.md §2.1).
    #[default]
    #[serde(rename = "cup-ecb")]
    CupEcb,
    /// ANSI X9.19 retail MAC, 8 raw bytes, zero padding.
    #[serde(rename = "x9.19")]
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

/// How work keys are delivered at sign-in (60.3 of the 0800).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KeyMode {
    /// `003`: double-length PIK and MAK.
    #[default]
    #[serde(rename = "003")]
    DoubleLength,
    /// `004`: double-length PIK, MAK and a track-data key.
    #[serde(rename = "004")]
    DoubleLengthWithTdk,
}

impl KeyMode {
    /// The 60.3 network code.
    pub fn network_code(self) -> NetworkCode {
        match self {
            KeyMode::DoubleLength => NetworkCode::SignInDoubleKeys,
            KeyMode::DoubleLengthWithTdk => NetworkCode::SignInDoubleKeysWithTdk,
        }
    }
}
