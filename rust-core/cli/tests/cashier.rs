//! Cashier commands on a persistent terminal database against a separate `unipos host run`
//! process: startup, the supervisor's first password change, an operator added and signed
//! in, a sale typed in yuan, last, journal, a void with the supervisor's password (wrong, then
//! right), settle with the password on standard input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;
use std::process::{Command, Stdio};

fn unipos(args: &[&str]) -> (bool, String) {
    unipos_with(args, &[], "")
}

/// `unipos` with environment variables and standard input (the password channels).
fn unipos_with(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(args)
        .env_remove("UNIPOS_PASSWORD")
        .env_remove("UNIPOS_SUPERVISOR_PASSWORD")
        .env_remove("UNIPOS_NEW_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const SUP: &str = "UNIPOS_SUPERVISOR_PASSWORD";
const PW: &str = "UNIPOS_PASSWORD";
const NEW: &str = "UNIPOS_NEW_PASSWORD";

/// Startup, the supervisor's own password, operator 01 added and signed in.
fn ready_terminal(db: &str, posp: &str) {
    let (ok, out) = unipos(&["--db", db, "startup", "--posp", posp]);
    assert!(ok, "{out}");
    let step = |args: &[&str], env: &[(&str, &str)]| {
        let args: Vec<&str> = ["--db", db].iter().chain(args).copied().collect();
        let (ok, out) = unipos_with(&args, env, "");
        assert!(ok, "{args:?}: {out}");
    };
    step(
        &["operator", "passwd", "00"],
        &[(PW, "123456"), (NEW, "864209")],
    );
    step(
        &["operator", "add", "01"],
        &[(SUP, "864209"), (NEW, "1111")],
    );
    step(&["operator", "sign-in", "01"], &[(PW, "1111")]);
}

#[test]
fn cashier_day_against_a_running_host() {
    let host = Host::start(&["--seed", "3"]);
    let posp = host.posp.clone();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pos.db");
    let db = db.to_str().unwrap();

    let (ok, out) = unipos(&["--db", db, "sale", "1.00"]);
    assert!(
        !ok && out.contains("startup"),
        "a sale before startup is refused: {out}"
    );
    let (ok, out) = unipos(&["--db", db, "startup", "--posp", &posp]);
    assert!(ok, "{out}");
    assert!(out.contains("ready: batch"), "{out}");
    // The TMK was given once (the default test TMK) and lives only in the encrypted module file.
    let tmk = "70F2A84CCBC2AE8625CBB0F2C22AB923";
    let json = std::fs::read_to_string(format!("{db}.json")).unwrap();
    assert!(!json.contains("tmk"), "{json}");
    assert!(std::path::Path::new(&format!("{db}.secmod")).exists());
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_uppercase();
        assert!(!text.contains(tmk), "TMK in clear in {path:?}");
    }
    // Operators: nobody signed in yet; the supervisor's factory password must change first.
    let (ok, out) = unipos(&["--db", db, "sale", "1.00"]);
    assert!(!ok && out.contains("no operator is signed in"), "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "add", "01"],
        &[(SUP, "123456"), (NEW, "1111")],
        "",
    );
    assert!(!ok && out.contains("must be changed"), "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "passwd", "00"],
        &[(PW, "123456"), (NEW, "12")],
        "",
    );
    assert!(
        !ok && out.contains("UNIPOS_NEW_PASSWORD: must be 6 to 12 digits"),
        "{out}"
    );
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "passwd", "00"],
        &[(PW, "123456"), (NEW, "864209")],
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "add", "1"],
        &[(SUP, "864209"), (NEW, "1111")],
        "",
    );
    assert!(!ok && out.contains("NUMBER: must be two digits"), "{out}");
    // Passwords from standard input, one per line, when the variables are not set.
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "add", "01"],
        &[],
        "864209\n1111\n",
    );
    assert!(ok && out.contains("operator 01 added"), "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "sign-in", "01"],
        &[(PW, "1112")],
        "",
    );
    assert!(!ok && out.contains("wrong password"), "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "operator", "sign-in", "01"],
        &[(PW, "1111")],
        "",
    );
    assert!(ok && out.contains("operator 01 signed in"), "{out}");
    let (ok, out) = unipos(&["--db", db, "operator", "list"]);
    assert!(
        ok && out.contains("01 operator") && out.contains("signed in"),
        "{out}"
    );
    assert!(!out.contains("argon2") && !out.contains("1111"), "{out}");

    let (ok, out) = unipos(&["--db", db, "sale", "12.34", "--request-id", "till-1"]);
    assert!(ok, "{out}");
    assert!(out.contains("Approved") && out.contains("12.34"), "{out}");
    assert!(!out.contains("6212345678901232"), "full PAN printed: {out}");
    // The same request id again answers the stored outcome; for another amount it is a
    // request-id conflict (the engine's fingerprint, the same path the app's merchant calls take).
    let (ok, again) = unipos(&["--db", db, "sale", "12.34", "--request-id", "till-1"]);
    assert!(ok && again.contains("12.34"), "{again}");
    let (ok, out) = unipos(&["--db", db, "sale", "99.00", "--request-id", "till-1"]);
    assert!(
        !ok && out.contains("already used for another request"),
        "{out}"
    );
    let (ok, out) = unipos(&["--db", db, "sale", "12.345"]);
    assert!(!ok && out.contains("not an amount"), "{out}");
    let (ok, out) = unipos(&["--db", db, "last"]);
    assert!(ok && out.contains("till-1"), "{out}");
    let trace = out
        .split("trace ")
        .nth(1)
        .and_then(|t| t.get(..6))
        .unwrap()
        .to_owned();
    let (ok, out) = unipos(&["--db", db, "void", "--help"]);
    assert!(ok && out.contains("UNIPOS_SUPERVISOR_PASSWORD"), "{out}");
    let (ok, out) = unipos_with(&["--db", db, "void", &trace], &[(SUP, "000000")], "");
    assert!(
        !ok && out.contains("wrong password for operator 00"),
        "{out}"
    );
    let (ok, out) = unipos_with(&["--db", db, "void", &trace], &[(SUP, "864209")], "");
    assert!(ok && out.contains("sale_void"), "{out}");
    assert!(out.contains("OPERATOR") && out.contains("001"), "{out}");
    let (ok, out) = unipos(&["--db", db, "journal"]);
    assert!(
        ok && out.lines().filter(|l| l.contains(" Approved 00 ")).count() == 2,
        "{out}"
    );
    let (ok, out) = unipos(&["--db", db, "settle"]);
    assert!(!ok && out.contains("supervisor password"), "{out}");
    let (ok, out) = unipos_with(&["--db", db, "settle"], &[], "864209\n");
    assert!(ok && out.contains("settled: balanced"), "{out}");

    // A configuration written by an earlier version kept the TMK in clear: the first command
    // that opens the terminal moves it into the module's encrypted key file and rewrites the
    // file without it (read-only commands never open it); the sign-in proves the moved TMK.
    let old = dir.path().join("old.db");
    let old = old.to_str().unwrap();
    std::fs::write(
        format!("{old}.json"),
        format!(
            r#"{{"terminal_id":"62969002","merchant_id":"301310048990001","merchant_name":"X","posp":"{posp}","https":null,"ca":null,"tmk_hex":"{tmk}"}}"#
        ),
    )
    .unwrap();
    let (ok, out) = unipos(&["--db", old, "flush"]);
    assert!(ok && out.contains("0 reversal(s) sent"), "{out}");
    let json = std::fs::read_to_string(format!("{old}.json")).unwrap();
    assert!(!json.contains("tmk") && json.contains("62969002"), "{json}");
    let (ok, out) = unipos(&["--db", old, "last"]);
    assert!(
        ok && out.contains("empty"),
        "the TMK is now in the module file: {out}"
    );
    drop(host);
}

/// A reversal that reaches its retry limit while the next command opens the terminal is told
/// under that command's answer; flush keeps saying it waits; the supervisor retries it.
#[test]
fn a_parked_reversal_is_told_and_the_supervisor_retries_it() {
    // A 1 s answer timeout (DF04), so that the lost answer and three lost reversals take 4 s.
    let host = Host::start(&["--seed", "4", "--answer-timeout", "1"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pos.db");
    let db = db.to_str().unwrap();
    ready_terminal(db, &host.posp);
    host.admin(
        "POST",
        "/admin/faults",
        r#"{"mti":"0200","count":1,"action":{"type":"no_answer"}}"#,
    );
    host.admin(
        "POST",
        "/admin/faults",
        r#"{"mti":"0400","count":10,"action":{"type":"no_answer"}}"#,
    );
    let (ok, out) = unipos(&["--db", db, "sale", "5.00", "--request-id", "lost"]);
    assert!(!ok && out.contains("being reversed (trace"), "{out}");
    let trace = out
        .split("(trace ")
        .nth(1)
        .and_then(|t| t.get(..6))
        .unwrap()
        .to_owned();
    // The next sale's opening tries the reversal three times and parks it; the sale goes on.
    let (ok, out) = unipos(&["--db", db, "sale", "1.00", "--request-id", "next"]);
    assert!(ok && out.contains("Approved"), "{out}");
    let first_lines: String = out.lines().take(3).collect::<Vec<_>>().join("\n");
    assert!(
        first_lines.contains("NOTE") && first_lines.contains(&format!("reversal of trace {trace}")),
        "told above the receipts: {out}"
    );
    let (ok, out) = unipos(&["--db", db, "flush"]);
    assert!(ok && out.contains("1 parked reversal(s) wait"), "{out}");
    let (ok, out) = unipos_with(
        &["--db", db, "flush", "--retry-parked"],
        &[(SUP, "000000")],
        "",
    );
    assert!(!ok && out.contains("wrong password"), "{out}");
    host.admin("DELETE", "/admin/faults", "");
    let (ok, out) = unipos_with(
        &["--db", db, "flush", "--retry-parked"],
        &[(SUP, "864209")],
        "",
    );
    assert!(ok && out.starts_with("1 reversal(s) sent"), "{out}");
    assert!(!out.contains("wait for manual handling"), "{out}");
    let (ok, out) = unipos(&["--db", db, "query", "lost"]);
    assert!(ok && out.contains("Reversed"), "{out}");
}
