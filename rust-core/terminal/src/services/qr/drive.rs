//! Driving an open attempt to a final state: query until the deadline, then reverse (dynamic:
//! close), retried at flush points when the gateway cannot be reached; and the background
//! resolution of everything left open (startup first), which finds late successes.

use super::views::outcome;
use super::{
    as_i64, failure_code, millis, millis_i64, CancelStep, QrService, QUERYING, WAITING_FOR_PASSWORD,
};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::qr_gateway::Exchange;
use crate::model::{OrderRow, Progress, QrOrderKind, QrOutcome, QrState};
use crate::services::Online;
use std::time::Duration;
use unipos_qr_protocol::messages::{CloseRequest, QueryRequest, QueryResponse, ReverseRequest};
use unipos_qr_protocol::outcome::PaidInfo;
use unipos_qr_protocol::{CloseOutcome, QrProtocolError, QueryOutcome, ReverseOutcome, TradeState};

pub(super) fn mark_paid(o: &mut OrderRow, info: &PaidInfo, late: bool) {
    o.state = QrState::Paid;
    o.paid_amount = info.paid_fen;
    o.channel = info.channel.or(o.channel);
    o.channel_trade_no = info.channel_trade_no.clone();
    o.paid_time = info.paid_time.clone();
    o.late_success = late;
    o.error_code = None;
    if late {
        log::warn!(
            "QR {}: LATE SUCCESS, paid {} fen after the terminal stopped waiting",
            o.out_trade_no,
            info.paid_fen
        );
    }
}

impl QrService {
    /// Runs the state machine until the attempt is final or left to the background
    /// (REVERSE_PENDING). `first_delay_ms` is the wait before the first query; `background`
    /// marks a resolution the cashier did not wait for (a payment found is a late success).
    pub(super) fn drive(
        &self,
        ctx: &mut Ctx,
        mut o: OrderRow,
        first_delay_ms: u64,
        background: bool,
    ) -> Result<OrderRow, EngineError> {
        let mut delay = first_delay_ms;
        // The cashier's cancel (Terminal::cancel_wait) is honoured once, in the foreground.
        let mut cancel_pending = !background;
        loop {
            match o.state {
                s if s.is_final() => return Ok(o),
                QrState::PayPending => {
                    // Interrupted before the answer was recorded: never re-send, query.
                    o.state = QrState::Querying;
                    Self::save(ctx, &o)?;
                    delay = 0;
                }
                QrState::Querying => {
                    if cancel_pending && ctx.cancel.is_cancelled() {
                        cancel_pending = false;
                        if self.stop_waiting(ctx, &mut o) {
                            log::info!("QR {}: the cashier stopped waiting", o.out_trade_no);
                            Self::save(ctx, &o)?;
                        }
                    }
                    let now = ctx.now();
                    if now >= o.deadline_at {
                        o.state = QrState::Reversing;
                        Self::save(ctx, &o)?;
                        continue;
                    }
                    if now.saturating_add(as_i64(delay)) >= o.deadline_at {
                        // The next query would come after the deadline: reverse at the deadline.
                        let _ = pause(ctx, millis_i64(o.deadline_at - now), cancel_pending);
                        continue;
                    }
                    if delay > 0 && pause(ctx, millis(delay), cancel_pending) == Pause::Cancelled {
                        continue;
                    }
                    delay = match o.kind {
                        QrOrderKind::Scanned => self.channel_timers(o.channel).query_interval_ms,
                        QrOrderKind::Dynamic => self.settings.timers.dynamic.query_interval_ms,
                    };
                    self.query_once(ctx, &mut o, background)?;
                    crate::crash::point("qr_querying");
                }
                QrState::Reversing => {
                    crate::crash::point("qr_reversing");
                    let (max, interval) = match o.kind {
                        QrOrderKind::Scanned => {
                            let t = self.channel_timers(o.channel);
                            (t.reverse_max_attempts, t.reverse_interval_ms)
                        }
                        QrOrderKind::Dynamic => {
                            let t = self.settings.timers.dynamic;
                            (t.close_max_attempts, t.close_interval_ms)
                        }
                    };
                    if self.cancel_once(ctx, &mut o, background)? == CancelStep::Retry {
                        if o.reverse_attempts >= max.max(1) {
                            log::warn!(
                                "QR {}: not reversed after {} attempts; retried at flush points",
                                o.out_trade_no,
                                o.reverse_attempts
                            );
                            o.state = QrState::ReversePending;
                            Self::save(ctx, &o)?;
                            return Ok(o);
                        }
                        ctx.clock.sleep(millis(interval));
                    }
                }
                QrState::ReversePending => {
                    // One attempt per flush point (or repeated request): the background rhythm.
                    self.cancel_once(ctx, &mut o, true)?;
                    return Ok(o);
                }
                // Final states return above.
                _ => return Ok(o),
            }
        }
    }

    /// The cashier stopped waiting: the deadline moves to now (a dynamic code is closed at
    /// once), but a scanned code is never reversed before its channel's earliest reverse,
    /// while the customer may still be confirming on the phone. Returns whether the deadline
    /// moved (the caller saves).
    pub(super) fn stop_waiting(&self, ctx: &Ctx, o: &mut OrderRow) -> bool {
        let earliest = match o.kind {
            QrOrderKind::Scanned => as_i64(self.channel_timers(o.channel).earliest_reverse_ms),
            QrOrderKind::Dynamic => 0,
        };
        let stop_at = ctx.now().max(o.pay_sent_at.saturating_add(earliest));
        let moved = stop_at < o.deadline_at;
        if moved {
            o.deadline_at = stop_at;
        }
        moved
    }

    /// One query; records a final answer.
    pub(super) fn query_once(
        &self,
        ctx: &mut Ctx,
        o: &mut OrderRow,
        background: bool,
    ) -> Result<(), EngineError> {
        ctx.emit(Progress::Qr(QUERYING.into()));
        let request = QueryRequest(Self::order_ref(ctx, o));
        let timeout = self.call_timeout(o);
        let reply = match self.exchange(ctx, &request, timeout)? {
            Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
            Exchange::Sent(reply) => reply,
        };
        self.apply_query(ctx, o, &reply, background)
    }

    pub(super) fn apply_query(
        &self,
        ctx: &mut Ctx,
        o: &mut OrderRow,
        reply: &Result<QueryResponse, QrProtocolError>,
        background: bool,
    ) -> Result<(), EngineError> {
        match QueryOutcome::classify(Some(o.amount), reply) {
            QueryOutcome::Paid(info) => {
                mark_paid(o, &info, background);
                Self::save(ctx, o)?;
            }
            QueryOutcome::Failed(state) => {
                let paid = reply
                    .as_ref()
                    .ok()
                    .and_then(|r| r.order.paid_fen)
                    .unwrap_or(0);
                if paid > 0 {
                    // Charged and already returned (e.g. reversed by an earlier attempt).
                    o.state = QrState::Reversed;
                    o.reverse_refunded = true;
                    o.paid_amount = paid;
                } else {
                    o.state = QrState::Failed;
                    o.error_code = Some(failure_code(state).as_str().into());
                }
                Self::save(ctx, o)?;
            }
            QueryOutcome::Pending(TradeState::Paying) => {
                if o.kind == QrOrderKind::Scanned {
                    ctx.emit(Progress::Qr(WAITING_FOR_PASSWORD.into()));
                }
            }
            QueryOutcome::Pending(_) | QueryOutcome::NotFound | QueryOutcome::Unknown => {}
        }
        Ok(())
    }

    /// One reverse (scanned) or close (dynamic) attempt, counted and recorded.
    pub(super) fn cancel_once(
        &self,
        ctx: &mut Ctx,
        o: &mut OrderRow,
        background: bool,
    ) -> Result<CancelStep, EngineError> {
        o.reverse_attempts += 1;
        let timeout = self.call_timeout(o);
        let step = match o.kind {
            QrOrderKind::Scanned => {
                ctx.emit(Progress::Qr("reversing the payment".into()));
                let request = ReverseRequest(Self::order_ref(ctx, o));
                let reply = match self.exchange(ctx, &request, timeout)? {
                    Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
                    Exchange::Sent(reply) => reply,
                };
                match ReverseOutcome::classify(&reply) {
                    ReverseOutcome::Done { refunded } => {
                        o.state = QrState::Reversed;
                        o.reverse_refunded = refunded;
                        if refunded {
                            o.paid_amount = reply
                                .as_ref()
                                .ok()
                                .and_then(|r| r.order.paid_fen)
                                .unwrap_or(o.amount);
                            log::warn!(
                                "QR {}: the customer had paid; the reverse refunded it",
                                o.out_trade_no
                            );
                        }
                        CancelStep::Settled
                    }
                    ReverseOutcome::Retry => {
                        o.last_error = Some(match &reply {
                            Err(e) => e.to_string(),
                            Ok(_) => "the gateway asks to retry the reverse".into(),
                        });
                        CancelStep::Retry
                    }
                    ReverseOutcome::Rejected(code) => {
                        o.last_error = Some(format!("reverse refused: {code}"));
                        self.settle_after_refusal(ctx, o, background)?
                    }
                }
            }
            QrOrderKind::Dynamic => {
                ctx.emit(Progress::Qr("closing the code".into()));
                let request = CloseRequest(Self::order_ref(ctx, o));
                let reply = match self.exchange(ctx, &request, timeout)? {
                    Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
                    Exchange::Sent(reply) => reply,
                };
                match CloseOutcome::classify(&reply) {
                    CloseOutcome::Closed => {
                        o.state = QrState::Closed;
                        CancelStep::Settled
                    }
                    CloseOutcome::AlreadyPaid => {
                        // Paid just before the close: the query records it.
                        self.query_once(ctx, o, background)?;
                        if o.state.is_final() {
                            CancelStep::Settled
                        } else {
                            CancelStep::Retry
                        }
                    }
                    CloseOutcome::Retry => {
                        o.last_error = reply.err().map(|e| e.to_string());
                        CancelStep::Retry
                    }
                    CloseOutcome::Rejected(code) => {
                        o.last_error = Some(format!("close refused: {code}"));
                        self.settle_after_refusal(ctx, o, background)?
                    }
                }
            }
        };
        Self::save(ctx, o)?;
        Ok(step)
    }

    /// The gateway will not reverse/close: a query decides; otherwise manual handling
    /// (REVERSE_PENDING, listed in the pending results).
    pub(super) fn settle_after_refusal(
        &self,
        ctx: &mut Ctx,
        o: &mut OrderRow,
        background: bool,
    ) -> Result<CancelStep, EngineError> {
        self.query_once(ctx, o, background)?;
        if !o.state.is_final() {
            o.state = QrState::ReversePending;
        }
        Ok(CancelStep::Settled)
    }

    /// An existing attempt asked for again: resolve it if open, then answer.
    pub(super) fn resume_foreground(
        &self,
        ctx: &mut Ctx,
        online: Online<'_>,
        o: OrderRow,
    ) -> Result<QrOutcome, EngineError> {
        if o.state.is_final() {
            return self.answer(ctx, o);
        }
        if ctx.config.qr_gateway.is_none() {
            return Err(EngineError::Config("no QR gateway is configured".into()));
        }
        online(ctx)?;
        let delay = match o.kind {
            QrOrderKind::Dynamic => {
                let first = as_i64(self.settings.timers.dynamic.first_query_delay_ms);
                u64::try_from(o.pay_sent_at + first - ctx.now()).unwrap_or(0)
            }
            QrOrderKind::Scanned => 0,
        };
        let o = self.drive(ctx, o, delay, false)?;
        self.answer(ctx, o)
    }

    /// The outcome for the caller; a final result handed to the caller is acknowledged.
    pub(super) fn answer(&self, ctx: &mut Ctx, mut o: OrderRow) -> Result<QrOutcome, EngineError> {
        if o.state.is_final() && !o.acknowledged {
            o.acknowledged = true;
            Self::save(ctx, &o)?;
        }
        Ok(outcome(&o))
    }

    /// Background resolution at every flush point (startup first): every unresolved attempt
    /// is driven on (queried until its deadline, then reversed; one reverse attempt for those
    /// already pending), and pending refunds are retried. Never fails the flush: problems are
    /// logged and the work stays queued.
    pub(crate) fn flush(&self, ctx: &mut Ctx) {
        if ctx.config.qr_gateway.is_none() {
            return;
        }
        let unresolved = match ctx.store.qr_unresolved_orders() {
            Ok(list) => list,
            Err(e) => {
                log::error!("QR flush: {e}");
                return;
            }
        };
        for o in unresolved {
            let id = o.out_trade_no.clone();
            log::info!("QR flush: resuming {id} ({})", o.state.as_str());
            match self.drive(ctx, o, 0, true) {
                Ok(done) => log::info!("QR flush: {id} is {}", done.state.as_str()),
                Err(e) => log::warn!("QR flush: {id}: {e}"),
            }
        }
        let pending = ctx.store.qr_pending_refunds().unwrap_or_default();
        for mut r in pending {
            if let Err(e) = self.refund_once(ctx, &mut r, None) {
                log::warn!("QR flush: refund {}: {e}", r.out_refund_no);
            }
        }
    }
}

/// How a pause between queries ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    Elapsed,
    Cancelled,
}

/// Longest sleep between two looks at the cashier's cancel: a press shows within this.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// Sleeps `total`, in slices when `cancellable` so that the cashier's cancel ends it early.
fn pause(ctx: &Ctx, total: Duration, cancellable: bool) -> Pause {
    if !cancellable {
        ctx.clock.sleep(total);
        return Pause::Elapsed;
    }
    let mut left = total;
    while !left.is_zero() {
        if ctx.cancel.is_cancelled() {
            return Pause::Cancelled;
        }
        let step = left.min(CANCEL_POLL);
        ctx.clock.sleep(step);
        left -= step;
    }
    if ctx.cancel.is_cancelled() {
        Pause::Cancelled
    } else {
        Pause::Elapsed
    }
}
