//! Merchant-presented dynamic orders (create, close, the customer paying) and the admin views.

use unipos_qr_protocol::auth::request_digest;
use unipos_qr_protocol::messages::{CloseResponse, CreateRequest, CreateResponse, Status};
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

use crate::qr::channel::{fail, timestamp};
use crate::qr::config::QrConfig;

use super::order::{secs, Order, Plan};
use super::snapshot::{AdminError, OrderKind, OrderSnapshot};
use super::Ledger;

impl Ledger {
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
