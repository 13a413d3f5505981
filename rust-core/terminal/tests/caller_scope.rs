//! Merchant apps' scopes, served by `Terminal::serve`: each app sees and changes only its own
//! transactions, capabilities gate what it may ask, and its order number, remark and print
//! mode reach the journal and the receipt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use unipos_terminal::{
    AppAnswer, AppRequest, Caller, Capability, EngineError, MerchantFields, OutcomeStatus,
    PrintMode, RefundRequest, RuleViolation, SaleRequest, VoidRequest,
};

fn shop() -> Caller {
    Caller::app(
        "com.example.shop",
        [
            Capability::Sale,
            Capability::Qr,
            Capability::Void,
            Capability::Refund,
        ],
    )
}

fn other() -> Caller {
    Caller::app(
        "com.example.other",
        [
            Capability::Sale,
            Capability::Qr,
            Capability::Void,
            Capability::Refund,
        ],
    )
}

fn fields(order: &str, mode: PrintMode) -> MerchantFields {
    MerchantFields {
        order_no: Some(order.into()),
        receipt_remark: Some("table 7, thank you".into()),
        print_mode: mode,
    }
}

fn txn(a: AppAnswer) -> unipos_terminal::Outcome {
    match a {
        AppAnswer::Txn(o) => o,
        other => panic!("not a card outcome: {other:?}"),
    }
}

fn sale_as(
    h: &Harness,
    caller: &Caller,
    id: &str,
    amount: u64,
    f: MerchantFields,
) -> unipos_terminal::Outcome {
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    txn(h
        .terminal
        .serve(
            caller,
            f,
            AppRequest::Sale(SaleRequest {
                request_id: id.into(),
                amount,
            }),
        )
        .unwrap())
}

#[test]
fn an_app_voids_and_refunds_only_its_own_sales() {
    let h = start();
    let mine = sale_as(&h, &shop(), "o-1", 1_000, fields("A-1", PrintMode::Auto));
    assert_eq!(mine.status, OutcomeStatus::Approved);
    // Another app: by trace and by reference, the sale does not exist for it.
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let err = h
        .terminal
        .serve(
            &other(),
            MerchantFields::default(),
            AppRequest::Void(VoidRequest {
                request_id: "v".into(),
                trace: mine.trace,
            }),
        )
        .unwrap_err();
    // Another app's trace is "not found" for it, never "exists but is not yours".
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::OriginalNotFound(_))),
        "{err}"
    );
    let err = h
        .terminal
        .serve(
            &other(),
            MerchantFields::default(),
            AppRequest::Refund(RefundRequest {
                request_id: "r".into(),
                amount: 100,
                rrn: mine.rrn.clone().unwrap(),
                date: mine.date.clone(),
            }),
        )
        .unwrap_err();
    assert!(
        matches!(err, EngineError::Rule(RuleViolation::OriginalNotFound(_))),
        "{err}"
    );
    // The same request id in another scope is another request.
    assert!(h
        .terminal
        .query_in("com.example.other", "o-1")
        .unwrap()
        .is_none());
    // The owner voids it; the sale then reads voided and the void names its original.
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    let void = txn(h
        .terminal
        .serve(
            &shop(),
            MerchantFields::default(),
            AppRequest::Void(VoidRequest {
                request_id: "v-1".into(),
                trace: mine.trace,
            }),
        )
        .unwrap());
    assert_eq!(void.status, OutcomeStatus::Approved, "{void:?}");
    let void = h
        .terminal
        .query_in("com.example.shop", "v-1")
        .unwrap()
        .unwrap();
    assert_eq!(void.original_request_id.as_deref(), Some("o-1"));
    assert_eq!(void.original_trace, Some(mine.trace));
    let sale = h
        .terminal
        .query_in("com.example.shop", "o-1")
        .unwrap()
        .unwrap();
    assert!(sale.voided, "{sale:?}");
    // The cashier (every capability, every scope) still sees the terminal's journal.
    assert!(h.terminal.query_last().unwrap().is_some());
}

#[test]
fn capabilities_gate_requests_before_anything_is_sent() {
    let h = start();
    let sales_only = Caller::app("com.example.kiosk", Capability::DEFAULT);
    let before = h.host_journal().len();
    for (request, capability) in [
        (
            AppRequest::Void(VoidRequest {
                request_id: "v".into(),
                trace: 1,
            }),
            "void",
        ),
        (
            AppRequest::Refund(RefundRequest {
                request_id: "r".into(),
                amount: 1,
                rrn: "123456789012".into(),
                date: "0101".into(),
            }),
            "refund",
        ),
        (AppRequest::Settle, "settlement"),
        (AppRequest::SignIn, "signin"),
    ] {
        let err = h
            .terminal
            .serve(&sales_only, MerchantFields::default(), request)
            .unwrap_err();
        match err {
            EngineError::NotPermitted { capability: c, .. } => assert_eq!(c, capability),
            other => panic!("{other}"),
        }
    }
    assert_eq!(h.host_journal().len(), before, "nothing reached the host");
    // A bad order number is refused naming the field, before anything is sent.
    let err = h
        .terminal
        .serve(
            &sales_only,
            fields("bad\nno", PrintMode::Auto),
            AppRequest::Sale(SaleRequest {
                request_id: "s".into(),
                amount: 5,
            }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("orderNo"), "{err}");
}

#[test]
fn order_number_remark_and_print_mode_reach_the_receipt() {
    let h = start();
    let printed_before = h.holder.printed().len();
    sale_as(
        &h,
        &shop(),
        "p-none",
        300,
        fields("A-NONE", PrintMode::None),
    );
    assert_eq!(
        h.holder.printed().len(),
        printed_before,
        "the merchant app prints itself"
    );
    sale_as(
        &h,
        &shop(),
        "p-cust",
        400,
        fields("A-CUST", PrintMode::Customer),
    );
    let printed = h.holder.printed();
    assert_eq!(printed.len(), printed_before + 1, "customer copy only");
    let slip = printed.last().unwrap().join("\n");
    assert!(slip.contains("CUSTOMER COPY"), "{slip}");
    assert!(slip.contains("A-CUST"), "{slip}");
    assert!(slip.contains("table 7, thank you"), "{slip}");
    // Query by the merchant's own order number, in its scope only.
    let o = h
        .terminal
        .query_by_order_no("com.example.shop", "A-NONE")
        .unwrap()
        .unwrap();
    assert_eq!(o.request_id, "p-none");
    assert_eq!(o.order_no.as_deref(), Some("A-NONE"));
    assert!(h
        .terminal
        .query_by_order_no("com.example.other", "A-NONE")
        .unwrap()
        .is_none());
}

#[test]
fn reprint_without_an_original_is_the_callers_own_last() {
    let h = start();
    sale_as(&h, &shop(), "mine", 111, fields("MINE-1", PrintMode::None));
    sale_as(
        &h,
        &other(),
        "theirs",
        222,
        fields("THEIRS-1", PrintMode::None),
    );
    let lines = match h
        .terminal
        .serve(
            &shop(),
            MerchantFields::default(),
            AppRequest::Reprint {
                trace: None,
                original_request_id: None,
            },
        )
        .unwrap()
    {
        AppAnswer::Reprinted(l) => l.join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(
        lines.contains("MINE-1") && !lines.contains("THEIRS-1"),
        "{lines}"
    );
    let last = h.terminal.query_last_of(&shop()).unwrap().unwrap();
    assert_eq!(last.request_id, "mine");
}
