//! Per-channel timers of the cashier flow (QR.md §7a "Default timer table").
//!
//! All values are milliseconds, measured from the moment the pay request was sent
//! (`pay_sent`) unless said otherwise; they are configuration with these defaults:
//!
//! | timer | WeChat | Alipay | UnionPay |
//! |---|---|---|---|
//! | pay HTTP timeout | 10 s | 10 s | 10 s |
//! | first query after `USER_PAYING` | 5 s | 5 s | 5 s |
//! | first query after a system error / no answer | 5 s | 0 s | 5 s |
//! | query interval | 5 s | 5 s | 5 s |
//! | overall deadline (then reverse) | 30 s | 60 s | 30 s |
//! | earliest reverse | pay_sent + 15 s | at once | at once |
//! | reverse attempts (while `retry`) | 10 | 4 (1 + 3) | 3 |
//! | reverse retry interval | 3 s | 2 s | 5 s |
//! | reverse window (then refund) | 7 days | 24 h | 24 h |

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::outcome::QueryReason;

/// The timers of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelTimers {
    /// HTTP timeout of the pay request.
    pub pay_timeout_ms: u64,
    /// Delay before the first query after `USER_PAYING`.
    pub first_query_delay_ms: u64,
    /// Delay before the first query after `SYSTEM_ERROR` or no valid answer.
    pub first_query_delay_after_error_ms: u64,
    /// Interval between queries.
    pub query_interval_ms: u64,
    /// Stop querying and reverse this long after the pay was sent.
    pub deadline_ms: u64,
    /// Never reverse earlier than this long after the pay was sent (WeChat: 15 s).
    pub earliest_reverse_ms: u64,
    /// Reverse attempts in the foreground (the first included) while the gateway says
    /// `retry`; then the reverse continues in the background (REVERSE_PENDING).
    pub reverse_max_attempts: u32,
    /// Interval between reverse attempts.
    pub reverse_interval_ms: u64,
    /// How long after creation an order can still be reversed; older ones need a refund.
    pub reverse_window_ms: u64,
}

const SECOND: u64 = 1000;
const HOUR: u64 = 3600 * SECOND;

impl ChannelTimers {
    /// WeChat Pay (micropay doc; partner doc; global "reasonable query mechanism").
    #[must_use]
    pub fn wechat() -> Self {
        ChannelTimers {
            pay_timeout_ms: 10 * SECOND,
            first_query_delay_ms: 5 * SECOND,
            first_query_delay_after_error_ms: 5 * SECOND,
            query_interval_ms: 5 * SECOND,
            deadline_ms: 30 * SECOND,
            earliest_reverse_ms: 15 * SECOND,
            reverse_max_attempts: 10,
            reverse_interval_ms: 3 * SECOND,
            reverse_window_ms: 7 * 24 * HOUR,
        }
    }

    /// Alipay (当面付 polling guidance and the official F2F demo defaults).
    #[must_use]
    pub fn alipay() -> Self {
        ChannelTimers {
            pay_timeout_ms: 10 * SECOND,
            first_query_delay_ms: 5 * SECOND,
            first_query_delay_after_error_ms: 0,
            query_interval_ms: 5 * SECOND,
            deadline_ms: 60 * SECOND,
            earliest_reverse_ms: 0,
            reverse_max_attempts: 4,
            reverse_interval_ms: 2 * SECOND,
            reverse_window_ms: 24 * HOUR,
        }
    }

    /// UnionPay QR through the acquirer (values per acquirer; these follow Jeepay's 6 × 5 s).
    #[must_use]
    pub fn unionpay() -> Self {
        ChannelTimers {
            pay_timeout_ms: 10 * SECOND,
            first_query_delay_ms: 5 * SECOND,
            first_query_delay_after_error_ms: 5 * SECOND,
            query_interval_ms: 5 * SECOND,
            deadline_ms: 30 * SECOND,
            earliest_reverse_ms: 0,
            reverse_max_attempts: 3,
            reverse_interval_ms: 5 * SECOND,
            reverse_window_ms: 24 * HOUR,
        }
    }

    /// The delay before the first query, by why the outcome is unknown.
    #[must_use]
    pub fn first_query_delay_ms(&self, reason: QueryReason) -> u64 {
        match reason {
            QueryReason::UserPaying => self.first_query_delay_ms,
            QueryReason::SystemError
            | QueryReason::NoValidAnswer
            | QueryReason::OrderExists(_)
            | QueryReason::Unclear => self.first_query_delay_after_error_ms,
        }
    }

    /// When (clock milliseconds) querying stops and the reverse may be sent, for a pay sent at
    /// `pay_sent_ms`: the later of the deadline and the earliest reverse.
    #[must_use]
    pub fn reverse_at_ms(&self, pay_sent_ms: i64) -> i64 {
        let after = self.deadline_ms.max(self.earliest_reverse_ms);
        pay_sent_ms.saturating_add(i64::try_from(after).unwrap_or(i64::MAX))
    }
}

/// Timers of merchant-presented dynamic orders (channel unknown until the customer pays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicTimers {
    /// HTTP timeout of the create request.
    pub create_timeout_ms: u64,
    /// Delay before the first query after the code is shown.
    pub first_query_delay_ms: u64,
    /// Interval between queries.
    pub query_interval_ms: u64,
    /// Stop showing the code and close the order this long after it was created.
    pub deadline_ms: u64,
    /// The `expire_seconds` to ask for: longer than the deadline, so that the terminal's close
    /// decides, not the gateway's expiry.
    pub order_expire_seconds: u32,
    /// Close attempts in the foreground while the answer says retry.
    pub close_max_attempts: u32,
    /// Interval between close attempts.
    pub close_interval_ms: u64,
}

impl Default for DynamicTimers {
    fn default() -> Self {
        DynamicTimers {
            create_timeout_ms: 10 * SECOND,
            first_query_delay_ms: 5 * SECOND,
            query_interval_ms: 3 * SECOND,
            deadline_ms: 120 * SECOND,
            order_expire_seconds: 300,
            close_max_attempts: 3,
            close_interval_ms: 2 * SECOND,
        }
    }
}

/// All QR timers: one set per channel and one for dynamic orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrTimers {
    /// WeChat Pay.
    #[serde(default = "ChannelTimers::wechat")]
    pub wechat: ChannelTimers,
    /// Alipay.
    #[serde(default = "ChannelTimers::alipay")]
    pub alipay: ChannelTimers,
    /// UnionPay QR.
    #[serde(default = "ChannelTimers::unionpay")]
    pub unionpay: ChannelTimers,
    /// Merchant-presented dynamic orders.
    #[serde(default)]
    pub dynamic: DynamicTimers,
}

impl Default for QrTimers {
    fn default() -> Self {
        QrTimers {
            wechat: ChannelTimers::wechat(),
            alipay: ChannelTimers::alipay(),
            unionpay: ChannelTimers::unionpay(),
            dynamic: DynamicTimers::default(),
        }
    }
}

impl QrTimers {
    /// The timers of one channel.
    #[must_use]
    pub fn for_channel(&self, channel: Channel) -> &ChannelTimers {
        match channel {
            Channel::WeChat => &self.wechat,
            Channel::Alipay => &self.alipay,
            Channel::UnionPay => &self.unionpay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_docs() {
        let t = QrTimers::default();
        assert_eq!(t.wechat.deadline_ms, 30_000);
        assert!(
            t.wechat.deadline_ms < 45_000,
            "before WeChat's own 45 s auto-revoke"
        );
        assert_eq!(t.wechat.reverse_at_ms(1_000), 31_000);
        assert_eq!(t.alipay.deadline_ms, 60_000);
        assert_eq!(t.alipay.reverse_max_attempts, 4);
        assert_eq!(t.alipay.first_query_delay_ms(QueryReason::SystemError), 0);
        assert_eq!(
            t.alipay.first_query_delay_ms(QueryReason::UserPaying),
            5_000
        );
        assert_eq!(t.for_channel(Channel::UnionPay), &ChannelTimers::unionpay());
        let mut odd = ChannelTimers::wechat();
        odd.deadline_ms = 5_000;
        assert_eq!(
            odd.reverse_at_ms(0),
            15_000,
            "never before the earliest reverse"
        );
    }

    #[test]
    fn serde_partial_config() {
        let t: QrTimers = serde_json::from_str("{}").unwrap();
        assert_eq!(t, QrTimers::default());
        let json = serde_json::to_string(&ChannelTimers::alipay()).unwrap();
        let t: QrTimers = serde_json::from_str(&format!(r#"{{"wechat":{json}}}"#)).unwrap();
        assert_eq!(t.wechat, ChannelTimers::alipay());
        assert!(serde_json::from_str::<QrTimers>(r#"{"jd":{}}"#).is_err());
    }
}
