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

mod icc;
mod rules;
mod schemes;

pub use icc::{IccMessage, IccTags};
pub use rules::{ReversalRules, SettlementRules, Timeouts, VoidCounting};
pub use schemes::{KeyMode, MacScheme};

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A profile that cannot be used, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The text is not a profile (bad JSON, an unknown field, a wrong type).
    #[error("acquirer profile: {0}")]
    Parse(String),
    /// A field has a value the terminal cannot use.
    #[error("acquirer profile: {field}: {reason}")]
    Invalid {
        /// The field, as written in the JSON (`timeouts.response_ms`, `icc.request[3]`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
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
    /// The EMV tags field 55 may carry, per message.
    pub icc: IccTags,
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
            icc: IccTags::default(),
        }
    }
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        field: field.into(),
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
        if !(1..=999).contains(&self.settlement.batch_limit) {
            return Err(invalid(
                "settlement.batch_limit",
                "1 to 999 (the totals carry 3-digit counts)",
            ));
        }
        self.icc
            .validate()
            .map_err(|(field, reason)| invalid(field, reason))?;
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
            Err(ProfileError::Invalid { field, .. }) => field,
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
        assert_eq!(
            field_of(r#"{"settlement": {"batch_limit": 1000}}"#),
            "settlement.batch_limit"
        );
        assert_eq!(
            field_of(r#"{"icc": {"request": ["9F26", "57"]}}"#),
            "icc.request[1]"
        );
        assert!(
            field_of(r#"{"settlement": {"voids": "half"}}"#).starts_with("parse: unknown variant")
        );
        assert!(field_of(r#"{"mac": "md5"}"#).starts_with("parse: unknown variant"));
        let typo = field_of(r#"{"timeout": {}}"#);
        assert!(typo.contains("unknown field `timeout`"), "{typo}");
    }
}
