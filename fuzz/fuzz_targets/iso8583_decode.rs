//! The UnionPay 8583 decoder: `FrameLayout::UNIONPAY.split` and `cup::profile().unpack`.
//!
//! Besides "never panics", checks one property: a message the decoder accepts and the
//! encoder can write again decodes back to the same message (pack ∘ unpack is stable).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unipos_iso8583::{cup, FrameLayout};

fn check(spec: &unipos_iso8583::MessageSpec, bytes: &[u8]) {
    let Ok(msg) = spec.unpack(bytes) else { return };
    // The typed views of the private fields must not panic either.
    if let Some(t) = msg.text(48) {
        let _ = cup::SettlementTotals::parse(t);
        let _ = cup::BatchRecords::parse(t);
    }
    if let Some(t) = msg.text(60) {
        let _ = cup::Field60::parse(t);
    }
    if let Some(t) = msg.text(61) {
        let _ = cup::OriginalMessage::parse(t);
    }
    if let Some(b) = msg.get(62) {
        let _ = cup::SignInKeys::parse(b);
        let _ = cup::DownloadPayload::parse(b);
    }
    if let Some(t) = msg.text(63) {
        let _ = cup::Field63::parse(t);
    }
    if let Ok(wire) = spec.pack(&msg) {
        match spec.unpack(&wire) {
            Ok(again) => assert_eq!(again, msg, "unpack(pack(m)) != m for wire {wire:02X?}"),
            Err(e) => panic!("re-packed message does not decode: {e} (wire {wire:02X?})"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let spec = cup::profile();
    // The bare message (MTI onwards) ...
    check(spec, data);
    // ... and a whole frame: length, TPDU, header, message.
    if let Ok(parts) = FrameLayout::UNIONPAY.split(data) {
        if let Some(h) = cup::CupHeader::from_bytes(parts.header) {
            let _ = h.processing_requirement();
        }
        check(spec, parts.message);
    }
});
