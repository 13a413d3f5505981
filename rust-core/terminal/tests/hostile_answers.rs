//! A host that answers authentically but wrongly. The simulator's `rewrite` fault sets random
//! fields of its MAC'd answers (values that fit each field's format, or removes fields) on the
//! sign-in, the downloads, sales, a void, a refund, a pre-authorisation and its completion,
//! reversals, uploads and the settlement of a day.
//! Whatever such a host says:
//! - the terminal never panics, and every error carries a message;
//! - no error, cashier message or receipt carries a card number in full;
//! - an approval is for more than nothing and never for more than was asked;
//! - once the host answers properly again, the terminal recovers: start-up, a settlement a lie
//!   broke off finished, an approved sale, every reversal delivered, and a settlement;
//! - an approval that names another amount than the request's is reversed, not booked;
//! - unless the host lied about the response code, what the terminal holds as charged is what
//!   the host charged, card by card.
//!
//! `PROPTEST_CASES` sets the number of days (default 24; the closing figures were taken with more).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::wiretap::tapped;
use common::*;
use proptest::prelude::*;
use unipos_hostsim::faults::{FaultAction, FaultRule, FieldEdit};
use unipos_iso8583::spec::{ContentType, FieldSpec, Length};
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::{
    CompletionRequest, EngineError, Outcome, OutcomeStatus, PreAuthRequest, RefundRequest,
    SaleRequest, Terminal, TxnKind, VoidRequest,
};

/// The request types a day sends (the rule matches the request; the answer is rewritten).
const REQUESTS: [&str; 7] = ["0800", "0100", "0200", "0220", "0400", "0320", "0500"];

/// The answer fields a host fills in, and those it echoes.
const FIELDS: [u8; 22] = [
    2, 3, 4, 11, 12, 13, 14, 15, 25, 32, 37, 38, 39, 41, 44, 48, 53, 54, 55, 60, 62, 63,
];

/// Response codes a host really sends (approvals, declines, "sign in again", errors).
const CODES: [&str; 14] = [
    "00", "10", "11", "A0", "97", "96", "98", "05", "51", "55", "25", "94", "12", "Z1",
];

const AMOUNT: u64 = 1_234;

/// Amounts a host could answer with, around the asked one.
const AMOUNTS: [u64; 6] = [0, 1, AMOUNT - 1, AMOUNT, AMOUNT + 1, 999_999_999_999];

fn chars(alphabet: &'static [u8], len: usize) -> BoxedStrategy<Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(alphabet), len).boxed()
}

/// A value that fits `spec` (its characters, and its length or up to 80 units).
fn fitting(spec: &FieldSpec) -> BoxedStrategy<Vec<u8>> {
    let lengths = match spec.length {
        Length::Fixed(n) => (usize::from(n)..=usize::from(n)).boxed(),
        Length::LlVar { max } | Length::LllVar { max } => (0..=usize::from(max.min(80))).boxed(),
    };
    let content = spec.content;
    lengths
        .prop_flat_map(move |len| match content {
            ContentType::Numeric => chars(b"0123456789", len),
            ContentType::Track => chars(b"0123456789D", len),
            ContentType::Alphanumeric => chars(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ",
                len,
            ),
            ContentType::AlphanumericSpecial => {
                proptest::collection::vec(0x20u8..0x7F, len).boxed()
            }
            ContentType::Binary => proptest::collection::vec(any::<u8>(), len).boxed(),
        })
        .boxed()
}

/// One edit: a real response code, an amount near the asked one, any fitting value, or removal.
fn edit() -> impl Strategy<Value = FieldEdit> {
    proptest::sample::select(&FIELDS[..]).prop_flat_map(|field| {
        let spec = unipos_iso8583::cup::profile()
            .field(field)
            .copied()
            .expect("the profile defines every field of FIELDS");
        let any_value = fitting(&spec).prop_map(move |v| FieldEdit::set(field, v));
        let removal = Just(FieldEdit::remove(field));
        match field {
            39 => prop_oneof![
                3 => proptest::sample::select(&CODES[..]).prop_map(|c| FieldEdit::set(39, c)),
                1 => any_value,
                1 => removal,
            ]
            .boxed(),
            4 => prop_oneof![
                3 => proptest::sample::select(&AMOUNTS[..])
                    .prop_map(|a: u64| FieldEdit::set(4, format!("{a:012}"))),
                1 => removal,
            ]
            .boxed(),
            _ => prop_oneof![3 => any_value, 1 => removal].boxed(),
        }
    })
}

#[derive(Debug, Clone)]
struct Lie {
    request: &'static str,
    nth: u32,
    edits: Vec<FieldEdit>,
}

fn lie() -> impl Strategy<Value = Lie> {
    let any_lie = (
        proptest::sample::select(&REQUESTS[..]),
        1u32..=3,
        proptest::collection::vec(edit(), 1..=3),
    )
        .prop_map(|(request, nth, edits)| Lie {
            request,
            nth,
            edits,
        });
    // A response code together with an amount: where the money is decided.
    let money_lie = (
        1u32..=3,
        proptest::sample::select(&CODES[..]),
        proptest::sample::select(&AMOUNTS[..]),
    )
        .prop_map(|(nth, code, amount)| Lie {
            request: "0200",
            nth,
            edits: vec![
                FieldEdit::set(39, code),
                FieldEdit::set(4, format!("{amount:012}")),
            ],
        });
    prop_oneof![2 => any_lie, 1 => money_lie]
}

#[derive(Debug, Clone)]
struct Day {
    lies: Vec<Lie>,
    /// One sale's answer is lost first, so that a reversal goes out (and can be lied to).
    lose_a_sale: bool,
}

fn day() -> impl Strategy<Value = Day> {
    (proptest::collection::vec(lie(), 1..=2), any::<bool>())
        .prop_map(|(lies, lose_a_sale)| Day { lies, lose_a_sale })
}

/// What the cashier or an integrator could see of one step.
fn shown(result: &Result<Outcome, EngineError>) -> String {
    match result {
        Ok(o) => format!("{} {}", o.message, o.notice.clone().unwrap_or_default()),
        Err(e) => e.to_string(),
    }
}

fn check_shown(text: &str, what: &str) {
    for pan in [CREDIT_MAGSTRIPE, DEBIT_IC] {
        assert!(!text.contains(pan), "{what} shows the card number: {text}");
    }
}

fn check_outcome(result: &Result<Outcome, EngineError>, what: &str) {
    let text = shown(result);
    check_shown(&text, what);
    match result {
        Ok(o) if o.status.is_approved() => assert!(
            o.approved_amount > 0 && o.approved_amount <= o.amount,
            "{what}: approved {} of {}: {o:?}",
            o.approved_amount,
            o.amount
        ),
        Ok(_) => {}
        Err(e) => assert!(!e.to_string().trim().is_empty(), "{what}: an empty error"),
    }
}

fn sale(h: &Harness, id: &str, card: SimCard) -> Result<Outcome, EngineError> {
    h.holder.present(card);
    h.terminal.sale(SaleRequest {
        request_id: id.into(),
        amount: AMOUNT,
    })
}

/// Charged at the terminal, per card (by its last four digits), fen: approved sales and
/// completions not voided, less approved refunds.
fn held_as_charged(t: &Terminal, last4: &str) -> i64 {
    t.journal_entries(1000)
        .unwrap()
        .iter()
        .filter(|o| o.status.is_approved() && !o.voided)
        .filter(|o| o.masked_pan.as_deref().is_some_and(|p| p.ends_with(last4)))
        .map(|o| {
            let amount = i64::try_from(o.approved_amount).unwrap();
            match o.kind {
                TxnKind::Sale | TxnKind::Completion => amount,
                TxnKind::Refund => -amount,
                _ => 0,
            }
        })
        .sum()
}

/// What the host holds as charged on a card: its balance spent and its credit used (holds of
/// pre-authorisations not counted).
fn spent_at_host(h: &Harness, pan: &str) -> i64 {
    let card = h.host.card(pan).unwrap();
    i64::try_from(card.credit_used).unwrap() - i64::try_from(card.balance).unwrap()
}

fn run_day(day: &Day) {
    let h = unstarted();
    for lie in &day.lies {
        let action = FaultAction::Rewrite {
            fields: lie.edits.clone(),
        };
        // Two edits can contradict (set, then remove): the rule is what the host does.
        if action.validate().is_err() {
            continue;
        }
        h.host.faults().add(
            FaultRule::posp(lie.request, action)
                .from_nth(lie.nth)
                .once(),
        );
    }
    if day.lose_a_sale {
        h.host.faults().add(
            FaultRule::posp("0200", FaultAction::NoAnswer)
                .with_processing_code("000000")
                .from_nth(2)
                .once(),
        );
    }
    let before = [
        (CREDIT_MAGSTRIPE, spent_at_host(&h, CREDIT_MAGSTRIPE)),
        (DEBIT_IC, spent_at_host(&h, DEBIT_IC)),
    ];

    // The day, under the lies. Any step may fail; none may panic or show a card number.
    if let Err(e) = h.terminal.startup() {
        check_shown(&e.to_string(), "start-up");
    }
    let first = sale(&h, "sale-1", mag(CREDIT_MAGSTRIPE));
    check_outcome(&first, "sale 1");
    if let Ok(o) = &first {
        if o.status == OutcomeStatus::Approved {
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            let void = h.terminal.void(VoidRequest {
                request_id: "void-1".into(),
                trace: o.trace,
            });
            check_outcome(&void, "void");
        }
    }
    check_outcome(&sale(&h, "sale-2", chip(DEBIT_IC)), "sale 2");
    let third = sale(&h, "sale-3", mag(CREDIT_MAGSTRIPE));
    check_outcome(&third, "sale 3");
    if let Ok(o) = &third {
        if o.status == OutcomeStatus::Approved {
            if let Some(rrn) = o.rrn.clone() {
                h.holder.present(mag(CREDIT_MAGSTRIPE));
                let refund = h.terminal.refund(RefundRequest {
                    request_id: "refund-3".into(),
                    amount: 234,
                    rrn,
                    date: o.date.clone(),
                });
                check_outcome(&refund, "refund");
            }
        }
    }
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let hold = h.terminal.preauth(PreAuthRequest {
        request_id: "preauth-1".into(),
        amount: AMOUNT,
    });
    check_outcome(&hold, "pre-authorisation");
    if let Ok(o) = &hold {
        if let (OutcomeStatus::Approved, Some(auth_code)) = (o.status, o.auth_code.clone()) {
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            let completion = h.terminal.completion(CompletionRequest {
                request_id: "completion-1".into(),
                amount: 1_000,
                auth_code,
                date: o.date.clone(),
                advice: false,
            });
            check_outcome(&completion, "completion");
        }
    }
    if let Err(e) = h.terminal.settle() {
        check_shown(&e.to_string(), "settlement");
    }
    if let Ok(receipt) = h.terminal.reprint(None) {
        check_shown(&receipt.join("\n"), "the last receipt");
    }

    // The host answers properly again: the terminal recovers.
    h.host.faults().clear();
    h.terminal
        .startup()
        .expect("start-up once the host answers properly");
    let after = match sale(&h, "sale-after", mag(CREDIT_MAGSTRIPE)) {
        // A settlement whose batch upload a lie broke off is finished first, as the error says.
        Err(EngineError::BatchUploadInProgress(_)) => {
            h.terminal
                .settle()
                .expect("the broken-off settlement, once the host answers properly");
            sale(&h, "sale-after", mag(CREDIT_MAGSTRIPE))
        }
        other => other,
    }
    .expect("a sale once the host answers properly");
    assert_eq!(after.status, OutcomeStatus::Approved, "{after:?}");
    h.terminal.flush_pending().unwrap();
    assert!(
        h.terminal.parked_reversals().unwrap().is_empty(),
        "a reversal was parked against a working host"
    );
    let open: Vec<_> = h
        .terminal
        .journal_entries(1000)
        .unwrap()
        .into_iter()
        .filter(|o| {
            matches!(
                o.status,
                OutcomeStatus::ReversalPending | OutcomeStatus::InProgress
            )
        })
        .collect();
    assert!(open.is_empty(), "left open: {open:?}");
    h.terminal
        .settle()
        .expect("a settlement once the host answers properly");

    // A host that says "declined" (or "approved") against what it did is believed: only the
    // response code decides. Every other lie, an amount included, leaves the money in step.
    let lied_about_the_code = day
        .lies
        .iter()
        .any(|l| l.edits.iter().any(|e| e.field == 39));
    if !lied_about_the_code {
        for (pan, was) in before {
            let last4 = &pan[pan.len() - 4..];
            assert_eq!(
                spent_at_host(&h, pan) - was,
                held_as_charged(&h.terminal, last4),
                "card {last4}: the host's charge and the terminal's differ"
            );
        }
    }
}

#[test]
fn a_host_that_answers_wrongly_never_breaks_the_terminal() {
    let mut runner = runner(24);
    let started = std::time::Instant::now();
    runner
        .run(&day(), |d| {
            run_day(&d);
            Ok(())
        })
        .unwrap();
    eprintln!(
        "{} days with a lying host in {:?}",
        runner.config().cases,
        started.elapsed()
    );
}

/// An approval that contradicts its request's amount is reversed (06), never booked, and the
/// card is whole again once the reversal is acknowledged.
#[test]
fn an_approval_for_another_amount_is_reversed_not_booked() {
    let (t, started) = tapped(|_| {}, |_| {}, |_| {});
    started.unwrap();
    let available = || t.host.card(CREDIT_MAGSTRIPE).unwrap().available;
    let sale = |id: &str| {
        t.holder.present(mag(CREDIT_MAGSTRIPE));
        t.terminal.sale(SaleRequest {
            request_id: id.into(),
            amount: AMOUNT,
        })
    };
    let before = available();
    let cases = [
        ("10", Some(0)),
        ("10", Some(AMOUNT)),
        ("10", Some(AMOUNT + 1)),
        ("10", None),
        ("00", Some(0)),
        ("00", Some(AMOUNT - 1)),
        ("11", Some(999_999_999_999)),
    ];
    for (n, (code, amount)) in cases.into_iter().enumerate() {
        let mut fields = vec![FieldEdit::set(39, code)];
        fields.push(match amount {
            Some(a) => FieldEdit::set(4, format!("{a:012}")),
            None => FieldEdit::remove(4),
        });
        let action = FaultAction::Rewrite { fields };
        action.validate().unwrap();
        t.host.faults().add(FaultRule::posp("0200", action).once());
        let result = sale(&format!("contradicted-{n}"));
        let Err(EngineError::NoAnswer { detail, .. }) = &result else {
            panic!("{code} {amount:?}: {result:?}");
        };
        assert!(detail.contains("does not fit"), "{detail}");
        let flushed = t.terminal.flush_pending().unwrap();
        assert_eq!(flushed.reversals_sent, 1, "{code} {amount:?}");
        assert_eq!(available(), before, "{code} {amount:?}");
        let reversal = t.tap.requests("0400").pop().unwrap();
        assert_eq!(reversal.text(39), Some("06"), "{code} {amount:?}");
    }
    // A partial approval that fits is booked for the part.
    t.host.faults().add(
        FaultRule::posp(
            "0200",
            FaultAction::Rewrite {
                fields: vec![FieldEdit::set(39, "10"), FieldEdit::set(4, "000000000234")],
            },
        )
        .once(),
    );
    let part = sale("part").unwrap();
    assert_eq!(
        (part.status, part.approved_amount, part.remaining_amount),
        (OutcomeStatus::PartiallyApproved, 234, 1_000)
    );
}
