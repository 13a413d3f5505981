//! EMV BER-TLV (field 55 and the download payloads): `tlv::parse_all`.
//!
//! Property: whatever parses re-encodes to bytes that parse to the same list (the encoder
//! may normalise non-minimal lengths, so the bytes themselves may differ).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unipos_iso8583::tlv;

fuzz_target!(|data: &[u8]| {
    // The streaming iterator must not panic on its own either.
    for item in tlv::TlvIter::new(data) {
        if item.is_err() {
            break;
        }
    }
    let Ok(list) = tlv::parse_all(data) else { return };
    let wire = tlv::encode_all(&list);
    assert!(wire.len() <= data.len(), "re-encoding grew: {} > {}", wire.len(), data.len());
    match tlv::parse_all(&wire) {
        Ok(again) => assert_eq!(again, list, "parse(encode(l)) != l"),
        Err(e) => panic!("re-encoded TLV list does not parse: {e}"),
    }
});
