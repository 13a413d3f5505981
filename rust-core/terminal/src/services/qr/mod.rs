//! QR payments through the acquirer's aggregated QR gateway ("three codes in one": WeChat
//! Pay, Alipay, UnionPay QR), as a persisted state machine (QR.md §7a, ARCHITECTURE.md
//! decision 7, DOMAIN.md rule 6).
//!
//! # Two kinds of order
//!
//! * **Scanned** (付款码, B scans C): the cashier scans the customer's payment code. The code is
//!   routed by prefix ([`QrSettings::router`]); an unknown code is refused before anything is
//!   stored or sent. The code itself is never stored or logged: only its masked form.
//! * **Dynamic** (主扫, C scans B): the terminal creates an order at the gateway and shows its
//!   URL as a QR code ([`QrCodeImage`]); the customer pays with any of the three wallets.
//!
//! # Identifiers
//!
//! * `request_id`: the caller's idempotency key of **one attempt** (unique across card and QR
//!   requests). Repeating it never pays twice: it returns the stored outcome, resolving the
//!   attempt first if it is still open.
//! * `order_id`: the caller's **business order**, which may take several attempts (a declined
//!   code, then another). A new attempt is refused while an older attempt of the same business
//!   order is unresolved, or once one has been paid: the classic double charge of a cashier who
//!   rescans while the first attempt succeeds late.
//! * `out_trade_no`: the gateway's order number of an attempt: terminal id + local date +
//!   a persisted counter (`qr_seq`), never reused.
//!
//! # The state machine ([`QrState`])
//!
//! ```text
//!  route ok ─► PAY_PENDING (row committed, pay_sent_at and deadline fixed) ─► pay
//!    pay answer SUCCESS (amount checked)            ─► PAID
//!    definite failure (expired code, no funds, ...) ─► FAILED
//!    nothing sent (connect/TLS failure)             ─► NOT_SENT
//!    USER_PAYING / SYSTEM_ERROR / timeout / bad MAC ─► QUERYING (the pay is never re-sent)
//!  QUERYING: first query after the channel's first delay, then every interval
//!    SUCCESS ─► PAID          CLOSED/REVOKED/PAYERROR ─► FAILED
//!    still paying / not found / no valid answer ─► query again until the deadline
//!    deadline (never before the earliest reverse: WeChat pay_sent + 15 s) ─► REVERSING
//!  REVERSING: reverse (dynamic: close)
//!    done ─► REVERSED (refunded when the customer had paid)   dynamic ─► CLOSED
//!    retry flag / no answer ─► again after the interval, up to the channel's attempts,
//!                              then REVERSE_PENDING (retried at every flush point)
//!    refused (e.g. too old) / close says "already paid" ─► query: PAID (late success) or
//!                              FAILED, else REVERSE_PENDING for manual handling
//! ```
//!
//! Every state change is committed to SQLite (`synchronous=FULL`) before the network call that
//! depends on it. A crash anywhere leaves a non-final row that the next flush point (startup
//! first) resumes: PAY_PENDING and QUERYING query until the deadline (at once if it has
//! passed), REVERSING continues the reverse. A payment found by such a background query is a
//! **late success** ([`QrStatus::LateSuccess`]): the cashier was never told it was paid and must
//! complete the sale or refund it ([`crate::Terminal::qr_pending_results`]).
//!
//! # Refunds and voids
//!
//! A refund has its own row with an `out_refund_no` persisted before the first send and
//! reused on every retry; the total of refunds (done and pending) never exceeds the paid
//! amount. A void is a same-day, full refund of an untouched payment through `/qr/v1/refund`
//! (not `/reverse`, which is reserved for outcomes the terminal could not learn: a refund is
//! explicit, idempotent per `out_refund_no`, and shows on the customer's bill as a refund).
//!
//! # Outcomes
//!
//! QR results are [`QrOutcome`]s. `Terminal::query` and `Terminal::query_last` also find QR
//! attempts and refunds and return them projected onto the card [`crate::Outcome`] (so existing
//! integrators see one list), see [`QrOutcome::to_outcome`]; `Terminal::qr_query` gives the full
//! QR detail.

mod drive;
mod pay;
mod refund;
pub(crate) mod views;

use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::qr_gateway::{Exchange, QrGateway};
use crate::model::{OrderRow, QrOrderKind, QrSettings, RefundRow};
use crate::services::idempotency::{known_as, Known};
use crate::services::Online;
use std::time::Duration;
use unipos_qr_protocol::messages::{OrderRef, QrRequest};
use unipos_qr_protocol::timers::ChannelTimers;
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

/// Pixels per module in the PNG of a dynamic code.
const PNG_SCALE: usize = 8;
/// Refund attempts in the foreground before the refund is left pending (same number).
const REFUND_FOREGROUND_ATTEMPTS: u32 = 3;
/// Pause between foreground refund attempts.
const REFUND_RETRY_INTERVAL: Duration = Duration::from_secs(2);

const WAITING_FOR_PASSWORD: &str = crate::model::QR_WAITING_FOR_PASSWORD;
const QUERYING: &str = "querying the payment result";

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn millis_i64(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn as_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// The cashier text of a gateway error code given as its wire form.
fn code_message(code: &str) -> &'static str {
    serde_json::from_value::<ErrorCode>(serde_json::Value::String(code.to_owned()))
        .map_or("unknown result", ErrorCode::cashier_message)
}

/// What a finished query says about an order the query found closed or failed.
fn failure_code(state: TradeState) -> ErrorCode {
    match state {
        TradeState::Payerror => ErrorCode::PaymentDeclined,
        TradeState::Revoked => ErrorCode::OrderRevoked,
        _ => ErrorCode::OrderClosed,
    }
}

/// Fingerprints carry the kind, so this is reached only for rows of a kind that cannot match.
fn conflict(request_id: &str) -> EngineError {
    EngineError::RequestIdConflict {
        request_id: request_id.to_owned(),
        used_for: "another kind of request".into(),
    }
}

/// Whether a cancel (reverse/close) step is done or must be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CancelStep {
    Settled,
    Retry,
}

/// The QR service: routing, timers and MAC scheme are its own state; everything else is in
/// the store.
#[derive(Debug, Default)]
pub(crate) struct QrService {
    /// Routing table, timers, MAC scheme, timeout overrides.
    pub settings: QrSettings,
}

impl QrService {
    /// One gateway exchange, MAC'd under the terminal's QR key.
    fn exchange<R: QrRequest>(
        &self,
        ctx: &mut Ctx,
        request: &R,
        timeout: Duration,
    ) -> Result<Exchange<R::Response>, EngineError> {
        let address = ctx
            .config
            .qr_gateway
            .as_ref()
            .ok_or_else(|| EngineError::Config("no QR gateway is configured".into()))?;
        if let Some(path) = &ctx.qr_path_refused {
            return Err(EngineError::Config(format!(
                "the host's QR gateway is at {path}; this terminal speaks {}",
                unipos_qr_protocol::messages::PATH_PREFIX
            )));
        }
        let reply = QrGateway {
            address,
            settings: &self.settings,
            security: &ctx.security,
        }
        .exchange(request, timeout)?;
        if reply.key_refused {
            // Not a session matter (QR has none): the acquirer must fix the terminal's key.
            log::error!(
                "the QR gateway refused this terminal's QR key: the acquirer must re-provision it"
            );
        }
        Ok(reply.exchange)
    }

    /// A QR call needs a gateway, the terminal's QR key, and the background work done first.
    fn begin(&self, ctx: &mut Ctx, online: Online<'_>) -> Result<(), EngineError> {
        if ctx.config.qr_gateway.is_none() {
            return Err(EngineError::Config("no QR gateway is configured".into()));
        }
        online(ctx)?;
        self.flush(ctx);
        Ok(())
    }

    fn channel_timers(&self, channel: Option<Channel>) -> ChannelTimers {
        match channel {
            Some(c) => *self.settings.timers.for_channel(c),
            // Auto-routed codes: WeChat's timers, the strictest about the earliest reverse.
            None => self.settings.timers.wechat,
        }
    }

    fn call_timeout(&self, o: &OrderRow) -> Duration {
        match o.kind {
            QrOrderKind::Scanned => millis(self.channel_timers(o.channel).pay_timeout_ms),
            QrOrderKind::Dynamic => millis(self.settings.timers.dynamic.create_timeout_ms),
        }
    }

    fn request_time(ctx: &Ctx) -> String {
        let l = ctx.local();
        format!("{}{}", l.yyyymmdd(), l.hhmmss())
    }

    fn number_prefix(ctx: &Ctx) -> String {
        format!("{}{}", ctx.config.terminal_id, ctx.local().yyyymmdd())
    }

    fn order_ref(ctx: &Ctx, o: &OrderRow) -> OrderRef {
        OrderRef::new(
            &ctx.config.terminal_id,
            &ctx.config.merchant_id,
            &o.out_trade_no,
            &Self::request_time(ctx),
        )
    }

    fn save(ctx: &Ctx, o: &OrderRow) -> Result<(), EngineError> {
        ctx.store.save_qr_order(o, ctx.now())?;
        Ok(())
    }

    /// The stored attempt of a known request id (the same request asked again), `None` for
    /// a new id; an id used for another request is a conflict.
    fn known_order(
        ctx: &Ctx,
        request_id: &str,
        fingerprint: &str,
    ) -> Result<Option<OrderRow>, EngineError> {
        match known_as(&ctx.store, &ctx.caller.scope, request_id, fingerprint)? {
            None => Ok(None),
            Some(Known::QrOrder(o)) => Ok(Some(o)),
            Some(_) => Err(conflict(request_id)),
        }
    }

    /// As [`QrService::known_order`], for refunds and voids.
    fn known_refund(
        ctx: &Ctx,
        request_id: &str,
        fingerprint: &str,
    ) -> Result<Option<RefundRow>, EngineError> {
        match known_as(&ctx.store, &ctx.caller.scope, request_id, fingerprint)? {
            None => Ok(None),
            Some(Known::QrRefund(r)) => Ok(Some(r)),
            Some(_) => Err(conflict(request_id)),
        }
    }

    /// No double charge of a business order: refuse a new attempt while an older one is
    /// unresolved, or once one was paid.
    fn check_business_order(ctx: &Ctx, order_id: &str) -> Result<(), EngineError> {
        if let Some(older) = ctx
            .store
            .qr_unresolved_of_business_order(&ctx.caller.scope, order_id)?
        {
            log::warn!(
                "QR order {order_id}: attempt {} ({}) is unresolved; new attempt refused",
                older.request_id,
                older.state.as_str()
            );
            return Err(EngineError::InProgress(older.request_id));
        }
        if let Some(paid) = ctx
            .store
            .qr_paid_of_business_order(&ctx.caller.scope, order_id)?
        {
            return Err(EngineError::InvalidRequest(format!(
                "business order {order_id} is already paid (request {}); refund it instead of \
                 paying again",
                paid.request_id
            )));
        }
        Ok(())
    }
}
