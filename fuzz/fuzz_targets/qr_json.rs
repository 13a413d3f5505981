//! The QR gateway JSON contract: every response decoder and every request decoder
//! (`messages::fuzz_decode`), then a round-trip property on the requests a host accepts:
//! `decode_request(encode(r)) == r`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unipos_qr_protocol::messages::{
    decode_request, encode, fuzz_decode, CloseRequest, CreateRequest, PayRequest, QrRequest,
    QueryRequest, RefundRequest, ReverseRequest,
};

fn round_trip<T: QrRequest + PartialEq>(data: &[u8]) {
    let Ok(request) = decode_request::<T>(data) else { return };
    let wire = match encode(&request) {
        Ok(w) => w,
        Err(e) => panic!("a decoded request does not encode: {e}"),
    };
    match decode_request::<T>(&wire) {
        Ok(again) => assert_eq!(again, request, "decode(encode(r)) != r"),
        Err(e) => panic!("a re-encoded request is refused: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = fuzz_decode(data);
    round_trip::<PayRequest>(data);
    round_trip::<QueryRequest>(data);
    round_trip::<ReverseRequest>(data);
    round_trip::<RefundRequest>(data);
    round_trip::<CreateRequest>(data);
    round_trip::<CloseRequest>(data);
});
