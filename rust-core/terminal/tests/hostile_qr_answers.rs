//! A QR gateway that answers authentically but wrongly. The simulator's `rewrite_json` fault
//! sets random top-level keys of its signed answers (another amount, order number, state,
//! result or error code; values of the wrong type), or removes them, on the pay, query, reverse,
//! refund, create and close answers of a day's QR payments: scanned codes, shown codes and a
//! refund. Whatever such a gateway says:
//! - the terminal never panics, and no error or message carries a payment code in full;
//! - once the gateway answers properly again, flushing resolves every open order and a new
//!   payment is paid;
//! - unless the gateway lied about the result itself (`result`, `code`, `trade_state`, `action`:
//!   what a terminal must believe), the terminal's orders and the gateway's ledger agree: paid
//!   and refunded amounts, and no order the terminal does not know.
//!
//! `PROPTEST_CASES` sets the number of days (default 24).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod qr_common;

use proptest::prelude::*;
use qr_common::*;
use serde_json::{json, Value};
use std::time::Duration;
use unipos_hostsim::faults::{FaultAction, FaultRule, JsonEdit};
use unipos_qr_protocol::Channel;
use unipos_terminal::{EngineError, QrDynamicCode, QrDynamicRequest, QrRefundRequest, QrStatus};

const OPERATIONS: [&str; 6] = ["pay", "query", "reverse", "refund", "create", "close"];

/// The keys a gateway answer carries; the first four decide the result (believed).
const KEYS: [&str; 15] = [
    "result",
    "code",
    "trade_state",
    "action",
    "out_trade_no",
    "amount_fen",
    "paid_fen",
    "refunded_fen",
    "refund_fen",
    "refunded_total_fen",
    "out_refund_no",
    "channel",
    "channel_trade_no",
    "masked_code",
    "code_url",
];
const BELIEVED: [&str; 4] = ["result", "code", "trade_state", "action"];

const AMOUNT: i64 = 1_500;

/// Amounts a gateway could name: around the asked ones, nothing, negative, absurd.
const AMOUNTS: [i64; 8] = [
    0,
    1,
    AMOUNT - 1,
    AMOUNT,
    AMOUNT + 1,
    500,
    -1,
    1_000_000_000_000_000,
];

fn value_for(key: &'static str) -> BoxedStrategy<Value> {
    let words: &'static [&'static str] = match key {
        "result" => &["SUCCESS", "FAIL", "UNKNOWN", "success", ""],
        "code" => &[
            "SYSTEM_ERROR",
            "USER_PAYING",
            "ORDER_PAID",
            "ORDER_CLOSED",
            "ORDER_NOT_EXIST",
            "INSUFFICIENT_FUNDS",
            "PAYMENT_DECLINED",
            "OUT_REFUND_NO_USED",
            "REFUND_EXCEEDS",
            "MAC_INVALID",
            "NOPE",
        ],
        "trade_state" => &[
            "SUCCESS",
            "NOTPAY",
            "USERPAYING",
            "CLOSED",
            "REVERSED",
            "REFUNDED",
            "PAYERROR",
            "X",
        ],
        "action" => &["NONE", "CLOSED", "REFUNDED", "REVERSED", "?"],
        "channel" => &["WECHAT", "ALIPAY", "UNIONPAY", "PAYPAL"],
        "code_url" => &["https://qr.example/x", "", "javascript:alert(1)"],
        _ => &["", "A1", "another-order", "0000", "1349195862139267"],
    };
    prop_oneof![
        4 => proptest::sample::select(words).prop_map(|w| json!(w)),
        3 => proptest::sample::select(&AMOUNTS[..]).prop_map(|a| json!(a)),
        1 => Just(Value::Null),
        1 => Just(json!({"nested": true})),
        1 => "[ -~]{0,12}".prop_map(|s| json!(s)),
    ]
    .boxed()
}

fn edit() -> impl Strategy<Value = JsonEdit> {
    proptest::sample::select(&KEYS[..]).prop_flat_map(|key| {
        prop_oneof![
            4 => value_for(key).prop_map(move |v| JsonEdit { key: key.into(), value: Some(v) }),
            1 => Just(JsonEdit { key: key.into(), value: None }),
        ]
    })
}

#[derive(Debug, Clone)]
struct Lie {
    operation: &'static str,
    nth: u32,
    edits: Vec<JsonEdit>,
}

fn lie() -> impl Strategy<Value = Lie> {
    (
        proptest::sample::select(&OPERATIONS[..]),
        1u32..=3,
        proptest::collection::vec(edit(), 1..=3),
    )
        .prop_map(|(operation, nth, edits)| Lie {
            operation,
            nth,
            edits,
        })
}

const CODES: [(Channel, &str); 3] = [
    (Channel::WeChat, "00"),   // paid at once
    (Channel::Alipay, "01"),   // the customer types a password, then paid
    (Channel::UnionPay, "05"), // a system error, but paid: found by the query
];

fn check_shown(text: &str, what: &str) {
    for (channel, suffix) in CODES {
        let full = code(channel, suffix);
        assert!(
            !text.contains(&full),
            "{what} shows the payment code: {text}"
        );
    }
}

fn shown<T>(result: &Result<T, EngineError>, message: impl Fn(&T) -> String) -> String {
    match result {
        Ok(o) => message(o),
        Err(e) => {
            let text = e.to_string();
            assert!(!text.trim().is_empty(), "an empty error");
            text
        }
    }
}

fn shown_text(r: &Result<QrDynamicCode, EngineError>) -> String {
    shown(r, |c| c.outcome.message.clone())
}

fn run_day(lies: &[Lie]) {
    let h = start();
    for lie in lies {
        let action = FaultAction::RewriteJson {
            fields: lie.edits.clone(),
        };
        action.validate().unwrap();
        h.host.faults().add(
            FaultRule::qr(lie.operation, action)
                .from_nth(lie.nth)
                .once(),
        );
    }

    // The day, under the lies.
    let mut paid_first = false;
    for (n, (channel, suffix)) in CODES.into_iter().enumerate() {
        let id = format!("pay-{n}");
        let amount = u64::try_from(AMOUNT).unwrap() + n as u64;
        let r = h
            .terminal
            .qr_pay(pay_request(&id, &id, amount, &code(channel, suffix)));
        check_shown(&shown(&r, |o| o.message.clone()), &id);
        if n == 0 {
            paid_first = matches!(&r, Ok(o) if o.status == QrStatus::Paid);
        }
    }
    // Codes the customer scans: paid after 10 s; never paid (99 fen), closed at the deadline;
    // paid just as the terminal closes it (98 fen).
    for (n, amount) in [1_200u64, 1_299, 1_298].into_iter().enumerate() {
        let id = format!("show-{n}");
        let created = h.terminal.qr_dynamic_create(QrDynamicRequest {
            request_id: id.clone(),
            order_id: id.clone(),
            amount,
            subject: None,
        });
        check_shown(&shown_text(&created), &id);
        if created.is_ok() {
            let r = h.terminal.qr_dynamic_wait(&id);
            check_shown(&shown(&r, |o| o.message.clone()), &id);
        }
    }
    if paid_first {
        let r = h.terminal.qr_refund(QrRefundRequest {
            request_id: "refund-0".into(),
            original_request_id: "pay-0".into(),
            amount: 500,
            reason: None,
        });
        check_shown(&shown(&r, |o| format!("{o:?}")), "refund");
    }

    // The gateway answers properly again: every open order is resolved by the flush points.
    h.host.faults().clear();
    for _ in 0..6 {
        if h.terminal.qr_pending_results().unwrap().is_empty() {
            break;
        }
        h.clock.advance(Duration::from_secs(60));
        h.terminal.flush_pending().unwrap();
    }
    let open = h.terminal.qr_pending_results().unwrap();
    assert!(open.is_empty(), "left open: {open:?}");
    let after = h
        .terminal
        .qr_pay(pay_request(
            "after",
            "after",
            900,
            &code(Channel::WeChat, "00"),
        ))
        .expect("a payment once the gateway answers properly");
    assert_eq!(after.status, QrStatus::Paid, "{after:?}");

    let believed = lies
        .iter()
        .any(|l| l.edits.iter().any(|e| BELIEVED.contains(&e.key.as_str())));
    if !believed {
        reconcile(&h.terminal, &h.host);
    }
}

#[test]
fn a_gateway_that_answers_wrongly_never_breaks_the_terminal() {
    let mut runner = common::runner(24);
    let started = std::time::Instant::now();
    runner
        .run(&proptest::collection::vec(lie(), 1..=2), |lies| {
            run_day(&lies);
            Ok(())
        })
        .unwrap();
    eprintln!(
        "{} QR days with a lying gateway in {:?}",
        runner.config().cases,
        started.elapsed()
    );
}

/// A refund's success that names another refund is no refusal: the refund stays pending, is
/// sent again with the same number at the next flush point, and is refunded once.
#[test]
fn a_refund_success_for_another_amount_is_sent_again_not_taken_for_a_refusal() {
    let h = start();
    let paid = h
        .terminal
        .qr_pay(pay_request(
            "pay",
            "pay",
            3_000,
            &code(Channel::WeChat, "00"),
        ))
        .unwrap();
    assert_eq!(paid.status, QrStatus::Paid);
    // The gateway refunds 1,000 but says 999; its every foreground answer says so.
    h.host.faults().add(FaultRule::qr(
        "refund",
        FaultAction::RewriteJson {
            fields: vec![JsonEdit {
                key: "refund_fen".into(),
                value: Some(json!(999)),
            }],
        },
    ));
    let refund = h
        .terminal
        .qr_refund(QrRefundRequest {
            request_id: "refund".into(),
            original_request_id: "pay".into(),
            amount: 1_000,
            reason: None,
        })
        .unwrap();
    assert_eq!(
        refund.status,
        unipos_terminal::QrRefundStatus::Pending,
        "{refund:?}"
    );
    h.host.faults().clear();
    h.terminal.flush_pending().unwrap();
    let done = h.terminal.qr_refund_query("refund").unwrap().unwrap();
    assert_eq!(
        done.status,
        unipos_terminal::QrRefundStatus::Refunded,
        "{done:?}"
    );
    assert_eq!(done.refunded_total, 1_000);
    reconcile(&h.terminal, &h.host);
}
