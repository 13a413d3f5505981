#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The QR gateway through its HTTP entry point (`Gateway::handle`) with signed requests, a
//! manual clock and a test MAK: every channel behaviour, authentication, refunds, duplicate
//! pays, dynamic codes and malformed input. A small reference cashier (`cashier`) drives the
//! QR.md §7a state machine with the protocol crate's timers and classifiers.

use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;
use unipos_clock::{Clock, ManualClock};
use unipos_crypto::DesKey;
use unipos_hostsim::qr::{Behaviour, Gateway, OrderKind, QrConfig};
use unipos_net::http::{Request, Response};
use unipos_qr_protocol::auth::{
    key_mac, open_response, seal, MacScheme, HEADER_MAC, HEADER_TERMINAL,
};
use unipos_qr_protocol::messages::{
    decode_response, CloseRequest, CreateRequest, ErrorResponse, PayRequest, QrRequest,
    QueryRequest, RefundRequest, ReverseAction, ReverseRequest,
};
use unipos_qr_protocol::outcome::{
    CloseOutcome, CreateOutcome, PayOutcome, QueryOutcome, QueryReason, RefundOutcome,
    ReverseOutcome,
};
use unipos_qr_protocol::{Channel, ErrorCode, QrProtocolError, QrResult, QrTimers, TradeState};

const TID: &str = "62969002";
const MID: &str = "301310048990001";
const MAK_HEX: &str = "C24A8FB57AA20123FEDCBA9876543210";

/// A 18/18/19-digit code of the channel ending in `suffix`.
fn code(channel: Channel, suffix: &str) -> String {
    match channel {
        Channel::WeChat => format!("1349195862139267{suffix}"),
        Channel::Alipay => format!("2805285742329475{suffix}"),
        Channel::UnionPay => format!("62257350532016152{suffix}"),
    }
}

struct Harness {
    gw: Gateway,
    clock: ManualClock,
    mak: DesKey,
    next: std::sync::atomic::AtomicU32,
}

impl Harness {
    fn new() -> Self {
        Self::with(QrConfig::default())
    }

    fn with(config: QrConfig) -> Self {
        let mak = DesKey::from_hex(MAK_HEX).unwrap();
        let keys = HashMap::from([(TID.to_owned(), mak.clone())]);
        let clock = ManualClock::at_local(2026, 11, 21, 9, 30, 0, 480);
        let gw = Gateway::new(keys, Arc::new(clock.clone()), config);
        Harness {
            gw,
            clock,
            mak,
            next: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn now(&self) -> String {
        let t = self.clock.local(480);
        format!("{}{}", t.yyyymmdd(), t.hhmmss())
    }

    fn advance(&self, ms: u64) {
        self.clock.advance(Duration::from_millis(ms));
    }

    fn otn(&self) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        format!("{TID}20261121{n:06}")
    }

    fn http<R: QrRequest>(&self, req: &R) -> Response {
        let signed = seal(req, key_mac(&self.mak, MacScheme::default())).unwrap();
        self.gw.handle(&Request {
            method: "POST".into(),
            path: signed.path.into(),
            headers: signed.headers(),
            body: signed.body,
        })
    }

    fn send<R: QrRequest>(&self, req: &R) -> Result<R::Response, QrProtocolError> {
        let resp = self.http(req);
        open_response(
            req,
            resp.status,
            &resp.body,
            resp.header(HEADER_MAC),
            key_mac(&self.mak, MacScheme::default()),
        )
    }

    fn pay_req(
        &self,
        otn: &str,
        auth_code: &str,
        amount_fen: u64,
        channel: Option<Channel>,
    ) -> PayRequest {
        PayRequest {
            terminal_id: TID.into(),
            merchant_id: MID.into(),
            out_trade_no: otn.into(),
            amount_fen,
            auth_code: auth_code.into(),
            channel,
            subject: Some("coffee".into()),
            description: None,
            request_time: self.now(),
        }
    }

    fn pay(&self, otn: &str, auth_code: &str, amount_fen: u64) -> PayOutcome {
        let channel = unipos_qr_protocol::Router::default()
            .channel(auth_code)
            .ok();
        let req = self.pay_req(otn, auth_code, amount_fen, channel);
        PayOutcome::classify(&req, &self.send(&req))
    }

    fn query(&self, otn: &str, amount: Option<u64>) -> QueryOutcome {
        let q = QueryRequest::new(TID, MID, otn, &self.now());
        QueryOutcome::classify(amount, &self.send(&q))
    }

    fn reverse(&self, otn: &str) -> (ReverseOutcome, Option<ReverseAction>) {
        let r = ReverseRequest::new(TID, MID, otn, &self.now());
        let reply = self.send(&r);
        let action = reply.as_ref().ok().and_then(|r| r.action);
        (ReverseOutcome::classify(&reply), action)
    }

    fn refund(&self, otn: &str, out_refund_no: &str, refund_fen: u64) -> RefundOutcome {
        let r = RefundRequest {
            terminal_id: TID.into(),
            merchant_id: MID.into(),
            out_trade_no: otn.into(),
            out_refund_no: out_refund_no.into(),
            refund_fen,
            reason: None,
            request_time: self.now(),
        };
        RefundOutcome::classify(&r, &self.send(&r))
    }

    fn create(&self, otn: &str, amount_fen: u64) -> CreateOutcome {
        let c = CreateRequest {
            terminal_id: TID.into(),
            merchant_id: MID.into(),
            out_trade_no: otn.into(),
            amount_fen,
            subject: None,
            description: None,
            expire_seconds: None,
            request_time: self.now(),
        };
        CreateOutcome::classify(&self.send(&c))
    }

    fn close(&self, otn: &str) -> CloseOutcome {
        let c = CloseRequest::new(TID, MID, otn, &self.now());
        CloseOutcome::classify(&self.send(&c))
    }

    fn state(&self, otn: &str) -> TradeState {
        self.gw.order(TID, otn).unwrap().state
    }
}

/// Where the reference cashier ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Final {
    Paid { at_secs: u64 },
    Failed(String),
    Reversed { refunded: bool, attempts: u32 },
    ReversePending,
}

/// The QR.md §7a cashier flow with the default timers of the channel.
fn cashier(h: &Harness, channel: Channel, auth_code: &str, amount: u64) -> (String, Final) {
    let t = *QrTimers::default().for_channel(channel);
    let otn = h.otn();
    let sent = h.clock.now_millis();
    let elapsed = |h: &Harness| ((h.clock.now_millis() - sent) / 1000) as u64;
    let reason = match h.pay(&otn, auth_code, amount) {
        PayOutcome::Paid(_) => return (otn, Final::Paid { at_secs: 0 }),
        PayOutcome::DefinitelyFailed(code) => return (otn, Final::Failed(code.to_string())),
        PayOutcome::NeedsQuery(reason) => reason,
    };
    h.advance(t.first_query_delay_ms(reason));
    loop {
        match h.query(&otn, Some(amount)) {
            QueryOutcome::Paid(_) => {
                return (
                    otn,
                    Final::Paid {
                        at_secs: elapsed(h),
                    },
                )
            }
            QueryOutcome::Failed(state) => return (otn, Final::Failed(state.to_string())),
            QueryOutcome::Pending(_) | QueryOutcome::NotFound | QueryOutcome::Unknown => {}
        }
        let next = h.clock.now_millis() + t.query_interval_ms as i64;
        if next > t.reverse_at_ms(sent) {
            break;
        }
        h.advance(t.query_interval_ms);
    }
    let wait = t.reverse_at_ms(sent) - h.clock.now_millis();
    if wait > 0 {
        h.advance(wait as u64);
    }
    for attempt in 1..=t.reverse_max_attempts {
        match h.reverse(&otn).0 {
            ReverseOutcome::Done { refunded } => {
                return (
                    otn,
                    Final::Reversed {
                        refunded,
                        attempts: attempt,
                    },
                )
            }
            ReverseOutcome::Retry => h.advance(t.reverse_interval_ms),
            ReverseOutcome::Rejected(code) => return (otn, Final::Failed(code.to_string())),
        }
    }
    (otn, Final::ReversePending)
}

// ---------------------------------------------------------------------------------------------
// Every behaviour, per channel

#[test]
fn immediate_success_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let (otn, end) = cashier(&h, ch, &code(ch, "00"), 1234);
        assert_eq!(end, Final::Paid { at_secs: 0 }, "{ch:?}");
        let o = h.gw.order(TID, &otn).unwrap();
        assert_eq!(
            (o.state, o.paid_fen, o.channel),
            (TradeState::Success, 1234, Some(ch))
        );
        assert!(o.channel_trade_no.is_some());
        let c = code(ch, "00");
        let masked = o.masked_code.unwrap();
        assert_eq!(masked.len(), c.len());
        assert!(masked.ends_with(&c[c.len() - 4..]) && masked.starts_with("****"));
    }
}

#[test]
fn password_then_success_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let (_, end) = cashier(&h, ch, &code(ch, "01"), 500);
        // Paid after 12 s; queries at 5, 10, 15 s.
        assert_eq!(end, Final::Paid { at_secs: 15 }, "{ch:?}");
    }
}

#[test]
fn password_then_failure_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let (otn, end) = cashier(&h, ch, &code(ch, "02"), 500);
        let expected = if ch == Channel::Alipay {
            "CLOSED"
        } else {
            "PAYERROR"
        };
        assert_eq!(end, Final::Failed(expected.into()), "{ch:?}");
        let o = h.gw.order(TID, &otn).unwrap();
        assert_eq!(
            (o.paid_fen, o.failure),
            (0, Some(ErrorCode::PaymentDeclined))
        );
    }
}

#[test]
fn definite_declines_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        for (suffix, code_str) in [
            ("03", "INSUFFICIENT_FUNDS"),
            ("04", "CODE_EXPIRED"),
            ("10", "INVALID_CODE"),
            ("11", "CARD_NOT_SUPPORTED"),
            ("12", "PAYMENT_DECLINED"),
        ] {
            let (otn, end) = cashier(&h, ch, &code(ch, suffix), 800);
            assert_eq!(end, Final::Failed(code_str.into()), "{ch:?} {suffix}");
            assert_eq!(h.gw.order(TID, &otn).unwrap().paid_fen, 0);
        }
        // No time was spent: definite failures need no query.
        assert_eq!(h.gw.orders(TID).len(), 5);
    }
}

#[test]
fn insufficient_funds_carries_the_channel_code() {
    let h = Harness::new();
    let req = h.pay_req(
        &h.otn(),
        &code(Channel::WeChat, "03"),
        100,
        Some(Channel::WeChat),
    );
    let resp = h.send(&req).unwrap();
    assert_eq!(resp.status.result, QrResult::Fail);
    assert_eq!(resp.status.code, Some(ErrorCode::InsufficientFunds));
    assert_eq!(resp.status.channel_code.as_deref(), Some("NOTENOUGH"));
    let req = h.pay_req(
        &h.otn(),
        &code(Channel::Alipay, "01"),
        100,
        Some(Channel::Alipay),
    );
    let resp = h.send(&req).unwrap();
    assert_eq!(
        (
            resp.status.result,
            resp.status.code,
            resp.status.channel_code.as_deref()
        ),
        (
            QrResult::Unknown,
            Some(ErrorCode::UserPaying),
            Some("10003")
        )
    );
}

#[test]
fn system_error_then_paid_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let otn = h.otn();
        assert_eq!(
            h.pay(&otn, &code(ch, "05"), 300),
            PayOutcome::NeedsQuery(QueryReason::SystemError)
        );
        let h2 = Harness::new();
        let (_, end) = cashier(&h2, ch, &code(ch, "05"), 300);
        let first = QrTimers::default()
            .for_channel(ch)
            .first_query_delay_after_error_ms
            / 1000;
        assert_eq!(end, Final::Paid { at_secs: first }, "{ch:?}");
    }
}

#[test]
fn system_error_without_order_is_reversed_and_a_late_pay_is_refused() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let c = code(ch, "08");
        let (otn, end) = cashier(&h, ch, &c, 300);
        assert_eq!(
            end,
            Final::Reversed {
                refunded: false,
                attempts: 1
            },
            "{ch:?}"
        );
        let o = h.gw.order(TID, &otn).unwrap();
        assert_eq!(
            (o.kind, o.state, o.paid_fen),
            (OrderKind::Reserved, TradeState::Revoked, 0)
        );
        // The original pay arrives late: refused, never charged.
        h.script_code_success(&c);
        let req = h.pay_req(&otn, &c, 300, Some(ch));
        assert_eq!(
            PayOutcome::classify(&req, &h.send(&req)),
            PayOutcome::DefinitelyFailed(ErrorCode::OrderRevoked)
        );
        assert_eq!(h.gw.order(TID, &otn).unwrap().paid_fen, 0);
    }
}

impl Harness {
    fn script_code_success(&self, c: &str) {
        self.gw.script_code(c, Behaviour::Success);
    }
}

#[test]
fn late_success_is_refunded_by_the_reverse_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let (otn, end) = cashier(&h, ch, &code(ch, "06"), 4200);
        assert_eq!(
            end,
            Final::Reversed {
                refunded: true,
                attempts: 1
            },
            "{ch:?}"
        );
        let o = h.gw.order(TID, &otn).unwrap();
        assert_eq!((o.paid_fen, o.refunded_fen, o.net_fen()), (4200, 4200, 0));
        let expected = if ch == Channel::Alipay {
            TradeState::Closed
        } else {
            TradeState::Revoked
        };
        assert_eq!(o.state, expected);
        assert_eq!(o.reversal.as_ref().unwrap().action, ReverseAction::Refund);
        // The terminal's query now says finished, not paid.
        assert_eq!(h.query(&otn, Some(4200)), QueryOutcome::Failed(expected));
        // A refund of a reversed order is refused.
        assert_eq!(
            h.refund(&otn, "R1", 1),
            RefundOutcome::Rejected(ErrorCode::OrderRevoked)
        );
    }
}

#[test]
fn late_success_without_a_reverse_is_found_by_a_late_query() {
    // QR.md §7a rule 6: the terminal crashed; after reboot its query finds SUCCESS.
    let h = Harness::new();
    let otn = h.otn();
    h.pay(&otn, &code(Channel::WeChat, "06"), 100);
    h.advance(30_000);
    assert_eq!(
        h.query(&otn, Some(100)),
        QueryOutcome::Pending(TradeState::Paying)
    );
    h.advance(11_000);
    assert!(matches!(h.query(&otn, Some(100)), QueryOutcome::Paid(_)));
}

#[test]
fn reverse_needs_retries_per_channel() {
    for ch in Channel::ALL {
        let h = Harness::new();
        let (otn, end) = cashier(&h, ch, &code(ch, "07"), 900);
        assert_eq!(
            end,
            Final::Reversed {
                refunded: false,
                attempts: 3
            },
            "{ch:?}"
        );
        let o = h.gw.order(TID, &otn).unwrap();
        assert_eq!(o.reversal.unwrap().attempts, 3);
        assert_eq!(o.paid_fen, 0);
    }
}

#[test]
fn reverse_retry_answers_say_retry() {
    let h = Harness::new();
    let otn = h.otn();
    h.pay(&otn, &code(Channel::WeChat, "07"), 100);
    let r = ReverseRequest::new(TID, MID, &otn, &h.now());
    let resp = h.send(&r).unwrap();
    assert!(resp.retry);
    assert_eq!(resp.status.result, QrResult::Unknown);
    assert_eq!(
        h.state(&otn),
        TradeState::Paying,
        "a retry answer changes nothing"
    );
}

#[test]
fn scripted_retries_exhaust_the_foreground_attempts() {
    let h = Harness::new();
    let c = code(Channel::UnionPay, "77");
    h.gw.script_code(&c, Behaviour::NeverConfirms { reverse_retries: 5 });
    let (otn, end) = cashier(&h, Channel::UnionPay, &c, 100);
    assert_eq!(end, Final::ReversePending);
    // The background retry finishes it.
    assert_eq!(h.reverse(&otn).0, ReverseOutcome::Retry);
    assert_eq!(h.reverse(&otn).0, ReverseOutcome::Retry);
    assert_eq!(
        h.reverse(&otn),
        (
            ReverseOutcome::Done { refunded: false },
            Some(ReverseAction::Close)
        )
    );
}

#[test]
fn channels_auto_close_unconfirmed_orders() {
    for (ch, secs, state) in [
        (Channel::WeChat, 45, TradeState::Revoked),
        (Channel::Alipay, 120, TradeState::Closed),
        (Channel::UnionPay, 60, TradeState::Closed),
    ] {
        let h = Harness::new();
        let otn = h.otn();
        assert_eq!(
            h.pay(&otn, &code(ch, "09"), 100),
            PayOutcome::NeedsQuery(QueryReason::UserPaying)
        );
        h.advance(secs * 1000 - 1);
        assert_eq!(
            h.query(&otn, Some(100)),
            QueryOutcome::Pending(TradeState::Paying),
            "{ch:?}"
        );
        h.advance(1);
        assert_eq!(
            h.query(&otn, Some(100)),
            QueryOutcome::Failed(state),
            "{ch:?}"
        );
        // The terminal still closes the loop: the reverse is acknowledged, nothing refunded.
        assert_eq!(
            h.reverse(&otn),
            (
                ReverseOutcome::Done { refunded: false },
                Some(ReverseAction::Close)
            )
        );
        // The cashier flow reverses before the auto-close.
        let (_, end) = cashier(&h, ch, &code(ch, "09"), 100);
        assert_eq!(
            end,
            Final::Reversed {
                refunded: false,
                attempts: 1
            }
        );
    }
}

#[test]
fn reverse_of_a_paid_order_refunds_and_is_idempotent() {
    let h = Harness::new();
    let otn = h.otn();
    assert!(matches!(
        h.pay(&otn, &code(Channel::WeChat, "00"), 700),
        PayOutcome::Paid(_)
    ));
    assert_eq!(norm(h.refund(&otn, "R1", 200)), refunded(200, 200));
    assert_eq!(
        h.reverse(&otn),
        (
            ReverseOutcome::Done { refunded: true },
            Some(ReverseAction::Refund)
        )
    );
    assert_eq!(
        h.reverse(&otn),
        (
            ReverseOutcome::Done { refunded: true },
            Some(ReverseAction::Refund)
        )
    );
    let o = h.gw.order(TID, &otn).unwrap();
    assert_eq!(
        (o.refunded_fen, o.net_fen()),
        (700, 0),
        "reverse returns only the rest"
    );
    assert_eq!(o.reversal.unwrap().refunded_fen, 500);
}

#[test]
fn reverse_window_per_channel() {
    for (ch, hours_ok, hours_late) in [(Channel::WeChat, 167, 169), (Channel::Alipay, 23, 25)] {
        let h = Harness::new();
        let a = h.otn();
        let b = h.otn();
        h.pay(&a, &code(ch, "00"), 100);
        h.pay(&b, &code(ch, "00"), 100);
        h.advance(hours_ok * 3_600_000);
        assert!(matches!(
            h.reverse(&a).0,
            ReverseOutcome::Done { refunded: true }
        ));
        h.advance((hours_late - hours_ok) * 3_600_000);
        assert_eq!(
            h.reverse(&b).0,
            ReverseOutcome::Rejected(ErrorCode::ReverseExpired),
            "{ch:?}"
        );
        assert_eq!(
            norm(h.refund(&b, "RB", 100)),
            refunded(100, 100),
            "refund instead"
        );
    }
}

fn refunded(refund_fen: u64, total: u64) -> RefundOutcome {
    // Channel refund no and time are not compared.
    RefundOutcome::Refunded {
        refund_fen,
        refunded_total_fen: total,
        channel_refund_no: None,
        refund_time: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Refunds

fn norm(o: RefundOutcome) -> RefundOutcome {
    match o {
        RefundOutcome::Refunded {
            refund_fen,
            refunded_total_fen,
            channel_refund_no,
            refund_time,
        } => {
            assert!(channel_refund_no.is_some() && refund_time.is_some());
            refunded(refund_fen, refunded_total_fen)
        }
        other => other,
    }
}

#[test]
fn refunds_are_capped_and_idempotent() {
    let h = Harness::new();
    let otn = h.otn();
    assert!(matches!(
        h.pay(&otn, &code(Channel::Alipay, "00"), 1000),
        PayOutcome::Paid(_)
    ));
    assert_eq!(norm(h.refund(&otn, "R1", 300)), refunded(300, 300));
    h.advance(60_000);
    // Retry with the same out_refund_no: the first result, no second refund.
    assert_eq!(norm(h.refund(&otn, "R1", 300)), refunded(300, 300));
    assert_eq!(norm(h.refund(&otn, "R1", 300)), refunded(300, 300));
    assert_eq!(
        h.refund(&otn, "R2", 800),
        RefundOutcome::Rejected(ErrorCode::RefundExceeded)
    );
    assert_eq!(norm(h.refund(&otn, "R3", 700)), refunded(700, 1000));
    assert_eq!(
        h.refund(&otn, "R4", 1),
        RefundOutcome::Rejected(ErrorCode::RefundExceeded)
    );
    // Same number, other amount: refused.
    assert_eq!(
        h.refund(&otn, "R1", 299),
        RefundOutcome::Rejected(ErrorCode::OutRefundNoUsed)
    );
    // The first refund still answers with its own result (total at that time).
    assert_eq!(norm(h.refund(&otn, "R1", 300)), refunded(300, 300));

    let o = h.gw.order(TID, &otn).unwrap();
    assert_eq!(o.state, TradeState::Refunded);
    assert_eq!(o.refunds.len(), 2);
    assert_eq!((o.paid_fen, o.refunded_fen, o.net_fen()), (1000, 1000, 0));
    assert!(matches!(h.query(&otn, Some(1000)), QueryOutcome::Paid(p) if p.refunded_fen == 1000));

    // The same refund number on another order.
    let other = h.otn();
    h.pay(&other, &code(Channel::Alipay, "00"), 1000);
    assert_eq!(
        h.refund(&other, "R1", 300),
        RefundOutcome::Rejected(ErrorCode::OutRefundNoUsed)
    );
    // Unpaid, unknown, over-large.
    let unpaid = h.otn();
    h.pay(&unpaid, &code(Channel::Alipay, "01"), 1000);
    assert_eq!(
        h.refund(&unpaid, "R9", 1),
        RefundOutcome::Rejected(ErrorCode::OrderNotPaid)
    );
    assert_eq!(
        h.refund("NOPE", "R8", 1),
        RefundOutcome::Rejected(ErrorCode::OrderNotFound)
    );
    assert_eq!(
        h.refund(&other, "R7", 1001),
        RefundOutcome::Rejected(ErrorCode::RefundExceeded)
    );
    assert_eq!(norm(h.refund(&other, "R7", 1000)), refunded(1000, 1000));
}

#[test]
fn partial_refunds_accumulate() {
    let h = Harness::new();
    let otn = h.otn();
    h.pay(&otn, &code(Channel::UnionPay, "00"), 1000);
    let mut total = 0;
    for i in 1..=10 {
        total += 100;
        assert_eq!(
            norm(h.refund(&otn, &format!("P{i}"), 100)),
            refunded(100, total)
        );
    }
    assert_eq!(
        h.refund(&otn, "P11", 1),
        RefundOutcome::Rejected(ErrorCode::RefundExceeded)
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate pays

#[test]
fn duplicate_pay_never_charges_twice() {
    let h = Harness::new();
    let c = code(Channel::WeChat, "00");
    let otn = h.otn();
    assert!(matches!(h.pay(&otn, &c, 500), PayOutcome::Paid(_)));
    // The same request again (e.g. a cashier retry): ORDER_PAID, query to confirm.
    assert_eq!(
        h.pay(&otn, &c, 500),
        PayOutcome::NeedsQuery(QueryReason::OrderExists(ErrorCode::OrderPaid))
    );
    // Another code or amount with the same number: OUT_TRADE_NO_USED.
    assert_eq!(
        h.pay(&otn, &code(Channel::WeChat, "99"), 500),
        PayOutcome::NeedsQuery(QueryReason::OrderExists(ErrorCode::OutTradeNoUsed))
    );
    assert_eq!(
        h.pay(&otn, &c, 501),
        PayOutcome::NeedsQuery(QueryReason::OrderExists(ErrorCode::OutTradeNoUsed))
    );
    assert!(matches!(h.query(&otn, Some(500)), QueryOutcome::Paid(_)));
    let orders = h.gw.orders(TID);
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].paid_fen, 500);

    // While the customer is still confirming: USER_PAYING again, same order.
    let otn2 = h.otn();
    let c2 = code(Channel::WeChat, "01");
    h.pay(&otn2, &c2, 500);
    assert_eq!(
        h.pay(&otn2, &c2, 500),
        PayOutcome::NeedsQuery(QueryReason::UserPaying)
    );
    // After a definite failure: the same failure.
    let otn3 = h.otn();
    let c3 = code(Channel::WeChat, "03");
    h.pay(&otn3, &c3, 500);
    assert_eq!(
        h.pay(&otn3, &c3, 500),
        PayOutcome::DefinitelyFailed(ErrorCode::InsufficientFunds)
    );
    // After a reverse: ORDER_REVOKED.
    h.reverse(&otn2);
    assert_eq!(
        h.pay(&otn2, &c2, 500),
        PayOutcome::DefinitelyFailed(ErrorCode::OrderRevoked)
    );
    assert_eq!(
        h.gw.orders(TID).iter().map(|o| o.paid_fen).sum::<u64>(),
        500
    );
}

#[test]
fn channel_is_rechecked_and_auto_routed() {
    let h = Harness::new();
    let otn = h.otn();
    let req = h.pay_req(
        &otn,
        &code(Channel::Alipay, "00"),
        100,
        Some(Channel::WeChat),
    );
    assert_eq!(
        PayOutcome::classify(&req, &h.send(&req)),
        PayOutcome::DefinitelyFailed(ErrorCode::ChannelMismatch)
    );
    assert!(
        h.gw.order(TID, &otn).is_none(),
        "refused before any channel"
    );
    // Without a channel the gateway routes.
    let req = h.pay_req(&otn, &code(Channel::Alipay, "00"), 100, None);
    assert!(matches!(
        PayOutcome::classify(&req, &h.send(&req)),
        PayOutcome::Paid(p) if p.channel == Some(Channel::Alipay)
    ));
    // Unroutable.
    let req = h.pay_req(&h.otn(), "311234567890123456", 100, None);
    assert_eq!(
        PayOutcome::classify(&req, &h.send(&req)),
        PayOutcome::DefinitelyFailed(ErrorCode::InvalidCode)
    );
}

#[test]
fn scripts_override_the_table() {
    let mut config = QrConfig::default();
    let c1 = code(Channel::WeChat, "00");
    config.scripts.insert(
        c1.clone(),
        Behaviour::Decline {
            code: ErrorCode::CodeExpired,
        },
    );
    let h = Harness::with(config);
    assert_eq!(
        h.pay(&h.otn(), &c1, 1),
        PayOutcome::DefinitelyFailed(ErrorCode::CodeExpired)
    );
    h.gw.script_code(&c1, Behaviour::PasswordThenSuccess { after_secs: 3 });
    let otn = h.otn();
    assert_eq!(
        h.pay(&otn, &c1, 1),
        PayOutcome::NeedsQuery(QueryReason::UserPaying)
    );
    h.advance(3_000);
    assert!(matches!(h.query(&otn, Some(1)), QueryOutcome::Paid(_)));
}

// ---------------------------------------------------------------------------------------------
// Authentication

fn raw(
    h: &Harness,
    path: &str,
    body: &[u8],
    terminal: Option<&str>,
    mac: Option<&str>,
) -> Response {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(t) = terminal {
        headers.push((HEADER_TERMINAL.into(), t.into()));
    }
    if let Some(m) = mac {
        headers.push((HEADER_MAC.into(), m.into()));
    }
    h.gw.handle(&Request {
        method: "POST".into(),
        path: path.into(),
        headers,
        body: body.to_vec(),
    })
}

fn error_code(resp: &Response) -> Option<ErrorCode> {
    decode_response::<ErrorResponse>(&resp.body)
        .unwrap()
        .status
        .code
}

#[test]
fn requests_without_a_valid_mac_are_rejected_unsigned() {
    let h = Harness::new();
    let otn = h.otn();
    let req = h.pay_req(
        &otn,
        &code(Channel::WeChat, "00"),
        100,
        Some(Channel::WeChat),
    );
    let good = seal(&req, key_mac(&h.mak, MacScheme::default())).unwrap();

    // Wrong key.
    let other = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
    let forged = seal(&req, key_mac(&other, MacScheme::default())).unwrap();
    let resp = raw(&h, good.path, &forged.body, Some(TID), Some(&forged.mac));
    assert_eq!(
        (resp.status, error_code(&resp)),
        (401, Some(ErrorCode::MacInvalid))
    );
    assert!(resp.header(HEADER_MAC).is_none());

    // Altered body (amount), original MAC.
    let tampered = String::from_utf8(good.body.clone())
        .unwrap()
        .replace("100", "1");
    let resp = raw(
        &h,
        good.path,
        tampered.as_bytes(),
        Some(TID),
        Some(&good.mac),
    );
    assert_eq!(
        (resp.status, error_code(&resp)),
        (401, Some(ErrorCode::MacInvalid))
    );

    // Replayed to another endpoint.
    let resp = raw(&h, "/qr/v1/create", &good.body, Some(TID), Some(&good.mac));
    assert_eq!(resp.status, 401);

    // Missing and malformed MAC, missing terminal.
    for (t, m) in [
        (Some(TID), None),
        (Some(TID), Some("nothex")),
        (None, Some(good.mac.as_str())),
    ] {
        let resp = raw(&h, good.path, &good.body, t, m);
        assert_eq!(resp.status, 401, "{t:?} {m:?}");
        assert!(resp.header(HEADER_MAC).is_none());
    }
    assert!(h.gw.orders(TID).is_empty(), "nothing was processed");

    // The terminal treats an unsigned 401 as "no valid answer".
    let resp = raw(&h, good.path, &forged.body, Some(TID), Some(&forged.mac));
    let reply = open_response(
        &req,
        resp.status,
        &resp.body,
        resp.header(HEADER_MAC),
        key_mac(&h.mak, MacScheme::default()),
    );
    assert_eq!(reply.unwrap_err(), QrProtocolError::MacMissing);

    // The genuine request works.
    let resp = raw(&h, good.path, &good.body, Some(TID), Some(&good.mac));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header(HEADER_MAC).unwrap().len(), 16);
}

#[test]
fn terminals_without_a_qr_key_are_refused() {
    let h = Harness::new();
    let req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    assert!(h.gw.revoke_qr_key(TID));
    let resp = h.http(&req);
    assert_eq!(
        (resp.status, error_code(&resp)),
        (401, Some(ErrorCode::MacInvalid))
    );
    let reply = open_response(
        &req,
        resp.status,
        &resp.body,
        resp.header(HEADER_MAC),
        key_mac(&h.mak, MacScheme::default()),
    );
    assert_eq!(PayOutcome::classify(&req, &reply), PayOutcome::no_answer());
}

#[test]
fn body_terminal_must_match_the_header() {
    let h = Harness::new();
    // Terminal 62969003 is not signed in; 62969002 signs a body claiming to be 62969003.
    let mut req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    req.terminal_id = "62969003".into();
    let signed = seal(&req, key_mac(&h.mak, MacScheme::default())).unwrap();
    let resp = raw(&h, signed.path, &signed.body, Some(TID), Some(&signed.mac));
    assert_eq!(
        (resp.status, error_code(&resp)),
        (400, Some(ErrorCode::TerminalMismatch))
    );
    assert!(
        resp.header(HEADER_MAC).is_some(),
        "authenticated, so signed"
    );
    assert!(h.gw.orders("62969003").is_empty());
}

#[test]
fn responses_are_signed_and_tampering_is_detected() {
    let h = Harness::new();
    let req = h.pay_req(
        &h.otn(),
        &code(Channel::WeChat, "00"),
        100,
        Some(Channel::WeChat),
    );
    let resp = h.http(&req);
    let m = || key_mac(&h.mak, MacScheme::default());
    assert!(open_response(&req, resp.status, &resp.body, resp.header(HEADER_MAC), m()).is_ok());
    let altered = String::from_utf8(resp.body.clone())
        .unwrap()
        .replace("SUCCESS", "FAIL");
    let reply = open_response(
        &req,
        resp.status,
        altered.as_bytes(),
        resp.header(HEADER_MAC),
        m(),
    );
    assert_eq!(reply.clone().unwrap_err(), QrProtocolError::MacMismatch);
    assert_eq!(PayOutcome::classify(&req, &reply), PayOutcome::no_answer());
}

#[test]
fn other_mac_schemes_and_single_length_maks() {
    let config = QrConfig {
        mac: MacScheme {
            algorithm: unipos_crypto::MacAlgorithm::X99,
            padding: unipos_crypto::MacPadding::Method2,
        },
        ..QrConfig::default()
    };
    let h = Harness::with(config);
    let req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    assert_eq!(
        h.http(&req).status,
        401,
        "default scheme refused when X9.9/M2 is configured"
    );
    let signed = seal(&req, key_mac(&h.mak, h.gw.config().mac)).unwrap();
    assert_eq!(
        raw(&h, signed.path, &signed.body, Some(TID), Some(&signed.mac)).status,
        200
    );

    // An 8-byte MAK with the default X9.19 (degrades to X9.9).
    let h = Harness::new();
    let single = DesKey::from_hex("C24A8FB57AA20123").unwrap();
    h.gw.set_qr_key(TID, single.clone());
    let req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    let signed = seal(&req, key_mac(&single, MacScheme::default())).unwrap();
    let resp = raw(&h, signed.path, &signed.body, Some(TID), Some(&signed.mac));
    assert_eq!(resp.status, 200);
    assert!(open_response(
        &req,
        200,
        &resp.body,
        resp.header(HEADER_MAC),
        key_mac(&single, MacScheme::default())
    )
    .is_ok());
}

// ---------------------------------------------------------------------------------------------
// Dynamic codes

#[test]
fn dynamic_code_create_pay_and_query() {
    let mut config = QrConfig::default();
    config.dynamic.auto_pay_after_secs = None;
    let h = Harness::with(config);
    let otn = h.otn();
    let CreateOutcome::Created {
        code_url,
        expire_time,
    } = h.create(&otn, 2500)
    else {
        panic!("not created")
    };
    assert!(code_url.starts_with("https://qr.unipos.example/pay/"));
    assert_eq!(expire_time.as_deref(), Some("20261121093500"));
    assert_eq!(
        h.query(&otn, Some(2500)),
        QueryOutcome::Pending(TradeState::Notpay)
    );
    // A retried create returns the same code.
    assert_eq!(
        h.create(&otn, 2500),
        CreateOutcome::Created {
            code_url: code_url.clone(),
            expire_time: expire_time.clone()
        }
    );
    assert_eq!(
        h.create(&otn, 2501),
        CreateOutcome::Rejected(ErrorCode::OutTradeNoUsed)
    );
    h.advance(7_000);
    let snap = h.gw.simulate_customer_pays(&code_url).unwrap();
    // The default rule: amount mod 3 = 1 pays with Alipay.
    assert_eq!(
        (snap.state, snap.channel),
        (TradeState::Success, Some(Channel::Alipay))
    );
    let QueryOutcome::Paid(p) = h.query(&otn, Some(2500)) else {
        panic!()
    };
    assert_eq!(p.paid_fen, 2500);
    assert_eq!(h.close(&otn), CloseOutcome::AlreadyPaid);
    assert!(
        h.gw.simulate_customer_pays(&otn).is_err(),
        "cannot pay twice"
    );
    assert_eq!(norm(h.refund(&otn, "D1", 500)), refunded(500, 500));
}

#[test]
fn dynamic_code_default_behaviour_by_amount() {
    let h = Harness::new();
    // Paid automatically after 10 s, channel by amount mod 3.
    let (a, b, c) = (h.otn(), h.otn(), h.otn());
    for (otn, amount) in [(&a, 300u64), (&b, 301), (&c, 302)] {
        assert!(matches!(
            h.create(otn, amount),
            CreateOutcome::Created { .. }
        ));
    }
    h.advance(9_999);
    assert_eq!(
        h.query(&a, Some(300)),
        QueryOutcome::Pending(TradeState::Notpay)
    );
    h.advance(1);
    for (otn, amount, ch) in [
        (&a, 300, Channel::WeChat),
        (&b, 301, Channel::Alipay),
        (&c, 302, Channel::UnionPay),
    ] {
        let QueryOutcome::Paid(p) = h.query(otn, Some(amount)) else {
            panic!("{otn}")
        };
        assert_eq!(p.channel, Some(ch));
        assert!(p.channel_trade_no.is_some());
    }
    // ..99: never paid; the terminal closes at its deadline.
    let d = h.otn();
    h.create(&d, 199);
    h.advance(120_000);
    assert_eq!(
        h.query(&d, Some(199)),
        QueryOutcome::Pending(TradeState::Notpay)
    );
    assert_eq!(h.close(&d), CloseOutcome::Closed);
    assert_eq!(h.state(&d), TradeState::Closed);
    assert!(
        h.gw.simulate_customer_pays(&d).is_err(),
        "a closed code cannot be paid"
    );
    assert_eq!(h.close(&d), CloseOutcome::Closed, "close is idempotent");
    // ..98: the customer pays just as the terminal closes.
    let e = h.otn();
    h.create(&e, 98);
    h.advance(120_000);
    assert_eq!(h.close(&e), CloseOutcome::AlreadyPaid);
    assert!(matches!(h.query(&e, Some(98)), QueryOutcome::Paid(_)));
}

#[test]
fn dynamic_code_expires_at_the_gateway() {
    let h = Harness::new();
    let otn = h.otn();
    let c = CreateRequest {
        terminal_id: TID.into(),
        merchant_id: MID.into(),
        out_trade_no: otn.clone(),
        amount_fen: 99,
        subject: Some("parking".into()),
        description: None,
        expire_seconds: Some(60),
        request_time: h.now(),
    };
    assert!(matches!(
        CreateOutcome::classify(&h.send(&c)),
        CreateOutcome::Created { .. }
    ));
    h.advance(60_000);
    assert_eq!(
        h.query(&otn, Some(99)),
        QueryOutcome::Failed(TradeState::Closed)
    );
    // The terminal-side seal refuses it; a gateway receiving it anyway answers 400.
    let c = CreateRequest {
        expire_seconds: Some(10),
        ..c
    };
    assert!(seal(&c, key_mac(&h.mak, MacScheme::default())).is_err());
    let body = unipos_qr_protocol::messages::encode(&c).unwrap();
    let mac = unipos_qr_protocol::auth::sign_request(
        "/qr/v1/create",
        &body,
        key_mac(&h.mak, MacScheme::default()),
    )
    .unwrap();
    let resp = raw(&h, "/qr/v1/create", &body, Some(TID), Some(&mac));
    assert_eq!(
        (resp.status, error_code(&resp)),
        (400, Some(ErrorCode::InvalidRequest))
    );
}

#[test]
fn customer_page_recognises_the_wallet() {
    let mut config = QrConfig::default();
    config.dynamic.auto_pay_after_secs = None;
    let h = Harness::with(config);
    let otn = h.otn();
    let CreateOutcome::Created { code_url, .. } = h.create(&otn, 1000) else {
        panic!()
    };
    let token = code_url.rsplit('/').next().unwrap();
    let get = |ua: &str| {
        h.gw.handle(&Request {
            method: "GET".into(),
            path: format!("/qr/pay/{token}"),
            headers: vec![("User-Agent".into(), ua.into())],
            body: Vec::new(),
        })
    };
    let resp = get("Mozilla/5.0 Chrome/120");
    assert_eq!(resp.status, 200);
    assert!(String::from_utf8_lossy(&resp.body).contains("open this code with WeChat"));
    assert_eq!(h.state(&otn), TradeState::Notpay);
    let resp = get("Mozilla/5.0 (Linux; Android 14) AlipayClient/10.5.0");
    assert_eq!(resp.status, 200);
    let o = h.gw.order(TID, &otn).unwrap();
    assert_eq!(
        (o.state, o.channel),
        (TradeState::Success, Some(Channel::Alipay))
    );
    assert_eq!(get("MicroMessenger/8.0").status, 409, "already paid");
    let resp = h.gw.handle(&Request {
        method: "GET".into(),
        path: "/qr/pay/unknown".into(),
        ..Request::default()
    });
    assert_eq!(resp.status, 404);
}

#[test]
fn close_and_reverse_of_unknown_orders_reserve_the_number() {
    let h = Harness::new();
    let otn = h.otn();
    assert_eq!(h.close(&otn), CloseOutcome::Closed);
    assert_eq!(
        h.create(&otn, 100),
        CreateOutcome::Rejected(ErrorCode::OrderClosed)
    );
    assert_eq!(
        h.query(&otn, None),
        QueryOutcome::Failed(TradeState::Closed)
    );
    let c = code(Channel::WeChat, "00");
    assert_eq!(
        h.pay(&otn, &c, 100),
        PayOutcome::DefinitelyFailed(ErrorCode::OrderClosed)
    );
    let o = h.gw.order(TID, &otn).unwrap();
    assert_eq!(
        (o.kind, o.paid_fen, o.amount_fen),
        (OrderKind::Reserved, 0, 0)
    );
    assert_eq!(h.query("NEVER", None), QueryOutcome::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Malformed input

#[test]
fn malformed_requests_get_a_clear_signed_400() {
    let h = Harness::new();
    let m = |body: &[u8], path: &str| {
        let mac = unipos_qr_protocol::auth::sign_request(
            path,
            body,
            key_mac(&h.mak, MacScheme::default()),
        )
        .unwrap();
        raw(&h, path, body, Some(TID), Some(&mac))
    };
    let cases: [(&[u8], &str, ErrorCode, &str); 6] = [
        (b"{not json", "/qr/v1/pay", ErrorCode::InvalidRequest, "malformed"),
        (b"", "/qr/v1/query", ErrorCode::InvalidRequest, "EOF"),
        (
            br#"{"terminal_id":"62969002","merchant_id":"M","out_trade_no":"A","request_time":"20261121093000","extra":1}"#,
            "/qr/v1/query",
            ErrorCode::InvalidRequest,
            "unknown field `extra`",
        ),
        (
            br#"{"terminal_id":"62969002","merchant_id":"M","out_trade_no":"A","amount_fen":0,"auth_code":"134919586213926700","request_time":"20261121093000"}"#,
            "/qr/v1/pay",
            ErrorCode::InvalidAmount,
            "amount_fen",
        ),
        (
            br#"{"terminal_id":"62969002","merchant_id":"M","out_trade_no":"A","amount_fen":-5,"auth_code":"1","request_time":"20261121093000"}"#,
            "/qr/v1/pay",
            ErrorCode::InvalidRequest,
            "invalid value",
        ),
        (
            br#"{"terminal_id":"62969002","merchant_id":"M","out_trade_no":"A","amount_fen":12.5,"auth_code":"134919586213926700","request_time":"20261121093000"}"#,
            "/qr/v1/pay",
            ErrorCode::InvalidRequest,
            "invalid type",
        ),
    ];
    for (body, path, code, needle) in cases {
        let resp = m(body, path);
        assert_eq!(resp.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(resp.header(HEADER_MAC).is_some());
        let e = decode_response::<ErrorResponse>(&resp.body).unwrap();
        assert_eq!(e.status.result, QrResult::Fail);
        assert_eq!(e.status.code, Some(code));
        let msg = e.status.message.unwrap();
        assert!(msg.contains(needle), "{msg}");
    }
    // A code sent as a number is not echoed.
    let resp = m(
        br#"{"terminal_id":"62969002","merchant_id":"M","out_trade_no":"A","amount_fen":1,"auth_code":134919586213926700,"request_time":"20261121093000"}"#,
        "/qr/v1/pay",
    );
    assert!(!String::from_utf8_lossy(&resp.body).contains("134919586213926700"));
    assert!(h.gw.orders(TID).is_empty());
}

#[test]
fn wrong_method_path_and_size() {
    let h = Harness::new();
    let resp = h.gw.handle(&Request {
        method: "GET".into(),
        path: "/qr/v1/pay".into(),
        ..Request::default()
    });
    assert_eq!(resp.status, 405);
    let resp = h.gw.handle(&Request {
        method: "POST".into(),
        path: "/qr/v2/pay".into(),
        ..Request::default()
    });
    assert_eq!(
        (resp.status, error_code(&resp)),
        (404, Some(ErrorCode::NotFound))
    );
    let big = vec![b' '; 70_000];
    let mac = unipos_qr_protocol::auth::sign_request(
        "/qr/v1/pay",
        &big,
        key_mac(&h.mak, MacScheme::default()),
    )
    .unwrap();
    assert_eq!(
        raw(&h, "/qr/v1/pay", &big, Some(TID), Some(&mac)).status,
        413
    );
}

#[test]
fn clock_skew_check_when_configured() {
    let config = QrConfig {
        max_clock_skew_secs: Some(300),
        ..QrConfig::default()
    };
    let h = Harness::with(config);
    let mut req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    assert_eq!(h.http(&req).status, 200);
    req.out_trade_no = h.otn();
    req.request_time = "20261121080000".into();
    let resp = h.http(&req);
    assert_eq!(resp.status, 400);
    assert!(String::from_utf8_lossy(&resp.body).contains("away from the gateway clock"));
}

/// A tiny deterministic generator (no extra dev-dependency).
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_signed_and_unsigned_input_never_panics() {
    let h = Harness::new();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let alphabet = br#"{}[]":,0123456789abcdefghijklmnopqrstuvwxyz_ -.\"#;
    let fields = [
        "terminal_id",
        "merchant_id",
        "out_trade_no",
        "amount_fen",
        "auth_code",
        "channel",
        "request_time",
        "out_refund_no",
        "refund_fen",
        "expire_seconds",
    ];
    for i in 0..3000 {
        let op = unipos_qr_protocol::Operation::ALL[(rng.next() % 6) as usize];
        let body: Vec<u8> = match i % 3 {
            0 => (0..rng.next() % 200).map(|_| rng.next() as u8).collect(),
            1 => (0..rng.next() % 200)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect(),
            _ => {
                let mut parts = Vec::new();
                for f in fields {
                    if rng.next().is_multiple_of(2) {
                        let v = match rng.next() % 5 {
                            0 => format!("\"{}\"", TID),
                            1 => format!("{}", rng.next() % 100_000),
                            2 => "\"20261121093000\"".into(),
                            3 => format!(
                                "\"{}\"",
                                code(Channel::WeChat, &format!("{:02}", rng.next() % 14))
                            ),
                            _ => "null".into(),
                        };
                        parts.push(format!("\"{f}\":{v}"));
                    }
                }
                format!("{{{}}}", parts.join(",")).into_bytes()
            }
        };
        let mac = unipos_qr_protocol::auth::sign_request(
            op.path(),
            &body,
            key_mac(&h.mak, MacScheme::default()),
        )
        .unwrap();
        let resp = raw(&h, op.path(), &body, Some(TID), Some(&mac));
        assert!(matches!(resp.status, 200 | 400), "{}", resp.status);
        assert!(decode_response::<ErrorResponse>(&resp.body).is_ok());
        let resp = raw(&h, op.path(), &body, Some(TID), None);
        assert_eq!(resp.status, 401);
        h.advance(rng.next() % 5_000);
    }
    // Whatever happened, the invariants hold.
    for o in h.gw.orders(TID) {
        assert!(o.refunded_fen <= o.paid_fen, "{o:?}");
        assert!(o.paid_fen == 0 || o.paid_fen == o.amount_fen);
    }
}

#[test]
fn gateway_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Gateway>();
    let h = Arc::new(Harness::new());
    let gw = &h.gw;
    std::thread::scope(|s| {
        for t in 0..8 {
            let h = h.clone();
            s.spawn(move || {
                for i in 0..20 {
                    let otn = format!("T{t}N{i}");
                    let req = h.pay_req(&otn, &code(Channel::WeChat, "00"), 100, None);
                    let _ = h.send(&req).unwrap();
                    let _ = h.send(&req).unwrap(); // a duplicate from a retry
                }
            });
        }
    });
    let orders = gw.orders(TID);
    assert_eq!(orders.len(), 160);
    assert_eq!(orders.iter().map(|o| o.paid_fen).sum::<u64>(), 16_000);
}

#[test]
fn describe_names_terminal_and_operation() {
    let h = Harness::new();
    let req = h.pay_req(&h.otn(), &code(Channel::WeChat, "00"), 100, None);
    let signed = seal(&req, key_mac(&h.mak, MacScheme::default())).unwrap();
    let http = Request {
        method: "POST".into(),
        path: signed.path.into(),
        headers: signed.headers(),
        body: signed.body.clone(),
    };
    let info = h.gw.describe(&http).unwrap();
    assert_eq!(
        (info.terminal_id.as_str(), info.operation.as_str()),
        (TID, "pay")
    );
    let no_header = Request {
        headers: Vec::new(),
        ..http.clone()
    };
    assert_eq!(h.gw.describe(&no_header).unwrap().terminal_id, TID);
    for op in unipos_qr_protocol::Operation::ALL {
        let r = Request {
            path: op.path().into(),
            ..http.clone()
        };
        assert_eq!(h.gw.describe(&r).unwrap().operation, op.name());
    }
    assert!(h
        .gw
        .describe(&Request {
            path: "/qr/pay/abc".into(),
            ..http.clone()
        })
        .is_none());
    assert!(h
        .gw
        .describe(&Request {
            path: "/posp".into(),
            ..http
        })
        .is_none());
}
