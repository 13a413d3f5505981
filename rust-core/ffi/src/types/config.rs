//! The terminal's configuration as Kotlin gives it: endpoints, TLS pins, the profile and its overrides.

use crate::error::PosError;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_terminal as t;

/// TLS settings of an HTTPS endpoint: the CA certificate is pinned.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TlsPin {
    /// Name in the server certificate.
    pub server_name: String,
    /// The pinned CA certificate, PEM.
    pub ca_pem: String,
}

/// Where a host is: `host:port`, plain TCP (POSP) / HTTP (QR, tests only) or HTTPS with a
/// pinned CA. Host names are resolved at each connection, not when the terminal opens.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HostEndpoint {
    /// `host:port` of the primary, e.g. `127.0.0.1:9001`, `posp.acquirer.cn:5000`, `[::1]:443`.
    pub address: String,
    /// `null` for plain TCP.
    #[uniffi(default = None)]
    pub tls: Option<TlsPin>,
    /// Further `host:port` addresses, tried in order only when connecting to the ones before
    /// failed (nothing was sent then).
    #[uniffi(default = [])]
    pub fallback_addresses: Vec<String>,
}

impl HostEndpoint {
    /// Checks the syntax of every address (no lookup: that happens at each connection).
    /// `field` names the record in the error (`posp`, `qrGateway`).
    fn to_engine(&self, field: &str) -> Result<t::HostAddress, PosError> {
        let check = |name: String, address: &str| {
            unipos_net::HostPort::parse(address)
                .map(|_| address.to_owned())
                .map_err(|e| PosError::Configuration {
                    reason: format!("{field}.{name}: {e}"),
                })
        };
        let mut addresses = vec![check("address".into(), &self.address)?];
        for (i, a) in self.fallback_addresses.iter().enumerate() {
            addresses.push(check(format!("fallbackAddresses[{i}]"), a)?);
        }
        Ok(match &self.tls {
            None => t::HostAddress::Tcp { addresses },
            Some(tls) => t::HostAddress::Https {
                addresses,
                server_name: tls.server_name.clone(),
                ca_pem: tls.ca_pem.clone(),
            },
        })
    }
}

/// Field 64 MAC scheme of the acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MacScheme {
    /// UnionPay "ECB" MAC (default).
    CupEcb,
    /// X9.19 retail MAC.
    X919,
}

/// The terminal's configuration (acquirer profile: UnionPay defaults).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PosConfig {
    /// Terminal id (field 41, 8 characters).
    pub terminal_id: String,
    /// Merchant id (field 42, 15 characters).
    pub merchant_id: String,
    /// The acquirer's POSP.
    pub posp: HostEndpoint,
    /// Merchant name for receipts.
    #[uniffi(default = "")]
    pub merchant_name: String,
    /// Operator number.
    #[uniffi(default = "001")]
    pub operator: String,
    /// The QR gateway (`null`: QR not available).
    #[uniffi(default = None)]
    pub qr_gateway: Option<HostEndpoint>,
    /// The acquirer profile as JSON (`docs/protocol-profile.md`; `null`: the UnionPay
    /// profile). The four fields below, when set, override it.
    #[uniffi(default = None)]
    pub profile_json: Option<String>,
    /// Connect timeout, ms (`null`: the profile's).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// Answer timeout, ms (`null`: the profile's; UnionPay: 60 s).
    #[uniffi(default = None)]
    pub response_timeout_ms: Option<i64>,
    /// Reversal attempts before a reversal is parked (`null`: the profile's).
    #[uniffi(default = None)]
    pub reversal_retries: Option<i32>,
    /// MAC scheme (`null`: the profile's).
    #[uniffi(default = None)]
    pub mac_scheme: Option<MacScheme>,
    /// Financial transactions a batch may hold before settlement is required (`null`: the
    /// profile's `settlement.batch_limit`, 999).
    #[uniffi(default = None)]
    pub batch_limit: Option<i32>,
    /// What the terminal's readers can read, sent as 60.4 (`null`: stripe, contact and
    /// contactless chip).
    #[uniffi(default = None)]
    pub card_reading: Option<CardReading>,
    /// Automatic settlement time `HH:MM` (`null`: manual only).
    #[uniffi(default = None)]
    pub auto_settlement: Option<String>,
    /// Receipt width in characters (32 for 58 mm paper, 48 for 80 mm).
    #[uniffi(default = 32)]
    pub receipt_width: i32,
    /// The terminal's QR gateway key as the acquirer provisions it (encrypted under the
    /// TMK, with its check value). Installed into the security module when it is not there
    /// yet (compared by check value); `null` keeps the one installed. QR needs this key, not
    /// the POSP sign-in (docs/qr-gateway.md).
    #[uniffi(default = None)]
    pub qr_key: Option<ProvisionedKey>,
    /// Software security module only (host tests, emulator, development): a TMK (32 or 48 hex
    /// digits) to inject into it. It is then kept, encrypted, in the module's key file beside
    /// the database: give it once (again is harmless: the same TMK changes nothing, another
    /// one replaces it and discards the work keys); `null` uses the stored one. Must be `null`
    /// when an external security module is given.
    #[uniffi(default = None)]
    pub software_tmk_hex: Option<String>,
}

/// A key as an acquirer provisions it: encrypted under the TMK, with its check value.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProvisionedKey {
    /// TDES-ECB ciphertext under the TMK (16 bytes for a double-length key).
    pub ciphertext: Vec<u8>,
    /// The key's check value (usually its first 4 bytes).
    pub check_value: Vec<u8>,
}

/// What the terminal's card readers can read (60.4 of financial messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CardReading {
    /// Magnetic stripe only.
    Magstripe,
    /// Stripe and contact chip.
    ContactChip,
    /// Stripe, contact and contactless chip.
    ContactlessAndChip,
}

/// Checks a configuration exactly as [`crate::PosTerminal::open`] would (identifiers, endpoint
/// syntax, the profile JSON and its overrides), without opening or resolving anything: a
/// provisioning screen or managed configuration can refuse a bad value before it is stored.
/// The error's reason names the field (`profileJson: reversal.retries: ...`).
#[uniffi::export]
pub fn check_pos_config(config: PosConfig) -> Result<(), PosError> {
    config.to_engine().map(drop)
}

impl PosConfig {
    pub(crate) fn to_engine(&self) -> Result<t::TerminalConfig, PosError> {
        let cfg_err = |reason: String| PosError::Configuration { reason };
        if self.terminal_id.len() != 8 {
            return Err(cfg_err("terminalId must be 8 characters".into()));
        }
        if self.merchant_id.len() != 15 {
            return Err(cfg_err("merchantId must be 15 characters".into()));
        }
        let ms = |v: i64, what: &str| -> Result<u64, PosError> {
            u64::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| cfg_err(format!("{what} must be positive")))
        };
        let mut c = t::TerminalConfig::new(
            &self.terminal_id,
            &self.merchant_id,
            self.posp.to_engine("posp")?,
        );
        c.merchant_name.clone_from(&self.merchant_name);
        c.operator.clone_from(&self.operator);
        c.qr_gateway = self
            .qr_gateway
            .as_ref()
            .map(|e| e.to_engine("qrGateway"))
            .transpose()?;
        if let Some(json) = &self.profile_json {
            c.profile = t::AcquirerProfile::from_json(json)
                .map_err(|e| cfg_err(format!("profileJson: {e}")))?;
        }
        if let Some(v) = self.connect_timeout_ms {
            c.profile.timeouts.connect_ms = ms(v, "connectTimeoutMs")?;
        }
        if let Some(v) = self.response_timeout_ms {
            c.profile.timeouts.response_ms = ms(v, "responseTimeoutMs")?;
        }
        if let Some(v) = self.reversal_retries {
            c.profile.reversal.retries = u32::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| cfg_err("reversalRetries must be positive".into()))?;
        }
        if let Some(m) = self.mac_scheme {
            c.profile.mac = match m {
                MacScheme::CupEcb => t::MacScheme::CupEcb,
                MacScheme::X919 => t::MacScheme::X919,
            };
        }
        if let Some(v) = self.batch_limit {
            c.profile.settlement.batch_limit = u32::try_from(v)
                .ok()
                .filter(|v| (1..=999).contains(v))
                .ok_or_else(|| cfg_err("batchLimit must be 1..999".into()))?;
        }
        if let Some(r) = self.card_reading {
            c.card_reading = match r {
                CardReading::Magstripe => t::hardware::CardReading::Magstripe,
                CardReading::ContactChip => t::hardware::CardReading::ContactChip,
                CardReading::ContactlessAndChip => t::hardware::CardReading::ContactlessAndChip,
            };
        }
        if let Some(k) = &self.qr_key {
            if ![8, 16, 24].contains(&k.ciphertext.len()) || !(1..=8).contains(&k.check_value.len())
            {
                return Err(cfg_err(
                    "qrKey: a ciphertext of 8, 16 or 24 bytes and a check value of 1 to 8".into(),
                ));
            }
            c.qr_key = Some(WrappedKey::new(
                WorkKeyRole::Qr,
                &k.ciphertext,
                &k.check_value,
            ));
        }
        c.auto_settlement.clone_from(&self.auto_settlement);
        c.receipts.width = usize::try_from(self.receipt_width)
            .ok()
            .filter(|w| (24..=64).contains(w))
            .ok_or_else(|| cfg_err("receiptWidth must be 24..64".into()))?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(profile_json: Option<&str>) -> PosConfig {
        PosConfig {
            terminal_id: "62969002".into(),
            merchant_id: "301310048990001".into(),
            posp: HostEndpoint {
                address: "posp.acquirer.example:5000".into(),
                tls: None,
                fallback_addresses: Vec::new(),
            },
            merchant_name: String::new(),
            operator: "001".into(),
            qr_gateway: None,
            profile_json: profile_json.map(str::to_owned),
            connect_timeout_ms: None,
            response_timeout_ms: None,
            reversal_retries: None,
            mac_scheme: None,
            batch_limit: None,
            card_reading: None,
            auto_settlement: None,
            receipt_width: 32,
            qr_key: None,
            software_tmk_hex: None,
        }
    }

    #[test]
    fn a_configuration_is_checked_with_its_profile_and_the_field_named() {
        assert!(check_pos_config(config(None)).is_ok());
        assert!(check_pos_config(config(Some(r#"{"tpdu":"6000030000"}"#))).is_ok());
        let reason = |json: &str| match check_pos_config(config(Some(json))) {
            Err(PosError::Configuration { reason }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(r#"{"tpdu":"60"}"#).starts_with("profileJson: "));
        assert!(
            reason(r#"{"tpdu":"60"}"#).contains("tpdu"),
            "{}",
            reason(r#"{"tpdu":"60"}"#)
        );
        assert!(reason(r#"{"no_such_field":1}"#).contains("no_such_field"));
        let mut c = config(None);
        c.response_timeout_ms = Some(0);
        assert!(
            matches!(check_pos_config(c), Err(PosError::Configuration { reason }) if reason.starts_with("responseTimeoutMs"))
        );
    }

    #[test]
    fn endpoints_are_checked_not_resolved_at_open() {
        let endpoint = |address: &str, fallbacks: &[&str]| HostEndpoint {
            address: address.into(),
            tls: None,
            fallback_addresses: fallbacks.iter().map(|s| (*s).to_owned()).collect(),
        };
        // A name that cannot resolve here is fine at open: it is looked up at each connection.
        let ok = endpoint(
            "posp.acquirer.invalid:5000",
            &["10.0.0.7:5000", "[::1]:5000"],
        );
        assert_eq!(
            ok.to_engine("posp").unwrap().addresses(),
            ["posp.acquirer.invalid:5000", "10.0.0.7:5000", "[::1]:5000"]
        );
        let bad = endpoint("posp.acquirer.invalid", &[]).to_engine("posp");
        let Err(PosError::Configuration { reason }) = bad else {
            panic!("{bad:?}")
        };
        assert!(reason.starts_with("posp.address: "), "{reason}");
        let bad = endpoint("127.0.0.1:1", &["127.0.0.1:1", "::1:5"]).to_engine("qrGateway");
        let Err(PosError::Configuration { reason }) = bad else {
            panic!("{bad:?}")
        };
        assert!(
            reason.starts_with("qrGateway.fallbackAddresses[1]: "),
            "{reason}"
        );
    }
}
