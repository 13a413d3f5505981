//! Routing a scanned payment code to its channel (QR.md §4, test cases §8 V7).
//!
//! The rule table is configuration, not code: an ordered list of [`RoutingRule`]s, the first
//! match wins. The default table is the channels' published rules:
//!
//! | channel | digits | prefixes |
//! |---|---|---|
//! | WeChat Pay | 18 | `10`–`15` |
//! | Alipay | 16–24 | `25`–`30` |
//! | UnionPay QR | 19 | `62` |
//!
//! Codes are kept as strings (19-digit codes overflow some number types) and must be ASCII
//! digits only. A code no rule matches is rejected with [`RouteError::UnknownCode`], or, when
//! the acquirer offers an auto-routing ("聚合反扫") API and [`RouterConfig::auto_fallback`] is
//! set, routed to [`Route::Auto`] so that the gateway decides.
//!
//! ```
//! use unipos_qr_protocol::routing::{mask_code, Route, Router};
//! use unipos_qr_protocol::Channel;
//!
//! let router = Router::default();
//! assert_eq!(router.route("134919586213926735")?, Route::Channel(Channel::WeChat));
//! assert_eq!(router.channel("6225735053201615202")?, Channel::UnionPay);
//! assert!(router.route("1349 1958 6213 9267").is_err());
//! assert_eq!(mask_code("134919586213926735"), "**************6735");
//! # Ok::<(), unipos_qr_protocol::routing::RouteError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::channel::Channel;

/// The longest payment code accepted (WeChat documents `auth_code` as String(128)).
pub const MAX_CODE_LEN: usize = 128;

/// One routing rule: codes of `min_len..=max_len` digits starting with one of `prefixes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// The channel these codes belong to.
    pub channel: Channel,
    /// Accepted prefixes, each one or more digits (e.g. `"10"`, `"62"`).
    pub prefixes: Vec<String>,
    /// Fewest digits in a code.
    pub min_len: usize,
    /// Most digits in a code.
    pub max_len: usize,
}

impl RoutingRule {
    fn matches(&self, code: &str) -> bool {
        (self.min_len..=self.max_len).contains(&code.len())
            && self.prefixes.iter().any(|p| code.starts_with(p.as_str()))
    }

    fn two_digit_range(channel: Channel, from: u8, to: u8, min_len: usize, max_len: usize) -> Self {
        RoutingRule {
            channel,
            prefixes: (from..=to).map(|p| format!("{p:02}")).collect(),
            min_len,
            max_len,
        }
    }
}

/// The routing configuration: ordered rules and the auto-routing fallback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Rules in order; the first match wins.
    pub rules: Vec<RoutingRule>,
    /// Send codes no rule matches to the acquirer's auto-routing API ([`Route::Auto`])
    /// instead of rejecting them. Off by default.
    #[serde(default)]
    pub auto_fallback: bool,
}

impl Default for RouterConfig {
    /// The channels' published rules (QR.md §4), without auto fallback.
    fn default() -> Self {
        RouterConfig {
            rules: vec![
                RoutingRule::two_digit_range(Channel::WeChat, 10, 15, 18, 18),
                RoutingRule::two_digit_range(Channel::Alipay, 25, 30, 16, 24),
                RoutingRule {
                    channel: Channel::UnionPay,
                    prefixes: vec!["62".into()],
                    min_len: 19,
                    max_len: 19,
                },
            ],
            auto_fallback: false,
        }
    }
}

/// Where a payment code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// A rule matched this channel.
    Channel(Channel),
    /// No rule matched and auto fallback is on: let the gateway route it.
    Auto,
}

impl Route {
    /// The channel, unless auto-routed.
    #[must_use]
    pub fn channel(self) -> Option<Channel> {
        match self {
            Route::Channel(c) => Some(c),
            Route::Auto => None,
        }
    }
}

/// Why a scanned code cannot be used. Messages never repeat the code itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// Nothing was scanned.
    #[error("no payment code: scan the customer's payment code")]
    Empty,
    /// The code contains something other than the digits 0-9 (spaces, letters, ...).
    #[error(
        "a payment code has digits only, but character {position} is not a digit: scan the \
         customer's payment code again (not a product bar code or a URL)"
    )]
    NotDigits {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// Longer than any payment code.
    #[error("a payment code has at most {max} digits, this one has {len}: scan again")]
    TooLong {
        /// Length of the input in characters.
        len: usize,
        /// [`MAX_CODE_LEN`].
        max: usize,
    },
    /// Digits, but no routing rule matches.
    #[error(
        "unknown payment code ({len} digits starting {prefix}): not a WeChat, Alipay or UnionPay \
         payment code; ask the customer to open the payment code in one of those apps"
    )]
    UnknownCode {
        /// Number of digits.
        len: usize,
        /// The first two digits (identify the issuer; not secret).
        prefix: String,
    },
}

/// An invalid routing table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid payment-code routing rule {rule}: {reason}")]
pub struct RouterConfigError {
    /// 1-based index of the rule (0 for the table as a whole).
    pub rule: usize,
    /// What is wrong.
    pub reason: &'static str,
}

/// A validated routing table. Deserializes from (and serializes to) a [`RouterConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "RouterConfig", into = "RouterConfig")]
pub struct Router {
    config: RouterConfig,
}

impl TryFrom<RouterConfig> for Router {
    type Error = RouterConfigError;

    fn try_from(config: RouterConfig) -> Result<Self, Self::Error> {
        Router::new(config)
    }
}

impl From<Router> for RouterConfig {
    fn from(router: Router) -> Self {
        router.config
    }
}

impl Router {
    /// Validates a table: every rule has at least one prefix, prefixes are digits, and
    /// `1 <= min_len <= max_len <= MAX_CODE_LEN` with every prefix no longer than `max_len`.
    ///
    /// # Errors
    /// [`RouterConfigError`] naming the first bad rule.
    pub fn new(config: RouterConfig) -> Result<Self, RouterConfigError> {
        if config.rules.is_empty() && !config.auto_fallback {
            return Err(RouterConfigError {
                rule: 0,
                reason: "the table has no rules and no auto fallback, so every code would fail",
            });
        }
        for (i, rule) in config.rules.iter().enumerate() {
            let bad = |reason| RouterConfigError {
                rule: i + 1,
                reason,
            };
            if rule.prefixes.is_empty() {
                return Err(bad("it has no prefixes"));
            }
            if rule.min_len == 0 || rule.min_len > rule.max_len || rule.max_len > MAX_CODE_LEN {
                return Err(bad("lengths must satisfy 1 <= min_len <= max_len <= 128"));
            }
            for p in &rule.prefixes {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("every prefix must be one or more digits"));
                }
                if p.len() > rule.max_len {
                    return Err(bad("a prefix is longer than max_len"));
                }
            }
        }
        Ok(Router { config })
    }

    /// The table.
    #[must_use]
    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// Routes a scanned code.
    ///
    /// # Errors
    /// [`RouteError`] when the code is empty, not all digits, too long, or (without auto
    /// fallback) matches no rule.
    pub fn route(&self, code: &str) -> Result<Route, RouteError> {
        check_code_syntax(code)?;
        if let Some(rule) = self.config.rules.iter().find(|r| r.matches(code)) {
            return Ok(Route::Channel(rule.channel));
        }
        if self.config.auto_fallback {
            return Ok(Route::Auto);
        }
        Err(RouteError::UnknownCode {
            len: code.len(),
            prefix: code.chars().take(2).collect(),
        })
    }

    /// Routes a code to a definite channel, ignoring auto fallback.
    ///
    /// # Errors
    /// As [`Router::route`], and [`RouteError::UnknownCode`] where `route` would say `Auto`.
    pub fn channel(&self, code: &str) -> Result<Channel, RouteError> {
        check_code_syntax(code)?;
        self.config
            .rules
            .iter()
            .find(|r| r.matches(code))
            .map(|r| r.channel)
            .ok_or_else(|| RouteError::UnknownCode {
                len: code.len(),
                prefix: code.chars().take(2).collect(),
            })
    }
}

/// Checks that a code is 1 to [`MAX_CODE_LEN`] ASCII digits.
///
/// # Errors
/// [`RouteError::Empty`], [`RouteError::NotDigits`] or [`RouteError::TooLong`].
pub fn check_code_syntax(code: &str) -> Result<(), RouteError> {
    if code.is_empty() {
        return Err(RouteError::Empty);
    }
    if let Some(position) = code.chars().position(|c| !c.is_ascii_digit()) {
        return Err(RouteError::NotDigits {
            position: position + 1,
        });
    }
    if code.len() > MAX_CODE_LEN {
        return Err(RouteError::TooLong {
            len: code.len(),
            max: MAX_CODE_LEN,
        });
    }
    Ok(())
}

/// Masks a payment code for logs, screens and receipts: every character except the last 4
/// becomes `*` (codes of 4 characters or fewer are masked entirely). The length is kept.
#[must_use]
pub fn mask_code(code: &str) -> String {
    let n = code.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    let mut out = "*".repeat(n - 4);
    out.extend(code.chars().skip(n - 4));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wechat() -> Route {
        Route::Channel(Channel::WeChat)
    }

    #[test]
    fn v7_cases() {
        let r = Router::default();
        assert_eq!(r.route("134919586213926735"), Ok(wechat()));
        assert_eq!(r.route("120061098828009406"), Ok(wechat()));
        assert_eq!(r.route("130061098828009406"), Ok(wechat()));
        assert_eq!(
            r.route("28763443825664394"),
            Ok(Route::Channel(Channel::Alipay))
        );
        assert_eq!(
            r.route("280528574232947539"),
            Ok(Route::Channel(Channel::Alipay))
        );
        assert_eq!(
            r.route("6225735053201615202"),
            Ok(Route::Channel(Channel::UnionPay))
        );
        // 62 with 18 digits: rejected.
        assert_eq!(
            r.route("622573505320161520"),
            Err(RouteError::UnknownCode {
                len: 18,
                prefix: "62".into()
            })
        );
        // 16 + 16 digits: not WeChat by the official rule.
        assert!(matches!(
            r.route("161234567890123456"),
            Err(RouteError::UnknownCode { len: 18, .. })
        ));
        // Non-digits and spaces.
        assert_eq!(
            r.route("13491958621392673 "),
            Err(RouteError::NotDigits { position: 18 })
        );
        assert_eq!(
            r.route(" 134919586213926735"),
            Err(RouteError::NotDigits { position: 1 })
        );
        assert_eq!(
            r.route("1349195862139267AB"),
            Err(RouteError::NotDigits { position: 17 })
        );
        assert_eq!(
            r.route("１３４９"),
            Err(RouteError::NotDigits { position: 1 })
        );
        assert_eq!(r.route(""), Err(RouteError::Empty));
        assert!(matches!(
            r.route(&"1".repeat(200)),
            Err(RouteError::TooLong { len: 200, .. })
        ));
    }

    #[test]
    fn boundaries_of_the_default_table() {
        let r = Router::default();
        for p in 10..=15 {
            assert_eq!(r.route(&format!("{p}{}", "0".repeat(16))), Ok(wechat()));
        }
        assert!(r.route(&format!("09{}", "0".repeat(16))).is_err());
        assert!(r.route(&format!("13{}", "0".repeat(15))).is_err()); // 17 digits
        assert!(r.route(&format!("13{}", "0".repeat(17))).is_err()); // 19 digits
        for p in 25..=30 {
            for len in [16, 24] {
                let code = format!("{p}{}", "7".repeat(len - 2));
                assert_eq!(r.channel(&code), Ok(Channel::Alipay), "{code}");
            }
        }
        assert!(r.route(&format!("28{}", "7".repeat(13))).is_err()); // 15 digits
        assert!(r.route(&format!("28{}", "7".repeat(23))).is_err()); // 25 digits
        assert!(r.route(&format!("31{}", "7".repeat(16))).is_err());
    }

    #[test]
    fn configurable_widened_wechat_and_auto() {
        let mut config = RouterConfig::default();
        config.rules[0] = RoutingRule::two_digit_range(Channel::WeChat, 10, 19, 18, 18);
        let r = Router::new(config.clone()).unwrap();
        assert_eq!(r.route("161234567890123456"), Ok(wechat()));

        config.auto_fallback = true;
        let r = Router::new(config).unwrap();
        assert_eq!(r.route("0112345678901234567"), Ok(Route::Auto));
        assert!(r.channel("0112345678901234567").is_err());
        assert!(r.route("01 2").is_err(), "auto never accepts non-digits");
    }

    #[test]
    fn config_serde_and_validation() {
        let json =
            r#"{"rules":[{"channel":"UNIONPAY","prefixes":["62"],"min_len":19,"max_len":19}]}"#;
        let r: Router = serde_json::from_str(json).unwrap();
        assert_eq!(
            r.route("6225735053201615202"),
            Ok(Route::Channel(Channel::UnionPay))
        );
        assert!(r.route("134919586213926735").is_err());
        let back = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Router>(&back).unwrap(), r);

        for bad in [
            r#"{"rules":[]}"#,
            r#"{"rules":[{"channel":"WECHAT","prefixes":[],"min_len":18,"max_len":18}]}"#,
            r#"{"rules":[{"channel":"WECHAT","prefixes":["1x"],"min_len":18,"max_len":18}]}"#,
            r#"{"rules":[{"channel":"WECHAT","prefixes":["10"],"min_len":19,"max_len":18}]}"#,
            r#"{"rules":[{"channel":"WECHAT","prefixes":["10"],"min_len":0,"max_len":18}]}"#,
            r#"{"rules":[{"channel":"WECHAT","prefixes":["10"],"min_len":1,"max_len":1}]}"#,
            r#"{"rules":[{"channel":"JD","prefixes":["10"],"min_len":18,"max_len":18}]}"#,
        ] {
            assert!(serde_json::from_str::<Router>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Router>(r#"{"rules":[],"auto_fallback":true}"#).is_ok());
    }

    #[test]
    fn masking() {
        assert_eq!(mask_code("6225735053201615202"), "***************5202");
        assert_eq!(mask_code("12345"), "*2345");
        assert_eq!(mask_code("1234"), "****");
        assert_eq!(mask_code(""), "");
        assert_eq!(mask_code("支付宝付款码1234"), "******1234");
    }

    #[test]
    fn errors_never_repeat_the_code() {
        let r = Router::default();
        let code = "99887766554433221100";
        let msg = r.route(code).unwrap_err().to_string();
        assert!(!msg.contains("8877665544"), "{msg}");
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics_and_is_deterministic(s in ".{0,200}") {
            let r = Router::default();
            let a = r.route(&s);
            prop_assert_eq!(a.clone(), r.route(&s));
            if let Ok(Route::Channel(_)) = a {
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
            }
            let m = mask_code(&s);
            prop_assert_eq!(m.chars().count(), s.chars().count());
        }

        #[test]
        fn digit_strings_route_by_the_table(s in "[0-9]{1,30}") {
            let r = Router::default();
            let expected = match (s.len(), s.get(..2).and_then(|p| p.parse::<u8>().ok())) {
                (18, Some(10..=15)) => Some(Channel::WeChat),
                (16..=24, Some(25..=30)) => Some(Channel::Alipay),
                (19, Some(62)) => Some(Channel::UnionPay),
                _ => None,
            };
            prop_assert_eq!(r.channel(&s).ok(), expected);
        }
    }
}
