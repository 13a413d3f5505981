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

mod dynamic;
mod order;
mod scanned;
mod snapshot;

pub use snapshot::{AdminError, OrderKind, OrderSnapshot, RefundSnapshot, ReversalSnapshot};

use std::collections::HashMap;

use unipos_qr_protocol::messages::Status;
use unipos_qr_protocol::{Channel, TradeState};

use crate::qr::behaviour::Behaviour;
use crate::qr::config::QrConfig;

use order::{Order, Plan};

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
}
