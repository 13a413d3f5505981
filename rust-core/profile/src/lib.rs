//! `unipos-profile`: the acquirer profile. Everything that differs from one acquirer to
//! another (framing, MAC, key delivery, timeouts, the reversal and settlement choices) is one
//! serde value with the UnionPay defaults (ARCHITECTURE.md decision 6), so an acquirer variant
//! is a JSON file, not a code change. The terminal (CLI `--profile FILE`, the app's
//! provisioning through the FFI) and the host simulator (`unipos host run --profile FILE`)
//! read the same file.
//!
//! Every field has a default: `{}` is the UnionPay profile, and a file names only what
//! differs. Unknown fields are refused (a typo must not silently fall back to a default), and
//! [`AcquirerProfile::validate`] names the field of any bad value. `docs/protocol-profile.md`
//! documents each field.
//!
//! ```
//! let p = unipos_profile::AcquirerProfile::from_json(r#"{"mac": "x9.19"}"#).unwrap();
//! assert_eq!(p.mac, unipos_profile::MacScheme::X919);
//! assert_eq!(p.tpdu_hex(), "6000030000");
//! ```

use serde::{Deserialize, Serialize};
use std::time::Duration;
use unipos_crypto::MacAlgorithm;
use unipos_iso8583::cup::NetworkCode;

/// A profile that cannot be used, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The text is not a profile (bad JSON, an unknown field, a wrong type).
    #[error("acquirer profile: {0}")]
    Parse(String),
    /// A field has a value the terminal cannot use.
    #[error("acquirer profile: {field}: {reason}")]
    Invalid {
        /// The field, as written in the JSON (`timeouts.response_ms`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

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

/// Time limits of one exchange with the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timeouts {
    /// Time allowed to connect, ms.
    pub connect_ms: u64,
    /// Time allowed for the answer, ms (the UnionPay default is 60 s). The host may change it
    /// in the parameter download.
    pub response_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect_ms: 10_000,
            response_ms: 60_000,
        }
    }
}

/// What the terminal does with a lost answer (DOMAIN.md rule 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReversalRules {
    /// Attempts before a reversal is parked for manual handling. The host may change it in
    /// the parameter download.
    pub retries: u32,
    /// Field 39 answers to a 0400 that count as acknowledged. `00` always; `25` (original not
    /// found) means "nothing to undo" at most acquirers.
    pub acknowledged_codes: Vec<String>,
    /// Field 39 of the reversal of a host approval the card refused (second GENERATE AC):
    /// `96` (device fault, the spec's reading) or `06` (other).
    pub card_refused_reason: String,
}

impl Default for ReversalRules {
    fn default() -> Self {
        ReversalRules {
            retries: 3,
            acknowledged_codes: vec!["00".into(), "25".into()],
            card_refused_reason: "96".into(),
        }
    }
}

/// How a batch is settled (PROTOCOL.md §1.7–1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettlementRules {
    /// 60.3 of the end-of-batch-upload message when the totals balanced.
    pub upload_end_balanced: u16,
    /// 60.3 of the end-of-batch-upload message when they did not.
    pub upload_end_unbalanced: u16,
}

impl Default for SettlementRules {
    fn default() -> Self {
        SettlementRules {
            upload_end_balanced: 207,
            upload_end_unbalanced: 202,
        }
    }
}

/// The acquirer profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AcquirerProfile {
    /// A name for logs and receipts of the technician (`unionpay`).
    pub name: String,
    /// TPDU sent in requests: 10 hex digits, `60` + destination + source.
    pub tpdu: String,
    /// Application header sent in requests: 12 hex digits.
    pub header: String,
    /// MAC algorithm for field 64.
    pub mac: MacScheme,
    /// Work-key mode at sign-in.
    pub key_mode: KeyMode,
    /// Currency (field 49), 3 digits.
    pub currency: String,
    /// Whether the terminal supports partial approval (60.6 = 1).
    pub partial_approval: bool,
    /// Offset of local time from UTC, minutes (China: 480).
    pub utc_offset_minutes: i32,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Reversal rules.
    pub reversal: ReversalRules,
    /// Attempts of a store-and-forward message before it is reported as stuck (it is kept).
    pub advice_retries: u32,
    /// Settlement rules.
    pub settlement: SettlementRules,
}

impl Default for AcquirerProfile {
    fn default() -> Self {
        AcquirerProfile {
            name: "unionpay".into(),
            tpdu: "6000030000".into(),
            header: "603100310001".into(),
            mac: MacScheme::CupEcb,
            key_mode: KeyMode::DoubleLength,
            currency: "156".into(),
            partial_approval: true,
            utc_offset_minutes: unipos_clock::CHINA_OFFSET_MINUTES,
            timeouts: Timeouts::default(),
            reversal: ReversalRules::default(),
            advice_retries: 3,
            settlement: SettlementRules::default(),
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn hex_bytes<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], ProfileError> {
    let bytes = hex::decode(text)
        .map_err(|_| invalid(field, format!("'{text}' is not {} hex digits", 2 * N)))?;
    bytes
        .try_into()
        .map_err(|_| invalid(field, format!("'{text}' is not {} hex digits", 2 * N)))
}

fn is_code(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl AcquirerProfile {
    /// Parses and validates a profile; fields it omits keep their UnionPay defaults.
    pub fn from_json(text: &str) -> Result<AcquirerProfile, ProfileError> {
        let profile: AcquirerProfile =
            serde_json::from_str(text).map_err(|e| ProfileError::Parse(e.to_string()))?;
        profile.validate()?;
        Ok(profile)
    }

    /// The profile as pretty JSON (every field, for a file to edit).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every value; the error names the first bad field.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let tpdu = self.tpdu_bytes()?;
        if tpdu[0] != 0x60 {
            return Err(invalid("tpdu", "a TPDU starts with 60"));
        }
        self.header_bytes()?;
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("currency", "3 digits (156 for CNY)"));
        }
        if !(-720..=840).contains(&self.utc_offset_minutes) {
            return Err(invalid("utc_offset_minutes", "between -720 and 840"));
        }
        if !(1..=120_000).contains(&self.timeouts.connect_ms) {
            return Err(invalid("timeouts.connect_ms", "1 to 120000 ms"));
        }
        if !(1..=300_000).contains(&self.timeouts.response_ms) {
            return Err(invalid("timeouts.response_ms", "1 to 300000 ms"));
        }
        if !(1..=99).contains(&self.reversal.retries) {
            return Err(invalid("reversal.retries", "1 to 99"));
        }
        if !self.reversal.acknowledged_codes.iter().any(|c| c == "00")
            || !self.reversal.acknowledged_codes.iter().all(|c| is_code(c))
        {
            return Err(invalid(
                "reversal.acknowledged_codes",
                "two-character response codes, including 00",
            ));
        }
        if !matches!(self.reversal.card_refused_reason.as_str(), "96" | "06") {
            return Err(invalid("reversal.card_refused_reason", "96 or 06"));
        }
        if !(1..=99).contains(&self.advice_retries) {
            return Err(invalid("advice_retries", "1 to 99"));
        }
        for (field, code) in [
            (
                "settlement.upload_end_balanced",
                self.settlement.upload_end_balanced,
            ),
            (
                "settlement.upload_end_unbalanced",
                self.settlement.upload_end_unbalanced,
            ),
        ] {
            if code > 999 {
                return Err(invalid(field, "a 3-digit 60.3 code"));
            }
        }
        Ok(())
    }

    /// The TPDU as bytes.
    pub fn tpdu_bytes(&self) -> Result<[u8; 5], ProfileError> {
        hex_bytes("tpdu", &self.tpdu)
    }

    /// The TPDU as upper-case hex.
    pub fn tpdu_hex(&self) -> String {
        self.tpdu.to_ascii_uppercase()
    }

    /// The application header as bytes.
    pub fn header_bytes(&self) -> Result<[u8; 6], ProfileError> {
        hex_bytes("header", &self.header)
    }

    /// Time allowed to connect.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.timeouts.connect_ms)
    }

    /// Time allowed for an answer.
    pub fn response_timeout(&self) -> Duration {
        Duration::from_millis(self.timeouts.response_ms)
    }

    /// Whether a 0400 answer with this field 39 acknowledges the reversal.
    pub fn reversal_acknowledged(&self, code: &str) -> bool {
        self.reversal.acknowledged_codes.iter().any(|c| c == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_is_the_unionpay_default_and_round_trips() {
        let p = AcquirerProfile::from_json("{}").unwrap();
        assert_eq!(p, AcquirerProfile::default());
        assert_eq!(AcquirerProfile::from_json(&p.to_json()).unwrap(), p);
        assert_eq!(p.tpdu_bytes().unwrap(), [0x60, 0x00, 0x03, 0x00, 0x00]);
        assert_eq!(
            p.header_bytes().unwrap(),
            [0x60, 0x31, 0x00, 0x31, 0x00, 0x01]
        );
        assert_eq!(p.response_timeout(), Duration::from_secs(60));
        assert!(p.reversal_acknowledged("25") && !p.reversal_acknowledged("96"));
    }

    #[test]
    fn a_file_names_only_what_differs() {
        let p = AcquirerProfile::from_json(
            r#"{"mac": "x9.19", "key_mode": "004", "timeouts": {"response_ms": 5000},
                "reversal": {"acknowledged_codes": ["00"]}}"#,
        )
        .unwrap();
        assert_eq!(p.mac, MacScheme::X919);
        assert_eq!(p.key_mode, KeyMode::DoubleLengthWithTdk);
        assert_eq!(p.timeouts.response_ms, 5000);
        assert_eq!(p.timeouts.connect_ms, 10_000, "sibling keeps its default");
        assert_eq!(p.reversal.retries, 3);
        assert!(!p.reversal_acknowledged("25"));
    }

    #[test]
    fn bad_values_name_their_field() {
        let field_of = |json: &str| match AcquirerProfile::from_json(json) {
            Err(ProfileError::Invalid { field, .. }) => field.to_owned(),
            Err(ProfileError::Parse(m)) => format!("parse: {m}"),
            Ok(_) => "accepted".into(),
        };
        assert_eq!(field_of(r#"{"tpdu": "60000300"}"#), "tpdu");
        assert_eq!(field_of(r#"{"tpdu": "7000030000"}"#), "tpdu");
        assert_eq!(field_of(r#"{"header": "60310031000Z"}"#), "header");
        assert_eq!(field_of(r#"{"currency": "CNY"}"#), "currency");
        assert_eq!(
            field_of(r#"{"timeouts": {"response_ms": 0}}"#),
            "timeouts.response_ms"
        );
        assert_eq!(
            field_of(r#"{"reversal": {"retries": 0}}"#),
            "reversal.retries"
        );
        assert_eq!(
            field_of(r#"{"reversal": {"acknowledged_codes": ["25"]}}"#),
            "reversal.acknowledged_codes"
        );
        assert_eq!(
            field_of(r#"{"reversal": {"card_refused_reason": "A0"}}"#),
            "reversal.card_refused_reason"
        );
        assert!(field_of(r#"{"mac": "md5"}"#).starts_with("parse: unknown variant"));
        let typo = field_of(r#"{"timeout": {}}"#);
        assert!(typo.contains("unknown field `timeout`"), "{typo}");
    }
}
