//! Every card transaction against the host simulator over loopback, with the host ledger
//! checked after each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_terminal::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EngineError, OutcomeStatus,
    PreAuthRequest, PreAuthVoidRequest, RefundRequest, RuleViolation, SaleRequest, VoidRequest,
};

fn sale(
    h: &Harness,
    id: &str,
    amount: u64,
    card: unipos_terminal::hardware::sim::SimCard,
) -> unipos_terminal::Outcome {
    h.holder.present(card);
    h.terminal
        .sale(SaleRequest {
            request_id: id.into(),
            amount,
        })
        .unwrap()
}

#[test]
fn startup_downloads_and_refuses_before() {
    let h = start();
    assert!(h.terminal.is_ready());
    // A fresh terminal refuses transactions before startup.
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = open_terminal(h.config.clone(), dir.path(), &h.clock, &h.holder);
    let err = t
        .sale(SaleRequest {
            request_id: "x".into(),
            amount: 1,
        })
        .unwrap_err();
    assert!(matches!(err, EngineError::NotReady(_)), "{err}");
    let report = t.startup().unwrap();
    assert!(report.ca_keys > 0 && report.aids > 0, "{report:?}");
}

#[test]
fn magstripe_and_chip_sales_debit_the_card() {
    let h = start();
    let before = h.available(CREDIT_MAGSTRIPE);
    let o = sale(&h, "s1", 12_345, mag(CREDIT_MAGSTRIPE));
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    assert_eq!(o.approved_amount, 12_345);
    assert!(o.rrn.is_some() && o.auth_code.is_some());
    assert_eq!(o.masked_pan.as_deref(), Some("621234******1232"));
    assert_eq!(h.available(CREDIT_MAGSTRIPE), before - 12_345);

    let before = h.available(DEBIT_IC);
    let o = sale(&h, "s2", 500, chip(DEBIT_IC));
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    assert_eq!(h.available(DEBIT_IC), before - 500);
    // Receipts: merchant and customer copies for each approval.
    assert_eq!(h.holder.printed().len(), 4);
    // Same request id again: the stored outcome, no second charge.
    let again = h
        .terminal
        .sale(SaleRequest {
            request_id: "s2".into(),
            amount: 500,
        })
        .unwrap();
    assert_eq!(again.trace, o.trace);
    assert_eq!(h.available(DEBIT_IC), before - 500);
    assert_eq!(h.terminal.query("s2").unwrap().unwrap().trace, o.trace);
    assert_eq!(h.terminal.query_last().unwrap().unwrap().request_id, "s2");
}

#[test]
fn balance_inquiry_returns_field_54() {
    let h = start();
    h.holder.present(mag(DEBIT_IC));
    let o = h
        .terminal
        .balance_inquiry(BalanceRequest {
            request_id: "b".into(),
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);
    assert_eq!(o.balance, Some(h.available(DEBIT_IC) as i64));
}

#[test]
fn declines_are_outcomes() {
    let h = start();
    let o = sale(&h, "low", 100_000_000, mag(LOW_BALANCE));
    assert_eq!(o.status, OutcomeStatus::Declined);
    assert_eq!(o.response_code.as_deref(), Some("51"));
    let o = sale(&h, "lost", 100, mag(LOST));
    assert_eq!(o.status, OutcomeStatus::Declined);
    assert_eq!(o.response_code.as_deref(), Some("41"));
    let mut wrong_pin = mag(DEBIT_IC);
    wrong_pin.pin = Some("000000".into());
    let o = sale(&h, "pin", 100, wrong_pin);
    assert_eq!(o.response_code.as_deref(), Some("55"));
}

#[test]
fn partial_approval_journals_the_approved_amount() {
    let h = start();
    let available = h.available(PARTIAL);
    let o = sale(&h, "p", available + 5_000, mag(PARTIAL));
    assert_eq!(o.status, OutcomeStatus::PartiallyApproved, "{o:?}");
    assert_eq!(o.approved_amount, available);
    assert_eq!(o.remaining_amount, 5_000);
    assert_eq!(h.available(PARTIAL), 0);
}

#[test]
fn void_rules_and_effect() {
    let h = start();
    let before = h.available(CREDIT_MAGSTRIPE);
    let s = sale(&h, "s", 2_000, mag(CREDIT_MAGSTRIPE));
    // Another card cannot void it.
    h.holder.present(mag(DEBIT_IC));
    let err = h
        .terminal
        .void(VoidRequest {
            request_id: "v0".into(),
            trace: s.trace,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::CardMismatch)),
        "{err}"
    );
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let v = h
        .terminal
        .void(VoidRequest {
            request_id: "v1".into(),
            trace: s.trace,
        })
        .unwrap();
    assert_eq!(v.status, OutcomeStatus::Approved, "{v:?}");
    assert_eq!(v.amount, 2_000);
    assert_eq!(h.available(CREDIT_MAGSTRIPE), before);
    let err = h
        .terminal
        .void(VoidRequest {
            request_id: "v2".into(),
            trace: s.trace,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::AlreadyVoided)),
        "{err}"
    );
    let err = h
        .terminal
        .void(VoidRequest {
            request_id: "v3".into(),
            trace: 999_999,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::OriginalNotInBatch(_))),
        "{err}"
    );
}

#[test]
fn refunds_are_partial_repeated_and_capped() {
    let h = start();
    let before = h.available(CREDIT_MAGSTRIPE);
    let s = sale(&h, "s", 10_000, mag(CREDIT_MAGSTRIPE));
    let rrn = s.rrn.clone().unwrap();
    for (i, amount) in [3_000u64, 7_000].iter().enumerate() {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        let r = h
            .terminal
            .refund(RefundRequest {
                request_id: format!("r{i}"),
                amount: *amount,
                rrn: rrn.clone(),
                date: s.date.clone(),
            })
            .unwrap();
        assert_eq!(r.status, OutcomeStatus::Approved, "{r:?}");
    }
    assert_eq!(h.available(CREDIT_MAGSTRIPE), before);
    let err = h
        .terminal
        .refund(RefundRequest {
            request_id: "r9".into(),
            amount: 1,
            rrn,
            date: s.date.clone(),
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Rule(RuleViolation::RefundExceedsOriginal { remaining: 0, .. })
        ),
        "{err}"
    );
    let err = h
        .terminal
        .refund(RefundRequest {
            request_id: "r10".into(),
            amount: 1,
            rrn: "000000000000".into(),
            date: s.date,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::OriginalNotFound(_))),
        "{err}"
    );
}

#[test]
fn preauth_family() {
    let h = start();
    let before = h.available(DEBIT_IC);
    h.holder.present(chip(DEBIT_IC));
    let p = h
        .terminal
        .preauth(PreAuthRequest {
            request_id: "p".into(),
            amount: 10_000,
        })
        .unwrap();
    assert_eq!(p.status, OutcomeStatus::Approved, "{p:?}");
    assert_eq!(
        h.available(DEBIT_IC),
        before - 10_000,
        "the hold reduces available funds"
    );
    let auth = p.auth_code.clone().unwrap();

    // Over 115%: refused locally.
    let err = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c0".into(),
            amount: 11_501,
            auth_code: auth.clone(),
            date: p.date.clone(),
            advice: false,
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Rule(RuleViolation::CompletionOverLimit { limit: 11_500, .. })
        ),
        "{err}"
    );

    h.holder.present(chip(DEBIT_IC));
    let c = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c1".into(),
            amount: 11_500,
            auth_code: auth.clone(),
            date: p.date.clone(),
            advice: false,
        })
        .unwrap();
    assert_eq!(c.status, OutcomeStatus::Approved, "{c:?}");
    assert_eq!(h.available(DEBIT_IC), before - 11_500);

    // Completed: cannot complete again.
    let err = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c2".into(),
            amount: 100,
            auth_code: auth.clone(),
            date: p.date.clone(),
            advice: false,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::AlreadyCompleted)),
        "{err}"
    );

    // Completion void restores the pre-auth, which can be completed again.
    h.holder.present(chip(DEBIT_IC));
    let cv = h
        .terminal
        .completion_void(CompletionVoidRequest {
            request_id: "cv".into(),
            trace: c.trace,
        })
        .unwrap();
    assert_eq!(cv.status, OutcomeStatus::Approved, "{cv:?}");
    assert_eq!(h.available(DEBIT_IC), before - 10_000, "hold restored");
    h.holder.present(chip(DEBIT_IC));
    let c3 = h
        .terminal
        .completion(CompletionRequest {
            request_id: "c3".into(),
            amount: 9_000,
            auth_code: auth.clone(),
            date: p.date.clone(),
            advice: true,
        })
        .unwrap();
    assert_eq!(c3.status, OutcomeStatus::Approved, "{c3:?}");
    assert_eq!(h.available(DEBIT_IC), before - 9_000);

    // A second pre-auth, voided.
    h.holder.present(chip(DEBIT_IC));
    let p2 = h
        .terminal
        .preauth(PreAuthRequest {
            request_id: "p2".into(),
            amount: 2_000,
        })
        .unwrap();
    h.holder.present(chip(DEBIT_IC));
    let pv = h
        .terminal
        .preauth_void(PreAuthVoidRequest {
            request_id: "pv".into(),
            auth_code: p2.auth_code.unwrap(),
            date: p2.date,
        })
        .unwrap();
    assert_eq!(pv.status, OutcomeStatus::Approved, "{pv:?}");
    assert_eq!(h.available(DEBIT_IC), before - 9_000);
}

#[test]
fn preauth_needs_a_pin() {
    let h = start();
    let mut card = mag(DEBIT_IC);
    card.pin = None;
    h.holder.present(card);
    let err = h
        .terminal
        .preauth(PreAuthRequest {
            request_id: "p".into(),
            amount: 100,
        })
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::PinRequired)),
        "{err}"
    );
    assert!(h.host_journal().is_empty(), "nothing was sent");
}

#[test]
fn invalid_requests_are_refused_before_anything_is_sent() {
    let h = start();
    for (id, amount) in [("", 1u64), ("z", 0), ("y", 1_000_000_000_000)] {
        let err = h
            .terminal
            .sale(SaleRequest {
                request_id: id.into(),
                amount,
            })
            .unwrap_err();
        assert!(matches!(err, EngineError::InvalidRequest(_)), "{err}");
    }
    let err = h
        .terminal
        .refund(RefundRequest {
            request_id: "r".into(),
            amount: 1,
            rrn: "x".into(),
            date: "1341".into(),
        })
        .unwrap_err();
    assert!(matches!(err, EngineError::InvalidRequest(_)), "{err}");
    assert!(h.host_journal().is_empty());
}

#[test]
fn cancel_during_card_wait() {
    let h = start();
    let t = std::sync::Arc::new(h.terminal);
    let t2 = t.clone();
    let waiter = std::thread::spawn(move || {
        t2.sale(SaleRequest {
            request_id: "c".into(),
            amount: 100,
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(100));
    t.cancel_wait();
    let err = waiter.join().unwrap().unwrap_err();
    assert!(matches!(err, EngineError::Cancelled), "{err}");
}

#[test]
fn posp_over_https_with_the_pinned_ca() {
    let clock = clock();
    let host = host(&clock);
    let mut config = terminal_config(&host);
    config.posp = unipos_terminal::HostAddress::Https {
        addresses: vec![host.https_addr().unwrap().to_string()],
        server_name: "localhost".into(),
        ca_pem: host.ca_pem().to_owned(),
    };
    let dir = tempfile::tempdir().unwrap();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let (t, _) = open_terminal(config.clone(), dir.path(), &clock, &holder);
    t.startup().unwrap();
    holder.present(mag(CREDIT_MAGSTRIPE));
    let o = t
        .sale(SaleRequest {
            request_id: "https".into(),
            amount: 100,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved);

    // Another CA: the handshake fails before any byte of a request, so nothing to reverse.
    let other = unipos_hostsim::tls::TestCa::generate(&["localhost"]).unwrap();
    config.posp = unipos_terminal::HostAddress::Https {
        addresses: vec![host.https_addr().unwrap().to_string()],
        server_name: "localhost".into(),
        ca_pem: other.ca_pem().to_owned(),
    };
    let dir2 = tempfile::tempdir().unwrap();
    let (t2, _) = open_terminal(config, dir2.path(), &clock, &holder);
    let err = t2.startup().unwrap_err();
    assert!(matches!(err, EngineError::HostUnreachable(_)), "{err}");
}
