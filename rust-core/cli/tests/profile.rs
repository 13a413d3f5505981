//! The acquirer profile is data: one JSON file read by the terminal (`--profile`) and by the
//! host simulator alike; a bad file is refused, naming the field, before anything is created.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn unipos() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unipos"))
}

/// An acquirer unlike the default on every axis the two ends must agree on: X9.19 MACs, the
/// TDK key mode, another TPDU. The demo's day only reconciles if both ends read it.
#[test]
fn demo_with_a_non_default_profile_still_matches() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("acquirer.json");
    std::fs::write(
        &profile,
        r#"{"name": "x919-bank", "mac": "x9.19", "key_mode": "004", "tpdu": "6000250000"}"#,
    )
    .unwrap();
    let out = unipos()
        .args(["demo", "--quiet-receipts", "--profile"])
        .arg(&profile)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("MATCH"), "{stdout}");
}

#[test]
fn a_bad_profile_names_the_field_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("bad.json");
    std::fs::write(&profile, r#"{"timeouts": {"response_ms": 0}}"#).unwrap();
    let keep = dir.path().join("day");
    let out = unipos()
        .args(["demo", "--profile"])
        .arg(&profile)
        .arg("--keep")
        .arg(&keep)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("timeouts.response_ms"), "{stderr}");
    assert!(!keep.exists(), "nothing is created for a refused profile");

    let db = dir.path().join("pos.db");
    std::fs::write(&profile, r#"{"mac": "cup-ecb", "tdpu": "6000030000"}"#).unwrap();
    let out = unipos()
        .arg("--db")
        .arg(&db)
        .args(["startup", "--posp", "127.0.0.1:9", "--profile"])
        .arg(&profile)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown field `tdpu`"), "{stderr}");
    assert!(
        !stderr.contains("reach"),
        "a local mistake is not a network error: {stderr}"
    );

    let out = unipos()
        .args(["host", "run", "--profile"])
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
}
