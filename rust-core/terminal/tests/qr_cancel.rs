//! The cashier's cancel while the customer is paying (`Terminal::cancel_wait`): a shown dynamic
//! code is closed at once instead of at its deadline; a scanned code is reversed no earlier than
//! its channel's earliest reverse; a cancel pressed before the attempt does not touch it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod qr_common;

use qr_common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use unipos_clock::Clock;
use unipos_qr_protocol::{Channel, TradeState};
use unipos_terminal::hardware::CancelToken;
use unipos_terminal::{Progress, ProgressListener, QrDynamicRequest, QrStatus};

/// Presses the cashier's cancel at the first QR progress event after it is armed.
struct CancelAtFirstQrEvent {
    cancel: CancelToken,
    armed: AtomicBool,
}

impl ProgressListener for CancelAtFirstQrEvent {
    fn progress(&self, event: &Progress) {
        if matches!(event, Progress::Qr(_)) && self.armed.swap(false, Ordering::SeqCst) {
            self.cancel.cancel();
        }
    }
}

fn cancel_at_first_qr_event(h: &common::Harness) -> Arc<CancelAtFirstQrEvent> {
    let l = Arc::new(CancelAtFirstQrEvent {
        cancel: h.terminal.wait_canceller(),
        armed: AtomicBool::new(true),
    });
    h.terminal.set_progress_listener(Some(l.clone()));
    l
}

fn dynamic(request_id: &str, amount: u64) -> QrDynamicRequest {
    QrDynamicRequest {
        request_id: request_id.into(),
        order_id: request_id.into(),
        amount,
        subject: None,
    }
}

fn elapsed_secs(h: &common::Harness, since: i64) -> i64 {
    (h.clock.now_millis() - since) / 1000
}

#[test]
fn a_shown_code_the_cashier_cancels_is_closed_without_waiting_for_its_deadline() {
    let h = start();
    // Amounts ending in 99 fen are never paid; without a cancel the code is closed at 120 s.
    let started = h.clock.now_millis();
    let shown = h.terminal.qr_dynamic_create(dynamic("d1", 1_299)).unwrap();
    cancel_at_first_qr_event(&h); // the first query, 5 s after the code was shown
    let o = h.terminal.qr_dynamic_wait("d1").unwrap();
    assert_eq!(o.status, QrStatus::Closed, "{o:?}");
    assert_eq!(elapsed_secs(&h, started), 5);
    let g = gateway_order(&h.host, &shown.outcome.out_trade_no).unwrap();
    assert_eq!(g.state, TradeState::Closed);

    // Pressed after the code was created but before the wait began: closed at once.
    h.terminal.set_progress_listener(None);
    let started = h.clock.now_millis();
    let shown = h.terminal.qr_dynamic_create(dynamic("d2", 1_299)).unwrap();
    h.terminal.cancel_wait();
    let o = h.terminal.qr_dynamic_wait("d2").unwrap();
    assert_eq!(o.status, QrStatus::Closed, "{o:?}");
    assert_eq!(elapsed_secs(&h, started), 0);
    let g = gateway_order(&h.host, &shown.outcome.out_trade_no).unwrap();
    assert_eq!(g.state, TradeState::Closed);
    reconcile(&h.terminal, &h.host);
}

#[test]
fn a_cancel_pressed_before_the_code_existed_does_not_close_it() {
    let h = start();
    h.terminal.cancel_wait();
    // 1 200 fen is paid by the simulated customer 10 s after creation.
    h.terminal.qr_dynamic_create(dynamic("d1", 1_200)).unwrap();
    let o = h.terminal.qr_dynamic_wait("d1").unwrap();
    assert_eq!(o.status, QrStatus::Paid, "{o:?}");
    assert_eq!(o.paid_amount, 1_200);
    reconcile(&h.terminal, &h.host);
}

#[test]
fn a_scanned_code_is_reversed_at_its_earliest_reverse_not_at_once() {
    let h = start();
    // `09`: the customer never confirms. WeChat: deadline 30 s, earliest reverse 15 s.
    cancel_at_first_qr_event(&h);
    let started = h.clock.now_millis();
    let o = h
        .terminal
        .qr_pay(pay_request("w1", "w1", 800, &code(Channel::WeChat, "09")))
        .unwrap();
    assert_eq!(o.status, QrStatus::Reversed, "{o:?}");
    assert_eq!(elapsed_secs(&h, started), 15);
    let g = gateway_order(&h.host, &o.out_trade_no).unwrap();
    assert_ne!(g.state, TradeState::Success);
    reconcile(&h.terminal, &h.host);
}
