//! The simulator's configuration: listeners, host rules, terminals and the card ledger.
//!
//! Every field has a default, so `{}` (or no file at all) is a working configuration with the
//! [`defaults`] terminals and the [`test_cards`]. The JSON format is documented with an example
//! in `docs/hostsim.md`.

use crate::error::HostError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unipos_clock::{Clock, SystemClock};
use unipos_crypto::DesKey;
pub use unipos_profile::{AcquirerProfile, MacScheme};

/// Built-in identities shared with the terminal's tests and the CLI demo.
pub mod defaults {
    /// Terminal id (field 41) of the default terminal, as in the real sign-in capture.
    pub const TERMINAL_ID: &str = "62969002";
    /// Merchant id (field 42) of the default terminal.
    pub const MERCHANT_ID: &str = "301310048990001";
    /// Merchant name sent in the parameter download (DF01).
    pub const MERCHANT_NAME: &str = "UNIPOS TEST MERCHANT";
    /// The default terminal master key (test only: it is public, PROTOCOL.md §2.4).
    pub const TMK_HEX: &str = "70F2A84CCBC2AE8625CBB0F2C22AB923";
    /// Further terminals of the same merchant, for multi-terminal tests.
    pub const EXTRA_TERMINAL_IDS: [&str; 3] = ["62969003", "62969004", "62969005"];
    /// TPDU the default terminals send (destination 0003, source 0000).
    pub const TPDU_HEX: &str = "6000030000";
    /// Acquiring institution id (field 32 and the second half of field 44).
    pub const ACQUIRER_ID: &str = "48031000";
    /// Issuer id of the domestic test cards (first half of field 44).
    pub const DOMESTIC_ISSUER_ID: &str = "01020000";
    /// Issuer id of the foreign test cards.
    pub const FOREIGN_ISSUER_ID: &str = "04000000";
    /// PIN of every default test card.
    pub const PIN: &str = "123456";
    /// Issuer master key used to compute ARPCs for field 55 (test only).
    pub const ISSUER_MASTER_KEY_HEX: &str = "0123456789ABCDEFFEDCBA9876543210";
    /// The first batch number a terminal is on.
    pub const INITIAL_BATCH: u32 = 1;
}

/// The default test cards (all Luhn-valid; PIN [`defaults::PIN`]).
pub mod test_cards {
    /// UnionPay debit IC card (PSN 01), 100,000.00 CNY.
    pub const DEBIT_IC: &str = "6212345678901265";
    /// UnionPay credit magstripe card: no own funds, 50,000.00 CNY credit limit.
    pub const CREDIT_MAGSTRIPE: &str = "6212345678901232";
    /// UnionPay test-environment card, contactless, 50,000.00 CNY.
    pub const CONTACTLESS: &str = "6216261000000000018";
    /// The card of the captured sale (PROTOCOL.md §3.3), IC with PSN 01, 100,000.00 CNY.
    pub const CAPTURE: &str = "6212260200024125573";
    /// A foreign (Visa) IC card, 100,000.00 CNY.
    pub const FOREIGN_VISA: &str = "4761739001010010";
    /// A foreign (Mastercard) magstripe card, 100,000.00 CNY.
    pub const FOREIGN_MASTERCARD: &str = "5413330089010434";
    /// Reported lost: answers `41`.
    pub const LOST: &str = "6212345678901000";
    /// Frozen by the issuer: answers `62`.
    pub const FROZEN: &str = "6212345678902008";
    /// Expired in December 2020: answers `54`.
    pub const EXPIRED: &str = "6212345678903006";
    /// 100.00 CNY and partial approval allowed: a bigger sale is approved `10` for 100.00.
    pub const PARTIAL: &str = "6212345678904004";
    /// 1.00 CNY and no partial approval: anything bigger answers `51`.
    pub const LOW_BALANCE: &str = "6212345678905001";
    /// Reported stolen: answers `43`.
    pub const STOLEN: &str = "6212345678906009";
    /// Expiry (YYMM) of every default card that has not expired.
    pub const EXPIRY: &str = "3012";
}

/// The whole configuration of one simulator.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostSimConfig {
    /// Where to listen.
    pub listen: ListenConfig,
    /// Where to write the generated CA certificate (PEM), so a terminal can pin it.
    pub ca_pem_path: Option<PathBuf>,
    /// Seed of the generator behind keys, RRNs and auth codes; `None` = random per run.
    pub seed: Option<u64>,
    /// Host-wide business rules.
    pub host: HostRules,
    /// The terminals the host knows.
    pub terminals: Vec<TerminalConfig>,
    /// The card ledger.
    pub cards: Vec<CardConfig>,
    /// The QR gateway's configuration (see the QR gateway documentation).
    pub qr: crate::qr::QrConfig,
    /// The acquirer profile the terminals use (the same file as the terminal's
    /// `--profile`): applied by [`HostSimConfig::with_profile`] when the configuration is
    /// read, so both ends frame, MAC and sign in alike.
    pub profile: Option<AcquirerProfile>,
    /// The source of time (injected; not part of the file).
    #[serde(skip, default = "system_clock")]
    pub clock: Arc<dyn Clock>,
}

fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

impl std::fmt::Debug for HostSimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostSimConfig")
            .field("listen", &self.listen)
            .field("ca_pem_path", &self.ca_pem_path)
            .field("seed", &self.seed)
            .field("terminals", &self.terminals.len())
            .field("cards", &self.cards.len())
            .finish_non_exhaustive()
    }
}

impl Default for HostSimConfig {
    fn default() -> Self {
        HostSimConfig {
            listen: ListenConfig::default(),
            ca_pem_path: None,
            seed: None,
            host: HostRules::default(),
            terminals: default_terminals(),
            cards: default_cards(),
            qr: crate::qr::QrConfig::default(),
            profile: None,
            clock: system_clock(),
        }
    }
}

impl HostSimConfig {
    /// Reads a JSON configuration file; fields it omits keep their defaults.
    pub fn from_file(path: &Path) -> Result<Self, HostError> {
        let text = std::fs::read_to_string(path).map_err(|e| HostError::ConfigFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text).map_err(|e| HostError::ConfigFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Parses a JSON configuration; fields it omits keep their defaults.
    pub fn from_json(text: &str) -> Result<Self, HostError> {
        let config: HostSimConfig =
            serde_json::from_str(text).map_err(|e| HostError::Config(e.to_string()))?;
        match config.profile.clone() {
            Some(profile) => config.with_profile(&profile),
            None => Ok(config),
        }
    }

    /// This configuration serving terminals of `profile`: its MAC scheme and local time for
    /// the host, its TPDU and sign-in key mode for every configured terminal.
    pub fn with_profile(mut self, profile: &AcquirerProfile) -> Result<Self, HostError> {
        profile
            .validate()
            .map_err(|e| HostError::Config(e.to_string()))?;
        self.host.mac = profile.mac;
        self.host.utc_offset_minutes = profile.utc_offset_minutes;
        for t in &mut self.terminals {
            t.tpdu = profile.tpdu_hex();
            t.key_mode = match profile.key_mode {
                unipos_profile::KeyMode::DoubleLength => KeyMode::Double,
                unipos_profile::KeyMode::DoubleLengthWithTdk => KeyMode::DoubleWithTdk,
            };
        }
        self.profile = Some(profile.clone());
        Ok(self)
    }

    /// This configuration with another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// This configuration with a fixed seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Checks what serde cannot: keys, ids, PANs, duplicates.
    pub fn validate(&self) -> Result<(), HostError> {
        let bad = |m: String| Err(HostError::Config(m));
        let mut seen = std::collections::HashSet::new();
        for t in &self.terminals {
            if t.terminal_id.len() != 8 || !t.terminal_id.is_ascii() {
                return bad(format!(
                    "terminal id {:?} must be 8 ASCII characters",
                    t.terminal_id
                ));
            }
            if t.merchant_id.len() != 15 || !t.merchant_id.is_ascii() {
                return bad(format!(
                    "merchant id of terminal {} must be 15 ASCII characters",
                    t.terminal_id
                ));
            }
            if !seen.insert(t.terminal_id.clone()) {
                return bad(format!("terminal {} is configured twice", t.terminal_id));
            }
            t.tmk_key()?;
            if unipos_iso8583::Tpdu::from_hex(&t.tpdu).is_none() {
                return bad(format!(
                    "TPDU of terminal {} is not 10 hex digits",
                    t.terminal_id
                ));
            }
        }
        let mut pans = std::collections::HashSet::new();
        for c in &self.cards {
            if !(12..=19).contains(&c.pan.len()) || !c.pan.bytes().all(|b| b.is_ascii_digit()) {
                return bad(format!(
                    "card {} is not 12 to 19 digits",
                    unipos_crypto::pan::mask_pan(&c.pan)
                ));
            }
            if !pans.insert(c.pan.clone()) {
                return bad(format!(
                    "card {} is configured twice",
                    unipos_crypto::pan::mask_pan(&c.pan)
                ));
            }
            if c.expiry.len() != 4 || !c.expiry.bytes().all(|b| b.is_ascii_digit()) {
                return bad(format!(
                    "expiry of card {} must be YYMM",
                    unipos_crypto::pan::mask_pan(&c.pan)
                ));
            }
            if unipos_crypto::Pin::new(&c.pin).is_err() {
                return bad(format!(
                    "PIN of card {} must be 4 to 12 digits",
                    unipos_crypto::pan::mask_pan(&c.pan)
                ));
            }
        }
        self.host.issuer_master_key()?;
        if self.host.pin_try_limit == 0 {
            return bad("pin_try_limit must be at least 1".into());
        }
        Ok(())
    }
}

/// Listener addresses. `null` disables the HTTPS or the admin listener.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ListenConfig {
    /// TCP POSP listener (2-byte length framing).
    pub posp: String,
    /// HTTPS listener (`POST /posp` and the QR gateway).
    pub https: Option<String>,
    /// Plain-HTTP admin listener; keep it on loopback.
    pub admin: Option<String>,
}

impl Default for ListenConfig {
    fn default() -> Self {
        ListenConfig {
            posp: "127.0.0.1:0".into(),
            https: Some("127.0.0.1:0".into()),
            admin: Some("127.0.0.1:0".into()),
        }
    }
}

/// Host-wide business rules and download contents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct HostRules {
    /// Field 32 and the acquirer half of field 44.
    pub acquirer_id: String,
    /// Field 64 scheme.
    pub mac: MacScheme,
    /// Wrong PINs in a row before a card answers `75`.
    pub pin_try_limit: u32,
    /// Days a pre-authorisation holds funds (then it lapses).
    pub preauth_validity_days: u32,
    /// How far a completion may exceed its pre-authorisation, in percent.
    pub completion_tolerance_percent: u32,
    /// Offset of the host's local time (fields 12, 13, 15) east of UTC, minutes.
    pub utc_offset_minutes: i32,
    /// Parameter download DF02: the QR gateway path.
    pub qr_path: String,
    /// Parameter download DF03: reversal retries.
    pub reversal_retries: u8,
    /// Parameter download DF04: response timeout, seconds.
    pub response_timeout_secs: u8,
    /// Issuer master key (hex) from which the ICC keys behind the ARPC in field 55 derive.
    pub issuer_master_key: String,
    /// An idle connection is closed after this many seconds.
    pub idle_timeout_secs: u64,
    /// Largest frame body accepted.
    pub max_frame_len: usize,
    /// Test knob: CA keys (`RID:index` in hex, e.g. `A000000333:03`) whose download carries a
    /// wrong checksum (DF03), as a corrupted key table would: a terminal must refuse them.
    pub bad_ca_key_checksums: Vec<String>,
}

impl Default for HostRules {
    fn default() -> Self {
        HostRules {
            acquirer_id: defaults::ACQUIRER_ID.into(),
            mac: MacScheme::CupEcb,
            pin_try_limit: 3,
            preauth_validity_days: 30,
            completion_tolerance_percent: 15,
            utc_offset_minutes: unipos_clock::CHINA_OFFSET_MINUTES,
            qr_path: "/qr/v1/".into(),
            reversal_retries: 3,
            response_timeout_secs: 60,
            issuer_master_key: defaults::ISSUER_MASTER_KEY_HEX.into(),
            idle_timeout_secs: 300,
            max_frame_len: 8192,
            bad_ca_key_checksums: Vec::new(),
        }
    }
}

impl HostRules {
    /// The issuer master key.
    pub fn issuer_master_key(&self) -> Result<DesKey, HostError> {
        DesKey::from_hex(&self.issuer_master_key)
            .map_err(|e| HostError::Config(format!("issuer_master_key: {e}")))
    }
}

/// Which sign-in modes a terminal may use.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum KeyMode {
    /// `003` or `004`, as the terminal asks.
    #[default]
    #[serde(rename = "any")]
    Any,
    /// Only `003`: PIK and MAK.
    #[serde(rename = "003")]
    Double,
    /// Only `004`: PIK, MAK and TDK.
    #[serde(rename = "004")]
    DoubleWithTdk,
    /// Test knob: accepts `003` and `004` but never issues a TDK, as a host without track
    /// encryption would answer a `004` sign-in.
    #[serde(rename = "no-tdk")]
    NoTdk,
}

/// Length of the MAC key issued at sign-in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum MacKeyLength {
    /// 2-key TDES.
    #[default]
    Double,
    /// Single DES, sent as 8 bytes of ciphertext then 8 zero bytes (PROTOCOL.md §1.6).
    Single,
}

/// One terminal the host knows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TerminalConfig {
    /// Field 41.
    pub terminal_id: String,
    /// Field 42.
    pub merchant_id: String,
    /// Sent in the parameter download.
    pub merchant_name: String,
    /// Terminal master key, hex (test keys only: this is a simulator).
    pub tmk: String,
    /// The TPDU the terminal sends (the host answers with the addresses swapped).
    pub tpdu: String,
    /// Sign-in modes accepted.
    pub key_mode: KeyMode,
    /// MAK length issued at sign-in.
    pub mak_length: MacKeyLength,
    /// Processing requirement (header digit 6) pending when the host starts.
    pub processing_requirement: u8,
    /// Ask for a new sign-in (requirement `3`) after this many MAC'd requests.
    pub sign_in_every: Option<u32>,
    /// The batch the host expects at the first sign-in.
    pub initial_batch: u32,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig::new(defaults::TERMINAL_ID, defaults::MERCHANT_ID)
    }
}

impl TerminalConfig {
    /// A terminal with the default TMK and settings.
    pub fn new(terminal_id: &str, merchant_id: &str) -> Self {
        TerminalConfig {
            terminal_id: terminal_id.into(),
            merchant_id: merchant_id.into(),
            merchant_name: defaults::MERCHANT_NAME.into(),
            tmk: defaults::TMK_HEX.into(),
            tpdu: defaults::TPDU_HEX.into(),
            key_mode: KeyMode::Any,
            mak_length: MacKeyLength::Double,
            processing_requirement: 0,
            sign_in_every: None,
            initial_batch: defaults::INITIAL_BATCH,
        }
    }

    /// The TMK as a key.
    pub fn tmk_key(&self) -> Result<DesKey, HostError> {
        DesKey::from_hex(&self.tmk)
            .map_err(|e| HostError::Config(format!("TMK of terminal {}: {e}", self.terminal_id)))
    }
}

/// The default terminals: [`defaults::TERMINAL_ID`] and [`defaults::EXTRA_TERMINAL_IDS`].
pub fn default_terminals() -> Vec<TerminalConfig> {
    std::iter::once(defaults::TERMINAL_ID)
        .chain(defaults::EXTRA_TERMINAL_IDS)
        .map(|id| TerminalConfig::new(id, defaults::MERCHANT_ID))
        .collect()
}

/// A card's standing with its issuer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CardStatus {
    /// Usable.
    #[default]
    Normal,
    /// Reported lost (`41`).
    Lost,
    /// Reported stolen (`43`).
    Stolen,
    /// Expired whatever its expiry date says (`54`).
    Expired,
    /// Frozen by the issuer (`62`).
    Frozen,
}

/// The card scheme; `CUP` cards are domestic (内卡), the others foreign (外卡).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum CardOrganisation {
    /// China UnionPay.
    #[default]
    #[serde(rename = "CUP")]
    Cup,
    /// Visa.
    #[serde(rename = "VIS")]
    Visa,
    /// Mastercard.
    #[serde(rename = "MCC")]
    Mastercard,
    /// JCB.
    #[serde(rename = "JCB")]
    Jcb,
    /// American Express.
    #[serde(rename = "AEX")]
    Amex,
}

impl CardOrganisation {
    /// The code of field 63 in answers.
    pub fn code(self) -> &'static str {
        match self {
            CardOrganisation::Cup => "CUP",
            CardOrganisation::Visa => "VIS",
            CardOrganisation::Mastercard => "MCC",
            CardOrganisation::Jcb => "JCB",
            CardOrganisation::Amex => "AEX",
        }
    }

    /// Whether the card settles in the domestic group of field 48.
    pub fn is_domestic(self) -> bool {
        self == CardOrganisation::Cup
    }
}

/// How the card is read.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CardMedium {
    /// Contact chip (and its magstripe fallback).
    #[default]
    Ic,
    /// Contactless chip.
    Contactless,
    /// Magnetic stripe only.
    Magstripe,
}

/// One account in the card ledger. Money is in fen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CardConfig {
    /// Card number.
    pub pan: String,
    /// Expiry, YYMM.
    pub expiry: String,
    /// Service code (track 2).
    pub service_code: String,
    /// The PIN (test cards only).
    pub pin: String,
    /// Own funds.
    pub balance: u64,
    /// Credit the card may use beyond its own funds.
    pub credit_limit: u64,
    /// Issuer status.
    pub status: CardStatus,
    /// Card scheme.
    pub organisation: CardOrganisation,
    /// Whether a sale above the available funds is approved for what is available (`10`).
    pub partial_approval: bool,
    /// How the card is read.
    pub medium: CardMedium,
    /// PAN sequence number (2 digits) of chip cards.
    pub psn: Option<String>,
    /// Issuer id (first half of field 44); empty = by organisation.
    pub issuer_id: String,
}

impl Default for CardConfig {
    fn default() -> Self {
        CardConfig::new("", 0)
    }
}

impl CardConfig {
    /// A normal domestic IC card with the default PIN and expiry.
    pub fn new(pan: &str, balance: u64) -> Self {
        CardConfig {
            pan: pan.into(),
            expiry: test_cards::EXPIRY.into(),
            service_code: "220".into(),
            pin: defaults::PIN.into(),
            balance,
            credit_limit: 0,
            status: CardStatus::Normal,
            organisation: CardOrganisation::Cup,
            partial_approval: false,
            medium: CardMedium::Ic,
            psn: Some("01".into()),
            issuer_id: String::new(),
        }
    }

    fn magstripe(mut self) -> Self {
        self.medium = CardMedium::Magstripe;
        self.service_code = "101".into();
        self.psn = None;
        self
    }

    /// The issuer id for field 44.
    pub fn issuer(&self) -> &str {
        if !self.issuer_id.is_empty() {
            &self.issuer_id
        } else if self.organisation.is_domestic() {
            defaults::DOMESTIC_ISSUER_ID
        } else {
            defaults::FOREIGN_ISSUER_ID
        }
    }
}

/// The default card ledger: every card of [`test_cards`].
pub fn default_cards() -> Vec<CardConfig> {
    use test_cards::*;
    let with = |pan: &str, balance: u64, f: &dyn Fn(&mut CardConfig)| {
        let mut c = CardConfig::new(pan, balance);
        f(&mut c);
        c
    };
    vec![
        CardConfig::new(DEBIT_IC, 10_000_000),
        with(CREDIT_MAGSTRIPE, 0, &|c| {
            *c = c.clone().magstripe();
            c.credit_limit = 5_000_000;
        }),
        with(CONTACTLESS, 5_000_000, &|c| {
            c.medium = CardMedium::Contactless
        }),
        CardConfig::new(CAPTURE, 10_000_000),
        with(FOREIGN_VISA, 10_000_000, &|c| {
            c.organisation = CardOrganisation::Visa
        }),
        with(FOREIGN_MASTERCARD, 10_000_000, &|c| {
            *c = c.clone().magstripe();
            c.organisation = CardOrganisation::Mastercard;
        }),
        with(LOST, 10_000_000, &|c| c.status = CardStatus::Lost),
        with(FROZEN, 10_000_000, &|c| c.status = CardStatus::Frozen),
        with(EXPIRED, 10_000_000, &|c| c.expiry = "2012".into()),
        with(PARTIAL, 10_000, &|c| c.partial_approval = true),
        with(LOW_BALANCE, 100, &|_| {}),
        with(STOLEN, 10_000_000, &|c| c.status = CardStatus::Stolen),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_luhn_checked() {
        let config = HostSimConfig::default();
        config.validate().unwrap();
        for c in &config.cards {
            assert!(unipos_crypto::pan::luhn_check(&c.pan), "{}", c.pan);
        }
    }

    #[test]
    fn empty_json_is_the_default() {
        let config = HostSimConfig::from_json("{}").unwrap();
        assert_eq!(config.terminals, default_terminals());
        assert_eq!(config.cards, default_cards());
        let custom = HostSimConfig::from_json(
            r#"{"seed": 7, "terminals": [{"terminal_id": "12345678", "merchant_id": "123456789012345", "key_mode": "004"}],
                "cards": [{"pan": "6212345678901265", "balance": 5, "organisation": "VIS", "status": "frozen"}]}"#,
        )
        .unwrap();
        assert_eq!(custom.seed, Some(7));
        assert_eq!(custom.terminals[0].key_mode, KeyMode::DoubleWithTdk);
        assert_eq!(custom.terminals[0].tmk, defaults::TMK_HEX);
        assert_eq!(custom.cards[0].status, CardStatus::Frozen);
        assert!(HostSimConfig::from_json(r#"{"bogus": 1}"#).is_err());
    }
}
