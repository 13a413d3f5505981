//! Operators and the supervisor through the cashier's desk, against the host simulator: sign-in
//! before transactions, the operator in field 63 and on receipts, the supervisor's grants for
//! the guarded operations, the lock after wrong passwords (durable, by the injected clock), the
//! factory password changed first, and merchant apps' requests untouched by any of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::time::Duration;
use unipos_terminal::{
    EngineError, GuardedAction, JournalFilter, KindGroup, OperatorError, OriginalKey,
    OutcomeStatus, RefundRequest, SaleRequest, VoidRequest, FACTORY_SUPERVISOR_PASSWORD,
};

const SUPERVISOR_PW: &str = "864209";

fn op_err(e: EngineError) -> OperatorError {
    match e {
        EngineError::Operator(o) => o,
        other => panic!("expected an operator error, got {other}"),
    }
}

/// A terminal whose supervisor has a real password and operator 01 signed in.
fn ready() -> Harness {
    let h = start();
    let desk = h.terminal.desk();
    desk.change_password("00", FACTORY_SUPERVISOR_PASSWORD, SUPERVISOR_PW)
        .unwrap();
    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::OperatorManagement)
        .unwrap();
    desk.add_operator(&g.token, "01", "1111").unwrap();
    desk.add_operator(&g.token, "02", "2222").unwrap();
    desk.sign_in("01", "1111").unwrap();
    h
}

fn sale(h: &Harness, id: &str, amount: u64) -> unipos_terminal::Outcome {
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    h.terminal
        .desk()
        .sale(SaleRequest {
            request_id: id.into(),
            amount,
        })
        .unwrap()
}

#[test]
fn the_factory_supervisor_password_must_be_changed_first() {
    let h = start();
    let desk = h.terminal.desk();
    let ops = desk.operators().unwrap();
    assert_eq!(ops.len(), 1);
    assert!(ops[0].must_change_password && ops[0].number == "00");
    let e = desk
        .authorize_supervisor(FACTORY_SUPERVISOR_PASSWORD, GuardedAction::Void)
        .unwrap_err();
    assert_eq!(
        op_err(e),
        OperatorError::PasswordChangeRequired("00".into())
    );
    // Not to the factory password again, not to something short.
    assert!(desk
        .change_password(
            "00",
            FACTORY_SUPERVISOR_PASSWORD,
            FACTORY_SUPERVISOR_PASSWORD
        )
        .is_err());
    let e = desk
        .change_password("00", FACTORY_SUPERVISOR_PASSWORD, "12")
        .unwrap_err();
    assert!(e.to_string().contains("new password"), "{e}");
    desk.change_password("00", FACTORY_SUPERVISOR_PASSWORD, SUPERVISOR_PW)
        .unwrap();
    assert!(!desk.operators().unwrap()[0].must_change_password);
    desk.authorize_supervisor(SUPERVISOR_PW, GuardedAction::Void)
        .unwrap();
    // The supervisor authorises; operators transact.
    let e = desk.sign_in("00", SUPERVISOR_PW).unwrap_err();
    assert!(e.to_string().contains("does not transact"), "{e}");
}

#[test]
fn transactions_need_a_signed_in_operator_who_goes_into_field_63_and_onto_receipts() {
    let h = ready();
    let desk = h.terminal.desk();
    desk.sign_out_operator().unwrap();
    let e = desk
        .sale(SaleRequest {
            request_id: "nobody".into(),
            amount: 100,
        })
        .unwrap_err();
    assert_eq!(op_err(e), OperatorError::NotSignedIn);
    assert!(h.holder.printed().is_empty(), "nothing was read or printed");

    desk.sign_in("02", "2222").unwrap();
    assert_eq!(desk.current_operator().unwrap().unwrap().number, "02");
    let o = sale(&h, "by-02", 1_200);
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    let entry = h
        .host_journal()
        .into_iter()
        .find(|e| e.trace == o.trace)
        .unwrap();
    assert_eq!(entry.operator.as_deref(), Some("002"), "field 63");
    let slip = h.holder.printed().last().unwrap().join("\n");
    assert!(
        slip.lines()
            .any(|l| l.contains("OPERATOR") && l.trim_end().ends_with("002")),
        "{slip}"
    );

    // A reprint by operator 01 still names operator 02.
    desk.sign_in("01", "1111").unwrap();
    let lines = desk.reprint(Some(o.trace)).unwrap().join("\n");
    assert!(
        lines
            .lines()
            .any(|l| l.contains("OPERATOR") && l.trim_end().ends_with("002")),
        "{lines}"
    );
    let view = desk.find_original(&OriginalKey::Trace(o.trace)).unwrap();
    assert_eq!(view.operator.as_deref(), Some("002"));
}

#[test]
fn a_void_needs_the_supervisors_grant_once_and_for_that_action() {
    let h = ready();
    let desk = h.terminal.desk();
    let o = sale(&h, "to-void", 3_000);
    let void = |id: &str, grant: &str| {
        desk.void(
            VoidRequest {
                request_id: id.into(),
                trace: o.trace,
            },
            grant,
        )
    };
    let e = void("v0", "no-such-grant").unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired { action: "void" }
    ));
    let refund_grant = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Refund)
        .unwrap();
    let e = void("v1", &refund_grant.token).unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired { .. }
    ));

    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Void)
        .unwrap();
    let before = h.available(CREDIT_MAGSTRIPE);
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let v = void("v2", &g.token).unwrap();
    assert_eq!(v.status, OutcomeStatus::Approved, "{v:?}");
    assert_eq!(h.available(CREDIT_MAGSTRIPE), before + 3_000);
    // Used up: the same grant does not void anything else.
    let o2 = sale(&h, "second", 500);
    let e = desk
        .void(
            VoidRequest {
                request_id: "v3".into(),
                trace: o2.trace,
            },
            &g.token,
        )
        .unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired { .. }
    ));

    // A grant expires.
    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Void)
        .unwrap();
    h.clock.advance(Duration::from_millis(2 * 60 * 1000 + 1));
    let e = desk
        .void(
            VoidRequest {
                request_id: "v4".into(),
                trace: o2.trace,
            },
            &g.token,
        )
        .unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired { .. }
    ));
}

#[test]
fn wrong_supervisor_passwords_lock_durably_until_the_clock_says_so() {
    let h = ready();
    let desk = h.terminal.desk();
    for left in [2, 1] {
        let e = desk
            .authorize_supervisor("000000", GuardedAction::Settlement)
            .unwrap_err();
        assert_eq!(
            op_err(e),
            OperatorError::WrongPassword {
                number: "00".into(),
                attempts_left: left
            }
        );
    }
    let e = desk
        .authorize_supervisor("000000", GuardedAction::Settlement)
        .unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::Locked {
            minutes_left: 10,
            ..
        }
    ));
    // The right password is refused while locked, and the lock survives a restart.
    let h = h.restart();
    let desk = h.terminal.desk();
    let e = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Settlement)
        .unwrap_err();
    assert!(matches!(op_err(e), OperatorError::Locked { .. }));
    assert!(desk.operators().unwrap()[0].locked_until.is_some());
    // The operator signed in before the restart still is.
    assert_eq!(desk.current_operator().unwrap().unwrap().number, "01");
    h.clock.advance(Duration::from_secs(10 * 60));
    desk.authorize_supervisor(SUPERVISOR_PW, GuardedAction::Settlement)
        .unwrap();
    // A fresh count after the lock: one wrong password leaves two.
    let e = desk
        .authorize_supervisor("999999", GuardedAction::Settlement)
        .unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::WrongPassword {
            attempts_left: 2,
            ..
        }
    ));
}

#[test]
fn operator_management_and_own_password_changes() {
    let h = ready();
    let desk = h.terminal.desk();
    // Without a management grant nothing changes.
    let e = desk.add_operator("x", "03", "3333").unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired { .. }
    ));
    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::OperatorManagement)
        .unwrap();
    // One management grant serves several changes.
    desk.add_operator(&g.token, "03", "3333").unwrap();
    let e = desk.add_operator(&g.token, "03", "4444").unwrap_err();
    assert!(e.to_string().contains("exists"), "{e}");
    assert!(desk.add_operator(&g.token, "00", "4444").is_err());
    assert!(desk.add_operator(&g.token, "3", "4444").is_err());
    assert!(desk.add_operator(&g.token, "04", "12ab").is_err());
    assert!(desk.delete_operator(&g.token, "00").is_err());
    let e = desk.delete_operator(&g.token, "01").unwrap_err();
    assert!(e.to_string().contains("signed in"), "{e}");
    desk.reset_password(&g.token, "03", "5555").unwrap();
    assert!(desk.sign_in("03", "3333").is_err());
    desk.sign_in("03", "5555").unwrap();
    desk.change_password("03", "5555", "6666").unwrap();
    let e = desk.change_password("03", "5555", "7777").unwrap_err();
    assert!(matches!(op_err(e), OperatorError::WrongPassword { .. }));
    desk.sign_in("01", "1111").unwrap();
    desk.delete_operator(&g.token, "03").unwrap();
    let e = desk.sign_in("03", "6666").unwrap_err();
    assert_eq!(op_err(e), OperatorError::UnknownOperator("03".into()));
    let numbers: Vec<String> = desk
        .operators()
        .unwrap()
        .into_iter()
        .map(|o| o.number)
        .collect();
    assert_eq!(numbers, ["00", "01", "02"]);
}

#[test]
fn merchant_app_requests_need_no_operator_nor_supervisor() {
    let h = ready();
    h.terminal.desk().sign_out_operator().unwrap();
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let o = h
        .terminal
        .sale(SaleRequest {
            request_id: "app-sale".into(),
            amount: 800,
        })
        .unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let r = h
        .terminal
        .refund(RefundRequest {
            request_id: "app-refund".into(),
            amount: 300,
            rrn: o.rrn.clone().unwrap(),
            date: o.date.clone(),
        })
        .unwrap();
    assert_eq!(r.status, OutcomeStatus::Approved, "{r:?}");
    // Nobody signed in: the configured code.
    let entry = h
        .host_journal()
        .into_iter()
        .find(|e| e.trace == o.trace)
        .unwrap();
    assert_eq!(entry.operator.as_deref(), Some("001"));
}

#[test]
fn lookups_and_management_screens() {
    let h = ready();
    let desk = h.terminal.desk();
    let o = sale(&h, "look-1", 4_400);
    let by_rrn = desk
        .find_original(&OriginalKey::Rrn {
            rrn: o.rrn.clone().unwrap(),
            date: o.date.clone(),
        })
        .unwrap();
    assert_eq!(by_rrn.outcome.trace, o.trace);
    assert_eq!(
        by_rrn.outcome.masked_pan.as_deref(),
        Some("621234******1232")
    );
    let e = desk
        .find_original(&OriginalKey::Trace(999_998))
        .unwrap_err();
    assert!(e.to_string().contains("999998"), "{e}");
    let e = desk
        .find_original(&OriginalKey::AuthCode {
            auth_code: "12".into(),
            date: "1121".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("auth code"), "{e}");

    let sales = desk
        .journal(&JournalFilter {
            group: KindGroup::Sales,
            ..JournalFilter::default()
        })
        .unwrap();
    assert!(sales.iter().any(|v| v.outcome.trace == o.trace));
    assert!(desk
        .journal(&JournalFilter {
            group: KindGroup::Refunds,
            ..JournalFilter::default()
        })
        .unwrap()
        .is_empty());
    let one = desk
        .journal(&JournalFilter {
            trace: Some(o.trace),
            ..JournalFilter::default()
        })
        .unwrap();
    assert_eq!(one.len(), 1);

    let keys = desk.key_status().unwrap();
    assert!(keys.work_keys_installed);
    let roles: Vec<&str> = keys.keys.iter().map(|k| k.role.as_str()).collect();
    assert!(roles.contains(&"PIK") && roles.contains(&"MAK"), "{keys:?}");
    assert!(
        keys.keys.iter().all(|k| k.check_value.len() == 8),
        "{keys:?}"
    );

    let params = desk.parameters().unwrap();
    let get = |n: &str| params.iter().find(|p| p.name == n).map(|p| p.value.clone());
    assert_eq!(
        get("terminal_id").as_deref(),
        Some(h.config.terminal_id.as_str())
    );
    assert!(get("response_timeout_ms").is_some());

    let echo = desk.echo_test().unwrap();
    assert_eq!(echo.response_code, "00");
    let printed = desk.printer_test().unwrap();
    assert!(printed.iter().any(|l| l.contains("PRINTER TEST")));
    assert_eq!(h.holder.printed().last().unwrap(), &printed);
}

#[test]
fn sign_out_needs_a_new_sign_in_before_the_next_sale() {
    let h = ready();
    let desk = h.terminal.desk();
    desk.sign_out_terminal().unwrap();
    assert!(!h.terminal.is_ready());
    let e = desk
        .sale(SaleRequest {
            request_id: "after-sign-out".into(),
            amount: 100,
        })
        .unwrap_err();
    assert!(matches!(e, EngineError::NotReady(_)), "{e}");
    h.terminal.startup().unwrap();
    let o = sale(&h, "after-sign-in", 100);
    assert_eq!(o.status, OutcomeStatus::Approved, "{o:?}");
}

#[test]
fn settlement_and_a_refund_through_the_desk_need_their_grants() {
    let h = ready();
    let desk = h.terminal.desk();
    let o = sale(&h, "to-refund", 2_000);
    let e = desk.settle("nothing").unwrap_err();
    assert!(matches!(
        op_err(e),
        OperatorError::SupervisorRequired {
            action: "settlement"
        }
    ));
    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Refund)
        .unwrap();
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let r = desk
        .refund(
            RefundRequest {
                request_id: "desk-refund".into(),
                amount: 700,
                rrn: o.rrn.clone().unwrap(),
                date: o.date.clone(),
            },
            &g.token,
        )
        .unwrap();
    assert_eq!(r.status, OutcomeStatus::Approved, "{r:?}");
    let g = desk
        .authorize_supervisor(SUPERVISOR_PW, GuardedAction::Settlement)
        .unwrap();
    let report = desk.settle(&g.token).unwrap();
    assert!(report.balanced, "{report:?}");
}
