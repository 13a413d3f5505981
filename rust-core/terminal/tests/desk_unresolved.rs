//! What the cashier's desk shows before a new sale (a lost answer's pending reversal, then
//! none once it is reversed), and the QR orders it lists and finds by the receipt's order
//! number, against the host simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod qr_common;

use common::*;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_qr_protocol::Channel;
use unipos_terminal::{
    EngineError, GuardedAction, OutcomeStatus, QrStatus, SaleRequest, FACTORY_SUPERVISOR_PASSWORD,
};

fn operator_signed_in(h: &Harness) {
    let desk = h.terminal.desk();
    desk.change_password("00", FACTORY_SUPERVISOR_PASSWORD, "246802")
        .unwrap();
    let g = desk
        .authorize_supervisor("246802", GuardedAction::OperatorManagement)
        .unwrap();
    desk.add_operator(&g.token, "01", "1111").unwrap();
    desk.sign_in("01", "1111").unwrap();
}

#[test]
fn a_lost_answer_is_listed_until_its_reversal_is_acknowledged() {
    let h = start();
    operator_signed_in(&h);
    let desk = h.terminal.desk();
    assert!(desk.unresolved().unwrap().is_empty());
    let mut rule = FaultRule::posp("0200", FaultAction::NoAnswer);
    rule.count = Some(1);
    h.host.faults().add(rule);
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let e = desk
        .sale(SaleRequest {
            request_id: "lost-1".into(),
            amount: 900,
        })
        .unwrap_err();
    assert!(matches!(e, EngineError::NoAnswer { .. }), "{e}");
    let open = desk.unresolved().unwrap();
    assert_eq!(open.pending_reversals.len(), 1, "{open:?}");
    assert_eq!(open.pending_reversals[0].request_id, "lost-1");
    assert_eq!(
        open.pending_reversals[0].status,
        OutcomeStatus::ReversalPending
    );
    h.terminal.flush_pending().unwrap();
    assert!(desk.unresolved().unwrap().is_empty());
}

#[test]
fn qr_orders_are_listed_newest_first_and_found_by_order_number() {
    let h = qr_common::start();
    operator_signed_in(&h);
    let desk = h.terminal.desk();
    for (i, suffix) in ["00", "03"].iter().enumerate() {
        let code = qr_common::code(Channel::WeChat, suffix);
        let _ = desk.qr_pay(qr_common::pay_request(
            &format!("q{i}"),
            &format!("o{i}"),
            500,
            &code,
        ));
    }
    let list = desk.qr_orders(10).unwrap();
    assert_eq!(
        list.iter()
            .map(|o| o.request_id.as_str())
            .collect::<Vec<_>>(),
        ["q1", "q0"]
    );
    assert_eq!(list[1].status, QrStatus::Paid);
    let found = desk.find_qr_order(&list[1].out_trade_no).unwrap();
    assert_eq!(found.request_id, "q0");
    assert!(desk.find_qr_order("no-such-order").is_err());
    assert!(desk.qr_dynamic_deadline_ms() > 0);
    assert!(desk.unresolved().unwrap().open_qr.is_empty());
}
