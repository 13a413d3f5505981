//! The README's main command: `unipos demo` ends with MATCH, exit 0, and nothing it prints,
//! logs or puts on a receipt carries a full card number, track data, PIN or key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn demo_matches_and_leaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("day");
    let out = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(["demo", "--keep"])
        .arg(&keep)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.trim_end().ends_with("MATCH") || stdout.contains("\n    MATCH"),
        "{stdout}"
    );

    let log = std::fs::read_to_string(keep.join("demo.log")).unwrap();
    let receipts = std::fs::read_to_string(keep.join("receipts.txt")).unwrap();
    assert!(!log.is_empty());
    assert!(receipts.contains("UNIONPAY POS SLIP"), "{receipts}");
    assert!(
        receipts.contains("重打印凭证/REPRINT"),
        "the demo reprints a receipt"
    );
    assert!(receipts.contains("SETTLEMENT REPORT"));
    let everything = format!("{stdout}\n{stderr}\n{log}\n{receipts}");
    use unipos_hostsim::{defaults, test_cards as c};
    for pan in [
        c::DEBIT_IC,
        c::CREDIT_MAGSTRIPE,
        c::CONTACTLESS,
        c::PARTIAL,
        c::LOW_BALANCE,
        c::FOREIGN_VISA,
    ] {
        assert!(!everything.contains(pan), "full PAN {pan} leaked");
        assert!(
            !everything.contains(&format!("{pan}D")),
            "track data leaked"
        );
    }
    assert!(!everything.contains(defaults::TMK_HEX), "TMK leaked");
    assert!(
        !everything.to_uppercase().contains(defaults::TMK_HEX),
        "TMK leaked"
    );
    // Receipts show masked card numbers.
    assert!(receipts.contains("621234******1265"), "{receipts}");
    // A second run into the same directory is refused rather than mixing two days.
    let again = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(["demo", "--keep"])
        .arg(&keep)
        .output()
        .unwrap();
    assert!(!again.status.success());
}
