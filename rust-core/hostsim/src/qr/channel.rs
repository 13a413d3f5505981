//! Per-channel facts of the simulated channels: which state an order ends in, what their
//! transaction ids look like, and their own error codes.

use unipos_clock::{LocalTime, CHINA_OFFSET_MINUTES};
use unipos_qr_protocol::messages::Status;
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

use super::behaviour::channel_code;

/// The state of a failed payment: WeChat and UnionPay `PAYERROR`, Alipay `TRADE_CLOSED`.
pub(crate) fn fail_state(channel: Option<Channel>) -> TradeState {
    match channel {
        Some(Channel::Alipay) => TradeState::Closed,
        _ => TradeState::Payerror,
    }
}

/// The state of a reversed order: WeChat `REVOKED`, Alipay `TRADE_CLOSED` (cancel), UnionPay
/// reversal `REVOKED`. Unknown channel (an unpaid dynamic order): `REVOKED`.
pub(crate) fn reverse_state(channel: Option<Channel>) -> TradeState {
    match channel {
        Some(Channel::Alipay) => TradeState::Closed,
        _ => TradeState::Revoked,
    }
}

/// The state of an order the channel closed itself: WeChat revokes unpaid quick-pay orders
/// (`REVOKED`), the others close them.
pub(crate) fn auto_close_state(channel: Option<Channel>) -> TradeState {
    match channel {
        Some(Channel::WeChat) => TradeState::Revoked,
        _ => TradeState::Closed,
    }
}

pub(crate) fn local(ms: i64) -> LocalTime {
    LocalTime::from_millis(ms, CHINA_OFFSET_MINUTES)
}

/// `yyyyMMddHHmmss` in China Standard Time.
pub(crate) fn timestamp(ms: i64) -> String {
    let t = local(ms);
    format!("{}{}", t.yyyymmdd(), t.hhmmss())
}

/// A channel transaction id in the channel's usual shape: WeChat 28 digits starting `4200`,
/// Alipay 28 digits `yyyyMMdd22001…`, UnionPay 20 digits `yyyyMMddHHmmss…`.
pub(crate) fn trade_no(channel: Channel, at_ms: i64, seq: u64) -> String {
    let t = local(at_ms);
    match channel {
        Channel::WeChat => format!("4200{}{:016}", t.yyyymmdd(), seq),
        Channel::Alipay => format!("{}22001{:015}", t.yyyymmdd(), seq),
        Channel::UnionPay => format!("{}{}{:06}", t.yyyymmdd(), t.hhmmss(), seq),
    }
}

/// A channel refund id: WeChat 29 digits starting `5030`, Alipay/UnionPay prefixed `R`.
pub(crate) fn refund_no(channel: Option<Channel>, at_ms: i64, seq: u64) -> String {
    let t = local(at_ms);
    match channel {
        Some(Channel::WeChat) => format!("5030{}{:017}", t.yyyymmdd(), seq),
        _ => format!("R{}{}{:06}", t.yyyymmdd(), t.hhmmss(), seq),
    }
}

/// A `FAIL` status with the channel's own code attached.
pub(crate) fn fail(channel: Option<Channel>, code: ErrorCode) -> Status {
    Status::fail(code).with_channel_code(channel.and_then(|c| channel_code(c, code)))
}

/// An `UNKNOWN` status with the channel's own code attached.
pub(crate) fn unknown(channel: Option<Channel>, code: ErrorCode) -> Status {
    Status::unknown(code).with_channel_code(channel.and_then(|c| channel_code(c, code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        use unipos_clock::{Clock, ManualClock};
        let ms = ManualClock::at_local(2026, 11, 21, 9, 30, 0, CHINA_OFFSET_MINUTES).now_millis();
        assert_eq!(timestamp(ms), "20261121093000");
        assert_eq!(trade_no(Channel::WeChat, ms, 7).len(), 28);
        assert!(trade_no(Channel::WeChat, ms, 7).starts_with("420020261121"));
        assert_eq!(trade_no(Channel::Alipay, ms, 7).len(), 28);
        assert!(trade_no(Channel::Alipay, ms, 7).starts_with("2026112122001"));
        assert_eq!(trade_no(Channel::UnionPay, ms, 7).len(), 20);
        assert_eq!(refund_no(Some(Channel::WeChat), ms, 1).len(), 29);
        assert_eq!(fail_state(Some(Channel::Alipay)), TradeState::Closed);
        assert_eq!(auto_close_state(Some(Channel::WeChat)), TradeState::Revoked);
        assert_eq!(
            fail(Some(Channel::WeChat), ErrorCode::InsufficientFunds)
                .channel_code
                .as_deref(),
            Some("NOTENOUGH")
        );
    }
}
