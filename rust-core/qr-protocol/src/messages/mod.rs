//! The JSON messages of the acquirer's aggregated QR gateway, version 1 (`/qr/v1/`).
//!
//! Every request is `POST <path>` with a JSON body, `Content-Type: application/json` and the
//! two authentication headers of [`crate::auth`]. Requests are strict (unknown fields are
//! refused, every field is validated); responses are tolerant (fields added later in `v1` are
//! ignored by older terminals), but the terminal only acts on a response whose MAC verifies.
//!
//! Money is always integer fen (`u64`), times are `yyyyMMddHHmmss` in China Standard Time.

use core::fmt;

/// The versioned path prefix of every gateway endpoint.
pub const PATH_PREFIX: &str = "/qr/v1/";
/// The largest request or response body either side accepts.
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// The largest amount in fen (the 12 digits of ISO 8583 field 4: 9 999 999 999.99 yuan).
pub const MAX_AMOUNT_FEN: u64 = 999_999_999_999;
/// Shortest and longest validity of a dynamic (merchant-presented) order, in seconds.
pub const EXPIRE_SECONDS_RANGE: (u32, u32) = (30, 7200);

/// The six gateway operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /qr/v1/pay`: pay with the customer's scanned payment code.
    Pay,
    /// `POST /qr/v1/query`: the state of an order.
    Query,
    /// `POST /qr/v1/reverse`: reverse (WeChat 撤销, Alipay cancel, UnionPay 冲正) an order.
    Reverse,
    /// `POST /qr/v1/refund`: refund part or all of a paid order.
    Refund,
    /// `POST /qr/v1/create`: create a merchant-presented dynamic order ("three codes in one").
    Create,
    /// `POST /qr/v1/close`: close an unpaid order.
    Close,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 6] = [
        Operation::Pay,
        Operation::Query,
        Operation::Reverse,
        Operation::Refund,
        Operation::Create,
        Operation::Close,
    ];

    /// The short name: `pay`, `query`, `reverse`, `refund`, `create`, `close`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Operation::Pay => "pay",
            Operation::Query => "query",
            Operation::Reverse => "reverse",
            Operation::Refund => "refund",
            Operation::Create => "create",
            Operation::Close => "close",
        }
    }

    /// The endpoint path, e.g. `/qr/v1/pay`.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Operation::Pay => "/qr/v1/pay",
            Operation::Query => "/qr/v1/query",
            Operation::Reverse => "/qr/v1/reverse",
            Operation::Refund => "/qr/v1/refund",
            Operation::Create => "/qr/v1/create",
            Operation::Close => "/qr/v1/close",
        }
    }

    /// The operation of a request path (exact match; a query string is not allowed).
    #[must_use]
    pub fn from_path(path: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.path() == path)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod codec;
mod contract;
mod requests;
mod responses;
mod validate;

pub use codec::*;
pub use contract::*;
pub use requests::*;
pub use responses::*;
pub use validate::parse_time;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::codes::{ErrorCode, QrResult};
    use crate::error::QrProtocolError;
    use proptest::prelude::*;

    pub(crate) fn pay() -> PayRequest {
        PayRequest {
            terminal_id: "12345678".into(),
            merchant_id: "123456789012345".into(),
            out_trade_no: "1234567820261121000001".into(),
            amount_fen: 1234,
            auth_code: "134919586213926735".into(),
            channel: Some(Channel::WeChat),
            subject: Some("咖啡 x2".into()),
            description: None,
            request_time: "20261121093000".into(),
        }
    }

    #[test]
    fn operations_and_paths() {
        for op in Operation::ALL {
            assert!(op.path().starts_with(PATH_PREFIX));
            assert!(op.path().ends_with(op.name()));
            assert_eq!(Operation::from_path(op.path()), Some(op));
        }
        assert_eq!(Operation::from_path("/qr/v1/pay?x=1"), None);
        assert_eq!(Operation::from_path("/qr/v2/pay"), None);
    }

    #[test]
    fn pay_request_wire_form() {
        let json = String::from_utf8(encode(&pay()).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"terminal_id":"12345678","merchant_id":"123456789012345","out_trade_no":"1234567820261121000001","amount_fen":1234,"auth_code":"134919586213926735","channel":"WECHAT","subject":"咖啡 x2","request_time":"20261121093000"}"#
        );
        let back: PayRequest = decode_request(json.as_bytes()).unwrap();
        assert_eq!(back, pay());
        let debug = format!("{back:?}");
        assert!(!debug.contains("134919586213926735"));
        assert!(debug.contains("6735"));
    }

    #[test]
    fn requests_are_strict() {
        let json = r#"{"terminal_id":"12345678","merchant_id":"M1","out_trade_no":"A1","amount_fen":1,"auth_code":"134919586213926735","request_time":"20261121093000","tip":5}"#;
        let err = decode_request::<PayRequest>(json.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("unknown field `tip`"), "{err}");

        let mut p = pay();
        p.amount_fen = 0;
        assert_eq!(p.validate().unwrap_err().code, ErrorCode::InvalidAmount);
        p.amount_fen = MAX_AMOUNT_FEN + 1;
        assert_eq!(p.validate().unwrap_err().field, "amount_fen");
        let mut p = pay();
        p.auth_code = "1349 1958".into();
        assert_eq!(p.validate().unwrap_err().code, ErrorCode::InvalidCode);
        let mut p = pay();
        p.out_trade_no = "a b".into();
        assert_eq!(p.validate().unwrap_err().field, "out_trade_no");
        let mut p = pay();
        p.request_time = "2026-11-21 09:30".into();
        assert_eq!(p.validate().unwrap_err().field, "request_time");
        let mut p = pay();
        p.subject = Some("a\nb".into());
        assert_eq!(p.validate().unwrap_err().field, "subject");
        let mut p = pay();
        p.terminal_id = "T".repeat(17);
        assert_eq!(p.validate().unwrap_err().field, "terminal_id");

        let q = QueryRequest::new("12345678", "M1", "A1", "20261121093000");
        let json = encode(&q).unwrap();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"terminal_id":"12345678","merchant_id":"M1","out_trade_no":"A1","request_time":"20261121093000"}"#
        );
        assert_eq!(decode_request::<QueryRequest>(&json).unwrap(), q);
    }

    #[test]
    fn responses_are_tolerant_and_error_bodies_decode_everywhere() {
        let json = r#"{"result":"SUCCESS","out_trade_no":"A1","channel":"ALIPAY","trade_state":"SUCCESS","amount_fen":100,"paid_fen":100,"channel_trade_no":"2026","paid_time":"20261121093005","new_field":{"x":1}}"#;
        let r: PayResponse = decode_response(json.as_bytes()).unwrap();
        assert_eq!(r.status.result, QrResult::Success);
        assert_eq!(r.order.paid_fen, Some(100));
        assert_eq!(r.order.channel, Some(Channel::Alipay));

        let err = r#"{"result":"FAIL","code":"INVALID_REQUEST","message":"bad"}"#;
        assert_eq!(fuzz_decode(err.as_bytes()), 7);
        let r: RefundResponse = decode_response(err.as_bytes()).unwrap();
        assert_eq!(r.status.code, Some(ErrorCode::InvalidRequest));

        let r: ReverseResponse =
            decode_response(br#"{"result":"SUCCESS","retry":false,"action":"REFUND"}"#).unwrap();
        assert_eq!(r.action, Some(ReverseAction::Refund));
        let back = encode(&r).unwrap();
        assert_eq!(decode_response::<ReverseResponse>(&back).unwrap(), r);
    }

    #[test]
    fn decode_errors_are_clear_and_masked() {
        let e = decode_response::<PayResponse>(b"").unwrap_err();
        assert!(matches!(e, QrProtocolError::Malformed(_)));
        let e = decode_request::<PayRequest>(
            br#"{"terminal_id":"1","merchant_id":"1","out_trade_no":"1","amount_fen":1,"auth_code":134919586213926735,"request_time":"20261121093000"}"#,
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("134919586213926735"), "{text}");
        let big = vec![b' '; MAX_BODY_LEN + 1];
        assert!(matches!(
            decode_response::<PayResponse>(&big),
            Err(QrProtocolError::BodyTooLarge { .. })
        ));
        assert!(decode_response::<PayResponse>(&[b'['; 10_000]).is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("20261121093005"), Some((2026, 11, 21, 9, 30, 5)));
        for bad in [
            "2026112109300",
            "202611210930051",
            "20261321093005",
            "20261121243005",
            "2026112109300x",
            "",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = fuzz_decode(&bytes);
        }

        #[test]
        fn decoders_never_panic_on_jsonish_text(s in r#"[\{\}\[\]":,0-9a-z_ .\-]{0,200}"#) {
            let _ = fuzz_decode(s.as_bytes());
        }

        #[test]
        fn pay_requests_round_trip(amount in 1u64..=MAX_AMOUNT_FEN, code in "[0-9]{16,24}", no in "[A-Za-z0-9_]{1,32}") {
            let mut p = pay();
            p.amount_fen = amount;
            p.auth_code = code;
            p.out_trade_no = no;
            let bytes = encode(&p).unwrap();
            prop_assert_eq!(decode_request::<PayRequest>(&bytes).unwrap(), p);
        }
    }
}
