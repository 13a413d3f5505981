//! The QR payment channels ("three codes in one": WeChat Pay, Alipay, UnionPay QR).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

/// A QR payment channel. On the wire it is `"WECHAT"`, `"ALIPAY"` or `"UNIONPAY"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Channel {
    /// WeChat Pay (微信支付).
    WeChat,
    /// Alipay (支付宝).
    Alipay,
    /// UnionPay QR / Cloud QuickPass (银联二维码 / 云闪付).
    UnionPay,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 3] = [Channel::WeChat, Channel::Alipay, Channel::UnionPay];

    /// The wire name: `WECHAT`, `ALIPAY`, `UNIONPAY`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Channel::WeChat => "WECHAT",
            Channel::Alipay => "ALIPAY",
            Channel::UnionPay => "UNIONPAY",
        }
    }

    /// The English display name for screens and receipts.
    #[must_use]
    pub fn name_en(self) -> &'static str {
        match self {
            Channel::WeChat => "WeChat Pay",
            Channel::Alipay => "Alipay",
            Channel::UnionPay => "UnionPay QR",
        }
    }

    /// The Chinese display name for screens and receipts.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Channel::WeChat => "微信",
            Channel::Alipay => "支付宝",
            Channel::UnionPay => "银联",
        }
    }
}

/// Shows the English display name.
impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// A channel name that is not one of `WECHAT`, `ALIPAY`, `UNIONPAY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown QR channel {0:?}: use WECHAT, ALIPAY or UNIONPAY")]
pub struct UnknownChannel(pub String);

/// Parses the wire name, case-insensitively (`wechat`, `WECHAT`, `WeChat`).
impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownChannel(s.chars().take(32).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_wire_form() {
        assert_eq!(Channel::WeChat.name_zh(), "微信");
        assert_eq!(Channel::Alipay.name_zh(), "支付宝");
        assert_eq!(Channel::UnionPay.name_zh(), "银联");
        assert_eq!(Channel::UnionPay.to_string(), "UnionPay QR");
        for c in Channel::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), c);
            assert_eq!(c.code().to_lowercase().parse::<Channel>().unwrap(), c);
        }
        assert!("JD".parse::<Channel>().is_err());
    }
}
