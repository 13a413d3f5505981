#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every financial transaction of the contract against the ledger: approvals and each
//! refusal.

mod common;

use common::*;
use std::time::Duration;
use unipos_hostsim::ledger::HoldState;
use unipos_hostsim::{test_cards as cards, TxnKind};
use unipos_iso8583::cup::{OriginalMessage, TransactionType};
use unipos_iso8583::Message;

fn signed_in() -> (unipos_hostsim::RunningHost, unipos_clock::ManualClock, Term) {
    let (host, clock) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    (host, clock, t)
}

fn balance(host: &unipos_hostsim::RunningHost, pan: &str) -> u64 {
    host.card(pan).unwrap().available
}

#[test]
fn sale_debits_and_refusals_have_their_codes() {
    let (host, _c, mut t) = signed_in();
    let before = balance(&host, cards::DEBIT_IC);
    let (_, a) = t.sale(cards::DEBIT_IC, 73_700, Some(PIN));
    assert_eq!(a.code(), "00");
    assert_eq!(a.mac_ok, Some(true));
    assert_eq!(a.auth().len(), 6);
    assert_eq!(a.msg.text(63), Some("CUP"));
    assert_eq!(a.msg.text(44), Some("01020000   48031000   "));
    assert_eq!(a.msg.text(15), Some("1121"));
    assert_eq!(a.msg.text(4), Some("000000073700"));
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 73_700);

    for (pan, code) in [
        (cards::LOST, "41"),
        (cards::STOLEN, "43"),
        (cards::FROZEN, "62"),
        (cards::EXPIRED, "54"),
        (cards::LOW_BALANCE, "51"),
        ("6212345678901240", "14"), // Luhn-valid, not in the ledger... or Luhn-invalid
        ("6212345678901266", "14"),
    ] {
        let (_, a) = t.sale(pan, 500, None);
        assert_eq!(a.code(), code, "{pan}");
        assert!(!a.msg.has(38), "no auth code on refusals");
        assert_eq!(a.mac_ok, Some(true));
    }
    // Zero amount.
    let (_, a) = t.sale(cards::DEBIT_IC, 0, None);
    assert_eq!(a.code(), "13");
    // Foreign card.
    let (_, a) = t.sale(cards::FOREIGN_VISA, 100, None);
    assert_eq!(a.code(), "00");
    assert_eq!(a.msg.text(63), Some("VIS"));
    // Credit card: no own funds, uses its credit line.
    let (_, a) = t.sale(cards::CREDIT_MAGSTRIPE, 10_000, None);
    assert_eq!(a.code(), "00");
    let c = host.card(cards::CREDIT_MAGSTRIPE).unwrap();
    assert_eq!((c.balance, c.credit_used), (0, 10_000));

    let journal = host.journal("62969002");
    let sale = journal.iter().find(|e| e.kind == TxnKind::Sale).unwrap();
    assert_eq!(sale.masked_pan, "621234******1265");
    assert_eq!(sale.amount, 73_700);
    assert!(journal
        .iter()
        .any(|e| e.response_code == "41" && e.amount == 0));
}

#[test]
fn pin_is_checked_and_tries_are_limited() {
    let (host, _c, mut t) = signed_in();
    let (_, a) = t.sale(cards::DEBIT_IC, 100, Some("999999"));
    assert_eq!(a.code(), "55");
    let (_, a) = t.sale(cards::DEBIT_IC, 100, Some(PIN));
    assert_eq!(a.code(), "00", "a right PIN resets the count");
    for expected in ["55", "55", "75", "75"] {
        let (_, a) = t.sale(cards::DEBIT_IC, 100, Some("000000"));
        assert_eq!(a.code(), expected);
    }
    let (_, a) = t.sale(cards::DEBIT_IC, 100, Some(PIN));
    assert_eq!(a.code(), "75", "locked after the limit");
    assert_eq!(host.card(cards::DEBIT_IC).unwrap().pin_failures, 3);
}

#[test]
fn partial_approval_only_when_supported() {
    let (host, _c, mut t) = signed_in();
    let (_, a) = t.sale(cards::PARTIAL, 15_000, None);
    assert_eq!(a.code(), "10");
    assert_eq!(a.msg.number(4), Some(10_000));
    assert_eq!(balance(&host, cards::PARTIAL), 0);
    let e = host.journal("62969002").pop().unwrap();
    assert_eq!((e.requested_amount, e.amount), (15_000, 10_000));
    // Nothing left: 51. And a terminal without 60.6 = 1 never gets 10.
    let (_, a) = t.sale(cards::PARTIAL, 100, None);
    assert_eq!(a.code(), "51");
}

#[test]
fn partial_approval_needs_the_terminal_flag() {
    let (_host, _c, mut t) = signed_in();
    let mut m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(15_000));
    m.set(60, format!("22{:06}00050", t.batch)).unwrap();
    let m = t.with_card(m, cards::PARTIAL, None);
    assert_eq!(t.send(&m).code(), "51");
}

fn void_of(t: &mut Term, original: &Message, answer: &common::Answer, amount: u64) -> Message {
    let mut v = t.financial(
        "0200",
        "200000",
        "00",
        TransactionType::SaleVoid,
        Some(amount),
    );
    v.set(37, answer.rrn()).unwrap();
    v.set(38, answer.auth()).unwrap();
    let o = OriginalMessage {
        batch: t.batch,
        trace: original.number(11).unwrap() as u32,
        date: None,
        extra: String::new(),
    };
    v.set(61, o.to_digits()).unwrap();
    v
}

#[test]
fn sale_void_rules() {
    let (host, _c, mut t) = signed_in();
    let before = balance(&host, cards::DEBIT_IC);
    let (sale, sa) = t.sale(cards::DEBIT_IC, 5_000, None);
    // Wrong amount: 64.
    let v = void_of(&mut t, &sale, &sa, 4_000);
    assert_eq!(t.send(&v).code(), "64");
    // Wrong RRN: 25.
    let mut v = void_of(&mut t, &sale, &sa, 5_000);
    v.set(37, "000000000000").unwrap();
    assert_eq!(t.send(&v).code(), "25");
    // Unknown trace: 25.
    let mut v = void_of(&mut t, &sale, &sa, 5_000);
    v.set(61, "000001999999").unwrap();
    assert_eq!(t.send(&v).code(), "25");
    // Approved once, then 12.
    let v = void_of(&mut t, &sale, &sa, 5_000);
    let va = t.send(&v);
    assert_eq!(va.code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before);
    let v = void_of(&mut t, &sale, &sa, 5_000);
    assert_eq!(t.send(&v).code(), "12");
    assert!(host
        .journal("62969002")
        .iter()
        .any(|e| e.kind == TxnKind::Sale && e.voided));
    // Another terminal cannot void it (terminal + batch + trace): 25.
    let mut other = Term::tcp(&host, "62969003");
    other.sign_in();
    let (sale2, sa2) = t.sale(cards::DEBIT_IC, 1_000, None);
    other.trace = 100;
    let v = void_of(&mut other, &sale2, &sa2, 1_000);
    assert_eq!(other.send(&v).code(), "25");
}

fn refund_of(t: &mut Term, answer: &common::Answer, date: &str, amount: u64) -> Message {
    let mut r = t.financial(
        "0220",
        "200000",
        "00",
        TransactionType::Refund,
        Some(amount),
    );
    r.set(37, answer.rrn()).unwrap();
    r.set(61, format!("000000000000{date}")).unwrap();
    t.with_card(r, cards::DEBIT_IC, None)
}

#[test]
fn refunds_partial_repeated_and_capped() {
    let (host, clock, mut t) = signed_in();
    let (_, sa) = t.sale(cards::DEBIT_IC, 10_000, None);
    let after_sale = balance(&host, cards::DEBIT_IC);
    clock.advance(Duration::from_secs(3 * 86_400)); // another day, any batch
    let r = refund_of(&mut t, &sa, "1121", 3_000);
    assert_eq!(t.send(&r).code(), "00");
    let r = refund_of(&mut t, &sa, "1121", 7_000);
    assert_eq!(t.send(&r).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), after_sale + 10_000);
    let r = refund_of(&mut t, &sa, "1121", 1);
    assert_eq!(t.send(&r).code(), "61");
    let r = refund_of(&mut t, &sa, "1122", 1);
    assert_eq!(t.send(&r).code(), "25", "wrong original date");
    let mut r = refund_of(&mut t, &sa, "1121", 1);
    r.set(37, "123456789012").unwrap();
    assert_eq!(t.send(&r).code(), "25", "unknown RRN");
    let sale = host
        .journal("62969002")
        .into_iter()
        .find(|e| e.kind == TxnKind::Sale)
        .unwrap();
    assert_eq!(sale.refunded, 10_000);
}

fn preauth_ref(
    t: &mut Term,
    mti: &str,
    pcode: &str,
    txn: TransactionType,
    auth: &str,
    amount: u64,
) -> Message {
    let mut m = t.financial(mti, pcode, "06", txn, Some(amount));
    m.set(38, auth).unwrap();
    m.set(61, "0000000000001121").unwrap();
    t.with_card(m, cards::DEBIT_IC, None)
}

#[test]
fn pre_auth_void_completion_and_completion_void() {
    let (host, _c, mut t) = signed_in();
    let start = balance(&host, cards::DEBIT_IC);
    // PIN required.
    let m = t.financial(
        "0100",
        "030000",
        "06",
        TransactionType::PreAuth,
        Some(10_000),
    );
    let m = t.with_card(m, cards::DEBIT_IC, None);
    assert_eq!(t.send(&m).code(), "55");

    let (_, pa) = t.pre_auth(cards::DEBIT_IC, 10_000);
    assert_eq!(pa.code(), "00");
    let auth = pa.auth();
    let snap = host.card(cards::DEBIT_IC).unwrap();
    assert_eq!(snap.held, 10_000);
    assert_eq!(snap.available, start - 10_000);

    // Void with the wrong amount: 64; with an unknown auth code: 25; then released.
    let v = preauth_ref(
        &mut t,
        "0100",
        "200000",
        TransactionType::PreAuthVoid,
        &auth,
        9_000,
    );
    assert_eq!(t.send(&v).code(), "64");
    let v = preauth_ref(
        &mut t,
        "0100",
        "200000",
        TransactionType::PreAuthVoid,
        "000000",
        10_000,
    );
    assert_eq!(t.send(&v).code(), "25");
    let v = preauth_ref(
        &mut t,
        "0100",
        "200000",
        TransactionType::PreAuthVoid,
        &auth,
        10_000,
    );
    assert_eq!(t.send(&v).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), start);
    let c = preauth_ref(
        &mut t,
        "0200",
        "000000",
        TransactionType::Completion,
        &auth,
        10_000,
    );
    assert_eq!(
        t.send(&c).code(),
        "12",
        "released holds cannot be completed"
    );

    // A new pre-auth: completion above 115% is refused, at 115% charged.
    let (_, pa) = t.pre_auth(cards::DEBIT_IC, 10_000);
    let auth = pa.auth();
    let c = preauth_ref(
        &mut t,
        "0200",
        "000000",
        TransactionType::Completion,
        &auth,
        11_501,
    );
    assert_eq!(t.send(&c).code(), "61");
    let c = preauth_ref(
        &mut t,
        "0200",
        "000000",
        TransactionType::Completion,
        &auth,
        11_500,
    );
    let ca = t.send(&c);
    assert_eq!(ca.code(), "00");
    let snap = host.card(cards::DEBIT_IC).unwrap();
    assert_eq!((snap.held, snap.available), (0, start - 11_500));
    let c2 = preauth_ref(
        &mut t,
        "0200",
        "000000",
        TransactionType::Completion,
        &auth,
        100,
    );
    assert_eq!(t.send(&c2).code(), "12", "completed once only");

    // Completion void restores the hold; it can be completed again (by advice).
    let mut cv = t.financial(
        "0200",
        "200000",
        "06",
        TransactionType::CompletionVoid,
        Some(11_500),
    );
    cv.set(37, ca.rrn()).unwrap();
    cv.set(38, ca.auth()).unwrap();
    cv.set(61, format!("{:06}{:06}", t.batch, c.number(11).unwrap()))
        .unwrap();
    let cv = t.with_card(cv, cards::DEBIT_IC, None);
    assert_eq!(t.send(&cv).code(), "00");
    let snap = host.card(cards::DEBIT_IC).unwrap();
    assert_eq!((snap.held, snap.available), (10_000, start - 10_000));
    assert_eq!(snap.holds.last().unwrap().state, HoldState::Active);
    let adv = preauth_ref(
        &mut t,
        "0220",
        "000000",
        TransactionType::CompletionAdvice,
        &auth,
        9_000,
    );
    assert_eq!(t.send(&adv).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), start - 9_000);
}

#[test]
fn pre_auth_lapses_after_thirty_days() {
    let (host, clock, mut t) = signed_in();
    let start = balance(&host, cards::DEBIT_IC);
    let (_, pa) = t.pre_auth(cards::DEBIT_IC, 10_000);
    assert_eq!(balance(&host, cards::DEBIT_IC), start - 10_000);
    clock.advance(Duration::from_secs(30 * 86_400));
    assert_eq!(
        balance(&host, cards::DEBIT_IC),
        start,
        "released by the clock"
    );
    let c = preauth_ref(
        &mut t,
        "0200",
        "000000",
        TransactionType::Completion,
        &pa.auth(),
        10_000,
    );
    assert_eq!(t.send(&c).code(), "25");
}

#[test]
fn duplicates_and_retransmissions() {
    let (host, _c, mut t) = signed_in();
    let before = balance(&host, cards::DEBIT_IC);
    let (sale, first) = t.sale(cards::DEBIT_IC, 1_000, None);
    // Exact retransmission: the stored answer, no second debit.
    let again = t.send(&sale);
    assert_eq!(again.rrn(), first.rrn());
    assert_eq!(again.code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 1_000);
    // Same trace, different request: 94.
    let mut other = sale.clone();
    other.set_number(4, 2_000, 12).unwrap();
    assert_eq!(t.send(&other).code(), "94");
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 1_000);
}

#[test]
fn reversal_is_idempotent_and_exact() {
    let (host, _c, mut t) = signed_in();
    let before = balance(&host, cards::DEBIT_IC);
    let (sale, _) = t.sale(cards::DEBIT_IC, 2_500, Some(PIN));
    let rev = t.reversal_of(&sale, "98");
    let a = t.send(&rev);
    assert_eq!(a.code(), "00");
    assert_eq!(a.mac_ok, Some(true));
    assert_eq!(balance(&host, cards::DEBIT_IC), before);
    // Twice: still 00, nothing more undone.
    assert_eq!(t.send(&rev).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before);
    let j = host.journal("62969002");
    assert!(j.iter().any(|e| e.kind == TxnKind::Sale && e.reversed));
    // Unknown original: acknowledged.
    let mut ghost = t.financial("0400", "000000", "00", TransactionType::Sale, Some(999));
    ghost = t.with_card(ghost, cards::DEBIT_IC, None);
    ghost.set(39, "98").unwrap();
    assert_eq!(t.send(&ghost).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before);
    // Reversal whose amount does not match the original: acknowledged, nothing undone.
    let (sale2, _) = t.sale(cards::DEBIT_IC, 700, None);
    let mut wrong = t.reversal_of(&sale2, "98");
    wrong.set_number(4, 701, 12).unwrap();
    assert_eq!(t.send(&wrong).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 700);
    // Reversal of a pre-auth releases its hold.
    let (pa, _) = t.pre_auth(cards::DEBIT_IC, 4_000);
    assert_eq!(host.card(cards::DEBIT_IC).unwrap().held, 4_000);
    assert_eq!(t.send(&t.reversal_of(&pa, "98")).code(), "00");
    assert_eq!(host.card(cards::DEBIT_IC).unwrap().held, 0);
    assert_eq!(
        host.card(cards::DEBIT_IC).unwrap().holds[0].state,
        HoldState::Reversed
    );
    // Reversal of a void re-applies the sale.
    let (sale3, sa3) = t.sale(cards::DEBIT_IC, 300, None);
    let v = void_of(&mut t, &sale3, &sa3, 300);
    assert_eq!(t.send(&v).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 700);
    assert_eq!(t.send(&t.reversal_of(&v, "98")).code(), "00");
    assert_eq!(balance(&host, cards::DEBIT_IC), before - 1_000);
    // A reversed sale cannot be voided.
    let v = void_of(&mut t, &sale, &sa3, 2_500);
    assert_eq!(t.send(&v).code(), "25");
}

#[test]
fn ic_answers_carry_issuer_authentication_data() {
    let (_host, _c, mut t) = signed_in();
    let m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(100));
    let mut m = t.with_card(m, cards::DEBIT_IC, None);
    m.set(23, "001").unwrap();
    m.set(
        55,
        hex::decode("9F2608BBFD1BFACF6A64299F2701809F3602000A").unwrap(),
    )
    .unwrap();
    let a = t.send(&m);
    assert_eq!(a.code(), "00");
    let f55 = a.msg.get(55).unwrap();
    assert_eq!(&f55[..2], &[0x91, 0x0A]);
    assert_eq!(&f55[10..], b"00");
}
