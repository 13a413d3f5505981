//! Unit tests of the gateway internals; the HTTP-level suite is `tests/qr_gateway.rs`.

use std::sync::Arc;
use std::time::Duration;

use unipos_clock::ManualClock;
use unipos_crypto::DesKey;
use unipos_net::http::Request;
use unipos_qr_protocol::auth::{key_mac, seal, MacScheme, HEADER_MAC, HEADER_TERMINAL};
use unipos_qr_protocol::messages::{
    decode_response, CreateRequest, ErrorResponse, PayRequest, QueryRequest, QueryResponse,
};
use unipos_qr_protocol::{Channel, ErrorCode, TradeState};

use super::*;

const TID: &str = "62969002";

fn setup(config: QrConfig) -> (Gateway, ManualClock, DesKey) {
    let mak = DesKey::from_hex("C24A8FB57AA20123FEDCBA9876543210").unwrap();
    let keys = QrKeys::from([(TID.to_owned(), mak.clone())]);
    let clock = ManualClock::at_local(2026, 11, 21, 9, 30, 0, 480);
    let gw = Gateway::new(keys, Arc::new(clock.clone()), config);
    (gw, clock, mak)
}

fn post<R: unipos_qr_protocol::messages::QrRequest>(
    gw: &Gateway,
    mak: &DesKey,
    req: &R,
) -> unipos_net::http::Response {
    let s = seal(req, key_mac(mak, MacScheme::default())).unwrap();
    gw.handle(&Request {
        method: "POST".into(),
        path: s.path.into(),
        headers: s.headers(),
        body: s.body,
    })
}

fn pay(otn: &str, code: &str, amount_fen: u64) -> PayRequest {
    PayRequest {
        terminal_id: TID.into(),
        merchant_id: "301310048990001".into(),
        out_trade_no: otn.into(),
        amount_fen,
        auth_code: code.into(),
        channel: None,
        subject: None,
        description: None,
        request_time: "20261121093000".into(),
    }
}

fn query_state(gw: &Gateway, mak: &DesKey, otn: &str) -> Option<TradeState> {
    let q = QueryRequest::new(TID, "301310048990001", otn, "20261121093000");
    let resp = post(gw, mak, &q);
    decode_response::<QueryResponse>(&resp.body)
        .unwrap()
        .order
        .trade_state
}

#[test]
fn auto_close_wins_over_a_longer_password_wait() {
    let (gw, clock, mak) = setup(QrConfig::default());
    let code = "134919586213926777";
    gw.script_code(code, Behaviour::PasswordThenSuccess { after_secs: 60 });
    post(&gw, &mak, &pay("A1", code, 100));
    clock.advance(Duration::from_secs(61));
    assert_eq!(query_state(&gw, &mak, "A1"), Some(TradeState::Revoked));
    assert_eq!(gw.order(TID, "A1").unwrap().paid_fen, 0);
}

#[test]
fn password_wait_is_exact_to_the_millisecond() {
    let (gw, clock, mak) = setup(QrConfig::default());
    post(&gw, &mak, &pay("A1", "280528574232947501", 100));
    clock.advance(Duration::from_millis(11_999));
    assert_eq!(query_state(&gw, &mak, "A1"), Some(TradeState::Paying));
    clock.advance(Duration::from_millis(1));
    assert_eq!(query_state(&gw, &mak, "A1"), Some(TradeState::Success));
    let o = gw.order(TID, "A1").unwrap();
    assert_eq!(o.paid_time.as_deref(), Some("20261121093012"));
    assert_eq!(o.created_time, "20261121093000");
}

#[test]
fn configuration_sets_password_wait_and_retries() {
    let config: QrConfig =
        serde_json::from_str(r#"{"password_wait_secs":2,"reverse_retries":4}"#).unwrap();
    let (gw, _, _) = setup(config);
    assert_eq!(
        gw.behaviour_for("134919586213926701"),
        Behaviour::PasswordThenSuccess { after_secs: 2 }
    );
    assert_eq!(
        gw.behaviour_for("134919586213926707"),
        Behaviour::NeverConfirms { reverse_retries: 4 }
    );
}

#[test]
fn snapshots_never_carry_the_full_code() {
    let (gw, _, mak) = setup(QrConfig::default());
    let code = "6225735053201615200";
    post(&gw, &mak, &pay("A1", code, 100));
    let snaps = gw.all_orders();
    assert_eq!(snaps.len(), 1);
    let json = serde_json::to_string(&snaps).unwrap();
    assert!(!json.contains(code));
    assert!(json.contains("***************5200"));
    assert!(gw.orders("99999999").is_empty());
}

#[test]
fn admin_pay_errors() {
    let mut config = QrConfig::default();
    config.dynamic.auto_pay_after_secs = None;
    let (gw, _, mak) = setup(config);
    assert!(matches!(
        gw.simulate_customer_pays("nothing"),
        Err(AdminError::NotFound(_))
    ));
    let create = CreateRequest {
        terminal_id: TID.into(),
        merchant_id: "301310048990001".into(),
        out_trade_no: "D1".into(),
        amount_fen: 100,
        subject: None,
        description: None,
        expire_seconds: None,
        request_time: "20261121093000".into(),
    };
    assert_eq!(post(&gw, &mak, &create).status, 200);
    let snap = gw
        .simulate_customer_pays_with("D1", Channel::UnionPay)
        .unwrap();
    assert_eq!(snap.channel, Some(Channel::UnionPay));
    assert!(matches!(
        gw.simulate_customer_pays("D1"),
        Err(AdminError::NotPayable {
            state: TradeState::Success,
            ..
        })
    ));
    // A scanned order still waiting for the password can be confirmed too.
    post(&gw, &mak, &pay("S1", "134919586213926709", 100));
    let snap = gw.simulate_customer_pays("S1").unwrap();
    assert_eq!(
        (snap.state, snap.channel),
        (TradeState::Success, Some(Channel::WeChat))
    );
}

#[test]
fn describe_without_terminal_is_none() {
    let (gw, _, _) = setup(QrConfig::default());
    let req = Request {
        method: "POST".into(),
        path: "/qr/v1/query".into(),
        headers: Vec::new(),
        body: b"not json".to_vec(),
    };
    assert!(gw.describe(&req).is_none());
    let req = Request {
        body: br#"{"terminal_id":7}"#.to_vec(),
        ..req
    };
    assert!(gw.describe(&req).is_none());
}

#[test]
fn odd_headers_and_keys_do_not_panic() {
    let (gw, _, _) = setup(QrConfig::default());
    for terminal in ["", " ", "终端", "62969002\u{0}"] {
        let resp = gw.handle(&Request {
            method: "POST".into(),
            path: "/qr/v1/pay".into(),
            headers: vec![
                (HEADER_TERMINAL.into(), terminal.into()),
                (HEADER_MAC.into(), "0011223344556677".into()),
            ],
            body: b"{}".to_vec(),
        });
        assert_eq!(resp.status, 401);
    }
    // A triple-length MAK cannot do X9.19: the gateway says so instead of panicking.
    let k3 = DesKey::from_bytes(&[0x11; 24]).unwrap();
    let gw = Gateway::new(
        QrKeys::from([(TID.to_owned(), k3)]),
        Arc::new(ManualClock::new(0)),
        QrConfig::default(),
    );
    let resp = gw.handle(&Request {
        method: "POST".into(),
        path: "/qr/v1/pay".into(),
        headers: vec![
            (HEADER_TERMINAL.into(), TID.into()),
            (HEADER_MAC.into(), "0011223344556677".into()),
        ],
        body: b"{}".to_vec(),
    });
    assert_eq!(resp.status, 500);
    assert_eq!(
        decode_response::<ErrorResponse>(&resp.body)
            .unwrap()
            .status
            .code,
        Some(ErrorCode::SystemError)
    );
}

#[test]
fn code_url_base_is_configurable() {
    let config: QrConfig =
        serde_json::from_str(r#"{"code_url_base":"http://127.0.0.1:8443/qr/pay/"}"#).unwrap();
    let (gw, _, mak) = setup(config);
    let create = CreateRequest {
        terminal_id: TID.into(),
        merchant_id: "301310048990001".into(),
        out_trade_no: "D1".into(),
        amount_fen: 100,
        subject: None,
        description: None,
        expire_seconds: None,
        request_time: "20261121093000".into(),
    };
    post(&gw, &mak, &create);
    let url = gw.order(TID, "D1").unwrap().code_url.unwrap();
    assert!(url.starts_with("http://127.0.0.1:8443/qr/pay/"));
    assert_eq!(url.len(), "http://127.0.0.1:8443/qr/pay/".len() + 24);
}
