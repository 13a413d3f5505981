//! QR payments against the host simulator's gateway over loopback HTTPS with the pinned CA:
//! every channel's outcomes, lost answers at each step, reverses, refunds, voids, dynamic
//! codes, settlement lines and queries. All waits run on the shared ManualClock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The shared harness re-exports the test cards, which the QR tests do not use.
#[allow(unused_imports)]
mod common;
mod qr_common;

use qr_common::*;
use std::time::Duration;
use unipos_clock::Clock;
use unipos_hostsim::config::defaults;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_hostsim::qr::{Behaviour, OrderKind};
use unipos_qr_protocol::{Channel, TradeState};
use unipos_terminal::{
    EngineError, HostAddress, OutcomeStatus, QrDynamicRequest, QrRefundRequest, QrRefundStatus,
    QrStatus, QrVoidRequest, RuleViolation,
};

fn elapsed_secs(h: &common::Harness, since: i64) -> i64 {
    (h.clock.now_millis() - since) / 1000
}

#[test]
fn immediate_success_every_channel() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        let started = h.clock.now_millis();
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("p{i}"),
                &format!("o{i}"),
                1_250,
                &code(ch, "00"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");
        assert_eq!((o.channel, o.paid_amount), (Some(ch), 1_250));
        assert!(o.channel_trade_no.is_some());
        assert_eq!(o.out_trade_no.len(), 22);
        assert!(o.out_trade_no.starts_with(defaults::TERMINAL_ID));
        assert_eq!(
            o.masked_code.as_deref().unwrap().len(),
            code(ch, "00").len()
        );
        assert!(!o.masked_code.unwrap().contains(&code(ch, "00")[..10]));
        assert_eq!(elapsed_secs(&h, started), 0, "no waiting");
        let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
        assert_eq!((g.state, g.paid_fen), (TradeState::Success, 1_250));
    }
    reconcile(&h.terminal, &h.host);
}

#[test]
fn password_then_success_and_then_failure_every_channel() {
    let h = start();
    let progress = record(&h.terminal);
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        let started = h.clock.now_millis();
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("ok{i}"),
                &format!("ok{i}"),
                800,
                &code(ch, "01"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");
        // The customer needs 12 s: paid at the first query after that, before the deadline.
        let waited = elapsed_secs(&h, started);
        assert!((12..=20).contains(&waited), "{ch:?} waited {waited} s");

        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("ko{i}"),
                &format!("ko{i}"),
                800,
                &code(ch, "02"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Failed, "{ch:?}: {o:?}");
        // WeChat and UnionPay report PAYERROR; Alipay closes the trade.
        let expected = if ch == Channel::Alipay {
            "ORDER_CLOSED"
        } else {
            "PAYMENT_DECLINED"
        };
        assert_eq!(o.error_code.as_deref(), Some(expected), "{ch:?}");
        assert_eq!(o.paid_amount, 0);
    }
    let events = progress.qr_events();
    assert!(events
        .iter()
        .any(|e| e == "waiting for the customer's password"));
    assert!(events.iter().any(|e| e == "querying the payment result"));
    reconcile(&h.terminal, &h.host);
}

#[test]
fn definite_failures_are_not_queried() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        for (suffix, expected) in [("03", "INSUFFICIENT_FUNDS"), ("04", "CODE_EXPIRED")] {
            let started = h.clock.now_millis();
            let o = h
                .terminal
                .qr_pay(pay_request(
                    &format!("f{i}{suffix}"),
                    &format!("f{i}{suffix}"),
                    500,
                    &code(ch, suffix),
                ))
                .unwrap();
            assert_eq!(o.status, QrStatus::Failed);
            assert_eq!(o.error_code.as_deref(), Some(expected), "{ch:?}");
            assert!(o.message.contains("Not paid"), "{}", o.message);
            assert_eq!(elapsed_secs(&h, started), 0);
        }
    }
    reconcile(&h.terminal, &h.host);
}

#[test]
fn system_errors_are_resolved_by_query_or_reverse() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        // The channel took the money despite the error: the query finds it.
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("se{i}"),
                &format!("se{i}"),
                700,
                &code(ch, "05"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");
        // No order at all: queried until the deadline, then reversed (the number is reserved).
        let started = h.clock.now_millis();
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("sn{i}"),
                &format!("sn{i}"),
                700,
                &code(ch, "08"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Reversed, "{ch:?}: {o:?}");
        let deadline = if ch == Channel::Alipay { 60 } else { 30 };
        assert_eq!(elapsed_secs(&h, started), deadline, "{ch:?}");
        let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
        assert_eq!(
            (g.kind, g.state),
            (OrderKind::Reserved, TradeState::Revoked)
        );
    }
    reconcile(&h.terminal, &h.host);
}

#[test]
fn late_success_is_refunded_by_the_reverse() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("late{i}"),
                &format!("late{i}"),
                999,
                &code(ch, "06"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::ReversedRefunded, "{ch:?}: {o:?}");
        assert!(o.message.contains("refunded"));
        let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
        assert_eq!((g.paid_fen, g.refunded_fen), (999, 999));
        assert!(
            matches!(g.state, TradeState::Revoked | TradeState::Closed),
            "{g:?}"
        );
    }
    reconcile(&h.terminal, &h.host);
}

#[test]
fn wechat_never_reverses_before_15_seconds() {
    let h = start();
    let mut settings = qr_settings();
    settings.timers.wechat.deadline_ms = 6_000; // shorter than the earliest reverse
    h.terminal.set_qr_settings(settings);
    let started = h.clock.now_millis();
    let o = h
        .terminal
        .qr_pay(pay_request("w15", "w15", 100, &code(Channel::WeChat, "09")))
        .unwrap();
    assert_eq!(o.status, QrStatus::Reversed);
    let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
    assert!(g.reversal.is_some());
    assert_eq!(elapsed_secs(&h, started), 15);
}

#[test]
fn reverse_retries_then_background_until_done() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        // `07`: the first two reverse calls answer retry; every channel allows 3 or more.
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("rr{i}"),
                &format!("rr{i}"),
                300,
                &code(ch, "07"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Reversed, "{ch:?}: {o:?}");
        let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
        assert_eq!(g.reversal.unwrap().attempts, 3);
    }

    // More retries than the foreground allows (WeChat: 10): REVERSE_PENDING, flush points.
    let stubborn = code(Channel::WeChat, "77");
    h.host.qr().script_code(
        &stubborn,
        Behaviour::NeverConfirms {
            reverse_retries: 12,
        },
    );
    let o = h
        .terminal
        .qr_pay(pay_request("stubborn", "order-s", 300, &stubborn))
        .unwrap();
    assert_eq!(o.status, QrStatus::ReversePending);
    assert_eq!(
        h.terminal.query("stubborn").unwrap().unwrap().status,
        OutcomeStatus::ReversalPending
    );
    let pending = h.terminal.qr_pending_results().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].request_id, "stubborn");
    // A new attempt for the same business order is refused while the first is unresolved.
    match h.terminal.qr_pay(pay_request(
        "stubborn-2",
        "order-s",
        300,
        &code(Channel::WeChat, "00"),
    )) {
        Err(EngineError::InProgress(id)) => assert_eq!(id, "stubborn"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Calls 11 and 12 answer retry, 13 reverses (the refused attempt ran one flush).
    h.terminal.flush_pending().unwrap();
    h.terminal.flush_pending().unwrap();
    let o = h.terminal.qr_query("stubborn").unwrap().unwrap();
    assert_eq!(o.status, QrStatus::Reversed, "{o:?}");
    assert_eq!(
        gateway_order(&h.host, &o.out_trade_no)
            .unwrap()
            .reversal
            .unwrap()
            .attempts,
        13
    );
    // Resolved in the background: listed until the cashier acknowledges it.
    assert_eq!(h.terminal.qr_pending_results().unwrap().len(), 1);
    assert!(h.terminal.qr_acknowledge("stubborn").unwrap());
    assert!(h.terminal.qr_pending_results().unwrap().is_empty());
    // Now the business order may be paid.
    let o = h
        .terminal
        .qr_pay(pay_request(
            "stubborn-3",
            "order-s",
            300,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(o.status, QrStatus::Paid);
    reconcile(&h.terminal, &h.host);
}

#[test]
fn lost_answers_at_every_step() {
    let h = start();
    for (i, ch) in Channel::ALL.into_iter().enumerate() {
        let faults = h.host.faults();
        // Pay processed, answer lost: never re-sent; the query finds it paid.
        faults.add(FaultRule::qr("pay", FaultAction::NoAnswer).once());
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("lp{i}"),
                &format!("lp{i}"),
                100,
                &code(ch, "00"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");
        assert_eq!(
            gateway_order(&h.host, &o.out_trade_no).unwrap().paid_fen,
            100
        );

        // Pay lost before the gateway: queries find nothing; the reverse reserves the number.
        faults.add(FaultRule::qr("pay", FaultAction::DropRequest).once());
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("ld{i}"),
                &format!("ld{i}"),
                100,
                &code(ch, "00"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Reversed, "{ch:?}: {o:?}");

        // Query answers lost twice while the customer enters the password.
        faults.add(FaultRule::qr("query", FaultAction::NoAnswer).times(2));
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("lq{i}"),
                &format!("lq{i}"),
                100,
                &code(ch, "01"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");

        // The reverse's answer lost once: reversed on the retry (reverse is idempotent).
        faults.add(FaultRule::qr("reverse", FaultAction::NoAnswer).once());
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("lr{i}"),
                &format!("lr{i}"),
                100,
                &code(ch, "09"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Reversed, "{ch:?}: {o:?}");
        let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
        assert_eq!(g.reversal.unwrap().attempts, 2);

        // A garbled answer fails its MAC: unknown, so queried, never taken as an answer.
        faults.add(FaultRule::qr("pay", FaultAction::Garble).once());
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("lg{i}"),
                &format!("lg{i}"),
                100,
                &code(ch, "00"),
            ))
            .unwrap();
        assert_eq!(o.status, QrStatus::Paid, "{ch:?}: {o:?}");
        faults.clear();
    }
    reconcile(&h.terminal, &h.host);
}

#[test]
fn gateway_unreachable_loses_nothing() {
    let mut h = start();
    for (i, action) in [
        FaultAction::HttpStatus { status: 503 },
        FaultAction::CloseConnection,
    ]
    .into_iter()
    .enumerate()
    {
        h.host.faults().add(FaultRule::qr("pay", action).once());
        let o = h
            .terminal
            .qr_pay(pay_request(
                &format!("u{i}"),
                &format!("u{i}"),
                100,
                &code(Channel::Alipay, "00"),
            ))
            .unwrap();
        // Not processed: queries find nothing; the cancel closes the number for good.
        assert_eq!(o.status, QrStatus::Reversed, "{o:?}");
    }
    h.host.faults().clear();

    // Nothing listens at the gateway address: nothing was sent, nothing to resolve.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    h.config.qr_gateway = Some(HostAddress::Https {
        addresses: vec![addr.to_string()],
        server_name: "localhost".into(),
        ca_pem: h.host.ca_pem().to_owned(),
    });
    let mut h = restart(h);
    h.terminal.startup().unwrap();
    let o = h
        .terminal
        .qr_pay(pay_request(
            "down",
            "down",
            100,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(o.status, QrStatus::NotSent);
    assert_eq!(
        h.terminal.query("down").unwrap().unwrap().status,
        OutcomeStatus::NotSent
    );
    // The business order may try again once the gateway is back.
    h.config.qr_gateway = Some(gateway_address(&h.host));
    let h = restart(h);
    h.terminal.startup().unwrap();
    let o = h
        .terminal
        .qr_pay(pay_request(
            "down-2",
            "down",
            100,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(o.status, QrStatus::Paid);
    reconcile(&h.terminal, &h.host);
}

#[test]
fn codes_are_routed_and_unknown_codes_refused_without_echo() {
    let h = start();
    for bad in [
        "622573505320161520",
        "99123456789012345678",
        "1349 1958 6213 9267",
    ] {
        let err = h
            .terminal
            .qr_pay(pay_request("bad", "bad", 100, bad))
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, EngineError::InvalidRequest(_)), "{text}");
        assert!(!text.contains(&bad[..12]), "{text}");
    }
    assert!(h.terminal.qr_query("bad").unwrap().is_none());
    assert!(h.host.qr().orders(defaults::TERMINAL_ID).is_empty());
}

#[test]
fn repeats_are_idempotent_and_paid_orders_are_not_paid_twice() {
    let h = start();
    let first = h
        .terminal
        .qr_pay(pay_request(
            "r1",
            "order-1",
            4_200,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap();
    let again = h
        .terminal
        .qr_pay(pay_request(
            "r1",
            "order-1",
            4_200,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(h.host.qr().orders(defaults::TERMINAL_ID).len(), 1);
    // Another attempt for the paid business order is refused.
    let err = h
        .terminal
        .qr_pay(pay_request(
            "r2",
            "order-1",
            4_200,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("already paid"), "{err}");
    // The same request id with other content is refused.
    assert!(h
        .terminal
        .qr_pay(pay_request(
            "r1",
            "order-1",
            1,
            &code(Channel::Alipay, "00")
        ))
        .is_err());
    // A declined attempt does not block the next one.
    let o = h
        .terminal
        .qr_pay(pay_request(
            "r3",
            "order-2",
            100,
            &code(Channel::WeChat, "03"),
        ))
        .unwrap();
    assert_eq!(o.status, QrStatus::Failed);
    let o = h
        .terminal
        .qr_pay(pay_request(
            "r4",
            "order-2",
            100,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(o.status, QrStatus::Paid);
    assert_ne!(o.out_trade_no, first.out_trade_no);
}

#[test]
fn refunds_partial_repeated_capped_and_idempotent() {
    let h = start();
    let paid = h
        .terminal
        .qr_pay(pay_request(
            "pay",
            "o",
            10_000,
            &code(Channel::UnionPay, "00"),
        ))
        .unwrap();
    let refund = |id: &str, amount: u64| {
        h.terminal.qr_refund(QrRefundRequest {
            request_id: id.into(),
            original_request_id: "pay".into(),
            amount,
            reason: Some("returned goods".into()),
        })
    };
    let r1 = refund("rf1", 3_000).unwrap();
    assert_eq!(r1.status, QrRefundStatus::Refunded);
    assert_eq!(r1.refunded_total, 3_000);
    // The refund's answer is lost: retried with the same out_refund_no, refunded once.
    h.host
        .faults()
        .add(FaultRule::qr("refund", FaultAction::NoAnswer).once());
    let r2 = refund("rf2", 3_000).unwrap();
    assert_eq!(r2.status, QrRefundStatus::Refunded, "{r2:?}");
    assert_eq!(r2.refunded_total, 6_000);
    // A repeat of rf1 answers from the journal, nothing new at the gateway.
    assert_eq!(
        refund("rf1", 3_000).unwrap().out_refund_no,
        r1.out_refund_no
    );
    // Over the rest: refused before sending.
    match refund("rf3", 5_000) {
        Err(EngineError::Rule(RuleViolation::RefundExceedsOriginal {
            requested: 5_000,
            remaining: 4_000,
        })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(refund("rf4", 4_000).unwrap().refunded_total, 10_000);
    let g = gateway_order(&h.host, &paid.out_trade_no).unwrap();
    assert_eq!(g.refunded_fen, 10_000);
    assert_eq!(g.refunds.len(), 3);
    assert_eq!(
        h.terminal.qr_query("pay").unwrap().unwrap().refunded_amount,
        10_000
    );
    assert_eq!(
        h.terminal.query("rf2").unwrap().unwrap().status,
        OutcomeStatus::Approved
    );
    reconcile(&h.terminal, &h.host);
}

#[test]
fn refund_pending_is_retried_at_flush_points() {
    let h = start();
    h.terminal
        .qr_pay(pay_request("pay", "o", 500, &code(Channel::WeChat, "00")))
        .unwrap();
    h.host
        .faults()
        .add(FaultRule::qr("refund", FaultAction::HttpStatus { status: 503 }).times(3));
    let r = h
        .terminal
        .qr_refund(QrRefundRequest {
            request_id: "rf".into(),
            original_request_id: "pay".into(),
            amount: 200,
            reason: None,
        })
        .unwrap();
    assert_eq!(r.status, QrRefundStatus::Pending);
    h.terminal.flush_pending().unwrap();
    let r2 = h.terminal.qr_refund_query("rf").unwrap().unwrap();
    assert_eq!(r2.status, QrRefundStatus::Refunded);
    assert_eq!(r2.out_refund_no, r.out_refund_no);
    reconcile(&h.terminal, &h.host);
}

#[test]
fn same_day_void() {
    let h = start();
    let paid = h
        .terminal
        .qr_pay(pay_request("pay", "o", 2_345, &code(Channel::Alipay, "00")))
        .unwrap();
    let void = QrVoidRequest {
        request_id: "void".into(),
        original_request_id: "pay".into(),
    };
    let v = h.terminal.qr_void(void.clone()).unwrap();
    assert_eq!((v.status, v.amount), (QrRefundStatus::Refunded, 2_345));
    assert_eq!(h.terminal.qr_void(void).unwrap(), v, "idempotent");
    let o = h.terminal.qr_query("pay").unwrap().unwrap();
    assert!(o.voided);
    assert_eq!(o.refunded_amount, 2_345);
    let again = h.terminal.qr_void(QrVoidRequest {
        request_id: "void-2".into(),
        original_request_id: "pay".into(),
    });
    assert!(matches!(
        again,
        Err(EngineError::Rule(RuleViolation::AlreadyVoided))
    ));
    assert_eq!(
        gateway_order(&h.host, &paid.out_trade_no)
            .unwrap()
            .refunded_fen,
        2_345
    );

    // A partly refunded payment cannot be voided; another day cannot either.
    h.terminal
        .qr_pay(pay_request(
            "pay2",
            "o2",
            1_000,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap();
    h.terminal
        .qr_refund(QrRefundRequest {
            request_id: "part".into(),
            original_request_id: "pay2".into(),
            amount: 1,
            reason: None,
        })
        .unwrap();
    assert!(h
        .terminal
        .qr_void(QrVoidRequest {
            request_id: "void-3".into(),
            original_request_id: "pay2".into(),
        })
        .is_err());
    h.terminal
        .qr_pay(pay_request(
            "pay3",
            "o3",
            1_000,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap();
    h.clock.advance(Duration::from_secs(86_400));
    assert!(h
        .terminal
        .qr_void(QrVoidRequest {
            request_id: "void-4".into(),
            original_request_id: "pay3".into(),
        })
        .is_err());
    reconcile(&h.terminal, &h.host);
}

#[test]
fn dynamic_code_paid_closed_and_paid_at_close() {
    let h = start();
    // Paid by the simulated customer 10 s after creation.
    let shown = h
        .terminal
        .qr_dynamic_create(QrDynamicRequest {
            request_id: "d1".into(),
            order_id: "d1".into(),
            amount: 1_200,
            subject: None,
        })
        .unwrap();
    assert!(shown.code_url.starts_with("https://"));
    assert_eq!(shown.outcome.status, QrStatus::InProgress);
    assert_eq!(
        shown.image.modules.len(),
        shown.image.width * shown.image.width
    );
    assert_eq!(&shown.image.png[1..4], b"PNG");
    let o = h.terminal.qr_dynamic_wait("d1").unwrap();
    assert_eq!(o.status, QrStatus::Paid, "{o:?}");
    assert_eq!(o.paid_amount, 1_200);
    assert_eq!(o.channel, Some(Channel::WeChat)); // 1200 mod 3 = 0

    // Amounts ending in 99 fen are never paid: closed at the deadline (120 s).
    let started = h.clock.now_millis();
    let shown = h
        .terminal
        .qr_dynamic_create(QrDynamicRequest {
            request_id: "d2".into(),
            order_id: "d2".into(),
            amount: 1_299,
            subject: Some("tea".into()),
        })
        .unwrap();
    let o = h.terminal.qr_dynamic_wait("d2").unwrap();
    assert_eq!(o.status, QrStatus::Closed, "{o:?}");
    assert_eq!(elapsed_secs(&h, started), 120);
    let g = gateway_order(&h.host, &shown.outcome.out_trade_no).unwrap();
    assert_eq!(g.state, TradeState::Closed);

    // Amounts ending in 98 fen are paid just as the terminal closes: the close says paid.
    h.terminal
        .qr_dynamic_create(QrDynamicRequest {
            request_id: "d3".into(),
            order_id: "d3".into(),
            amount: 1_298,
            subject: None,
        })
        .unwrap();
    let o = h.terminal.qr_dynamic_wait("d3").unwrap();
    assert_eq!(o.status, QrStatus::Paid, "{o:?}");
    reconcile(&h.terminal, &h.host);
}

#[test]
fn settlement_lists_qr_per_channel_and_queries_find_qr_orders() {
    let h = start();
    h.terminal
        .qr_pay(pay_request("w1", "w1", 1_000, &code(Channel::WeChat, "00")))
        .unwrap();
    h.terminal
        .qr_pay(pay_request("w2", "w2", 500, &code(Channel::WeChat, "00")))
        .unwrap();
    h.terminal
        .qr_pay(pay_request("a1", "a1", 700, &code(Channel::Alipay, "00")))
        .unwrap();
    h.terminal
        .qr_pay(pay_request("u1", "u1", 300, &code(Channel::UnionPay, "03")))
        .unwrap();
    h.terminal
        .qr_refund(QrRefundRequest {
            request_id: "w1-r".into(),
            original_request_id: "w1".into(),
            amount: 250,
            reason: None,
        })
        .unwrap();
    let last = h.terminal.query_last().unwrap().unwrap();
    assert_eq!(last.request_id, "w1-r");
    let w1 = h.terminal.query("w1").unwrap().unwrap();
    assert_eq!(w1.status, OutcomeStatus::Approved);
    assert_eq!(w1.card_org.as_deref(), Some("WECHAT"));
    assert_eq!(
        h.terminal.query("u1").unwrap().unwrap().status,
        OutcomeStatus::Declined
    );

    let report = h.terminal.settle().unwrap();
    let line = |name: &str| {
        report
            .qr_by_channel
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| (t.count, t.amount))
    };
    assert_eq!(line("WeChat Pay sale"), Some((2, 1_500)));
    assert_eq!(line("WeChat Pay refund"), Some((1, 250)));
    assert_eq!(line("Alipay sale"), Some((1, 700)));
    assert_eq!(line("UnionPay QR sale"), None);
    // QR payments are not card transactions: nothing to upload.
    assert!(!report.batch_uploaded);
    assert_eq!(report.domestic.debit.count, 0);
}
