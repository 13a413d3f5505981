//! BER-TLV tests against captured field 55 and field 62 payloads, hand-built templates,
//! error offsets and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use unipos_iso8583::tlv::{
    encode_all, find, parse_all, tags, Tag, TagClass, Tlv, TlvError, TlvErrorKind, TlvIter,
    TlvValue, MAX_DEPTH,
};

fn tag(v: u32) -> Tag {
    Tag::from_u32(v).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Flattens a list into (tag, upper-case hex value) pairs for compact comparisons.
fn pairs(list: &[Tlv]) -> Vec<(String, String)> {
    list.iter()
        .map(|t| {
            (
                t.tag.to_string(),
                hex::encode_upper(t.value_bytes().expect("primitive")),
            )
        })
        .collect()
}

fn expect_pairs(list: &[Tlv], expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, v)| (t.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs(list), expected);
}

// ---------------------------------------------------------------------------------------
// Field 55 known-answer blob: the project's known-answer vectors (CRYPTO.md), "EMV (field 55)".

const FIELD55: &str = "9F2608BBFD1BFACF6A64299F2701809F100807000103A0A002019F3704989636539F36020334950500800088009A031603099C01319F02060000000000005F2A02015682023C009F1A0201569F03060000000000009F3303E0E1C89F34031E03009F3501229F1E083132333435363738";

#[test]
fn field55_kat_parses_in_order_and_reencodes() {
    let bytes = unhex(FIELD55);
    assert_eq!(bytes.len(), 112);
    let list = parse_all(&bytes).unwrap();
    expect_pairs(
        &list,
        &[
            ("9F26", "BBFD1BFACF6A6429"),
            ("9F27", "80"),
            ("9F10", "07000103A0A00201"),
            ("9F37", "98963653"),
            ("9F36", "0334"),
            ("95", "0080008800"),
            ("9A", "160309"),
            ("9C", "31"),
            ("9F02", "000000000000"),
            ("5F2A", "0156"),
            ("82", "3C00"),
            ("9F1A", "0156"),
            ("9F03", "000000000000"),
            ("9F33", "E0E1C8"),
            ("9F34", "1E0300"),
            ("9F35", "22"),
            ("9F1E", "3132333435363738"),
        ],
    );
    assert_eq!(encode_all(&list), bytes);
    assert_eq!(list.iter().map(Tlv::encoded_len).sum::<usize>(), 112);

    let serial = find(&list, tags::INTERFACE_DEVICE_SERIAL_NUMBER).unwrap();
    assert_eq!(serial.value_bytes(), Some(&b"12345678"[..]));
    assert!(find(&list, tags::PAN).is_none());
}

#[test]
fn field55_kat_zero_copy_iteration_matches_parse() {
    let bytes = unhex(FIELD55);
    let list = parse_all(&bytes).unwrap();
    let flat: Vec<(Tag, &[u8])> = TlvIter::new(&bytes).map(Result::unwrap).collect();
    assert_eq!(flat.len(), list.len());
    for ((t, v), tlv) in flat.iter().zip(&list) {
        assert_eq!(*t, tlv.tag);
        assert_eq!(Some(*v), tlv.value_bytes());
    }
}

#[test]
fn field55_kat_truncations_report_offsets() {
    let bytes = unhex(FIELD55);
    // 9F1E starts at 101, its length byte is at 103, its value at 104.
    let t = tags::INTERFACE_DEVICE_SERIAL_NUMBER;
    assert_eq!(
        parse_all(&bytes[..102]),
        Err(TlvError {
            offset: 101,
            kind: TlvErrorKind::TruncatedTag
        })
    );
    assert_eq!(
        parse_all(&bytes[..103]),
        Err(TlvError {
            offset: 103,
            kind: TlvErrorKind::TruncatedLength { tag: t }
        })
    );
    let e = parse_all(&bytes[..108]).unwrap_err();
    assert_eq!(
        e,
        TlvError {
            offset: 104,
            kind: TlvErrorKind::ValueExceedsInput {
                tag: t,
                needed: 8,
                available: 4
            }
        }
    );
    assert_eq!(
        e.to_string(),
        "TLV error at byte 104: value of tag 9F1E needs 8 bytes but only 4 remain"
    );
    // Every cut that is not at an element boundary fails; boundaries give a prefix list.
    let boundaries = [
        0, 11, 15, 26, 33, 38, 45, 50, 53, 62, 67, 71, 76, 85, 91, 97, 101, 112,
    ];
    for cut in 0..=bytes.len() {
        match boundaries.iter().position(|&b| b == cut) {
            Some(n) => assert_eq!(parse_all(&bytes[..cut]).unwrap().len(), n, "cut {cut}"),
            None => assert!(parse_all(&bytes[..cut]).is_err(), "cut {cut}"),
        }
    }
}

#[test]
fn error_message_example_from_the_brief() {
    // 9F26 (11 bytes), then 9F10 claiming 8 bytes with 3 left; its value starts at byte 14.
    let bytes = unhex("9F2608BBFD1BFACF6A64299F1008070001");
    let e = parse_all(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "TLV error at byte 14: value of tag 9F10 needs 8 bytes but only 3 remain"
    );
}

// ---------------------------------------------------------------------------------------
// Field 62 of the captured parameter download messages in PROTOCOL.md §3.4 and §2.6.

/// IC parameter query response 0830 (60.3 = 382), PROTOCOL.md §3.4.
const MSG_0830_AID_QUERY: &str = "00b260000000026031003100300830001800000ac0001414431609093135303930393833363436313030303030303131343031323334353637383930313233343500110000000138200105319f0608a0000003330101069f0608a0000003330101039f0608a0000003330101029f0608a0000003330101019f0607a00000006510109f0607a00000000430609f0607a00000000410109f0607a00000000330109f0607a00000000320109f0607a0000000031010";
/// Its field 62: message bytes 75..180, after F60 `0011 000000013820` and the BCD length
/// `0105` (105 bytes) at bytes 73..75.
const F62_AID_QUERY: &str = "319f0608a0000003330101069f0608a0000003330101039f0608a0000003330101029f0608a0000003330101019f0607a00000006510109f0607a00000000430609f0607a00000000410109f0607a00000000330109f0607a00000000320109f0607a0000000031010";

/// IC parameter download response 0810 (60.3 = 380), PROTOCOL.md §3.4.
const MSG_0810_AID_DOWNLOAD: &str = "00b960000000026031003100300810001800000ac0001414431609093135303930393833363436323030303030303131343031323334353637383930313233343500110000000138000112319f0607a0000000031010df0101009f08020140df1105d84000a800df1205d84004f800df130500100000009f1b0400000000df150400000000df160199df170199df14039f3704df1801019f7b06000000010000df1906000000000001df2006000000010000df2106000000010000";
/// Its field 62: message bytes 75..187, after F60 `0011 000000013800` and the BCD length
/// `0112` (112 bytes) at bytes 73..75.
const F62_AID_DOWNLOAD: &str = "319f0607a0000000031010df0101009f08020140df1105d84000a800df1205d84004f800df130500100000009f1b0400000000df150400000000df160199df170199df14039f3704df1801019f7b06000000010000df1906000000000001df2006000000010000df2106000000010000";

/// CA public key query response 0830 (60.3 = 372), the MAB of PROTOCOL.md §2.6 KAT-1.
const MAB_0830_CAPK_QUERY: &str = "08300000000002C000153030363730303436343238393733373031373933323330303200110000000137200277319F0605A0000003339F220103DF050832303234313233319F0605A0000003339F220104DF050832303234313233319F0605A0000003339F220102DF050832303231313233319F0605A0000000039F220107DF050832303137313233319F0605A0000000039F220108DF050832303233313233319F0605A0000000039F220109DF050832303233313233319F0605A0000000659F220110DF050832303232313233319F0605A0000000659F220112DF050832303232313233319F0605A0000000659F220114DF050832303232313233319F0605A0000000049F220104DF050832303137313233319F0605A0000000049F220105DF050832303231313233319F0605A0000000049F220106DF05083230323131323331";
/// Its field 62: MAB bytes 45..322, after F60 `0011 000000013720` and the BCD length
/// `0277` (277 bytes) at bytes 43..45.
const F62_CAPK_QUERY: &str = "319F0605A0000003339F220103DF050832303234313233319F0605A0000003339F220104DF050832303234313233319F0605A0000003339F220102DF050832303231313233319F0605A0000000039F220107DF050832303137313233319F0605A0000000039F220108DF050832303233313233319F0605A0000000039F220109DF050832303233313233319F0605A0000000659F220110DF050832303232313233319F0605A0000000659F220112DF050832303232313233319F0605A0000000659F220114DF050832303232313233319F0605A0000000049F220104DF050832303137313233319F0605A0000000049F220105DF050832303231313233319F0605A0000000049F220106DF05083230323131323331";

/// Checks that `field` is the tail of `message`, preceded by its 2-byte BCD length.
fn check_field62_location(message: &str, field: &str, bcd_len: &str) {
    let message = unhex(message);
    let field = unhex(field);
    assert_eq!(format!("{:04}", field.len()), bcd_len);
    let tail = message.len() - field.len();
    assert_eq!(&message[tail..], &field[..]);
    assert_eq!(hex::encode(&message[tail - 2..tail]), bcd_len);
}

/// Splits the leading continuation flag `'1'` off a field 62 and parses the TLVs.
fn parse_field62(field: &str) -> (Vec<u8>, Vec<Tlv>) {
    let bytes = unhex(field);
    assert_eq!(bytes[0], b'1');
    let list = parse_all(&bytes[1..]).unwrap();
    assert_eq!(encode_all(&list), &bytes[1..]);
    (bytes, list)
}

#[test]
fn field62_aid_query_response() {
    check_field62_location(MSG_0830_AID_QUERY, F62_AID_QUERY, "0105");
    let (_, list) = parse_field62(F62_AID_QUERY);
    expect_pairs(
        &list,
        &[
            ("9F06", "A000000333010106"),
            ("9F06", "A000000333010103"),
            ("9F06", "A000000333010102"),
            ("9F06", "A000000333010101"),
            ("9F06", "A0000000651010"),
            ("9F06", "A0000000043060"),
            ("9F06", "A0000000041010"),
            ("9F06", "A0000000033010"),
            ("9F06", "A0000000032010"),
            ("9F06", "A0000000031010"),
        ],
    );
    assert!(list.iter().all(|t| t.tag == tags::AID_TERMINAL));
}

#[test]
fn field62_aid_download_response() {
    check_field62_location(MSG_0810_AID_DOWNLOAD, F62_AID_DOWNLOAD, "0112");
    let (_, list) = parse_field62(F62_AID_DOWNLOAD);
    expect_pairs(
        &list,
        &[
            ("9F06", "A0000000031010"),
            ("DF01", "00"),
            ("9F08", "0140"),
            ("DF11", "D84000A800"),
            ("DF12", "D84004F800"),
            ("DF13", "0010000000"),
            ("9F1B", "00000000"),
            ("DF15", "00000000"),
            ("DF16", "99"),
            ("DF17", "99"),
            ("DF14", "9F3704"),
            ("DF18", "01"),
            ("9F7B", "000000010000"),
            ("DF19", "000000000001"),
            ("DF20", "000000010000"),
            ("DF21", "000000010000"),
        ],
    );
    // DF tags are private-class primitives, not templates.
    assert!(list.iter().all(|t| !t.tag.is_constructed()));
    assert_eq!(tags::TAC_DEFAULT.class(), TagClass::Private);
    // The default DDOL is itself a tag-length list (9F37, 4 bytes), not a TLV list.
    let ddol = find(&list, tags::DEFAULT_DDOL)
        .unwrap()
        .value_bytes()
        .unwrap();
    assert_eq!(ddol, [0x9F, 0x37, 0x04]);
}

#[test]
fn field62_capk_query_response() {
    check_field62_location(MAB_0830_CAPK_QUERY, F62_CAPK_QUERY, "0277");
    let (_, list) = parse_field62(F62_CAPK_QUERY);
    assert_eq!(list.len(), 36);
    let expected = [
        ("A000000333", "03", "20241231"),
        ("A000000333", "04", "20241231"),
        ("A000000333", "02", "20211231"),
        ("A000000003", "07", "20171231"),
        ("A000000003", "08", "20231231"),
        ("A000000003", "09", "20231231"),
        ("A000000065", "10", "20221231"),
        ("A000000065", "12", "20221231"),
        ("A000000065", "14", "20221231"),
        ("A000000004", "04", "20171231"),
        ("A000000004", "05", "20211231"),
        ("A000000004", "06", "20211231"),
    ];
    for (triple, (rid, index, expiry)) in list.chunks(3).zip(expected) {
        assert_eq!(triple[0].tag, tags::AID_TERMINAL);
        assert_eq!(triple[1].tag, tags::CA_PUBLIC_KEY_INDEX);
        assert_eq!(triple[2].tag, tags::CAPK_EXPIRY);
        assert_eq!(hex::encode_upper(triple[0].value_bytes().unwrap()), rid);
        assert_eq!(hex::encode_upper(triple[1].value_bytes().unwrap()), index);
        assert_eq!(triple[2].value_bytes().unwrap(), expiry.as_bytes());
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built structures.

#[test]
fn constructed_response_template_77() {
    // A GENERATE AC response in format 2 (77) followed by a primitive 9F1E.
    let bytes = unhex(concat!(
        "7726",
        "9F270180",
        "9F360200A1",
        "9F2608BBFD1BFACF6A6429",
        "9F100807000103A0A00201",
        "9F3704",
        "98963653",
        "9F1E083132333435363738",
    ));
    let list = parse_all(&bytes).unwrap();
    assert_eq!(list.len(), 2);
    let template = &list[0];
    assert_eq!(template.tag, tags::RESPONSE_TEMPLATE_FORMAT_2);
    assert!(template.tag.is_constructed());
    assert_eq!(template.value_bytes(), None);
    expect_pairs(
        template.children().unwrap(),
        &[
            ("9F27", "80"),
            ("9F36", "00A1"),
            ("9F26", "BBFD1BFACF6A6429"),
            ("9F10", "07000103A0A00201"),
            ("9F37", "98963653"),
        ],
    );
    assert_eq!(template.value_len(), 0x26);
    // find searches into the template.
    let atc = find(&list, tags::APPLICATION_TRANSACTION_COUNTER).unwrap();
    assert_eq!(atc.value_bytes(), Some(&[0x00, 0xA1][..]));
    assert_eq!(encode_all(&list), bytes);
}

#[test]
fn nested_templates_70_and_empty_constructed() {
    let list = vec![
        Tlv::constructed(
            tags::EMV_TEMPLATE,
            vec![
                Tlv::primitive(tags::PAN, unhex("6212345678901265")),
                Tlv::constructed(tag(0xBF0C), vec![Tlv::primitive(tag(0x9F4D), [0x0B, 0x0A])]),
                Tlv::primitive(tags::PAN_SEQUENCE_NUMBER, [0x01]),
            ],
        ),
        Tlv::constructed(tags::EMV_TEMPLATE, vec![]),
    ];
    let bytes = encode_all(&list);
    assert_eq!(
        hex::encode_upper(&bytes),
        "70165A086212345678901265BF0C059F4D020B0A5F3401017000"
    );
    assert_eq!(parse_all(&bytes).unwrap(), list);
    // find is depth-first in wire order: 9F4D is found inside BF0C inside the first 70,
    // and the first 70 is found before the second.
    assert_eq!(
        find(&list, tag(0x9F4D)).unwrap().value_bytes(),
        Some(&[0x0B, 0x0A][..])
    );
    assert_eq!(find(&list, tags::EMV_TEMPLATE), list.first());
}

#[test]
fn multi_byte_tags() {
    let bytes = unhex(concat!(
        "9F1E083132333435363738", // two-byte tag
        "DF81010101",             // three-byte private primitive
        "FF8101",
        "07",
        "DF8102",
        "03",
        "AABBCC",     // three-byte private constructed
        "5F2A020156", // two-byte application class
    ));
    let list = parse_all(&bytes).unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[1].tag.as_bytes(), [0xDF, 0x81, 0x01]);
    assert_eq!(list[1].tag.to_string(), "DF8101");
    assert_eq!(list[1].tag.to_u32(), 0xDF8101);
    assert_eq!(list[2].tag, tag(0xFF8101));
    assert_eq!(
        list[2].value,
        TlvValue::Constructed(vec![Tlv::primitive(tag(0xDF8102), [0xAA, 0xBB, 0xCC])])
    );
    assert_eq!(encode_all(&list), bytes);
}

#[test]
fn capk_download_with_long_form_lengths() {
    // One CA public key as in a 0810 CA key download response: '1', then 9F06, 9F22,
    // DF05, DF06, DF07, DF02 (144-byte modulus: length 81 90), DF04, DF03.
    let modulus: Vec<u8> = (0..144u32).map(|i| (i * 7 + 1) as u8).collect();
    let checksum = [0x5Au8; 20];
    let mut bytes = vec![b'1'];
    bytes.extend(unhex("9F0605A000000333"));
    bytes.extend(unhex("9F220103"));
    bytes.extend(unhex("DF05083230323431323331"));
    bytes.extend(unhex("DF060101"));
    bytes.extend(unhex("DF070101"));
    bytes.extend(unhex("DF028190"));
    bytes.extend(&modulus);
    bytes.extend(unhex("DF040103"));
    bytes.extend(unhex("DF0314"));
    bytes.extend(checksum);

    let list = parse_all(&bytes[1..]).unwrap();
    let tags_seen: Vec<String> = list.iter().map(|t| t.tag.to_string()).collect();
    assert_eq!(
        tags_seen,
        ["9F06", "9F22", "DF05", "DF06", "DF07", "DF02", "DF04", "DF03"]
    );
    let df02 = find(&list, tags::CAPK_MODULUS).unwrap();
    assert_eq!(df02.value_bytes(), Some(&modulus[..]));
    assert_eq!(&df02.encode()[..4], [0xDF, 0x02, 0x81, 0x90]);
    assert_eq!(df02.encoded_len(), 2 + 2 + 144);
    assert_eq!(
        find(&list, tags::CAPK_EXPIRY).unwrap().value_bytes(),
        Some(&b"20241231"[..])
    );
    assert_eq!(encode_all(&list), &bytes[1..]);
}

#[test]
fn long_form_82_and_83() {
    let value = vec![0x33u8; 300];
    let tlv = Tlv::primitive(tags::ISSUER_APPLICATION_DATA, value.clone());
    let bytes = tlv.encode();
    assert_eq!(&bytes[..5], [0x9F, 0x10, 0x82, 0x01, 0x2C]);
    assert_eq!(parse_all(&bytes).unwrap(), vec![tlv]);
    // An 83 length with a small value parses (non-minimal) and re-encodes minimally.
    let bytes = unhex("9F1083000003ABCDEF");
    let list = parse_all(&bytes).unwrap();
    assert_eq!(list[0].value_bytes(), Some(&[0xAB, 0xCD, 0xEF][..]));
    assert_eq!(encode_all(&list), unhex("9F1003ABCDEF"));
}

// ---------------------------------------------------------------------------------------
// Error cases.

fn error_of(hex: &str) -> TlvError {
    parse_all(&unhex(hex)).unwrap_err()
}

fn at(offset: usize, kind: TlvErrorKind) -> TlvError {
    TlvError { offset, kind }
}

#[test]
fn errors_and_their_offsets() {
    use TlvErrorKind::*;
    assert_eq!(parse_all(&[]), Ok(vec![]));
    assert_eq!(Tag::new(&[]), Err(at(0, EmptyInput)));
    // Tag problems point at the tag's first byte.
    assert_eq!(error_of("9C01319F"), at(3, TruncatedTag));
    assert_eq!(error_of("9C0131DF81"), at(3, TruncatedTag));
    assert_eq!(error_of("9C01319F81828301"), at(3, TagTooLong));
    // Length problems point at the first length byte.
    let t = tags::TRANSACTION_DATE;
    assert_eq!(error_of("9C01319A"), at(4, TruncatedLength { tag: t }));
    assert_eq!(error_of("9C01319A81"), at(4, TruncatedLength { tag: t }));
    assert_eq!(error_of("9C01319A8200"), at(4, TruncatedLength { tag: t }));
    assert_eq!(error_of("9C01319A80"), at(4, IndefiniteLength { tag: t }));
    let wide = UnsupportedLengthForm { tag: t, byte: 0x84 };
    assert_eq!(error_of("9C01319A8400000003AABBCC"), at(4, wide));
    let wide = UnsupportedLengthForm { tag: t, byte: 0xFF };
    assert_eq!(error_of("9C01319AFF"), at(4, wide));
    // Value problems point at the first value byte.
    let short = ValueExceedsInput {
        tag: t,
        needed: 3,
        available: 1,
    };
    assert_eq!(error_of("9C01319A0316"), at(5, short));
    let short = ValueExceedsInput {
        tag: t,
        needed: 256,
        available: 0,
    };
    assert_eq!(error_of("9C01319A820100"), at(7, short));
    // Display names the offset and the problem.
    assert_eq!(
        error_of("9C01319A80").to_string(),
        "TLV error at byte 4: tag 9A uses the indefinite length form 80"
    );
    assert_eq!(
        error_of("9C01319A8400000003AABBCC").to_string(),
        "TLV error at byte 4: tag 9A has length byte 84; lengths wider than 3 bytes are not supported"
    );
}

#[test]
fn errors_inside_constructed_values_use_absolute_offsets() {
    use TlvErrorKind::*;
    // The 70 claims 10 bytes but 5 remain.
    let short = ValueExceedsInput {
        tag: tags::EMV_TEMPLATE,
        needed: 10,
        available: 5,
    };
    assert_eq!(error_of("9C0131700A5A0262129F"), at(5, short));
    // The 70 holds 5 bytes: 5A 02 62 12, then 9F alone, a truncated tag at byte 9.
    assert_eq!(error_of("9C013170055A0262129F"), at(9, TruncatedTag));
    // A child's value must fit inside its parent even when the input goes on.
    let short = ValueExceedsInput {
        tag: tags::TRANSACTION_TYPE,
        needed: 5,
        available: 1,
    };
    assert_eq!(error_of("70039C0531323334359C0131"), at(4, short));
    // A tag cut short by the end of its parent's value.
    assert_eq!(error_of("7701BF9C0100"), at(2, TruncatedTag));
    // Indefinite length inside a template.
    let cid = tags::CRYPTOGRAM_INFORMATION_DATA;
    assert_eq!(error_of("77039F2780"), at(4, IndefiniteLength { tag: cid }));
}

#[test]
fn nesting_deeper_than_the_limit_is_rejected() {
    // MAX_DEPTH nested 70 templates around a 9C, then one more level.
    let mut tlv = Tlv::primitive(tags::TRANSACTION_TYPE, [0x00]);
    for _ in 0..MAX_DEPTH {
        tlv = Tlv::constructed(tags::EMV_TEMPLATE, vec![tlv]);
    }
    assert!(parse_all(&tlv.encode()).is_ok());
    let deeper = Tlv::constructed(tags::EMV_TEMPLATE, vec![tlv]);
    let e = parse_all(&deeper.encode()).unwrap_err();
    assert_eq!(e.offset, 2 * MAX_DEPTH);
    assert_eq!(
        e.kind,
        TlvErrorKind::NestingTooDeep {
            tag: tags::EMV_TEMPLATE,
            limit: MAX_DEPTH
        }
    );
    // A hostile input nesting 200 templates stops at the limit.
    let mut hostile = Tlv::primitive(tags::TRANSACTION_TYPE, [0x00]);
    for _ in 0..200 {
        hostile = Tlv::constructed(tags::EMV_TEMPLATE, vec![hostile]);
    }
    let e = parse_all(&hostile.encode()).unwrap_err();
    assert!(matches!(e.kind, TlvErrorKind::NestingTooDeep { .. }));
}

// ---------------------------------------------------------------------------------------
// Property tests.

/// A tag of 1 to 3 bytes with the given constructed bit and a random class.
fn arb_tag(constructed: bool) -> impl Strategy<Value = Tag> {
    let bit = if constructed { 0x20u8 } else { 0 };
    let single =
        (0u8..4, 0u8..0x1F).prop_map(move |(class, number)| vec![class << 6 | bit | number]);
    let multi = (
        0u8..4,
        proptest::collection::vec(0x80u8..=0xFF, 0..=1),
        0u8..0x80,
    )
        .prop_map(move |(class, middle, last)| {
            let mut bytes = vec![class << 6 | bit | 0x1F];
            bytes.extend(middle);
            bytes.push(last);
            bytes
        });
    prop_oneof![single, multi].prop_map(|bytes| Tag::new(&bytes).unwrap())
}

/// A TLV tree: primitives with 0–300 value bytes, constructed values up to 3 levels deep.
fn arb_tlv() -> impl Strategy<Value = Tlv> {
    let leaf = (
        arb_tag(false),
        proptest::collection::vec(any::<u8>(), 0..=300),
    )
        .prop_map(|(tag, value)| Tlv::primitive(tag, value));
    leaf.prop_recursive(3, 24, 4, |inner| {
        (arb_tag(true), proptest::collection::vec(inner, 0..4))
            .prop_map(|(tag, children)| Tlv::constructed(tag, children))
    })
}

fn arb_list() -> impl Strategy<Value = Vec<Tlv>> {
    proptest::collection::vec(arb_tlv(), 0..6)
}

proptest! {
    #[test]
    fn encode_then_parse_round_trips(list in arb_list()) {
        let bytes = encode_all(&list);
        prop_assert_eq!(bytes.len(), list.iter().map(Tlv::encoded_len).sum::<usize>());
        let parsed = parse_all(&bytes).unwrap();
        prop_assert_eq!(&parsed, &list);
        prop_assert_eq!(encode_all(&parsed), bytes);
    }

    #[test]
    fn every_top_level_prefix_parses_or_fails_cleanly(list in arb_list(), cut in any::<prop::sample::Index>()) {
        let bytes = encode_all(&list);
        let cut = cut.index(bytes.len() + 1);
        let mut boundaries = vec![0];
        for tlv in &list {
            boundaries.push(boundaries.last().unwrap() + tlv.encoded_len());
        }
        match boundaries.iter().position(|&b| b == cut) {
            Some(n) => prop_assert_eq!(parse_all(&bytes[..cut]).unwrap(), list[..n].to_vec()),
            None => {
                let e = parse_all(&bytes[..cut]).unwrap_err();
                prop_assert!(e.offset <= cut);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match parse_all(&bytes) {
            Ok(list) => {
                // Non-minimal lengths can only shrink; the result parses back to itself.
                let again = encode_all(&list);
                prop_assert!(again.len() <= bytes.len());
                prop_assert_eq!(parse_all(&again).unwrap(), list);
            }
            Err(e) => {
                prop_assert!(e.offset <= bytes.len());
                prop_assert!(e.to_string().starts_with("TLV error at byte "));
            }
        }
        let mut iter = TlvIter::new(&bytes);
        let mut last = 0;
        while let Some(item) = iter.next() {
            if item.is_err() {
                break;
            }
            prop_assert!(iter.offset() > last);
            last = iter.offset();
        }
        prop_assert!(iter.next().is_none());
    }

    #[test]
    fn mutated_encodings_never_panic(
        list in arb_list(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = encode_all(&list);
        if !bytes.is_empty() {
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
        }
        if let Err(e) = parse_all(&bytes) {
            prop_assert!(e.offset <= bytes.len());
        }
    }

    #[test]
    fn tag_bytes_round_trip(tag in prop_oneof![arb_tag(false), arb_tag(true)]) {
        prop_assert_eq!(Tag::new(tag.as_bytes()), Ok(tag));
        prop_assert_eq!(Tag::from_u32(tag.to_u32()), Ok(tag));
        prop_assert_eq!(tag.to_string(), hex::encode_upper(tag.as_bytes()));
    }
}
