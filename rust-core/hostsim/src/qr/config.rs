//! The QR gateway's configuration (the `qr` object of the simulator's JSON configuration).
//! Every field has a default; `{}` is a working gateway.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unipos_qr_protocol::auth::MacScheme;
use unipos_qr_protocol::{Channel, Router};

use super::behaviour::Behaviour;

/// The default base of dynamic-order URLs; the token is appended.
pub const DEFAULT_CODE_URL_BASE: &str = "https://qr.unipos.example/pay/";
/// The default time a customer spends entering a password (codes ending `01`/`02`).
pub const DEFAULT_PASSWORD_WAIT_SECS: u64 = 12;
/// The default number of `retry` answers to a reverse (codes ending `07`).
pub const DEFAULT_REVERSE_RETRIES: u32 = 2;

/// The QR gateway's configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QrConfig {
    /// The payment-code routing table (the same [`Router`] the terminal uses).
    pub router: Router,
    /// The MAC algorithm and padding (default X9.19, padding method 1).
    pub mac: MacScheme,
    /// Base URL of dynamic-order codes (default [`DEFAULT_CODE_URL_BASE`]).
    pub code_url_base: Option<String>,
    /// Seconds a customer takes to enter the password (default 12).
    pub password_wait_secs: Option<u64>,
    /// `retry` answers to a reverse for codes ending `07` (default 2).
    pub reverse_retries: Option<u32>,
    /// Behaviour per payment code, overriding the last-two-digits table.
    pub scripts: BTreeMap<String, Behaviour>,
    /// Per-channel behaviour of the simulated channels.
    pub channels: ChannelSims,
    /// Merchant-presented dynamic orders.
    pub dynamic: DynamicConfig,
    /// Refuse requests whose `request_time` is further than this from the gateway clock
    /// (`None`: not checked). Replays are harmless anyway (every operation is idempotent).
    pub max_clock_skew_secs: Option<u64>,
}

impl QrConfig {
    pub(crate) fn code_url_base(&self) -> &str {
        self.code_url_base
            .as_deref()
            .unwrap_or(DEFAULT_CODE_URL_BASE)
    }

    pub(crate) fn password_wait_secs(&self) -> u64 {
        self.password_wait_secs
            .unwrap_or(DEFAULT_PASSWORD_WAIT_SECS)
    }

    pub(crate) fn reverse_retries(&self) -> u32 {
        self.reverse_retries.unwrap_or(DEFAULT_REVERSE_RETRIES)
    }
}

/// How one simulated channel behaves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSim {
    /// The channel closes an order the customer never confirmed this long after it was
    /// created (WeChat revokes quick-pay orders at 45 s).
    pub auto_close_secs: u64,
    /// When a "late success" order pays if no reverse comes first: just after the terminal's
    /// default deadline, before the auto-close.
    pub late_success_secs: u64,
    /// How long an order can be reversed (WeChat 7 days, Alipay 24 h).
    pub reverse_window_secs: u64,
}

/// The three simulated channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelSims {
    /// WeChat Pay: auto-revoke at 45 s (documented), reverse window 7 days.
    pub wechat: ChannelSim,
    /// Alipay: closes unpaid bar-code trades at 120 s (simulator choice), cancel window 24 h.
    pub alipay: ChannelSim,
    /// UnionPay QR: closes at 60 s (simulator choice), reversal window 24 h.
    pub unionpay: ChannelSim,
}

impl Default for ChannelSims {
    fn default() -> Self {
        ChannelSims {
            wechat: ChannelSim {
                auto_close_secs: 45,
                late_success_secs: 40,
                reverse_window_secs: 7 * 86_400,
            },
            alipay: ChannelSim {
                auto_close_secs: 120,
                late_success_secs: 65,
                reverse_window_secs: 86_400,
            },
            unionpay: ChannelSim {
                auto_close_secs: 60,
                late_success_secs: 35,
                reverse_window_secs: 86_400,
            },
        }
    }
}

impl ChannelSims {
    /// One channel's settings.
    #[must_use]
    pub fn get(&self, channel: Channel) -> &ChannelSim {
        match channel {
            Channel::WeChat => &self.wechat,
            Channel::Alipay => &self.alipay,
            Channel::UnionPay => &self.unionpay,
        }
    }
}

/// Merchant-presented dynamic orders ("three codes in one").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DynamicConfig {
    /// Validity when the request gives no `expire_seconds` (default 300 s); the gateway
    /// closes the order afterwards.
    pub expire_secs: u32,
    /// The simulated customer pays this long after the code was created (default 10 s);
    /// `None`: only [`super::Gateway::simulate_customer_pays`] or the customer page pays.
    /// Amounts ending in `99` fen are never paid automatically; amounts ending in `98` fen
    /// are paid just as the terminal closes the order (the close answers `ORDER_PAID`).
    pub auto_pay_after_secs: Option<u64>,
}

impl Default for DynamicConfig {
    fn default() -> Self {
        DynamicConfig {
            expire_secs: 300,
            auto_pay_after_secs: Some(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_the_default() {
        let c: QrConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c.router, Router::default());
        assert_eq!(c.channels, ChannelSims::default());
        assert_eq!(c.dynamic, DynamicConfig::default());
        assert_eq!(c.code_url_base(), DEFAULT_CODE_URL_BASE);
        let d = QrConfig::default();
        assert_eq!(d.dynamic.auto_pay_after_secs, Some(10));
        assert_eq!(d.channels.wechat.auto_close_secs, 45);
    }

    #[test]
    fn partial_config() {
        let c: QrConfig = serde_json::from_str(
            r#"{"password_wait_secs":3,"dynamic":{"auto_pay_after_secs":null},
                "scripts":{"134919586213926735":{"kind":"decline","code":"CODE_EXPIRED"}},
                "mac":{"algorithm":"X99"}}"#,
        )
        .unwrap();
        assert_eq!(c.password_wait_secs(), 3);
        assert_eq!(c.dynamic.auto_pay_after_secs, None);
        assert_eq!(c.dynamic.expire_secs, 300);
        assert_eq!(c.scripts.len(), 1);
        assert!(serde_json::from_str::<QrConfig>(r#"{"bogus":1}"#).is_err());
        assert!(serde_json::from_str::<QrConfig>(r#"{"router":{"rules":[]}}"#).is_err());
    }
}
