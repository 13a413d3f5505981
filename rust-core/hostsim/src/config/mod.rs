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
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_crypto::DesKey;
pub use unipos_profile::{AcquirerProfile, MacScheme, VoidCounting};

mod cards;
pub mod defaults;

pub use cards::{default_cards, test_cards, CardConfig, CardMedium, CardOrganisation, CardStatus};

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
        self.host.voids = profile.settlement.voids;
        self.host.end_message_when_balanced = profile.settlement.end_message_when_balanced;
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
            t.qr_key_key()?;
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
    /// How voids count in the settlement totals (the acquirer profile's
    /// `settlement.voids`): `gross` or `net`.
    pub voids: VoidCounting,
    /// A balanced batch is closed only by the end-of-upload message (the profile's
    /// `settlement.end_message_when_balanced`), not at the settlement request.
    pub end_message_when_balanced: bool,
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
            voids: VoidCounting::Gross,
            end_message_when_balanced: false,
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
    /// The terminal's QR gateway key, hex (clear on the host side, as in the acquirer's key
    /// database; the terminal holds it encrypted under its TMK). The QR gateway
    /// authenticates the terminal's requests with it.
    pub qr_key: String,
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
            qr_key: defaults::QR_KEY_HEX.into(),
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

    /// The QR gateway key as a key.
    pub fn qr_key_key(&self) -> Result<DesKey, HostError> {
        DesKey::from_hex(&self.qr_key)
            .map_err(|e| HostError::Config(format!("QR key of terminal {}: {e}", self.terminal_id)))
    }

    /// The QR key as the terminal is provisioned with it: encrypted under its TMK, with its
    /// check value (what an acquirer's key-loading process hands the terminal).
    pub fn wrapped_qr_key(&self) -> Result<WrappedKey, HostError> {
        WrappedKey::wrap(WorkKeyRole::Qr, &self.tmk_key()?, &self.qr_key_key()?)
            .map_err(|e| HostError::Config(format!("QR key of terminal {}: {e}", self.terminal_id)))
    }
}

/// The default terminals: [`defaults::TERMINAL_ID`] and [`defaults::EXTRA_TERMINAL_IDS`].
pub fn default_terminals() -> Vec<TerminalConfig> {
    std::iter::once(defaults::TERMINAL_ID)
        .chain(defaults::EXTRA_TERMINAL_IDS)
        .map(|id| TerminalConfig::new(id, defaults::MERCHANT_ID))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisioned_qr_key_constants_are_the_default_key_under_the_default_tmk() {
        let w = TerminalConfig::default().wrapped_qr_key().unwrap();
        assert_eq!(
            hex::encode_upper(&w.ciphertext),
            defaults::QR_KEY_UNDER_TMK_HEX
        );
        assert_eq!(
            hex::encode_upper(&w.check_value),
            defaults::QR_KEY_CHECK_VALUE_HEX
        );
    }

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
