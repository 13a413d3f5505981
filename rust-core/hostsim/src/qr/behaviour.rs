//! How the simulated channel treats a payment code: scripted per code, or chosen by the
//! code's last two digits (the table in docs/qr-gateway.md).

use serde::{Deserialize, Serialize};
use unipos_qr_protocol::{Channel, ErrorCode};

/// What the simulated channel does with a pay request for one payment code.
///
/// Times are seconds of (injected) clock time after the pay request reached the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Behaviour {
    /// Paid at once (no password needed).
    Success,
    /// `USER_PAYING`: the customer enters the password, and the payment completes after
    /// `after_secs` (unless the order is reversed or auto-closed first).
    PasswordThenSuccess {
        /// When the customer confirms.
        after_secs: u64,
    },
    /// `USER_PAYING`, then the payment fails after `after_secs` (wrong password, customer
    /// cancelled): WeChat and UnionPay `PAYERROR`, Alipay `CLOSED`.
    PasswordThenFailure {
        /// When it fails.
        after_secs: u64,
    },
    /// A definite failure at once, e.g. `INSUFFICIENT_FUNDS`, `CODE_EXPIRED`, `INVALID_CODE`,
    /// `CARD_NOT_SUPPORTED`, `PAYMENT_DECLINED`.
    Decline {
        /// The error code returned.
        code: ErrorCode,
    },
    /// Pay answers `SYSTEM_ERROR`, but the channel took the payment: a query finds it paid.
    SystemErrorPaid,
    /// Pay answers `SYSTEM_ERROR` and the channel never created the order: a query answers
    /// `ORDER_NOT_FOUND`.
    SystemErrorNoOrder,
    /// `USER_PAYING` for every query; the customer confirms just as the terminal gives up:
    /// when the reverse (or close) arrives, or at `after_secs` if that comes first (`None`:
    /// the channel's `late_success_secs`, after the terminal's default deadline). A reverse
    /// therefore finds it paid and refunds it.
    LateSuccess {
        /// When it pays without a reverse; `None` = the channel default.
        #[serde(default)]
        after_secs: Option<u64>,
        /// The first N reverse calls answer `retry`.
        #[serde(default)]
        reverse_retries: u32,
    },
    /// `USER_PAYING` until the channel auto-closes the order (WeChat revokes it at 45 s);
    /// the first `reverse_retries` reverse calls answer `retry` (WeChat `recall=Y`).
    NeverConfirms {
        /// The first N reverse calls answer `retry`.
        #[serde(default)]
        reverse_retries: u32,
    },
}

impl Behaviour {
    /// How many reverse calls answer `retry` before the reverse is done.
    #[must_use]
    pub fn reverse_retries(&self) -> u32 {
        match self {
            Behaviour::LateSuccess {
                reverse_retries, ..
            }
            | Behaviour::NeverConfirms { reverse_retries } => *reverse_retries,
            _ => 0,
        }
    }

    /// The default behaviour of a payment code, from its last two digits:
    ///
    /// | suffix | behaviour |
    /// |---|---|
    /// | `00` | paid at once |
    /// | `01` | password, paid after `password_wait_secs` |
    /// | `02` | password, fails after `password_wait_secs` |
    /// | `03` | insufficient funds |
    /// | `04` | code expired |
    /// | `05` | system error, but paid (query finds SUCCESS) |
    /// | `06` | late success: paid as the terminal gives up; the reverse refunds it |
    /// | `07` | never confirmed; reverse answers `retry` `reverse_retries` times |
    /// | `08` | system error, no order (query finds ORDER_NOT_FOUND) |
    /// | `09` | never confirmed; the channel auto-closes it (WeChat revokes at 45 s) |
    /// | `10` | invalid code |
    /// | `11` | card not supported |
    /// | `12` | declined by risk control |
    /// | other | paid at once |
    #[must_use]
    pub fn by_suffix(code: &str, password_wait_secs: u64, reverse_retries: u32) -> Behaviour {
        let suffix = code.get(code.len().saturating_sub(2)..).unwrap_or("");
        match suffix {
            "01" => Behaviour::PasswordThenSuccess {
                after_secs: password_wait_secs,
            },
            "02" => Behaviour::PasswordThenFailure {
                after_secs: password_wait_secs,
            },
            "03" => Behaviour::Decline {
                code: ErrorCode::InsufficientFunds,
            },
            "04" => Behaviour::Decline {
                code: ErrorCode::CodeExpired,
            },
            "05" => Behaviour::SystemErrorPaid,
            "06" => Behaviour::LateSuccess {
                after_secs: None,
                reverse_retries: 0,
            },
            "07" => Behaviour::NeverConfirms { reverse_retries },
            "08" => Behaviour::SystemErrorNoOrder,
            "09" => Behaviour::NeverConfirms { reverse_retries: 0 },
            "10" => Behaviour::Decline {
                code: ErrorCode::InvalidCode,
            },
            "11" => Behaviour::Decline {
                code: ErrorCode::CardNotSupported,
            },
            "12" => Behaviour::Decline {
                code: ErrorCode::PaymentDeclined,
            },
            _ => Behaviour::Success,
        }
    }
}

/// The code a channel itself would have returned, for the diagnostic `channel_code` field
/// (WeChat v2 `err_code`, Alipay `sub_code`). `None` where the channel has no exact
/// counterpart (UnionPay reaches us through the acquirer's own codes).
#[must_use]
pub fn channel_code(channel: Channel, code: ErrorCode) -> Option<&'static str> {
    match channel {
        Channel::WeChat => Some(match code {
            ErrorCode::UserPaying => "USERPAYING",
            ErrorCode::SystemError => "SYSTEMERROR",
            ErrorCode::CodeExpired => "AUTHCODEEXPIRE",
            ErrorCode::InvalidCode => "AUTH_CODE_INVALID",
            ErrorCode::InsufficientFunds => "NOTENOUGH",
            ErrorCode::CardNotSupported => "NOTSUPORTCARD",
            ErrorCode::PaymentDeclined => "PAYERROR",
            ErrorCode::OrderPaid => "ORDERPAID",
            ErrorCode::OrderClosed => "ORDERCLOSED",
            ErrorCode::OrderRevoked => "ORDERREVERSED",
            ErrorCode::OrderNotFound => "ORDERNOTEXIST",
            ErrorCode::OutTradeNoUsed => "OUT_TRADE_NO_USED",
            ErrorCode::RefundExceeded => "REFUND_FEE_INVALID",
            ErrorCode::ReverseExpired => "REVERSE_EXPIRE",
            _ => return None,
        }),
        Channel::Alipay => Some(match code {
            ErrorCode::UserPaying => "10003",
            ErrorCode::SystemError => "ACQ.SYSTEM_ERROR",
            ErrorCode::InvalidCode => "ACQ.PAYMENT_AUTH_CODE_INVALID",
            ErrorCode::InsufficientFunds => "ACQ.BUYER_BALANCE_NOT_ENOUGH",
            ErrorCode::PaymentDeclined => "ACQ.PAYMENT_FAIL",
            ErrorCode::OrderPaid => "ACQ.TRADE_HAS_SUCCESS",
            ErrorCode::OrderClosed => "ACQ.TRADE_HAS_CLOSE",
            ErrorCode::OrderNotFound => "ACQ.TRADE_NOT_EXIST",
            ErrorCode::OutTradeNoUsed => "ACQ.CONTEXT_INCONSISTENT",
            ErrorCode::RefundExceeded => "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            _ => return None,
        }),
        Channel::UnionPay => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_table() {
        let b = |c| Behaviour::by_suffix(c, 12, 2);
        assert_eq!(b("134919586213926700"), Behaviour::Success);
        assert_eq!(
            b("134919586213926701"),
            Behaviour::PasswordThenSuccess { after_secs: 12 }
        );
        assert_eq!(
            b("134919586213926707"),
            Behaviour::NeverConfirms { reverse_retries: 2 }
        );
        assert_eq!(b("134919586213926799"), Behaviour::Success);
        assert_eq!(b("7"), Behaviour::Success);
        assert_eq!(b("支付"), Behaviour::Success);
    }

    #[test]
    fn channel_codes_map_back() {
        let all = [
            ErrorCode::UserPaying,
            ErrorCode::SystemError,
            ErrorCode::CodeExpired,
            ErrorCode::InvalidCode,
            ErrorCode::InsufficientFunds,
            ErrorCode::CardNotSupported,
            ErrorCode::PaymentDeclined,
            ErrorCode::OrderPaid,
            ErrorCode::OrderClosed,
            ErrorCode::OrderRevoked,
            ErrorCode::OrderNotFound,
            ErrorCode::OutTradeNoUsed,
            ErrorCode::RefundExceeded,
            ErrorCode::ReverseExpired,
        ];
        for ch in Channel::ALL {
            for c in all {
                if let Some(raw) = channel_code(ch, c) {
                    assert_eq!(ErrorCode::from_channel(ch, raw), c, "{ch:?} {raw}");
                }
            }
        }
    }

    #[test]
    fn serde_form() {
        let b: Behaviour =
            serde_json::from_str(r#"{"kind":"decline","code":"INSUFFICIENT_FUNDS"}"#).unwrap();
        assert_eq!(
            b,
            Behaviour::Decline {
                code: ErrorCode::InsufficientFunds
            }
        );
        let b: Behaviour = serde_json::from_str(r#"{"kind":"late_success"}"#).unwrap();
        assert_eq!(b.reverse_retries(), 0);
        assert!(serde_json::from_str::<Behaviour>(r#"{"kind":"teleport"}"#).is_err());
    }
}
