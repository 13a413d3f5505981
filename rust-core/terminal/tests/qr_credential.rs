//! QR without the card sign-in (issue 15 item 9): the QR gateway authenticates the terminal
//! with its own QR key from the security module, so QR pay, query, refund and reverse work
//! while the POSP is unreachable and the terminal has never signed in; without a QR key, or
//! with one the gateway does not know, QR is refused clearly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod qr_common;

use common::{open_terminal, Harness};
use qr_common::*;
use unipos_hostsim::config::defaults;
use unipos_qr_protocol::Channel;
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::{
    EngineError, HostAddress, QrDynamicRequest, QrRefundRequest, QrRefundStatus, QrState,
    TerminalConfig,
};

/// A terminal whose POSP address answers nothing (a closed port), with the QR gateway.
fn posp_down(config: impl FnOnce(&mut TerminalConfig)) -> (Harness, unipos_terminal::Terminal) {
    let h = qr_common::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let mut c = qr_config(&h.host);
    c.posp = HostAddress::tcp(addr);
    config(&mut c);
    let dir = tempfile::tempdir().unwrap();
    let holder = SimCardholder::new();
    let (terminal, _) = open_terminal(c, dir.path(), &h.clock, &holder);
    terminal.set_qr_settings(qr_settings());
    std::mem::forget(dir);
    (h, terminal)
}

#[test]
fn qr_pay_query_refund_and_reverse_work_with_the_posp_down_and_no_sign_in() {
    let (h, t) = posp_down(|_| {});
    assert!(!t.is_ready(), "never signed in");
    assert!(
        matches!(t.startup(), Err(EngineError::HostUnreachable(_))),
        "the POSP is down"
    );

    let paid = t
        .qr_pay(pay_request(
            "p1",
            "order-1",
            12_50,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(paid.state, QrState::Paid, "{paid:?}");
    assert_eq!(t.qr_query("p1").unwrap().unwrap().state, QrState::Paid);

    let refund = t
        .qr_refund(QrRefundRequest {
            request_id: "r1".into(),
            original_request_id: "p1".into(),
            amount: 2_50,
            reason: None,
        })
        .unwrap();
    assert_eq!(refund.status, QrRefundStatus::Refunded);

    // A dynamic code, then cancelled (reverse/close at the gateway).
    t.qr_dynamic_create(QrDynamicRequest {
        request_id: "d1".into(),
        order_id: "order-2".into(),
        amount: 8_00,
        subject: None,
    })
    .unwrap();
    let cancelled = t.qr_cancel("d1").unwrap();
    assert!(
        matches!(cancelled.state, QrState::Closed | QrState::Reversed),
        "{cancelled:?}"
    );
    let order = gateway_order(&h.host, &cancelled.out_trade_no).unwrap();
    assert_eq!(order.paid_fen, 0);
}

#[test]
fn without_a_qr_key_qr_is_refused_before_anything_is_sent() {
    // A fresh database and security module, and no QR key provisioned.
    let (h, t) = posp_down(|c| c.qr_key = None);
    let e = t
        .qr_pay(pay_request(
            "p1",
            "order-1",
            1_00,
            &code(Channel::Alipay, "00"),
        ))
        .unwrap_err();
    assert!(
        matches!(&e, EngineError::Config(m) if m.contains("QR")),
        "{e}"
    );
    assert!(h.host.qr().orders(defaults::TERMINAL_ID).is_empty());
}

#[test]
fn a_qr_key_the_gateway_does_not_know_is_refused_and_nothing_is_charged() {
    let (h, t) = posp_down(|_| {});
    h.host.qr().revoke_qr_key(defaults::TERMINAL_ID);
    // An unauthenticated refusal (401, no MAC) proves nothing, so the terminal stays on the
    // safe side: the outcome is not "paid", the order is reversed as soon as the gateway
    // answers again, and the cashier is told not to hand over the goods.
    let o = t
        .qr_pay(pay_request(
            "p1",
            "order-1",
            1_00,
            &code(Channel::UnionPay, "00"),
        ))
        .unwrap();
    assert_eq!(o.state, QrState::ReversePending, "{o:?}");
    assert_eq!(o.paid_amount, 0);
    assert!(h
        .host
        .qr()
        .orders(defaults::TERMINAL_ID)
        .iter()
        .all(|o| o.paid_fen == 0));
}
