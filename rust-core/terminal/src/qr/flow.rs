//! The QR state machine (see the module documentation of [`crate::qr`]): pay, query, reverse,
//! dynamic codes, refunds, voids, and the background resolution at flush points.

use super::link::Exchange;
use super::orders::{self, NewOrder, NewRefund, OrderRow, RefundRefusal, RefundRow, RefundState};
use super::{
    render_qr, QrDynamicCode, QrDynamicRequest, QrOrderKind, QrOrderSummary, QrOutcome,
    QrPayRequest, QrRefundKind, QrRefundOutcome, QrRefundRequest, QrRefundStatus, QrState,
    QrStatus, QrVoidRequest,
};
use crate::engine::{Engine, KindTotal, Progress};
use crate::error::{EngineError, RuleViolation};
use crate::outcome::Outcome;
use std::time::Duration;
use unipos_qr_protocol::messages::{
    CloseRequest, CreateRequest, OrderRef, PayRequest, QueryRequest, QueryResponse, RefundRequest,
    ReverseRequest,
};
use unipos_qr_protocol::outcome::{PaidInfo, QueryReason};
use unipos_qr_protocol::timers::ChannelTimers;
use unipos_qr_protocol::{
    mask_code, Channel, CloseOutcome, CreateOutcome, ErrorCode, PayOutcome, QrProtocolError,
    QueryOutcome, RefundOutcome, ReverseOutcome, Route, TradeState,
};

/// Pixels per module in the PNG of a dynamic code.
const PNG_SCALE: usize = 8;
/// Refund attempts in the foreground before the refund is left pending (same number).
const REFUND_FOREGROUND_ATTEMPTS: u32 = 3;
/// Pause between foreground refund attempts.
const REFUND_RETRY_INTERVAL: Duration = Duration::from_secs(2);

const WAITING_FOR_PASSWORD: &str = "waiting for the customer's password";
const QUERYING: &str = "querying the payment result";

fn check_id(what: &str, id: &str) -> Result<(), EngineError> {
    if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
        return Err(EngineError::InvalidRequest(format!(
            "the {what} must be 1 to 64 printable characters"
        )));
    }
    Ok(())
}

fn check_amount(amount: u64) -> Result<(), EngineError> {
    if amount == 0 || amount > unipos_qr_protocol::messages::MAX_AMOUNT_FEN {
        return Err(EngineError::InvalidRequest(
            "the amount must be 1 to 999999999999 fen".into(),
        ));
    }
    Ok(())
}

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

/// Whether a cancel (reverse/close) step is done or must be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CancelStep {
    Settled,
    Retry,
}

impl Engine {
    /// A QR call needs a gateway, current keys, and the background work done first.
    fn qr_begin(&mut self) -> Result<(), EngineError> {
        if self.config.qr_gateway.is_none() {
            return Err(EngineError::Config("no QR gateway is configured".into()));
        }
        self.ensure_keys()?;
        self.flush_qr();
        Ok(())
    }

    fn qr_channel_timers(&self, channel: Option<Channel>) -> ChannelTimers {
        match channel {
            Some(c) => *self.qr.timers.for_channel(c),
            // Auto-routed codes: WeChat's timers, the strictest about the earliest reverse.
            None => self.qr.timers.wechat,
        }
    }

    fn qr_call_timeout(&self, o: &OrderRow) -> Duration {
        match o.kind {
            QrOrderKind::Scanned => millis(self.qr_channel_timers(o.channel).pay_timeout_ms),
            QrOrderKind::Dynamic => millis(self.qr.timers.dynamic.create_timeout_ms),
        }
    }

    fn qr_request_time(&self) -> String {
        let l = self.local();
        format!("{}{}", l.yyyymmdd(), l.hhmmss())
    }

    fn qr_number_prefix(&self) -> String {
        format!("{}{}", self.config.terminal_id, self.local().yyyymmdd())
    }

    fn qr_order_ref(&self, o: &OrderRow) -> OrderRef {
        OrderRef::new(
            &self.config.terminal_id,
            &self.config.merchant_id,
            &o.out_trade_no,
            &self.qr_request_time(),
        )
    }

    fn qr_save(&self, o: &OrderRow) -> Result<(), EngineError> {
        orders::save_order(self.journal.conn(), o, self.now())?;
        Ok(())
    }

    /// The request id is free: not a card transaction.
    fn qr_check_not_card(&self, request_id: &str) -> Result<(), EngineError> {
        if self.journal.by_request_id(request_id)?.is_some() {
            return Err(EngineError::InvalidRequest(format!(
                "request id {request_id} is already used by a card transaction"
            )));
        }
        Ok(())
    }

    /// No double charge of a business order: refuse a new attempt while an older one is
    /// unresolved, or once one was paid.
    fn qr_check_business_order(&self, order_id: &str) -> Result<(), EngineError> {
        let conn = self.journal.conn();
        if let Some(older) = orders::unresolved_of_business_order(conn, order_id)? {
            log::warn!(
                "QR order {order_id}: attempt {} ({}) is unresolved; new attempt refused",
                older.request_id,
                older.state.as_str()
            );
            return Err(EngineError::InProgress(older.request_id));
        }
        if let Some(paid) = orders::paid_of_business_order(conn, order_id)? {
            return Err(EngineError::InvalidRequest(format!(
                "business order {order_id} is already paid (request {}); refund it instead of \
                 paying again",
                paid.request_id
            )));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Scanned payment codes

    pub(crate) fn qr_pay(&mut self, req: QrPayRequest) -> Result<QrOutcome, EngineError> {
        check_id("request id", &req.request_id)?;
        check_id("order id", &req.order_id)?;
        check_amount(req.amount)?;
        if let Some(existing) = orders::order_by_request_id(self.journal.conn(), &req.request_id)? {
            if existing.kind != QrOrderKind::Scanned
                || existing.amount != req.amount
                || existing.order_id != req.order_id
            {
                return Err(EngineError::InvalidRequest(format!(
                    "request id {} was used for another QR payment",
                    req.request_id
                )));
            }
            // A repeat never pays again: resolve the attempt if it is open, then answer.
            return self.qr_resume_foreground(existing);
        }
        self.qr_check_not_card(&req.request_id)?;
        // Route before anything is stored or sent; the error never repeats the code.
        let channel = match self.qr.router.route(&req.code) {
            Ok(Route::Channel(c)) => Some(c),
            Ok(Route::Auto) => None,
            Err(e) => {
                log::info!("QR code {} refused: {e}", mask_code(&req.code));
                return Err(EngineError::InvalidRequest(e.to_string()));
            }
        };
        self.qr_begin()?;
        self.qr_check_business_order(&req.order_id)?;

        let timers = self.qr_channel_timers(channel);
        let local = self.local();
        let new = NewOrder {
            request_id: &req.request_id,
            order_id: &req.order_id,
            kind: QrOrderKind::Scanned,
            channel,
            amount: req.amount,
            masked_code: Some(mask_code(&req.code)),
            subject: req.subject.as_deref(),
            number_prefix: self.qr_number_prefix(),
            deadline_after_ms: timers.reverse_at_ms(0),
            batch: self.journal.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: self.now(),
        };
        let mut o = orders::insert_order(self.journal.conn_mut(), &new)?;
        crate::crash::point("qr_after_persist");

        let pay = PayRequest {
            terminal_id: self.config.terminal_id.clone(),
            merchant_id: self.config.merchant_id.clone(),
            out_trade_no: o.out_trade_no.clone(),
            amount_fen: req.amount,
            auth_code: req.code,
            channel,
            subject: req.subject,
            description: None,
            request_time: self.qr_request_time(),
        };
        self.emit(Progress::Qr(format!(
            "{}: sending the payment",
            channel.map_or("QR", Channel::name_en)
        )));
        let reply = self.qr_exchange(&pay, millis(timers.pay_timeout_ms))?;
        let outcome = match &reply {
            Exchange::Sent(answer) => Some(PayOutcome::classify(&pay, answer)),
            Exchange::NotSent(_) => None,
        };
        drop(pay); // the code goes no further
        crate::crash::point("qr_after_pay_answer");
        let first_delay = match (reply, outcome) {
            (Exchange::NotSent(detail), _) => {
                log::warn!("QR {}: not sent: {detail}", o.out_trade_no);
                o.state = QrState::NotSent;
                o.last_error = Some(detail);
                self.qr_save(&o)?;
                return self.qr_answer(o);
            }
            (Exchange::Sent(reply), outcome) => {
                if let Ok(resp) = &reply {
                    o.channel = o.channel.or(resp.order.channel);
                }
                let outcome = outcome.unwrap_or_else(PayOutcome::no_answer);
                match outcome {
                    PayOutcome::Paid(info) => {
                        Self::qr_mark_paid(&mut o, &info, false);
                        self.qr_save(&o)?;
                        return self.qr_answer(o);
                    }
                    PayOutcome::DefinitelyFailed(code) => {
                        o.state = QrState::Failed;
                        o.error_code = Some(code.as_str().into());
                        self.qr_save(&o)?;
                        return self.qr_answer(o);
                    }
                    PayOutcome::NeedsQuery(reason) => {
                        o.state = QrState::Querying;
                        o.error_code = match reason {
                            QueryReason::UserPaying => Some(ErrorCode::UserPaying.as_str().into()),
                            QueryReason::SystemError => {
                                Some(ErrorCode::SystemError.as_str().into())
                            }
                            QueryReason::OrderExists(c) => Some(c.as_str().into()),
                            QueryReason::NoValidAnswer | QueryReason::Unclear => None,
                        };
                        if let Err(e) = &reply {
                            o.last_error = Some(e.to_string());
                        }
                        self.qr_save(&o)?;
                        if reason == QueryReason::UserPaying {
                            self.emit(Progress::Qr(WAITING_FOR_PASSWORD.into()));
                        }
                        self.qr_channel_timers(o.channel)
                            .first_query_delay_ms(reason)
                    }
                }
            }
        };
        let o = self.qr_drive(o, first_delay, false)?;
        self.qr_answer(o)
    }

    fn qr_mark_paid(o: &mut OrderRow, info: &PaidInfo, late: bool) {
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

    /// Runs the state machine until the attempt is final or left to the background
    /// (REVERSE_PENDING). `first_delay_ms` is the wait before the first query; `background`
    /// marks a resolution the cashier did not wait for (a payment found is a late success).
    fn qr_drive(
        &mut self,
        mut o: OrderRow,
        first_delay_ms: u64,
        background: bool,
    ) -> Result<OrderRow, EngineError> {
        let mut delay = first_delay_ms;
        loop {
            match o.state {
                s if s.is_final() => return Ok(o),
                QrState::PayPending => {
                    // Interrupted before the answer was recorded: never re-send, query.
                    o.state = QrState::Querying;
                    self.qr_save(&o)?;
                    delay = 0;
                }
                QrState::Querying => {
                    let now = self.now();
                    if now >= o.deadline_at {
                        o.state = QrState::Reversing;
                        self.qr_save(&o)?;
                        continue;
                    }
                    if now.saturating_add(as_i64(delay)) >= o.deadline_at {
                        // The next query would come after the deadline: reverse at the deadline.
                        self.clock.sleep(millis_i64(o.deadline_at - now));
                        continue;
                    }
                    if delay > 0 {
                        self.clock.sleep(millis(delay));
                    }
                    delay = match o.kind {
                        QrOrderKind::Scanned => self.qr_channel_timers(o.channel).query_interval_ms,
                        QrOrderKind::Dynamic => self.qr.timers.dynamic.query_interval_ms,
                    };
                    self.qr_query_once(&mut o, background)?;
                    crate::crash::point("qr_querying");
                }
                QrState::Reversing => {
                    crate::crash::point("qr_reversing");
                    let (max, interval) = match o.kind {
                        QrOrderKind::Scanned => {
                            let t = self.qr_channel_timers(o.channel);
                            (t.reverse_max_attempts, t.reverse_interval_ms)
                        }
                        QrOrderKind::Dynamic => {
                            let t = self.qr.timers.dynamic;
                            (t.close_max_attempts, t.close_interval_ms)
                        }
                    };
                    if self.qr_cancel_once(&mut o, background)? == CancelStep::Retry {
                        if o.reverse_attempts >= max.max(1) {
                            log::warn!(
                                "QR {}: not reversed after {} attempts; retried at flush points",
                                o.out_trade_no,
                                o.reverse_attempts
                            );
                            o.state = QrState::ReversePending;
                            self.qr_save(&o)?;
                            return Ok(o);
                        }
                        self.clock.sleep(millis(interval));
                    }
                }
                QrState::ReversePending => {
                    // One attempt per flush point (or repeated request): the background rhythm.
                    self.qr_cancel_once(&mut o, true)?;
                    return Ok(o);
                }
                // Final states return above.
                _ => return Ok(o),
            }
        }
    }

    /// One query; records a final answer.
    fn qr_query_once(&mut self, o: &mut OrderRow, background: bool) -> Result<(), EngineError> {
        self.emit(Progress::Qr(QUERYING.into()));
        let request = QueryRequest(self.qr_order_ref(o));
        let timeout = self.qr_call_timeout(o);
        let reply = match self.qr_exchange(&request, timeout)? {
            Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
            Exchange::Sent(reply) => reply,
        };
        self.qr_apply_query(o, &reply, background)
    }

    fn qr_apply_query(
        &mut self,
        o: &mut OrderRow,
        reply: &Result<QueryResponse, QrProtocolError>,
        background: bool,
    ) -> Result<(), EngineError> {
        match QueryOutcome::classify(Some(o.amount), reply) {
            QueryOutcome::Paid(info) => {
                Self::qr_mark_paid(o, &info, background);
                self.qr_save(o)?;
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
                self.qr_save(o)?;
            }
            QueryOutcome::Pending(TradeState::Paying) => {
                if o.kind == QrOrderKind::Scanned {
                    self.emit(Progress::Qr(WAITING_FOR_PASSWORD.into()));
                }
            }
            QueryOutcome::Pending(_) | QueryOutcome::NotFound | QueryOutcome::Unknown => {}
        }
        Ok(())
    }

    /// One reverse (scanned) or close (dynamic) attempt, counted and recorded.
    fn qr_cancel_once(
        &mut self,
        o: &mut OrderRow,
        background: bool,
    ) -> Result<CancelStep, EngineError> {
        o.reverse_attempts += 1;
        let timeout = self.qr_call_timeout(o);
        let step = match o.kind {
            QrOrderKind::Scanned => {
                self.emit(Progress::Qr("reversing the payment".into()));
                let request = ReverseRequest(self.qr_order_ref(o));
                let reply = match self.qr_exchange(&request, timeout)? {
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
                        self.qr_settle_after_refusal(o, background)?
                    }
                }
            }
            QrOrderKind::Dynamic => {
                self.emit(Progress::Qr("closing the code".into()));
                let request = CloseRequest(self.qr_order_ref(o));
                let reply = match self.qr_exchange(&request, timeout)? {
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
                        self.qr_query_once(o, background)?;
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
                        self.qr_settle_after_refusal(o, background)?
                    }
                }
            }
        };
        self.qr_save(o)?;
        Ok(step)
    }

    /// The gateway will not reverse/close: a query decides; otherwise manual handling
    /// (REVERSE_PENDING, listed in the pending results).
    fn qr_settle_after_refusal(
        &mut self,
        o: &mut OrderRow,
        background: bool,
    ) -> Result<CancelStep, EngineError> {
        self.qr_query_once(o, background)?;
        if !o.state.is_final() {
            o.state = QrState::ReversePending;
        }
        Ok(CancelStep::Settled)
    }

    /// An existing attempt asked for again: resolve it if open, then answer.
    fn qr_resume_foreground(&mut self, o: OrderRow) -> Result<QrOutcome, EngineError> {
        if o.state.is_final() {
            return self.qr_answer(o);
        }
        if self.config.qr_gateway.is_none() {
            return Err(EngineError::Config("no QR gateway is configured".into()));
        }
        self.ensure_keys()?;
        let delay = match o.kind {
            QrOrderKind::Dynamic => {
                let first = as_i64(self.qr.timers.dynamic.first_query_delay_ms);
                u64::try_from(o.pay_sent_at + first - self.now()).unwrap_or(0)
            }
            QrOrderKind::Scanned => 0,
        };
        let o = self.qr_drive(o, delay, false)?;
        self.qr_answer(o)
    }

    /// The outcome for the caller; a final result handed to the caller is acknowledged.
    fn qr_answer(&mut self, mut o: OrderRow) -> Result<QrOutcome, EngineError> {
        if o.state.is_final() && !o.acknowledged {
            o.acknowledged = true;
            self.qr_save(&o)?;
        }
        Ok(Self::qr_outcome(&o))
    }

    pub(crate) fn qr_outcome(o: &OrderRow) -> QrOutcome {
        let status = match o.state {
            QrState::Paid if o.late_success => QrStatus::LateSuccess,
            QrState::Paid => QrStatus::Paid,
            QrState::Failed => QrStatus::Failed,
            QrState::NotSent => QrStatus::NotSent,
            QrState::PayPending | QrState::Querying | QrState::Reversing => QrStatus::InProgress,
            QrState::ReversePending => QrStatus::ReversePending,
            QrState::Reversed if o.reverse_refunded => QrStatus::ReversedRefunded,
            QrState::Reversed => QrStatus::Reversed,
            QrState::Closed => QrStatus::Closed,
        };
        let channel = o.channel.map_or("QR", Channel::name_en);
        let message = match status {
            QrStatus::Paid => format!("支付成功 / Paid ({channel})"),
            QrStatus::LateSuccess => format!(
                "迟到的支付成功 / Late success ({channel}): paid after the terminal stopped \
                 waiting; complete the sale or refund it"
            ),
            QrStatus::Failed => format!(
                "支付失败 / Not paid: {}",
                o.error_code.as_deref().map_or("declined", code_message)
            ),
            QrStatus::NotSent => {
                "未发送 / Not sent: the QR gateway could not be reached; nothing was charged"
                    .to_owned()
            }
            QrStatus::InProgress => "处理中 / In progress: checking the payment result".to_owned(),
            QrStatus::ReversePending => {
                "撤销处理中 / Being reversed: the terminal keeps retrying; do not hand over goods"
                    .to_owned()
            }
            QrStatus::Reversed => "已撤销 / Cancelled: nothing was charged".to_owned(),
            QrStatus::ReversedRefunded => {
                "已撤销并退款 / Payment cancelled, refunded to the customer".to_owned()
            }
            QrStatus::Closed => "已关闭 / Code closed: nothing was paid".to_owned(),
        };
        QrOutcome {
            request_id: o.request_id.clone(),
            order_id: o.order_id.clone(),
            kind: o.kind,
            status,
            state: o.state,
            channel: o.channel,
            out_trade_no: o.out_trade_no.clone(),
            amount: o.amount,
            paid_amount: o.paid_amount,
            refunded_amount: o.refunded_amount,
            voided: o.voided,
            masked_code: o.masked_code.clone(),
            channel_trade_no: o.channel_trade_no.clone(),
            paid_time: o.paid_time.clone(),
            error_code: o.error_code.clone(),
            message,
            code_url: o.code_url.clone(),
            date: o.local_date.clone(),
            time: o.local_time.clone(),
            batch: o.batch,
            notice: None,
        }
    }

    /// Cashier cancel: stop waiting now (never before the channel's earliest reverse) and
    /// reverse (dynamic: close) the attempt.
    pub(crate) fn qr_cancel(&mut self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let o = orders::order_by_request_id(self.journal.conn(), request_id)?.ok_or_else(|| {
            RuleViolation::OriginalNotFound(format!("no QR payment with request id {request_id}"))
        })?;
        if o.state.is_final() {
            return self.qr_answer(o);
        }
        let mut o = o;
        if o.state == QrState::Querying || o.state == QrState::PayPending {
            let earliest = match o.kind {
                QrOrderKind::Scanned => {
                    as_i64(self.qr_channel_timers(o.channel).earliest_reverse_ms)
                }
                QrOrderKind::Dynamic => 0,
            };
            o.deadline_at = self.now().max(o.pay_sent_at.saturating_add(earliest));
            o.state = QrState::Querying;
            self.qr_save(&o)?;
        }
        self.qr_resume_foreground(o)
    }

    // -----------------------------------------------------------------------------------
    // Merchant-presented dynamic codes

    pub(crate) fn qr_dynamic_create(
        &mut self,
        req: QrDynamicRequest,
    ) -> Result<QrDynamicCode, EngineError> {
        check_id("request id", &req.request_id)?;
        check_id("order id", &req.order_id)?;
        check_amount(req.amount)?;
        if let Some(existing) = orders::order_by_request_id(self.journal.conn(), &req.request_id)? {
            if existing.kind != QrOrderKind::Dynamic || existing.amount != req.amount {
                return Err(EngineError::InvalidRequest(format!(
                    "request id {} was used for another QR order",
                    req.request_id
                )));
            }
            let url = existing.code_url.clone().ok_or_else(|| {
                EngineError::InvalidRequest(format!(
                    "dynamic order {} has no code ({}); use qr_query",
                    req.request_id,
                    existing.state.as_str()
                ))
            })?;
            return self.qr_dynamic_code(existing, url);
        }
        self.qr_check_not_card(&req.request_id)?;
        self.qr_begin()?;
        self.qr_check_business_order(&req.order_id)?;
        let timers = self.qr.timers.dynamic;
        let local = self.local();
        let new = NewOrder {
            request_id: &req.request_id,
            order_id: &req.order_id,
            kind: QrOrderKind::Dynamic,
            channel: None,
            amount: req.amount,
            masked_code: None,
            subject: req.subject.as_deref(),
            number_prefix: self.qr_number_prefix(),
            deadline_after_ms: as_i64(timers.deadline_ms),
            batch: self.journal.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: self.now(),
        };
        let mut o = orders::insert_order(self.journal.conn_mut(), &new)?;
        crate::crash::point("qr_after_persist");
        let create = CreateRequest {
            terminal_id: self.config.terminal_id.clone(),
            merchant_id: self.config.merchant_id.clone(),
            out_trade_no: o.out_trade_no.clone(),
            amount_fen: req.amount,
            subject: req.subject,
            description: None,
            expire_seconds: Some(timers.order_expire_seconds),
            request_time: self.qr_request_time(),
        };
        self.emit(Progress::Qr("creating the payment code".into()));
        let reply = match self.qr_exchange(&create, millis(timers.create_timeout_ms))? {
            Exchange::NotSent(detail) => {
                o.state = QrState::NotSent;
                o.last_error = Some(detail.clone());
                self.qr_save(&o)?;
                self.qr_answer(o)?;
                return Err(EngineError::HostUnreachable(format!(
                    "QR gateway: {detail}"
                )));
            }
            Exchange::Sent(reply) => reply,
        };
        match CreateOutcome::classify(&reply) {
            CreateOutcome::Created { code_url, .. } => {
                o.state = QrState::Querying;
                o.code_url = Some(code_url.clone());
                self.qr_save(&o)?;
                self.emit(Progress::Qr(
                    "waiting for the customer to scan and pay".into(),
                ));
                self.qr_dynamic_code(o, code_url)
            }
            CreateOutcome::Rejected(code) => {
                o.state = QrState::Failed;
                o.error_code = Some(code.as_str().into());
                self.qr_save(&o)?;
                self.qr_answer(o)?;
                Err(EngineError::Protocol(format!(
                    "the QR gateway refused the order: {code} ({})",
                    code.cashier_message()
                )))
            }
            CreateOutcome::Unknown => {
                // Whether the order exists is unknown: close it (harmless if it does not).
                o.state = QrState::Reversing;
                self.qr_save(&o)?;
                let o = self.qr_drive(o, 0, false)?;
                let outcome = self.qr_answer(o)?;
                Err(EngineError::HostUnreachable(format!(
                    "no valid answer from the QR gateway; the order was {}",
                    if outcome.status == QrStatus::ReversePending {
                        "queued for closing"
                    } else {
                        "closed"
                    }
                )))
            }
        }
    }

    fn qr_dynamic_code(&self, o: OrderRow, url: String) -> Result<QrDynamicCode, EngineError> {
        let image = render_qr(&url, PNG_SCALE)
            .map_err(|e| EngineError::Protocol(format!("dynamic code: {e}")))?;
        Ok(QrDynamicCode {
            outcome: Self::qr_outcome(&o),
            code_url: url,
            image,
        })
    }

    /// Polls a shown dynamic code until it is paid, or closes it at its deadline.
    pub(crate) fn qr_dynamic_wait(&mut self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let o = orders::order_by_request_id(self.journal.conn(), request_id)?.ok_or_else(|| {
            RuleViolation::OriginalNotFound(format!("no QR order with request id {request_id}"))
        })?;
        if o.kind != QrOrderKind::Dynamic {
            return Err(EngineError::InvalidRequest(format!(
                "{request_id} is not a dynamic code"
            )));
        }
        self.qr_resume_foreground(o)
    }

    // -----------------------------------------------------------------------------------
    // Refunds and voids

    pub(crate) fn qr_refund(
        &mut self,
        req: QrRefundRequest,
    ) -> Result<QrRefundOutcome, EngineError> {
        check_id("request id", &req.request_id)?;
        check_amount(req.amount)?;
        if let Some(existing) = orders::refund_by_request_id(self.journal.conn(), &req.request_id)?
        {
            return self.qr_refund_repeat(existing, &req.original_request_id, Some(req.amount));
        }
        let original = self.qr_refundable(&req.original_request_id)?;
        self.qr_new_refund(
            &req.request_id,
            &original,
            QrRefundKind::Refund,
            req.amount,
            req.reason,
        )
    }

    pub(crate) fn qr_void(&mut self, req: QrVoidRequest) -> Result<QrRefundOutcome, EngineError> {
        check_id("request id", &req.request_id)?;
        if let Some(existing) = orders::refund_by_request_id(self.journal.conn(), &req.request_id)?
        {
            return self.qr_refund_repeat(existing, &req.original_request_id, None);
        }
        let original = self.qr_refundable(&req.original_request_id)?;
        let today = self.local().mmdd();
        if original.local_date != today || original.batch != self.journal.current_batch()? {
            return Err(RuleViolation::WrongOriginal(
                "a QR payment can be voided only on the day it was paid, before settlement; \
                 refund it instead"
                    .into(),
            )
            .into());
        }
        if !orders::refunds_of(self.journal.conn(), original.id)?
            .iter()
            .all(|r| r.state == RefundState::Rejected)
        {
            return Err(RuleViolation::WrongOriginal(
                "the QR payment was already (partly) refunded; refund the rest instead".into(),
            )
            .into());
        }
        let amount = original.paid_amount;
        self.qr_new_refund(&req.request_id, &original, QrRefundKind::Void, amount, None)
    }

    fn qr_refundable(&self, original_request_id: &str) -> Result<OrderRow, EngineError> {
        let original = orders::order_by_request_id(self.journal.conn(), original_request_id)?
            .ok_or_else(|| {
                RuleViolation::OriginalNotFound(format!(
                    "no QR payment with request id {original_request_id}"
                ))
            })?;
        if original.state != QrState::Paid {
            return Err(RuleViolation::WrongOriginal(format!(
                "only a paid QR payment can be refunded ({original_request_id} is {})",
                original.state.as_str()
            ))
            .into());
        }
        if original.voided {
            return Err(RuleViolation::AlreadyVoided.into());
        }
        Ok(original)
    }

    fn qr_refund_repeat(
        &mut self,
        mut r: RefundRow,
        original_request_id: &str,
        amount: Option<u64>,
    ) -> Result<QrRefundOutcome, EngineError> {
        let original = orders::order_by_id(self.journal.conn(), r.order_ref)?;
        let same = original
            .as_ref()
            .is_some_and(|o| o.request_id == original_request_id)
            && amount.is_none_or(|a| a == r.amount);
        if !same {
            return Err(EngineError::InvalidRequest(format!(
                "request id {} was used for another refund",
                r.request_id
            )));
        }
        if r.state == RefundState::Pending {
            self.qr_begin()?;
            if let Some(fresh) = orders::refund_by_request_id(self.journal.conn(), &r.request_id)? {
                r = fresh;
            }
            self.qr_refund_attempts(&mut r, None)?;
        }
        self.qr_refund_outcome(&r)
    }

    fn qr_new_refund(
        &mut self,
        request_id: &str,
        original: &OrderRow,
        kind: QrRefundKind,
        amount: u64,
        reason: Option<String>,
    ) -> Result<QrRefundOutcome, EngineError> {
        self.qr_check_not_card(request_id)?;
        if orders::order_by_request_id(self.journal.conn(), request_id)?.is_some() {
            return Err(EngineError::InvalidRequest(format!(
                "request id {request_id} is already used by a QR payment"
            )));
        }
        self.qr_begin()?;
        let local = self.local();
        let new = NewRefund {
            request_id,
            order: original,
            kind,
            amount,
            number_prefix: self.qr_number_prefix(),
            batch: self.journal.current_batch()?,
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            now: self.now(),
        };
        let mut r = match orders::insert_refund(self.journal.conn_mut(), &new) {
            Ok(r) => r,
            Err(RefundRefusal::Exceeds { remaining }) => {
                return Err(RuleViolation::RefundExceedsOriginal {
                    requested: amount,
                    remaining,
                }
                .into())
            }
            Err(RefundRefusal::Storage(e)) => return Err(e.into()),
        };
        crate::crash::point("qr_refund_persisted");
        self.qr_refund_attempts(&mut r, reason)?;
        self.qr_refund_outcome(&r)
    }

    /// A few foreground attempts, always with the stored `out_refund_no`.
    fn qr_refund_attempts(
        &mut self,
        r: &mut RefundRow,
        reason: Option<String>,
    ) -> Result<(), EngineError> {
        for attempt in 0..REFUND_FOREGROUND_ATTEMPTS {
            if attempt > 0 {
                self.clock.sleep(REFUND_RETRY_INTERVAL);
            }
            self.qr_refund_once(r, reason.clone())?;
            if r.state != RefundState::Pending {
                break;
            }
        }
        Ok(())
    }

    fn qr_refund_once(
        &mut self,
        r: &mut RefundRow,
        reason: Option<String>,
    ) -> Result<(), EngineError> {
        let order = orders::order_by_id(self.journal.conn(), r.order_ref)?.ok_or_else(|| {
            EngineError::Protocol(format!("refund {} has no original", r.out_refund_no))
        })?;
        self.emit(Progress::Qr("sending the refund".into()));
        let request = RefundRequest {
            terminal_id: self.config.terminal_id.clone(),
            merchant_id: self.config.merchant_id.clone(),
            out_trade_no: order.out_trade_no.clone(),
            out_refund_no: r.out_refund_no.clone(),
            refund_fen: r.amount,
            reason,
            request_time: self.qr_request_time(),
        };
        r.attempts += 1;
        let timeout = self.qr_call_timeout(&order);
        let reply = match self.qr_exchange(&request, timeout)? {
            Exchange::NotSent(detail) => Err(QrProtocolError::Malformed(detail)),
            Exchange::Sent(reply) => reply,
        };
        match RefundOutcome::classify(&request, &reply) {
            RefundOutcome::Refunded {
                channel_refund_no,
                refund_time,
                ..
            } => {
                r.state = RefundState::Done;
                r.channel_refund_no = channel_refund_no;
                r.refund_time = refund_time;
                r.error_code = None;
            }
            RefundOutcome::Retry => {
                r.last_error = Some(match &reply {
                    Err(e) => e.to_string(),
                    Ok(resp) => resp
                        .status
                        .code
                        .map_or("retry".to_owned(), |c| c.as_str().to_owned()),
                });
            }
            RefundOutcome::Rejected(code) => {
                r.state = RefundState::Rejected;
                r.error_code = Some(code.as_str().into());
            }
        }
        let now = self.now();
        orders::save_refund(self.journal.conn_mut(), r, now)?;
        Ok(())
    }

    fn qr_refund_outcome(&self, r: &RefundRow) -> Result<QrRefundOutcome, EngineError> {
        let original = orders::order_by_id(self.journal.conn(), r.order_ref)?;
        let status = match r.state {
            RefundState::Done => QrRefundStatus::Refunded,
            RefundState::Pending => QrRefundStatus::Pending,
            RefundState::Rejected => QrRefundStatus::Rejected,
        };
        let message = match status {
            QrRefundStatus::Refunded => "退款成功 / Refunded".to_owned(),
            QrRefundStatus::Pending => {
                "退款处理中 / Refund pending: the terminal retries it with the same refund number"
                    .to_owned()
            }
            QrRefundStatus::Rejected => format!(
                "退款失败 / Refund refused: {}",
                r.error_code.as_deref().map_or("refused", code_message)
            ),
        };
        Ok(QrRefundOutcome {
            request_id: r.request_id.clone(),
            original_request_id: original
                .as_ref()
                .map(|o| o.request_id.clone())
                .unwrap_or_default(),
            kind: r.kind,
            status,
            out_refund_no: r.out_refund_no.clone(),
            amount: r.amount,
            channel: original.as_ref().and_then(|o| o.channel),
            refunded_total: original.as_ref().map_or(0, |o| o.refunded_amount),
            channel_refund_no: r.channel_refund_no.clone(),
            error_code: r.error_code.clone(),
            message,
            date: r.local_date.clone(),
            time: r.local_time.clone(),
            batch: r.batch,
        })
    }

    // -----------------------------------------------------------------------------------
    // Flush points, queries, reports

    /// Background resolution at every flush point (startup first): every unresolved attempt
    /// is driven on (queried until its deadline, then reversed; one reverse attempt for those
    /// already pending), and pending refunds are retried. Never fails the flush: problems are
    /// logged and the work stays queued.
    pub(crate) fn flush_qr(&mut self) {
        if self.config.qr_gateway.is_none() {
            return;
        }
        let unresolved = match orders::unresolved_orders(self.journal.conn()) {
            Ok(list) => list,
            Err(e) => {
                log::error!("QR flush: {e}");
                return;
            }
        };
        for o in unresolved {
            let id = o.out_trade_no.clone();
            log::info!("QR flush: resuming {id} ({})", o.state.as_str());
            match self.qr_drive(o, 0, true) {
                Ok(done) => log::info!("QR flush: {id} is {}", done.state.as_str()),
                Err(e) => log::warn!("QR flush: {id}: {e}"),
            }
        }
        let pending = orders::pending_refunds(self.journal.conn()).unwrap_or_default();
        for mut r in pending {
            if let Err(e) = self.qr_refund_once(&mut r, None) {
                log::warn!("QR flush: refund {}: {e}", r.out_refund_no);
            }
        }
    }

    /// The QR attempt or refund of a request id, projected onto the card outcome.
    pub(crate) fn qr_projected(&self, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        let conn = self.journal.conn();
        if let Some(o) = orders::order_by_request_id(conn, request_id)? {
            return Ok(Some(Self::qr_outcome(&o).to_outcome()));
        }
        match orders::refund_by_request_id(conn, request_id)? {
            Some(r) => Ok(Some(self.qr_refund_outcome(&r)?.to_outcome())),
            None => Ok(None),
        }
    }

    /// The newest QR record (attempt or refund) with the card sequence it was created after.
    pub(crate) fn qr_newest(&self) -> Result<Option<(i64, Outcome)>, EngineError> {
        let conn = self.journal.conn();
        let order = orders::newest_order(conn)?;
        let refund = orders::newest_refund(conn)?;
        // Both draw their numbers from the same counter, the last 6 digits of the number.
        let seq = |no: &str| {
            no.get(no.len().saturating_sub(6)..)
                .and_then(|s| s.parse::<u32>().ok())
        };
        let pick_refund = match (&order, &refund) {
            (Some(o), Some(r)) => {
                (r.card_seq, seq(&r.out_refund_no)) > (o.card_seq, seq(&o.out_trade_no))
            }
            (None, Some(_)) => true,
            _ => false,
        };
        if pick_refund {
            if let Some(r) = refund {
                return Ok(Some((r.card_seq, self.qr_refund_outcome(&r)?.to_outcome())));
            }
        }
        Ok(order.map(|o| (o.card_seq, Self::qr_outcome(&o).to_outcome())))
    }

    pub(crate) fn qr_query(&self, request_id: &str) -> Result<Option<QrOutcome>, EngineError> {
        Ok(
            orders::order_by_request_id(self.journal.conn(), request_id)?
                .map(|o| Self::qr_outcome(&o)),
        )
    }

    pub(crate) fn qr_refund_query(
        &self,
        request_id: &str,
    ) -> Result<Option<QrRefundOutcome>, EngineError> {
        match orders::refund_by_request_id(self.journal.conn(), request_id)? {
            Some(r) => Ok(Some(self.qr_refund_outcome(&r)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn qr_pending_results(&self) -> Result<Vec<QrOutcome>, EngineError> {
        Ok(orders::pending_results(self.journal.conn())?
            .iter()
            .map(Self::qr_outcome)
            .collect())
    }

    pub(crate) fn qr_acknowledge(&mut self, request_id: &str) -> Result<bool, EngineError> {
        match orders::order_by_request_id(self.journal.conn(), request_id)? {
            Some(mut o) if o.state.is_final() => {
                o.acknowledged = true;
                self.qr_save(&o)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    pub(crate) fn qr_order_summaries(&self) -> Result<Vec<QrOrderSummary>, EngineError> {
        Ok(orders::all_orders(self.journal.conn())?
            .into_iter()
            .map(|o| QrOrderSummary {
                returned_amount: o.refunded_amount
                    + if o.reverse_refunded { o.paid_amount } else { 0 },
                out_trade_no: o.out_trade_no,
                request_id: o.request_id,
                state: o.state,
                channel: o.channel,
                amount: o.amount,
                paid_amount: o.paid_amount,
            })
            .collect())
    }

    /// QR lines of a batch's settlement report: per channel, payments and refunds.
    pub(crate) fn qr_batch_lines(
        &self,
        batch: u32,
    ) -> Result<Vec<(String, KindTotal)>, EngineError> {
        let mut lines = Vec::new();
        for t in orders::batch_totals(self.journal.conn(), batch)? {
            let (paid_n, paid_amount) = t.paid;
            let (refund_n, refund_amount) = t.refunded;
            lines.push((
                format!("{} sale", t.channel.name_en()),
                KindTotal {
                    count: paid_n,
                    amount: paid_amount,
                },
            ));
            if refund_n > 0 {
                lines.push((
                    format!("{} refund", t.channel.name_en()),
                    KindTotal {
                        count: refund_n,
                        amount: refund_amount,
                    },
                ));
            }
        }
        Ok(lines)
    }
}
