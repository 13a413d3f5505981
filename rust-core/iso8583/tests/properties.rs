//! Property tests: random valid messages round-trip; arbitrary bytes never panic the decoder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use unipos_iso8583::spec::{ContentType, FieldSpec, Length};
use unipos_iso8583::{cup, FrameLayout, Message, Mti};

/// A strategy for a valid logical value of `spec`.
fn value_for(spec: FieldSpec) -> BoxedStrategy<Vec<u8>> {
    let (min, max) = match spec.length {
        Length::Fixed(n) => (usize::from(n), usize::from(n)),
        Length::LlVar { max } | Length::LllVar { max } => (0, usize::from(max).min(120)),
    };
    let alphabet: &'static [u8] = match spec.content {
        ContentType::Numeric => b"0123456789",
        ContentType::Track => b"0123456789D",
        ContentType::Alphanumeric => b"ABCXYZabcz0129 ",
        ContentType::AlphanumericSpecial => b"AZaz09 !#*-./:;=?@~",
        ContentType::Binary => &[],
    };
    if alphabet.is_empty() {
        return proptest::collection::vec(any::<u8>(), min..=max).boxed();
    }
    proptest::collection::vec(proptest::sample::select(alphabet), min..=max).boxed()
}

fn message() -> impl Strategy<Value = Message> {
    let specs: Vec<(u8, FieldSpec)> = (2..=64u8)
        .filter_map(|n| cup::profile().field(n).map(|s| (n, *s)))
        .collect();
    let per_field: Vec<_> = specs
        .into_iter()
        .map(|(n, s)| proptest::option::of(value_for(s)).prop_map(move |v| (n, v)))
        .collect();
    (
        proptest::sample::select(&["0200", "0210", "0800", "0400", "0500", "0320"][..]),
        per_field,
    )
        .prop_map(|(mti, values)| {
            let mut m = Message::new(Mti::new(mti).unwrap());
            for (n, v) in values {
                if let Some(v) = v {
                    m.set(n, v).unwrap();
                }
            }
            m
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_messages_round_trip(m in message()) {
        let wire = cup::profile().pack(&m).unwrap();
        let back = cup::profile().unpack(&wire).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(cup::profile().pack(&back).unwrap(), wire);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = cup::profile().unpack(&bytes);
        let _ = FrameLayout::UNIONPAY.split(&bytes);
    }

    #[test]
    fn mutated_messages_never_panic(m in message(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut wire = cup::profile().pack(&m).unwrap();
        for (at, byte) in flips {
            let len = wire.len();
            wire[at % len] = byte;
        }
        if let Ok(decoded) = cup::profile().unpack(&wire) {
            // Whatever decodes must encode again (lenient decode may normalise pad nibbles).
            let _ = cup::profile().pack(&decoded);
        }
    }
}

#[test]
fn encode_refuses_bad_values_with_field_names() {
    let mut m = Message::new(Mti::new("0200").unwrap());
    m.set(4, "12345").unwrap();
    let err = cup::profile().pack(&m).unwrap_err();
    assert_eq!(err.field, 4);
    assert_eq!(
        err.to_string(),
        "field 4 (amount): must be exactly 12 digits long but is 5"
    );

    let mut m = Message::new(Mti::new("0200").unwrap());
    m.set(2, "62122602000241255730000").unwrap();
    assert!(cup::profile()
        .pack(&m)
        .unwrap_err()
        .to_string()
        .contains("at most 19 digits"));

    let mut m = Message::new(Mti::new("0200").unwrap());
    m.set(2, "62122X").unwrap();
    let e = cup::profile().pack(&m).unwrap_err().to_string();
    assert!(e.contains("position 5") && !e.contains("62122"), "{e}");

    let mut m = Message::new(Mti::new("0200").unwrap());
    m.set(39, "0\n").unwrap();
    assert!(cup::profile().pack(&m).is_err());
}

#[test]
fn decode_errors_name_field_and_offset() {
    // 0200, bitmap with field 2 only, LL = 0x19 (19 digits) but only 3 bytes follow.
    let bytes = hex::decode("02004000000000000000191234").unwrap();
    let err = cup::profile().unpack(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode field 2 at byte 11: needs 10 more byte(s) but only 2 remain"
    );

    // Invalid BCD in the length prefix.
    let bytes = hex::decode("020040000000000000001A").unwrap();
    let err = cup::profile().unpack(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode field 2 at byte 10: invalid length prefix"
    );

    // Trailing garbage.
    let bytes = hex::decode("0200200000000000000000002900").unwrap();
    let err = cup::profile().unpack(&bytes).unwrap_err();
    assert!(err.to_string().contains("1 byte(s) left over"), "{err}");

    // Field 65+ is not in the UnionPay profile.
    let bytes = hex::decode("0200800000000000000040000000000000000000").unwrap();
    assert!(cup::profile()
        .unpack(&bytes)
        .unwrap_err()
        .to_string()
        .contains("does not define"));
}

#[test]
fn secondary_bitmap_round_trips_with_a_wider_spec() {
    let mut spec = cup::profile().clone();
    spec.fields[70] = Some(FieldSpec::numeric("network code", 3));
    let mut m = Message::new(Mti::new("0800").unwrap());
    m.set(11, "000001").unwrap().set(70, "301").unwrap();
    let wire = spec.pack(&m).unwrap();
    assert_eq!(wire[2] & 0x80, 0x80, "bit 1 announces the secondary bitmap");
    assert_eq!(spec.unpack(&wire).unwrap(), m);
    assert!(cup::profile().pack(&m).is_err());
}
