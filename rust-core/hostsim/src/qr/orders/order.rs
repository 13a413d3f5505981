//! One order and its simulated channel's state machine: time-driven changes applied lazily
//! from the injected clock whenever the order is touched.

use unipos_qr_protocol::auth::request_digest;
use unipos_qr_protocol::messages::{OrderInfo, ReverseAction, Status};
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

use super::snapshot::{OrderKind, OrderSnapshot, RefundSnapshot, ReversalSnapshot};
use crate::qr::behaviour::Behaviour;
use crate::qr::channel::{auto_close_state, fail, fail_state, timestamp, trade_no, unknown};
use crate::qr::config::QrConfig;

#[derive(Debug, Clone)]
pub(super) enum Plan {
    Scanned(Behaviour),
    Dynamic {
        pay_at_ms: Option<i64>,
        pay_channel: Channel,
        pays_at_close: bool,
    },
    Reserved,
}

#[derive(Debug, Clone)]
pub(super) struct RefundRecord {
    pub(super) out_refund_no: String,
    pub(super) refund_fen: u64,
    pub(super) channel_refund_no: String,
    pub(super) at_ms: i64,
    pub(super) total_after: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Reversal {
    pub(super) action: ReverseAction,
    pub(super) refunded_fen: u64,
    pub(super) at_ms: i64,
}

#[derive(Debug, Clone)]
pub(super) struct Order {
    pub(super) seq: u64,
    pub(super) terminal_id: String,
    pub(super) merchant_id: String,
    pub(super) out_trade_no: String,
    pub(super) kind: OrderKind,
    pub(super) plan: Plan,
    pub(super) channel: Option<Channel>,
    pub(super) code_fingerprint: Option<[u8; 32]>,
    pub(super) masked_code: Option<String>,
    pub(super) amount_fen: u64,
    pub(super) state: TradeState,
    pub(super) created_ms: i64,
    pub(super) paid_ms: Option<i64>,
    pub(super) channel_trade_no: Option<String>,
    pub(super) closed_ms: Option<i64>,
    pub(super) failure: Option<ErrorCode>,
    pub(super) refunds: Vec<RefundRecord>,
    pub(super) reversal: Option<Reversal>,
    pub(super) reverse_calls: u32,
    pub(super) token: Option<String>,
    pub(super) code_url: Option<String>,
    pub(super) expire_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
    Pay(Channel),
    Fail(ErrorCode),
    AutoClose,
    Expire,
}

pub(super) fn secs(s: u64) -> i64 {
    i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// SHA-256 of the code under a label: lets the ledger recognise a re-submitted code without
/// keeping it.
pub(super) fn fingerprint(code: &str) -> [u8; 32] {
    request_digest("AUTH_CODE", "", code.as_bytes())
}

impl Order {
    pub(super) fn paid_fen(&self) -> u64 {
        if self.paid_ms.is_some() {
            self.amount_fen
        } else {
            0
        }
    }

    pub(super) fn refunded_fen(&self) -> u64 {
        self.refunds.iter().map(|r| r.refund_fen).sum::<u64>()
            + self.reversal.as_ref().map_or(0, |r| r.refunded_fen)
    }

    /// Applies the time-driven change that is due, if any.
    pub(super) fn settle(&mut self, now: i64, cfg: &QrConfig) {
        if self.state.is_final() {
            return;
        }
        let mut due: Vec<(i64, u8, Event)> = Vec::new();
        match &self.plan {
            Plan::Scanned(behaviour) => {
                let Some(channel) = self.channel else { return };
                let sim = cfg.channels.get(channel);
                due.push((
                    self.created_ms + secs(sim.auto_close_secs),
                    1,
                    Event::AutoClose,
                ));
                match *behaviour {
                    Behaviour::PasswordThenSuccess { after_secs } => {
                        due.push((self.created_ms + secs(after_secs), 0, Event::Pay(channel)));
                    }
                    Behaviour::PasswordThenFailure { after_secs } => due.push((
                        self.created_ms + secs(after_secs),
                        0,
                        Event::Fail(ErrorCode::PaymentDeclined),
                    )),
                    Behaviour::LateSuccess { after_secs, .. } => due.push((
                        self.created_ms + secs(after_secs.unwrap_or(sim.late_success_secs)),
                        0,
                        Event::Pay(channel),
                    )),
                    _ => {}
                }
            }
            Plan::Dynamic {
                pay_at_ms,
                pay_channel,
                ..
            } => {
                if let Some(at) = pay_at_ms {
                    due.push((*at, 0, Event::Pay(*pay_channel)));
                }
                if let Some(at) = self.expire_ms {
                    due.push((at, 1, Event::Expire));
                }
            }
            Plan::Reserved => {}
        }
        if let Some((at, _, event)) = due
            .into_iter()
            .filter(|(at, _, _)| *at <= now)
            .min_by_key(|(at, prio, _)| (*at, *prio))
        {
            self.apply(event, at);
        }
    }

    pub(super) fn apply(&mut self, event: Event, at: i64) {
        match event {
            Event::Pay(channel) => {
                self.state = TradeState::Success;
                self.channel = Some(channel);
                self.paid_ms = Some(at);
                self.channel_trade_no = Some(trade_no(channel, at, self.seq));
            }
            Event::Fail(code) => {
                self.state = fail_state(self.channel);
                self.failure = Some(code);
                self.closed_ms = Some(at);
            }
            Event::AutoClose => {
                self.state = auto_close_state(self.channel);
                self.closed_ms = Some(at);
            }
            Event::Expire => {
                self.state = TradeState::Closed;
                self.closed_ms = Some(at);
            }
        }
    }

    /// The customer confirms right now (late success, dynamic "pays at close", admin call).
    pub(super) fn pay_now(&mut self, channel: Option<Channel>, now: i64) -> bool {
        if self.state.is_final() {
            return false;
        }
        let channel = channel.or(self.channel).or(match self.plan {
            Plan::Dynamic { pay_channel, .. } => Some(pay_channel),
            _ => None,
        });
        match channel {
            Some(c) => {
                self.apply(Event::Pay(c), now);
                true
            }
            None => false,
        }
    }

    pub(super) fn pays_when_terminal_gives_up(&self) -> bool {
        matches!(
            self.plan,
            Plan::Scanned(Behaviour::LateSuccess { .. })
                | Plan::Dynamic {
                    pays_at_close: true,
                    ..
                }
        )
    }

    pub(super) fn info(&self) -> OrderInfo {
        let refunded = self.refunded_fen();
        OrderInfo {
            out_trade_no: Some(self.out_trade_no.clone()),
            channel: self.channel,
            trade_state: Some(self.state),
            amount_fen: (self.kind != OrderKind::Reserved).then_some(self.amount_fen),
            paid_fen: self.paid_ms.map(|_| self.amount_fen),
            refunded_fen: (refunded > 0).then_some(refunded),
            channel_trade_no: self.channel_trade_no.clone(),
            paid_time: self.paid_ms.map(timestamp),
            masked_code: self.masked_code.clone(),
        }
    }

    pub(super) fn snapshot(&self) -> OrderSnapshot {
        OrderSnapshot {
            terminal_id: self.terminal_id.clone(),
            merchant_id: self.merchant_id.clone(),
            out_trade_no: self.out_trade_no.clone(),
            kind: self.kind,
            channel: self.channel,
            masked_code: self.masked_code.clone(),
            amount_fen: self.amount_fen,
            state: self.state,
            paid_fen: self.paid_fen(),
            refunded_fen: self.refunded_fen(),
            channel_trade_no: self.channel_trade_no.clone(),
            created_time: timestamp(self.created_ms),
            paid_time: self.paid_ms.map(timestamp),
            closed_time: self.closed_ms.map(timestamp),
            failure: self.failure,
            refunds: self
                .refunds
                .iter()
                .map(|r| RefundSnapshot {
                    out_refund_no: r.out_refund_no.clone(),
                    refund_fen: r.refund_fen,
                    channel_refund_no: r.channel_refund_no.clone(),
                    refund_time: timestamp(r.at_ms),
                })
                .collect(),
            reversal: self.reversal.as_ref().map(|r| ReversalSnapshot {
                action: r.action,
                refunded_fen: r.refunded_fen,
                time: timestamp(r.at_ms),
                attempts: self.reverse_calls,
            }),
            code_url: self.code_url.clone(),
        }
    }

    /// The answer to a pay for an order that already exists with the same content.
    pub(super) fn repeated_pay_status(&self) -> Status {
        match self.state {
            TradeState::Success | TradeState::Refunded => fail(self.channel, ErrorCode::OrderPaid),
            TradeState::Paying | TradeState::Notpay => unknown(self.channel, ErrorCode::UserPaying),
            TradeState::Revoked => fail(self.channel, ErrorCode::OrderRevoked),
            TradeState::Closed if self.failure.is_none() => {
                fail(self.channel, ErrorCode::OrderClosed)
            }
            TradeState::Closed | TradeState::Payerror => fail(
                self.channel,
                self.failure.unwrap_or(ErrorCode::PaymentDeclined),
            ),
        }
    }
}
