//! Every fault type of the host simulator × every card transaction type, with the expected
//! outcome asserted: approved, declined, or unknown → reversed (and the card's funds back
//! where they were), and for an advice: queued, then delivered once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_terminal::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EngineError, Outcome, OutcomeStatus,
    PreAuthRequest, PreAuthVoidRequest, RefundRequest, SaleRequest, VoidRequest,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Balance,
    Sale,
    Void,
    Refund,
    PreAuth,
    PreAuthVoid,
    Completion,
    CompletionAdvice,
    CompletionVoid,
}

const KINDS: [Kind; 9] = [
    Kind::Balance,
    Kind::Sale,
    Kind::Void,
    Kind::Refund,
    Kind::PreAuth,
    Kind::PreAuthVoid,
    Kind::Completion,
    Kind::CompletionAdvice,
    Kind::CompletionVoid,
];

fn wire(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Balance => ("0200", "310000"),
        Kind::Sale | Kind::Completion => ("0200", "000000"),
        Kind::Void | Kind::CompletionVoid => ("0200", "200000"),
        Kind::Refund => ("0220", "200000"),
        Kind::PreAuth => ("0100", "030000"),
        Kind::PreAuthVoid => ("0100", "200000"),
        Kind::CompletionAdvice => ("0220", "000000"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Approved,
    Declined,
    /// No valid answer: the request is reversed (a balance inquiry is simply not done).
    Unknown,
}

fn expected(action: &FaultAction) -> Expect {
    match action {
        FaultAction::Delay { .. } | FaultAction::Duplicate | FaultAction::LoseRecord => {
            Expect::Approved
        }
        FaultAction::RespondWith { .. } => Expect::Declined,
        _ => Expect::Unknown,
    }
}

fn id(h: &Harness, tag: &str) -> String {
    format!("{tag}-{}", h.terminal.journal_entries(1000).unwrap().len())
}

/// Prepares the originals a kind needs (without faults) and returns the target request.
fn run(h: &Harness, kind: Kind) -> Result<Outcome, EngineError> {
    let t = &h.terminal;
    let sale = |h: &Harness| {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        t.sale(SaleRequest {
            request_id: id(h, "setup-sale"),
            amount: 1_000,
        })
        .unwrap()
    };
    let preauth = |h: &Harness| {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        t.preauth(PreAuthRequest {
            request_id: id(h, "setup-pa"),
            amount: 2_000,
        })
        .unwrap()
    };
    let target = |h: &Harness| id(h, "target");
    match kind {
        Kind::Balance => {
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.balance_inquiry(BalanceRequest {
                request_id: target(h),
            })
        }
        Kind::Sale => {
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.sale(SaleRequest {
                request_id: target(h),
                amount: 700,
            })
        }
        Kind::Void => {
            let s = sale(h);
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.void(VoidRequest {
                request_id: target(h),
                trace: s.trace,
            })
        }
        Kind::Refund => {
            let s = sale(h);
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.refund(RefundRequest {
                request_id: target(h),
                amount: 400,
                rrn: s.rrn.unwrap(),
                date: s.date,
            })
        }
        Kind::PreAuth => {
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.preauth(PreAuthRequest {
                request_id: target(h),
                amount: 900,
            })
        }
        Kind::PreAuthVoid => {
            let p = preauth(h);
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.preauth_void(PreAuthVoidRequest {
                request_id: target(h),
                auth_code: p.auth_code.unwrap(),
                date: p.date,
            })
        }
        Kind::Completion | Kind::CompletionAdvice => {
            let p = preauth(h);
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.completion(CompletionRequest {
                request_id: target(h),
                amount: 2_100,
                auth_code: p.auth_code.unwrap(),
                date: p.date,
                advice: kind == Kind::CompletionAdvice,
            })
        }
        Kind::CompletionVoid => {
            let p = preauth(h);
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            let c = t
                .completion(CompletionRequest {
                    request_id: id(h, "setup-c"),
                    amount: 2_000,
                    auth_code: p.auth_code.unwrap(),
                    date: p.date,
                    advice: false,
                })
                .unwrap();
            h.holder.present(mag(CREDIT_MAGSTRIPE));
            arm(h, kind);
            t.completion_void(CompletionVoidRequest {
                request_id: target(h),
                trace: c.trace,
            })
        }
    }
}

thread_local! {
    static ACTION: std::cell::RefCell<Option<FaultAction>> = const { std::cell::RefCell::new(None) };
}

/// Adds the fault of the current case, matching only the target's MTI and processing code.
fn arm(h: &Harness, kind: Kind) {
    let (mti, code) = wire(kind);
    let action = ACTION.with(|a| a.borrow().clone()).unwrap();
    let mut rule = FaultRule::posp(mti, action);
    rule.processing_code = Some(code.into());
    rule.count = Some(1);
    h.host.faults().add(rule);
}

#[test]
fn every_fault_times_every_transaction() {
    let actions = vec![
        FaultAction::DropRequest,
        FaultAction::NoAnswer,
        FaultAction::Delay { ms: 50 },
        FaultAction::CloseConnection,
        FaultAction::Garble,
        FaultAction::BadMac,
        FaultAction::RespondWith { code: "96".into() },
        FaultAction::Duplicate,
        FaultAction::StaleTrace,
        FaultAction::LoseRecord,
        FaultAction::HttpStatus { status: 503 },
    ];
    let mut cases = 0;
    for action in actions {
        let h = start();
        ACTION.with(|a| *a.borrow_mut() = Some(action.clone()));
        for kind in KINDS {
            let before = h.available(CREDIT_MAGSTRIPE);
            let result = run(&h, kind);
            let expect = expected(&action);
            let label = format!("{action:?} × {kind:?}");
            match (kind, expect) {
                // An advice is approved locally and stored: lost answers only delay it.
                (Kind::CompletionAdvice, Expect::Unknown | Expect::Approved) => {
                    let o = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert!(o.status.is_approved(), "{label}: {o:?}");
                    h.terminal.flush_pending().unwrap();
                    let o = h.terminal.query(&o.request_id).unwrap().unwrap();
                    assert_eq!(o.status, OutcomeStatus::Approved, "{label}");
                }
                (_, Expect::Approved) => {
                    let o = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert!(o.status.is_approved(), "{label}: {o:?}");
                }
                (_, Expect::Declined) => {
                    let o = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert_eq!(o.status, OutcomeStatus::Declined, "{label}");
                    assert_eq!(o.response_code.as_deref(), Some("96"), "{label}");
                }
                (_, Expect::Unknown) => {
                    let err = result
                        .err()
                        .unwrap_or_else(|| panic!("{label}: expected no answer"));
                    assert!(
                        matches!(err, EngineError::NoAnswer { .. }),
                        "{label}: {err}"
                    );
                    h.terminal.flush_pending().unwrap();
                    let o = h.terminal.query_last().unwrap().unwrap();
                    let want = if kind == Kind::Balance {
                        OutcomeStatus::NotSent
                    } else {
                        OutcomeStatus::Reversed
                    };
                    assert_eq!(o.status, want, "{label}");
                }
            }
            if expect != Expect::Approved && kind != Kind::CompletionAdvice {
                // The target moved no money (setup transactions are excluded: measured after them).
                let after = h.available(CREDIT_MAGSTRIPE);
                let setup_effect = matches!(
                    kind,
                    Kind::Void
                        | Kind::Refund
                        | Kind::PreAuthVoid
                        | Kind::Completion
                        | Kind::CompletionVoid
                );
                if !setup_effect {
                    assert_eq!(after, before, "{label}: funds moved");
                }
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 11 * 9);
}
