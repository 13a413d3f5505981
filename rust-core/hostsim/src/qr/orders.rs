//! The gateway's order ledger and the simulated channels' state machine.
//!
//! Orders are keyed by (authenticated terminal id, `out_trade_no`). Time-driven changes
//! (password entered, channel auto-close, late success, dynamic order paid or expired) are
//! applied lazily from the injected clock whenever an order is touched, so a `ManualClock`
//! drives every timing without threads.
//!
//! Invariants (tested):
//! - one `out_trade_no` is charged at most once; a re-submitted pay never charges again;
//! - refunds (including the one a reverse makes) never exceed the paid amount, and one
//!   `out_refund_no` refunds at most once;
//! - a reverse or close of an order the gateway has not seen reserves its `out_trade_no` as
//!   reversed/closed, so a pay that arrives late (still in flight when the terminal gave up)
//!   is refused instead of charging.

use std::collections::HashMap;

use serde::Serialize;
use unipos_qr_protocol::auth::request_digest;
use unipos_qr_protocol::messages::{
    CloseResponse, CreateRequest, CreateResponse, OrderInfo, PayRequest, PayResponse,
    QueryResponse, RefundRequest, RefundResponse, ReverseAction, ReverseResponse, Status,
};
use unipos_qr_protocol::{mask_code, Channel, ErrorCode, TradeState};

use super::behaviour::Behaviour;
use super::channel::{
    auto_close_state, fail, fail_state, refund_no, reverse_state, timestamp, trade_no, unknown,
};
use super::config::QrConfig;

/// How an order came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// The terminal scanned the customer's payment code (`pay`).
    Scanned,
    /// A merchant-presented dynamic code (`create`).
    Dynamic,
    /// A reverse or close arrived for an `out_trade_no` the gateway had never seen; the number
    /// is reserved so that a late pay with it is refused.
    Reserved,
}

/// One refund, as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundSnapshot {
    /// The terminal's refund number.
    pub out_refund_no: String,
    /// Amount in fen.
    pub refund_fen: u64,
    /// The channel's refund id.
    pub channel_refund_no: String,
    /// When, `yyyyMMddHHmmss`.
    pub refund_time: String,
}

/// A reversal (or close), as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReversalSnapshot {
    /// Closed unpaid, or paid and refunded.
    pub action: ReverseAction,
    /// Amount returned to the customer, in fen.
    pub refunded_fen: u64,
    /// When, `yyyyMMddHHmmss`.
    pub time: String,
    /// How many reverse calls the terminal made (retries included).
    pub attempts: u32,
}

/// An order as the reconciliation sees it. Carries the masked code only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSnapshot {
    /// The terminal that created it.
    pub terminal_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// The terminal's order number.
    pub out_trade_no: String,
    /// Scanned, dynamic or reserved.
    pub kind: OrderKind,
    /// The channel (for a dynamic order: the one the customer paid with).
    pub channel: Option<Channel>,
    /// The payment code, all but the last 4 digits masked.
    pub masked_code: Option<String>,
    /// The order amount in fen (0 for a reserved number).
    pub amount_fen: u64,
    /// The state now.
    pub state: TradeState,
    /// Amount the customer paid, in fen (0 if never paid).
    pub paid_fen: u64,
    /// Amount returned, by refunds and by a reverse, in fen.
    pub refunded_fen: u64,
    /// The channel's transaction id, once paid.
    pub channel_trade_no: Option<String>,
    /// When the gateway received it, `yyyyMMddHHmmss`.
    pub created_time: String,
    /// When it was paid.
    pub paid_time: Option<String>,
    /// When it was closed, failed or reversed.
    pub closed_time: Option<String>,
    /// Why it failed, for failed payments.
    pub failure: Option<ErrorCode>,
    /// Refunds, in order.
    pub refunds: Vec<RefundSnapshot>,
    /// The reversal, if any.
    pub reversal: Option<ReversalSnapshot>,
    /// A dynamic order's URL.
    pub code_url: Option<String>,
}

impl OrderSnapshot {
    /// Paid minus refunded: what the merchant keeps.
    #[must_use]
    pub fn net_fen(&self) -> u64 {
        self.paid_fen.saturating_sub(self.refunded_fen)
    }
}

/// Why an admin call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// No order has this token or `out_trade_no`.
    #[error("no QR order has token or out_trade_no {0:?}")]
    NotFound(String),
    /// Several terminals used this `out_trade_no`; use the token.
    #[error("several terminals have an order {0:?}; use the code_url token")]
    Ambiguous(String),
    /// The order cannot be paid any more.
    #[error("order {out_trade_no} is {state} and can no longer be paid")]
    NotPayable {
        /// The order.
        out_trade_no: String,
        /// Its state.
        state: TradeState,
    },
}

#[derive(Debug, Clone)]
enum Plan {
    Scanned(Behaviour),
    Dynamic {
        pay_at_ms: Option<i64>,
        pay_channel: Channel,
        pays_at_close: bool,
    },
    Reserved,
}

#[derive(Debug, Clone)]
struct RefundRecord {
    out_refund_no: String,
    refund_fen: u64,
    channel_refund_no: String,
    at_ms: i64,
    total_after: u64,
}

#[derive(Debug, Clone)]
struct Reversal {
    action: ReverseAction,
    refunded_fen: u64,
    at_ms: i64,
}

#[derive(Debug, Clone)]
struct Order {
    seq: u64,
    terminal_id: String,
    merchant_id: String,
    out_trade_no: String,
    kind: OrderKind,
    plan: Plan,
    channel: Option<Channel>,
    code_fingerprint: Option<[u8; 32]>,
    masked_code: Option<String>,
    amount_fen: u64,
    state: TradeState,
    created_ms: i64,
    paid_ms: Option<i64>,
    channel_trade_no: Option<String>,
    closed_ms: Option<i64>,
    failure: Option<ErrorCode>,
    refunds: Vec<RefundRecord>,
    reversal: Option<Reversal>,
    reverse_calls: u32,
    token: Option<String>,
    code_url: Option<String>,
    expire_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Pay(Channel),
    Fail(ErrorCode),
    AutoClose,
    Expire,
}

fn secs(s: u64) -> i64 {
    i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// SHA-256 of the code under a label: lets the ledger recognise a re-submitted code without
/// keeping it.
fn fingerprint(code: &str) -> [u8; 32] {
    request_digest("AUTH_CODE", "", code.as_bytes())
}

impl Order {
    fn paid_fen(&self) -> u64 {
        if self.paid_ms.is_some() {
            self.amount_fen
        } else {
            0
        }
    }

    fn refunded_fen(&self) -> u64 {
        self.refunds.iter().map(|r| r.refund_fen).sum::<u64>()
            + self.reversal.as_ref().map_or(0, |r| r.refunded_fen)
    }

    /// Applies the time-driven change that is due, if any.
    fn settle(&mut self, now: i64, cfg: &QrConfig) {
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

    fn apply(&mut self, event: Event, at: i64) {
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
    fn pay_now(&mut self, channel: Option<Channel>, now: i64) -> bool {
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

    fn pays_when_terminal_gives_up(&self) -> bool {
        matches!(
            self.plan,
            Plan::Scanned(Behaviour::LateSuccess { .. })
                | Plan::Dynamic {
                    pays_at_close: true,
                    ..
                }
        )
    }

    fn info(&self) -> OrderInfo {
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

    fn snapshot(&self) -> OrderSnapshot {
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
    fn repeated_pay_status(&self) -> Status {
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

/// The order ledger.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    orders: Vec<Order>,
    index: HashMap<(String, String), usize>,
    tokens: HashMap<String, usize>,
    refunds: HashMap<(String, String), usize>,
    next_seq: u64,
}

/// What the gateway decided about a new pay: its channel and behaviour, or a refusal.
pub(crate) type PayDecision = Result<(Channel, Behaviour), Status>;

impl Ledger {
    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn find(
        &mut self,
        terminal_id: &str,
        out_trade_no: &str,
        now: i64,
        cfg: &QrConfig,
    ) -> Option<usize> {
        let idx = *self
            .index
            .get(&(terminal_id.to_owned(), out_trade_no.to_owned()))?;
        if let Some(order) = self.orders.get_mut(idx) {
            order.settle(now, cfg);
        }
        Some(idx)
    }

    fn insert(&mut self, order: Order) -> usize {
        let idx = self.orders.len();
        self.index
            .insert((order.terminal_id.clone(), order.out_trade_no.clone()), idx);
        if let Some(token) = &order.token {
            self.tokens.insert(token.clone(), idx);
        }
        self.orders.push(order);
        idx
    }

    #[allow(clippy::too_many_arguments)]
    fn new_order(
        &mut self,
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        kind: OrderKind,
        plan: Plan,
        channel: Option<Channel>,
        amount_fen: u64,
        state: TradeState,
        now: i64,
    ) -> Order {
        Order {
            seq: self.seq(),
            terminal_id: terminal_id.into(),
            merchant_id: merchant_id.into(),
            out_trade_no: out_trade_no.into(),
            kind,
            plan,
            channel,
            code_fingerprint: None,
            masked_code: None,
            amount_fen,
            state,
            created_ms: now,
            paid_ms: None,
            channel_trade_no: None,
            closed_ms: None,
            failure: None,
            refunds: Vec::new(),
            reversal: None,
            reverse_calls: 0,
            token: None,
            code_url: None,
            expire_ms: None,
        }
    }

    /// `pay`. `decide` routes the code and picks its behaviour; it is only called for a new
    /// `out_trade_no`.
    pub(crate) fn pay(
        &mut self,
        req: &PayRequest,
        decide: impl FnOnce() -> PayDecision,
        now: i64,
        cfg: &QrConfig,
    ) -> PayResponse {
        if let Some(idx) = self.find(&req.terminal_id, &req.out_trade_no, now, cfg) {
            let Some(order) = self.orders.get(idx) else {
                return PayResponse::default();
            };
            let status = match order.kind {
                OrderKind::Reserved => fail(
                    None,
                    match order.state {
                        TradeState::Closed => ErrorCode::OrderClosed,
                        _ => ErrorCode::OrderRevoked,
                    },
                ),
                OrderKind::Dynamic => fail(order.channel, ErrorCode::OutTradeNoUsed),
                OrderKind::Scanned
                    if order.code_fingerprint != Some(fingerprint(&req.auth_code))
                        || order.amount_fen != req.amount_fen =>
                {
                    fail(order.channel, ErrorCode::OutTradeNoUsed)
                }
                OrderKind::Scanned => order.repeated_pay_status(),
            };
            log::info!(
                "qr pay {}/{} repeated: {:?}",
                req.terminal_id,
                req.out_trade_no,
                status.code
            );
            return PayResponse {
                status,
                order: order.info(),
            };
        }

        let (channel, behaviour) = match decide() {
            Ok(d) => d,
            Err(status) => {
                return PayResponse {
                    status,
                    order: OrderInfo {
                        out_trade_no: Some(req.out_trade_no.clone()),
                        ..OrderInfo::default()
                    },
                }
            }
        };
        let echo_only = OrderInfo {
            out_trade_no: Some(req.out_trade_no.clone()),
            channel: Some(channel),
            ..OrderInfo::default()
        };
        if behaviour == Behaviour::SystemErrorNoOrder {
            return PayResponse {
                status: unknown(Some(channel), ErrorCode::SystemError),
                order: echo_only,
            };
        }
        let mut order = self.new_order(
            &req.terminal_id,
            &req.merchant_id,
            &req.out_trade_no,
            OrderKind::Scanned,
            Plan::Scanned(behaviour),
            Some(channel),
            req.amount_fen,
            TradeState::Paying,
            now,
        );
        order.code_fingerprint = Some(fingerprint(&req.auth_code));
        order.masked_code = Some(mask_code(&req.auth_code));
        let status = match behaviour {
            Behaviour::Success => {
                order.apply(Event::Pay(channel), now);
                Status::success()
            }
            Behaviour::SystemErrorPaid => {
                order.apply(Event::Pay(channel), now);
                unknown(Some(channel), ErrorCode::SystemError)
            }
            Behaviour::Decline { code } => {
                order.apply(Event::Fail(code), now);
                fail(Some(channel), code)
            }
            Behaviour::PasswordThenSuccess { .. }
            | Behaviour::PasswordThenFailure { .. }
            | Behaviour::LateSuccess { .. }
            | Behaviour::NeverConfirms { .. }
            | Behaviour::SystemErrorNoOrder => unknown(Some(channel), ErrorCode::UserPaying),
        };
        let info = if status.result == unipos_qr_protocol::QrResult::Success {
            order.info()
        } else {
            OrderInfo {
                trade_state: Some(order.state).filter(|s| !s.is_paid()),
                amount_fen: Some(order.amount_fen),
                ..echo_only
            }
        };
        self.insert(order);
        PayResponse {
            status,
            order: info,
        }
    }

    /// `query`.
    pub(crate) fn query(
        &mut self,
        terminal_id: &str,
        out_trade_no: &str,
        now: i64,
        cfg: &QrConfig,
    ) -> QueryResponse {
        match self
            .find(terminal_id, out_trade_no, now, cfg)
            .and_then(|i| self.orders.get(i))
        {
            Some(order) => QueryResponse {
                status: Status::success(),
                order: order.info(),
                code_url: order.code_url.clone(),
            },
            None => QueryResponse {
                status: fail(None, ErrorCode::OrderNotFound),
                order: OrderInfo {
                    out_trade_no: Some(out_trade_no.into()),
                    ..OrderInfo::default()
                },
                code_url: None,
            },
        }
    }

    /// Reserves an unseen `out_trade_no` as reversed or closed.
    fn reserve(
        &mut self,
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        state: TradeState,
        now: i64,
    ) -> usize {
        let mut order = self.new_order(
            terminal_id,
            merchant_id,
            out_trade_no,
            OrderKind::Reserved,
            Plan::Reserved,
            None,
            0,
            state,
            now,
        );
        order.closed_ms = Some(now);
        order.reversal = Some(Reversal {
            action: ReverseAction::Close,
            refunded_fen: 0,
            at_ms: now,
        });
        self.insert(order)
    }

    /// `reverse`.
    pub(crate) fn reverse(
        &mut self,
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        now: i64,
        cfg: &QrConfig,
    ) -> ReverseResponse {
        let idx = match self.find(terminal_id, out_trade_no, now, cfg) {
            Some(idx) => idx,
            None => {
                let idx = self.reserve(
                    terminal_id,
                    merchant_id,
                    out_trade_no,
                    TradeState::Revoked,
                    now,
                );
                let info = self.orders.get_mut(idx).map(|o| {
                    o.reverse_calls = 1;
                    o.info()
                });
                return ReverseResponse {
                    status: Status::success(),
                    order: info.unwrap_or_default(),
                    retry: false,
                    action: Some(ReverseAction::Close),
                };
            }
        };
        let Some(order) = self.orders.get_mut(idx) else {
            return ReverseResponse::default();
        };
        order.reverse_calls += 1;

        let window = order
            .channel
            .map_or(86_400, |c| cfg.channels.get(c).reverse_window_secs);
        if now.saturating_sub(order.created_ms) > secs(window) && order.reversal.is_none() {
            return ReverseResponse {
                status: fail(order.channel, ErrorCode::ReverseExpired),
                order: order.info(),
                retry: false,
                action: None,
            };
        }
        if order.pays_when_terminal_gives_up() {
            order.pay_now(None, now);
        }
        let retries = match &order.plan {
            Plan::Scanned(b) => b.reverse_retries(),
            _ => 0,
        };
        if order.reversal.is_none() && order.reverse_calls <= retries {
            return ReverseResponse {
                status: unknown(order.channel, ErrorCode::SystemError),
                order: OrderInfo {
                    out_trade_no: Some(order.out_trade_no.clone()),
                    ..OrderInfo::default()
                },
                retry: true,
                action: None,
            };
        }
        if order.reversal.is_none() {
            let paid = order.paid_fen();
            let refund = paid.saturating_sub(order.refunded_fen());
            let action = if paid > 0 {
                ReverseAction::Refund
            } else {
                ReverseAction::Close
            };
            if !order.state.is_final() || order.state.is_paid() {
                order.state = reverse_state(order.channel);
                order.closed_ms = Some(now);
            }
            order.reversal = Some(Reversal {
                action,
                refunded_fen: refund,
                at_ms: now,
            });
            log::info!(
                "qr reverse {terminal_id}/{out_trade_no}: {action:?}, {refund} fen returned"
            );
        }
        let action = order.reversal.as_ref().map(|r| r.action);
        ReverseResponse {
            status: Status::success(),
            order: order.info(),
            retry: false,
            action,
        }
    }

    /// `refund`.
    pub(crate) fn refund(
        &mut self,
        req: &RefundRequest,
        now: i64,
        cfg: &QrConfig,
    ) -> RefundResponse {
        let echo = |status: Status| RefundResponse {
            status,
            out_trade_no: Some(req.out_trade_no.clone()),
            out_refund_no: Some(req.out_refund_no.clone()),
            ..RefundResponse::default()
        };
        let Some(idx) = self.find(&req.terminal_id, &req.out_trade_no, now, cfg) else {
            return echo(fail(None, ErrorCode::OrderNotFound));
        };
        let refund_key = (req.terminal_id.clone(), req.out_refund_no.clone());
        if let Some(&used_by) = self.refunds.get(&refund_key) {
            let Some(order) = self.orders.get(used_by) else {
                return echo(Status::default());
            };
            let first = order
                .refunds
                .iter()
                .find(|r| r.out_refund_no == req.out_refund_no);
            return match first {
                Some(r) if used_by == idx && r.refund_fen == req.refund_fen => RefundResponse {
                    status: Status::success(),
                    out_trade_no: Some(req.out_trade_no.clone()),
                    out_refund_no: Some(req.out_refund_no.clone()),
                    refund_fen: Some(r.refund_fen),
                    refunded_total_fen: Some(r.total_after),
                    channel_refund_no: Some(r.channel_refund_no.clone()),
                    refund_time: Some(timestamp(r.at_ms)),
                    trade_state: Some(order.state),
                },
                _ => echo(fail(order.channel, ErrorCode::OutRefundNoUsed)),
            };
        }
        let seq = self.seq();
        let Some(order) = self.orders.get_mut(idx) else {
            return echo(Status::default());
        };
        let refusal = match order.state {
            TradeState::Success | TradeState::Refunded => None,
            TradeState::Revoked => Some(ErrorCode::OrderRevoked),
            TradeState::Closed if order.paid_ms.is_some() => Some(ErrorCode::OrderRevoked),
            TradeState::Closed => Some(ErrorCode::OrderClosed),
            TradeState::Paying | TradeState::Notpay | TradeState::Payerror => {
                Some(ErrorCode::OrderNotPaid)
            }
        };
        if let Some(code) = refusal {
            return echo(fail(order.channel, code));
        }
        let refunded = order.refunded_fen();
        if refunded.saturating_add(req.refund_fen) > order.paid_fen() {
            return RefundResponse {
                refunded_total_fen: Some(refunded),
                trade_state: Some(order.state),
                ..echo(
                    fail(order.channel, ErrorCode::RefundExceeded).with_message(format!(
                        "refund of {} fen exceeds the {} fen still refundable",
                        req.refund_fen,
                        order.paid_fen().saturating_sub(refunded)
                    )),
                )
            };
        }
        let record = RefundRecord {
            out_refund_no: req.out_refund_no.clone(),
            refund_fen: req.refund_fen,
            channel_refund_no: refund_no(order.channel, now, seq),
            at_ms: now,
            total_after: refunded + req.refund_fen,
        };
        order.state = TradeState::Refunded;
        let response = RefundResponse {
            status: Status::success(),
            out_trade_no: Some(req.out_trade_no.clone()),
            out_refund_no: Some(req.out_refund_no.clone()),
            refund_fen: Some(record.refund_fen),
            refunded_total_fen: Some(record.total_after),
            channel_refund_no: Some(record.channel_refund_no.clone()),
            refund_time: Some(timestamp(now)),
            trade_state: Some(order.state),
        };
        log::info!(
            "qr refund {}/{} {}: {} fen (total {})",
            req.terminal_id,
            req.out_trade_no,
            req.out_refund_no,
            record.refund_fen,
            record.total_after
        );
        order.refunds.push(record);
        self.refunds.insert(refund_key, idx);
        response
    }

    /// `create`.
    pub(crate) fn create(
        &mut self,
        req: &CreateRequest,
        now: i64,
        cfg: &QrConfig,
    ) -> CreateResponse {
        if let Some(idx) = self.find(&req.terminal_id, &req.out_trade_no, now, cfg) {
            let Some(order) = self.orders.get(idx) else {
                return CreateResponse::default();
            };
            let status = match order.kind {
                OrderKind::Dynamic if order.amount_fen == req.amount_fen => Status::success(),
                OrderKind::Reserved => fail(None, ErrorCode::OrderClosed),
                _ => fail(order.channel, ErrorCode::OutTradeNoUsed),
            };
            let same = status.result == unipos_qr_protocol::QrResult::Success;
            return CreateResponse {
                status,
                out_trade_no: Some(req.out_trade_no.clone()),
                code_url: order.code_url.clone().filter(|_| same),
                expire_time: order.expire_ms.map(timestamp).filter(|_| same),
                trade_state: Some(order.state),
            };
        }
        let seq = self.seq();
        let digest = request_digest(
            "TOKEN",
            &format!("{}/{}", req.terminal_id, req.out_trade_no),
            &seq.to_be_bytes(),
        );
        let token = hex::encode(digest.get(..12).unwrap_or(&digest));
        let code_url = format!("{}{}", cfg.code_url_base(), token);
        let expire_secs = req.expire_seconds.unwrap_or(cfg.dynamic.expire_secs);
        let cents = req.amount_fen % 100;
        let pay_channel = match req.amount_fen % 3 {
            0 => Channel::WeChat,
            1 => Channel::Alipay,
            _ => Channel::UnionPay,
        };
        let plan = Plan::Dynamic {
            pay_at_ms: match (cents, cfg.dynamic.auto_pay_after_secs) {
                (98 | 99, _) | (_, None) => None,
                (_, Some(after)) => Some(now + secs(after)),
            },
            pay_channel,
            pays_at_close: cents == 98,
        };
        let mut order = self.new_order(
            &req.terminal_id,
            &req.merchant_id,
            &req.out_trade_no,
            OrderKind::Dynamic,
            plan,
            None,
            req.amount_fen,
            TradeState::Notpay,
            now,
        );
        order.seq = seq;
        order.token = Some(token);
        order.code_url = Some(code_url.clone());
        order.expire_ms = Some(now + secs(u64::from(expire_secs)));
        let expire_time = order.expire_ms.map(timestamp);
        self.insert(order);
        CreateResponse {
            status: Status::success(),
            out_trade_no: Some(req.out_trade_no.clone()),
            code_url: Some(code_url),
            expire_time,
            trade_state: Some(TradeState::Notpay),
        }
    }

    /// `close`.
    pub(crate) fn close(
        &mut self,
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        now: i64,
        cfg: &QrConfig,
    ) -> CloseResponse {
        let Some(idx) = self.find(terminal_id, out_trade_no, now, cfg) else {
            let idx = self.reserve(
                terminal_id,
                merchant_id,
                out_trade_no,
                TradeState::Closed,
                now,
            );
            let info = self.orders.get(idx).map(Order::info).unwrap_or_default();
            return CloseResponse {
                status: Status::success(),
                order: info,
            };
        };
        let Some(order) = self.orders.get_mut(idx) else {
            return CloseResponse::default();
        };
        if order.pays_when_terminal_gives_up() {
            order.pay_now(None, now);
        }
        let status = match order.state {
            TradeState::Success | TradeState::Refunded => fail(order.channel, ErrorCode::OrderPaid),
            TradeState::Paying | TradeState::Notpay => {
                order.state = TradeState::Closed;
                order.closed_ms = Some(now);
                log::info!("qr close {terminal_id}/{out_trade_no}");
                Status::success()
            }
            TradeState::Closed | TradeState::Revoked | TradeState::Payerror => Status::success(),
        };
        CloseResponse {
            status,
            order: order.info(),
        }
    }

    /// The simulated customer pays a dynamic order (or confirms a scanned one) now.
    pub(crate) fn customer_pays(
        &mut self,
        key: &str,
        channel: Option<Channel>,
        now: i64,
        cfg: &QrConfig,
    ) -> Result<OrderSnapshot, AdminError> {
        let idx = match self.tokens.get(key) {
            Some(&idx) => idx,
            None => {
                let mut hits = self
                    .orders
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.out_trade_no == key && o.kind != OrderKind::Reserved)
                    .map(|(i, _)| i);
                let first = hits
                    .next()
                    .ok_or_else(|| AdminError::NotFound(key.into()))?;
                if hits.next().is_some() {
                    return Err(AdminError::Ambiguous(key.into()));
                }
                first
            }
        };
        let order = self
            .orders
            .get_mut(idx)
            .ok_or_else(|| AdminError::NotFound(key.into()))?;
        order.settle(now, cfg);
        if !order.pay_now(channel, now) {
            return Err(AdminError::NotPayable {
                out_trade_no: order.out_trade_no.clone(),
                state: order.state,
            });
        }
        log::info!(
            "qr customer paid {}/{} with {:?}",
            order.terminal_id,
            order.out_trade_no,
            order.channel
        );
        Ok(order.snapshot())
    }

    /// The order of a token, for the customer page.
    pub(crate) fn token_exists(&self, token: &str) -> bool {
        self.tokens.contains_key(token)
    }

    /// Snapshots of one terminal's orders (or all), in creation order.
    pub(crate) fn snapshots(
        &mut self,
        terminal_id: Option<&str>,
        now: i64,
        cfg: &QrConfig,
    ) -> Vec<OrderSnapshot> {
        self.orders
            .iter_mut()
            .filter(|o| terminal_id.is_none_or(|t| o.terminal_id == t))
            .map(|o| {
                o.settle(now, cfg);
                o.snapshot()
            })
            .collect()
    }
}
