//! The QR cashier commands against a separate `unipos host run` over HTTPS: pay by the
//! customer's code, show a dynamic code (PNG written, paid by the simulated customer), query,
//! a partial refund and a void with the supervisor's password; wrong input refused before
//! anything is opened or sent, naming the field; sign-out, echo, keys and params.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;
use std::process::{Command, Stdio};

const SUP: &str = "UNIPOS_SUPERVISOR_PASSWORD";

fn unipos(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(args)
        .env_remove("UNIPOS_PASSWORD")
        .env_remove(SUP)
        .env_remove("UNIPOS_NEW_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn qr_commands_against_a_running_host() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("host.json");
    // The simulated customer pays a shown code after one second.
    std::fs::write(&config, r#"{"qr":{"dynamic":{"auto_pay_after_secs":1}}}"#).unwrap();
    let ca = dir.path().join("ca.pem");
    let host = Host::start(&[
        "--https",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
        "--ca-out",
        ca.to_str().unwrap(),
    ]);
    let (posp, https) = (host.posp.clone(), host.https.clone().unwrap());
    let db = dir.path().join("pos.db");
    let db = db.to_str().unwrap();
    let ca = ca.to_str().unwrap();

    let (ok, out) = unipos(
        &[
            "--db", db, "startup", "--posp", &posp, "--https", &https, "--ca", ca,
        ],
        &[],
    );
    assert!(ok, "{out}");
    let (ok, out) = unipos(
        &["--db", db, "operator", "passwd", "00"],
        &[
            ("UNIPOS_PASSWORD", "123456"),
            ("UNIPOS_NEW_PASSWORD", "864209"),
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = unipos(
        &["--db", db, "operator", "add", "05"],
        &[(SUP, "864209"), ("UNIPOS_NEW_PASSWORD", "5555")],
    );
    assert!(ok, "{out}");
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "pay",
            "8.00",
            "--code",
            "134567890123456789",
        ],
        &[],
    );
    assert!(!ok && out.contains("no operator is signed in"), "{out}");
    let (ok, out) = unipos(
        &["--db", db, "operator", "sign-in", "05"],
        &[("UNIPOS_PASSWORD", "5555")],
    );
    assert!(ok, "{out}");

    // Wrong input: refused naming the field, before the terminal is opened.
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "pay",
            "8.001",
            "--code",
            "134567890123456789",
        ],
        &[],
    );
    assert!(!ok && out.contains("not an amount"), "{out}");
    let (ok, out) = unipos(&["--db", db, "qr", "pay", "8.00", "--code", "12ab"], &[]);
    assert!(!ok && out.contains("code"), "{out}");
    let (ok, out) = unipos(
        &["--db", db, "qr", "refund", "1.00", "--original", ""],
        &[(SUP, "864209")],
    );
    assert!(!ok && out.contains("original"), "{out}");

    // Pay by the customer's code (WeChat), masked code only.
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "pay",
            "8.00",
            "--code",
            "134567890123456789",
            "--request-id",
            "qr-pay-1",
        ],
        &[],
    );
    assert!(ok && out.contains("Paid") && out.contains("微信"), "{out}");
    assert!(
        !out.contains("134567890123456789"),
        "full payment code printed: {out}"
    );
    assert!(
        out.contains("OPERATOR") && out.contains("005"),
        "receipt: {out}"
    );

    // Show a dynamic code: the PNG is written, the customer pays, the wait ends paid.
    let png = dir.path().join("code.png");
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "show",
            "6.00",
            "--request-id",
            "qr-show-1",
            "--png",
            png.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        ok && out.contains("show this code") && out.contains("Paid"),
        "{out}"
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");

    // 扫码订单查询.
    let (ok, out) = unipos(&["--db", db, "qr", "query", "qr-show-1"], &[]);
    assert!(
        ok && out.contains("Paid") && out.contains("qr-show-1"),
        "{out}"
    );
    let (ok, out) = unipos(&["--db", db, "qr", "query", "nothing-here"], &[]);
    assert!(!ok && out.contains("no QR attempt"), "{out}");
    // ... and by the order number printed on the receipt (订单号), as a cashier has it.
    let order = out_order(&out_of_query(db, "qr-show-1"));
    let (ok, out) = unipos(&["--db", db, "qr", "query", &order], &[]);
    assert!(ok && out.contains("qr-show-1"), "{out}");

    // 扫码退款 with the supervisor's password: wrong, then right; then more than is left.
    let refund = [
        "--db",
        db,
        "qr",
        "refund",
        "3.00",
        "--original",
        "qr-pay-1",
        "--request-id",
        "qr-ref-1",
    ];
    let (ok, out) = unipos(&refund, &[]);
    assert!(!ok && out.contains("supervisor password"), "{out}");
    let (ok, out) = unipos(&refund, &[(SUP, "111111")]);
    assert!(!ok && out.contains("wrong password"), "{out}");
    let (ok, out) = unipos(&refund, &[(SUP, "864209")]);
    assert!(
        ok && out.contains("Refunded") && out.contains("3.00"),
        "{out}"
    );
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "refund",
            "6.00",
            "--original",
            "qr-pay-1",
            "--request-id",
            "qr-ref-2",
        ],
        &[(SUP, "864209")],
    );
    assert!(!ok, "more than is left is refused: {out}");
    // A same-day void of the dynamic payment.
    let (ok, out) = unipos(
        &[
            "--db",
            db,
            "qr",
            "void",
            "--original",
            &order,
            "--request-id",
            "qr-void-1",
        ],
        &[(SUP, "864209")],
    );
    assert!(
        ok && out.contains("qr_void") && out.contains("Refunded"),
        "{out}"
    );

    // Management commands.
    let (ok, out) = unipos(&["--db", db, "echo"], &[]);
    assert!(ok && out.contains("echo answered 00"), "{out}");
    let (ok, out) = unipos(&["--db", db, "keys"], &[]);
    assert!(
        ok && out.contains("PIK check value") && out.contains("MAK check value"),
        "{out}"
    );
    let (ok, out) = unipos(&["--db", db, "params"], &[]);
    assert!(
        ok && out.contains("terminal_id") && out.contains("qr_gateway"),
        "{out}"
    );
    let (ok, out) = unipos(&["--db", db, "sign-out"], &[]);
    assert!(ok && out.contains("signed out"), "{out}");

    drop(host);
}

fn out_of_query(db: &str, id: &str) -> String {
    let (ok, out) = unipos(&["--db", db, "qr", "query", id], &[]);
    assert!(ok, "{out}");
    out
}

/// The order number in a QR line (`... | order 6296... | ...`).
fn out_order(out: &str) -> String {
    out.split(" order ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no order number in {out}"))
        .to_owned()
}
