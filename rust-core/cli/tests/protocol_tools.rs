//! The protocol tools' exact commands and outputs (a public interface).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

const SALE_0210: &str = "009f60000000066031009999990210703e02810ed082131962122602000241255730000000000000073700002332203217082723020827000100084803100032303332313734393138323730313233343530303030303036353930373133313030303538313230363131223031303230303030202020343830333130303020202031353600059f3602004700142200006500050100034355503635304341433741";
const SIGN_IN_0800: &str = "003C600401000060310031000108000020000000C00012000029363239363930303233303133313030343839393030303100110000013200300003303031";

fn unipos(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        String::from_utf8(out.stderr).unwrap().trim().to_owned(),
    )
}

#[test]
fn decode_frame_prints_the_documented_json() {
    let (code, out, err) = unipos(&["iso8583", "decode", "--frame", SALE_0210]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["mti"], "0210");
    assert_eq!(json["tpdu"], "6000000006");
    assert_eq!(json["header"], "603100999999");
    let f = &json["fields"];
    assert_eq!(f["2"], "6212260200024125573");
    assert_eq!(f["4"], "000000073700");
    assert_eq!(f["23"], "001");
    assert_eq!(f["44"], "01020000   48031000   ");
    assert_eq!(f["55"], "9F36020047");
    assert_eq!(f["60"], "22000065000501");
    assert_eq!(f["64"], "3635304341433741"); // "650CAC7A" as ASCII
                                             // Field keys come in numeric order.
    let keys: Vec<&String> = f.as_object().unwrap().keys().collect();
    assert_eq!(keys.first().unwrap().as_str(), "2");
    assert_eq!(keys.last().unwrap().as_str(), "64");
}

#[test]
fn decode_then_encode_gives_back_the_bytes() {
    for frame in [SALE_0210, SIGN_IN_0800] {
        let (_, json, _) = unipos(&["iso8583", "decode", "--frame", frame]);
        let (code, hex, err) = unipos(&["iso8583", "encode", "--frame", &json]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(hex, frame.to_uppercase());
    }
    // Without --frame: the message alone.
    let message = &SIGN_IN_0800[26..];
    let (_, json, _) = unipos(&["iso8583", "decode", message]);
    assert!(!json.contains("tpdu"));
    let (_, hex, _) = unipos(&["iso8583", "encode", &json]);
    assert_eq!(hex, message.to_uppercase());
}

#[test]
fn field_22_and_60_show_their_digits() {
    let kat2 = "0200302004C020C0981100000000000000005100183402100006324392260009942820D1312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F92600000000000000000822000001384139453931423";
    let (code, out, err) = unipos(&["iso8583", "decode", &format!("{kat2}8")]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["fields"]["22"], "021");
    assert_eq!(json["fields"]["35"], "4392260009942820D131210112008439");
    assert_eq!(json["fields"]["52"], "ACF46E73838A82F9");
}

#[test]
fn malformed_input_exits_1_with_a_clear_error() {
    let (code, out, err) = unipos(&["iso8583", "decode", "--frame", &SALE_0210[..100]]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("length prefix"), "{err}");

    let (code, _, err) = unipos(&["iso8583", "decode", "0200zz"]);
    assert_eq!(code, 1);
    assert!(err.contains("non-hex character 'z'"), "{err}");

    let (code, _, err) = unipos(&["iso8583", "encode", r#"{"mti":"0200","fields":{"4":"12"}}"#]);
    assert_eq!(code, 1);
    assert!(err.contains("field 4 (amount)"), "{err}");

    let (code, _, err) = unipos(&["iso8583", "encode", "not json"]);
    assert_eq!(code, 1);
    assert!(err.contains("not valid JSON"), "{err}");
}

#[test]
fn crypto_mac_vectors() {
    let (code, out, _) = unipos(&[
        "crypto", "mac", "--alg", "cup-ecb", "--key", "C24A8FB57AA20123", "--data",
        "0200302004C020C0981100000000000000005100183402100006324392260009942820D1312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F92600000000000000000822000001",
    ]);
    assert_eq!((code, out.as_str()), (0, "8A9E91B8"));
    let (_, out, _) = unipos(&[
        "crypto",
        "mac",
        "--alg",
        "x9.9",
        "--key",
        "0123456789ABCDEF",
        "--data",
        "37363534333231204E6F77206973207468652074696D6520666F7220",
    ]);
    assert_eq!(out, "F1D30F6849312CA4");
    // "hello world" with K = 'A'*8, K' = 'B'*8 (ASCII bytes as key).
    let (_, out, _) = unipos(&[
        "crypto",
        "mac",
        "--alg",
        "x9.19",
        "--pad",
        "2",
        "--key",
        "41414141414141414242424242424242",
        "--data",
        "68656C6C6F20776F726C64",
    ]);
    assert_eq!(out, "E16941032C3BC7D4");
}

#[test]
fn crypto_pinblock_kcv_unwrap() {
    let (_, out, _) = unipos(&[
        "crypto",
        "pinblock",
        "--format",
        "0",
        "--pin",
        "1234",
        "--pan",
        "5555555551234567",
    ]);
    assert_eq!(out, "041261AAAAEDCBA9");
    let (_, out, _) = unipos(&[
        "crypto",
        "pinblock",
        "--format",
        "3",
        "--pin",
        "1234",
        "--pan",
        "5555555551234567",
    ]);
    assert_eq!(out.len(), 16);
    assert!(out.starts_with("341261"), "{out}");
    let (_, out, _) = unipos(&["crypto", "kcv", "--key", "0123456789ABCDEFFEDCBA9876543210"]);
    assert_eq!(out, "08D7B4FB");
    let (_, out, _) = unipos(&[
        "crypto",
        "kcv",
        "--key",
        "0123456789ABCDEFFEDCBA9876543210",
        "--len",
        "3",
    ]);
    assert_eq!(out, "08D7B4");
    let (_, out, _) = unipos(&[
        "crypto",
        "unwrap",
        "--kek",
        "70F2A84CCBC2AE8625CBB0F2C22AB923",
        "--data",
        "96D605EA176B7E9E",
    ]);
    assert_eq!(out, "C24A8FB57AA20123");
    let (code, _, err) = unipos(&["crypto", "kcv", "--key", "0123"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["iso8583", "decode", "--help"],
        &["iso8583", "encode", "--help"],
        &["crypto", "mac", "--help"],
        &["crypto", "pinblock", "--help"],
        &["crypto", "kcv", "--help"],
        &["crypto", "unwrap", "--help"],
    ] {
        let (code, out, _) = unipos(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}");
    }
}

/// `unipos journal | head -1` closes the pipe early: the command ends without a panic (Rust
/// ignores SIGPIPE, so each write then fails with EPIPE, and a `println!` would panic on it).
#[test]
fn a_closed_stdout_ends_quietly_not_in_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_unipos"))
        .args(["iso8583", "decode", "--frame", SALE_0210])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command has written anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "panicked: {err}");
    assert!(!err.contains("panicked"), "{err}");
}
