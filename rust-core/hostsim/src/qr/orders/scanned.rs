//! Scanned payment codes: pay, query, reverse, refund.

use unipos_qr_protocol::messages::{
    OrderInfo, PayRequest, PayResponse, QueryResponse, RefundRequest, RefundResponse,
    ReverseAction, ReverseResponse, Status,
};
use unipos_qr_protocol::{mask_code, ErrorCode, TradeState};

use crate::qr::behaviour::Behaviour;
use crate::qr::channel::{fail, refund_no, reverse_state, timestamp, unknown};
use crate::qr::config::QrConfig;

use super::order::{fingerprint, secs, Event, Plan, RefundRecord, Reversal};
use super::snapshot::OrderKind;
use super::{Ledger, PayDecision};

impl Ledger {
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
    pub(super) fn reserve(
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
}
