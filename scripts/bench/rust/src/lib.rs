//! The reference message of the codec benchmark (rust-core/iso8583/benches/codec.rs),
//! rebuilt here so the peer benchmarks can be checked against its exact bytes.

use unipos_iso8583::{cup, Message, Mti};

/// The field-55 blob of `shared/vectors/CRYPTO.md` (112 bytes).
pub const FIELD_55: &str = "9F2608BBFD1BFACF6A64299F2701809F100807000103A0A002019F3704989636539F36020334950500800088009A031603099C01319F02060000000000005F2A02015682023C009F1A0201569F03060000000000009F3303E0E1C89F34031E03009F3501229F1E083132333435363738";

/// The text fields of the sale, as in the codec benchmark.
pub const SALE_FIELDS: [(u8, &str); 17] = [
    (2, "6212260200024125573"),
    (3, "000000"),
    (4, "000000073700"),
    (11, "002332"),
    (14, "2302"),
    (22, "051"),
    (23, "001"),
    (25, "00"),
    (26, "12"),
    (35, "6212260200024125573D23022201234567890"),
    (41, "00006590"),
    (42, "713100058120611"),
    (49, "156"),
    (53, "2600000000000000"),
    (60, "22000065000501"),
    (63, "001"),
    (64, "00000000"),
];

/// Field 52 (binary PIN block) of the sale.
pub const FIELD_52: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0];

/// The 0200 contact-IC sale of the codec benchmark.
pub fn sale() -> Option<Message> {
    let mut m = Message::new(Mti::new("0200")?);
    for (n, v) in SALE_FIELDS {
        m.set(n, v.as_bytes()).ok()?;
    }
    m.set(52, FIELD_52).ok()?;
    m.set(55, hex::decode(FIELD_55).ok()?).ok()?;
    Some(m)
}

/// The sale packed with the UnionPay profile.
pub fn sale_wire() -> Option<Vec<u8>> {
    cup::profile().pack(&sale()?).ok()
}
