#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every fault type, HTTPS with a pinned CA, and the admin API driving a running host.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use unipos_hostsim::faults::{FaultAction, FaultRule, FieldEdit};
use unipos_hostsim::test_cards as cards;
use unipos_iso8583::cup::{ProcessingRequirement, TransactionType};
use unipos_iso8583::FrameLayout;
use unipos_net::http::Request;
use unipos_net::{Endpoint, ExchangeError, NoAnswerKind, NotSentReason, Transport};

fn sale_msg(t: &mut Term, amount: u64) -> unipos_iso8583::Message {
    let m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(amount));
    t.with_card(m, cards::DEBIT_IC, None)
}

#[test]
fn lost_answer_then_reversal_restores_the_card() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let before = host.card(cards::DEBIT_IC).unwrap().available;
    let id = host
        .faults()
        .add(FaultRule::posp("0200", FaultAction::NoAnswer).once());
    t.set_read_timeout(300);
    let m = sale_msg(&mut t, 1_000);
    let err = t.try_send(&m).err().unwrap();
    assert!(err.maybe_sent() && err.is_timeout(), "{err}");
    assert_eq!(host.faults().fired(id), Some(1));
    assert_eq!(
        host.card(cards::DEBIT_IC).unwrap().available,
        before - 1_000,
        "processed"
    );
    assert_eq!(t.send(&t.reversal_of(&m, "98")).code(), "00");
    assert_eq!(host.card(cards::DEBIT_IC).unwrap().available, before);
}

#[test]
fn dropped_request_and_closed_connection_change_nothing() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    t.set_read_timeout(300);
    let before = host.card(cards::DEBIT_IC).unwrap().available;
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::DropRequest).once());
    let m = sale_msg(&mut t, 1_000);
    assert!(t.try_send(&m).err().unwrap().is_timeout());
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::CloseConnection).once());
    let m = sale_msg(&mut t, 1_000);
    let err = t.try_send(&m).err().unwrap();
    assert!(err.maybe_sent() && !err.is_timeout(), "{err}");
    assert_eq!(host.card(cards::DEBIT_IC).unwrap().available, before);
    assert!(host.journal("62969002").iter().all(|e| e.mti != "0200"));
}

#[test]
fn delay_garble_bad_mac_code_stale_and_nth() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let f = host.faults();

    f.add(FaultRule::posp("0200", FaultAction::Delay { ms: 250 }).once());
    let started = Instant::now();
    let m = sale_msg(&mut t, 100);
    assert_eq!(t.send(&m).code(), "00");
    assert!(started.elapsed() >= Duration::from_millis(250));

    f.add(FaultRule::posp("0200", FaultAction::Garble).once());
    let m = sale_msg(&mut t, 100);
    let raw = t.exchange_raw(&t.frame_body(&m)).unwrap();
    let parts = FrameLayout::UNIONPAY.split_body(&raw).unwrap();
    let decoded = unipos_iso8583::cup::profile().unpack(parts.message);
    let original = t.frame_body(&m);
    assert!(decoded.is_err() || decoded.unwrap().text(39) != Some("00") || raw != original);

    f.add(FaultRule::posp("0200", FaultAction::BadMac).once());
    let m = sale_msg(&mut t, 100);
    let a = t.try_send(&m).unwrap();
    assert_eq!(a.mac_ok, Some(false));

    let before = host.card(cards::DEBIT_IC).unwrap().available;
    f.add(FaultRule::posp("0200", FaultAction::RespondWith { code: "96".into() }).once());
    let m = sale_msg(&mut t, 100);
    let a = t.send(&m);
    assert_eq!((a.code(), a.mac_ok), ("96", Some(true)));
    assert_eq!(
        host.card(cards::DEBIT_IC).unwrap().available,
        before,
        "not processed"
    );

    f.add(FaultRule::posp("0200", FaultAction::StaleTrace).once());
    let m = sale_msg(&mut t, 100);
    let a = t.send(&m);
    assert_eq!(a.mac_ok, Some(true));
    assert_ne!(a.msg.text(11), m.text(11));

    // From the 2nd matching request of terminal 62969003 on, once.
    let id = f.add(
        FaultRule::posp("0200", FaultAction::RespondWith { code: "05".into() })
            .for_terminal("62969003")
            .with_processing_code("000000")
            .from_nth(2)
            .once(),
    );
    let mut u = Term::tcp(&host, "62969003");
    u.sign_in();
    let codes: Vec<String> = (0..3)
        .map(|_| {
            let m = sale_msg(&mut u, 100);
            u.send(&m).code().to_owned()
        })
        .collect();
    assert_eq!(codes, ["00", "05", "00"]);
    assert_eq!(f.fired(id), Some(1));
    assert!(f.list().iter().all(|s| s.fired == 1));
}

#[test]
fn rewrite_changes_fields_of_a_processed_answer_and_macs_it_again() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let before = host.card(cards::DEBIT_IC).unwrap().available;
    let action = FaultAction::Rewrite {
        fields: vec![
            FieldEdit::set(4, "000000000001"),
            FieldEdit::set(39, "05"),
            FieldEdit::remove(38),
        ],
    };
    action.validate().unwrap();
    let id = host.faults().add(FaultRule::posp("0200", action).once());
    let m = sale_msg(&mut t, 100);
    let a = t.send(&m);
    assert_eq!(host.faults().fired(id), Some(1));
    assert_eq!(a.mac_ok, Some(true), "MAC'd again after the edit");
    assert_eq!((a.code(), a.msg.text(4)), ("05", Some("000000000001")));
    assert!(!a.msg.has(38));
    assert_eq!(a.msg.text(11), m.text(11), "the rest stays");
    assert_eq!(
        host.card(cards::DEBIT_IC).unwrap().available,
        before - 100,
        "processed as sent: only the answer lies"
    );
    // Once: the next answer is the host's own.
    let m = sale_msg(&mut t, 100);
    assert_eq!(t.send(&m).code(), "00");
}

#[test]
fn duplicate_answers_arrive_twice_on_a_persistent_connection() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::Duplicate).once());
    let m = sale_msg(&mut t, 100);
    let body = t.frame_body(&m);
    let mut s = TcpStream::connect(host.posp_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    unipos_net::frame_io::write_frame(&mut s, 2, &body).unwrap();
    let a = unipos_net::frame_io::read_frame(&mut s, 2, 4096).unwrap();
    let b = unipos_net::frame_io::read_frame(&mut s, 2, 4096).unwrap();
    assert_eq!(a, b);
    assert_eq!(t.decode(&a).code(), "00");
    // The same connection keeps serving.
    let m = sale_msg(&mut t, 100);
    unipos_net::frame_io::write_frame(&mut s, 2, &t.frame_body(&m)).unwrap();
    let c = unipos_net::frame_io::read_frame(&mut s, 2, 4096).unwrap();
    assert_eq!(t.decode(&c).code(), "00");
}

#[test]
fn https_posp_with_a_pinned_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    let config = unipos_hostsim::HostSimConfig {
        ca_pem_path: Some(ca_path.clone()),
        ..Default::default()
    };
    let (host, _c) = start_with(config);
    assert_eq!(std::fs::read_to_string(&ca_path).unwrap(), host.ca_pem());
    let mut t = Term::https(&host, "62969002");
    t.sign_in();
    let (_, a) = t.sale(cards::DEBIT_IC, 100, Some(PIN));
    assert_eq!((a.code(), a.mac_ok), ("00", Some(true)));

    // A client pinning another CA never gets to send.
    let other = unipos_hostsim::tls::TestCa::generate(&["localhost"]).unwrap();
    let mut stranger = Term::with_endpoint(
        Endpoint::https(host.https_addr().unwrap(), "localhost", other.ca_pem()),
        "62969002",
    );
    stranger.mak = t.mak.clone();
    let m = stranger.management("0820", unipos_iso8583::cup::NetworkCode::EchoTest);
    assert!(matches!(
        stranger.try_send(&m),
        Err(ExchangeError::NotSent(NotSentReason::Tls))
    ));

    // HTTP-level fault on /posp.
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::HttpStatus { status: 503 }).once());
    let m = sale_msg(&mut t, 100);
    let err = t.try_send(&m).err().unwrap();
    assert_eq!(err, ExchangeError::NoAnswer(NoAnswerKind::HttpStatus(503)));
}

fn admin(host: &unipos_hostsim::RunningHost) -> Transport {
    Transport::new(Endpoint::tcp(host.admin_addr().unwrap()), timeouts(5_000)).unwrap()
}

fn call(tr: &Transport, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let req = Request {
        method: method.into(),
        path: path.into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    };
    let resp = tr.post(&req).unwrap();
    (resp.status, serde_json::from_slice(&resp.body).unwrap())
}

#[test]
fn admin_api_drives_faults_and_reads_the_ledger() {
    let (host, _c) = start_host();
    let api = admin(&host);
    let (status, body) = call(
        &api,
        "POST",
        "/admin/faults",
        r#"{"terminal_id": "62969002", "mti": "0200", "count": 1, "action": {"type": "respond_with", "code": "96"}}"#,
    );
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_u64().unwrap();
    // A rewrite its field cannot carry is refused with the field's name, and not added.
    let (status, body) = call(
        &api,
        "POST",
        "/admin/faults",
        r#"{"mti": "0200", "action": {"type": "rewrite", "fields": [{"field": 4, "text": "12.50"}]}}"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("field 4"), "{body}");

    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let m = sale_msg(&mut t, 100);
    assert_eq!(t.send(&m).code(), "96");
    let (_, list) = call(&api, "GET", "/admin/faults", "");
    assert_eq!(list[0]["id"].as_u64(), Some(id));
    assert_eq!(list[0]["fired"].as_u64(), Some(1));

    let (_, a) = t.sale(cards::DEBIT_IC, 1_234, None);
    assert_eq!(a.code(), "00");
    let (_, journal) = call(&api, "GET", "/admin/journal?terminal=62969002", "");
    let entry = journal.as_array().unwrap().last().unwrap().clone();
    assert_eq!(entry["amount"].as_u64(), Some(1_234));
    assert_eq!(entry["masked_pan"].as_str(), Some("621234******1265"));
    let (_, card) = call(
        &api,
        "GET",
        &format!("/admin/cards/{}", cards::DEBIT_IC),
        "",
    );
    assert_eq!(card["available"].as_u64(), Some(10_000_000 - 1_234));
    let (_, ledger) = call(&api, "GET", "/admin/ledger", "");
    assert_eq!(ledger.as_array().unwrap().len(), 12);
    assert!(
        !ledger.to_string().contains(cards::DEBIT_IC),
        "no full PAN in listings"
    );

    let (status, _) = call(
        &api,
        "POST",
        "/admin/terminals/62969002/processing-requirement",
        r#"{"requirement": 3}"#,
    );
    assert_eq!(status, 200);
    let (_, a) = t.sale(cards::DEBIT_IC, 1, None);
    assert_eq!(
        a.header.processing_requirement(),
        ProcessingRequirement::SignIn
    );

    let (status, _) = call(&api, "DELETE", "/admin/faults", "");
    assert_eq!(status, 200);
    assert!(host.faults().list().is_empty());
    let (status, _) = call(
        &api,
        "POST",
        "/admin/faults",
        r#"{"action": {"type": "nonsense"}}"#,
    );
    assert_eq!(status, 400);
    let (status, _) = call(&api, "GET", "/admin/nowhere", "");
    assert_eq!(status, 404);
}

#[test]
fn shutdown_is_prompt_even_with_open_connections() {
    let (host, _c) = start_host();
    let mut idle = TcpStream::connect(host.posp_addr()).unwrap();
    idle.write_all(&[0x00]).unwrap(); // half a length prefix, then silence
    let started = Instant::now();
    host.shutdown();
    assert!(started.elapsed() < Duration::from_secs(2));
    let mut buf = [0u8; 1];
    idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    assert!(matches!(idle.read(&mut buf), Ok(0) | Err(_)));
}

#[test]
fn qr_requests_are_routed_through_qr_fault_rules() {
    let (host, _c) = start_host();
    let https = Transport::new(
        Endpoint::https(host.https_addr().unwrap(), "localhost", host.ca_pem()),
        timeouts(2_000),
    )
    .unwrap();
    let qr = |path: &str| {
        let mut r = Request::post(path, "application/json", b"{}".to_vec());
        r.headers
            .push(("X-Unipos-Terminal".into(), "62969002".into()));
        r
    };
    // Unsigned: the gateway itself refuses it, but it answers.
    let plain = https.post(&qr("/qr/v1/pay")).unwrap();
    assert_ne!(plain.status, 200);
    let close = host.faults().add(
        FaultRule::qr("pay", FaultAction::CloseConnection)
            .for_terminal("62969002")
            .once(),
    );
    assert!(https.post(&qr("/qr/v1/pay")).is_err());
    let status = host
        .faults()
        .add(FaultRule::qr("query", FaultAction::HttpStatus { status: 503 }).once());
    assert_eq!(https.post(&qr("/qr/v1/query")).unwrap().status, 503);
    // POSP-only actions never match QR requests.
    host.faults()
        .add(FaultRule::qr("query", FaultAction::BadMac));
    assert_ne!(https.post(&qr("/qr/v1/query")).unwrap().status, 503);
    assert_eq!(host.faults().fired(close), Some(1));
    assert_eq!(host.faults().fired(status), Some(1));
    // Unknown paths.
    assert_eq!(https.post(&qr("/nowhere")).unwrap().status, 404);
}
