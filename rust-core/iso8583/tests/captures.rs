//! Every captured message of PROTOCOL.md §3 decodes field by field to the documented values
//! and re-encodes byte-identically.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use unipos_iso8583::cup::{
    self, CupHeader, DownloadPayload, Field60, SettlementTotals, SignInKeys,
};
use unipos_iso8583::{FrameLayout, Message};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

struct Decoded {
    tpdu: String,
    header: String,
    msg: Message,
}

/// Decodes a whole frame and checks that packing and framing give back the same bytes.
fn decode_frame(hex: &str) -> Decoded {
    let frame = unhex(hex);
    let layout = FrameLayout::UNIONPAY;
    let parts = layout.split(&frame).unwrap();
    let msg = cup::profile().unpack(parts.message).unwrap();
    let repacked = cup::profile().pack(&msg).unwrap();
    assert_eq!(
        hex::encode_upper(&repacked),
        hex::encode_upper(parts.message)
    );
    let reframed = layout
        .assemble(parts.tpdu, parts.header, &repacked)
        .unwrap();
    assert_eq!(reframed, frame);
    Decoded {
        tpdu: parts.tpdu.unwrap().to_string(),
        header: hex::encode_upper(parts.header),
        msg,
    }
}

fn t(m: &Message, n: u8) -> &str {
    m.text(n)
        .unwrap_or_else(|| panic!("field {n} missing or not text"))
}

fn b(m: &Message, n: u8) -> String {
    hex::encode_upper(m.get(n).unwrap())
}

fn fields(m: &Message) -> Vec<u8> {
    m.field_numbers().collect()
}

#[test]
fn sign_in_request_0800() {
    let d = decode_frame("003C600401000060310031000108000020000000C00012000029363239363930303233303133313030343839393030303100110000013200300003303031");
    assert_eq!(d.tpdu, "6004010000");
    assert_eq!(d.header, "603100310001");
    assert_eq!(d.msg.mti().as_str(), "0800");
    assert_eq!(fields(&d.msg), vec![11, 41, 42, 60, 63]);
    assert_eq!(t(&d.msg, 11), "000029");
    assert_eq!(t(&d.msg, 41), "62969002");
    assert_eq!(t(&d.msg, 42), "301310048990001");
    assert_eq!(t(&d.msg, 60), "00000132003");
    assert_eq!(t(&d.msg, 63), "001");
    let f60 = Field60::parse(t(&d.msg, 60)).unwrap();
    assert_eq!((f60.batch, f60.network_code), (132, 3));
}

#[test]
fn sign_in_response_0810() {
    let d = decode_frame("007460000000026031003100300810003800000ac0001400044109130909083135303930383833363032383030303030303131343231323334353637383930313233343500110000000600300040279be86aaeb174b80bbe2b24e80f888cebe8b6c2be7bc61956bbf2480000000000000000a2f2cabb");
    assert_eq!(d.tpdu, "6000000002");
    assert_eq!(d.header, "603100310030");
    assert_eq!(d.msg.mti().as_str(), "0810");
    assert_eq!(fields(&d.msg), vec![11, 12, 13, 37, 39, 41, 42, 60, 62]);
    assert_eq!(t(&d.msg, 11), "000441");
    assert_eq!(t(&d.msg, 12), "091309");
    assert_eq!(t(&d.msg, 13), "0908");
    assert_eq!(t(&d.msg, 37), "150908836028");
    assert_eq!(t(&d.msg, 39), "00");
    assert_eq!(t(&d.msg, 41), "00001142");
    assert_eq!(t(&d.msg, 42), "123456789012345");
    assert_eq!(t(&d.msg, 60), "00000006003");
    let keys = SignInKeys::parse(d.msg.get(62).unwrap()).unwrap();
    assert_eq!(
        hex::encode(&keys.pik.ciphertext),
        "279be86aaeb174b80bbe2b24e80f888c"
    );
    assert_eq!(hex::encode(keys.pik.check_value), "ebe8b6c2");
    assert_eq!(hex::encode(&keys.mak.ciphertext[..8]), "be7bc61956bbf248");
    assert_eq!(hex::encode(keys.mak.check_value), "a2f2cabb");
}

#[test]
fn sale_response_0210_with_icc_data() {
    let d = decode_frame("009f60000000066031009999990210703e02810ed082131962122602000241255730000000000000073700002332203217082723020827000100084803100032303332313734393138323730313233343530303030303036353930373133313030303538313230363131223031303230303030202020343830333130303020202031353600059f3602004700142200006500050100034355503635304341433741");
    assert_eq!(d.header, "603100999999");
    let m = &d.msg;
    assert_eq!(m.mti().as_str(), "0210");
    assert_eq!(
        fields(m),
        vec![2, 3, 4, 11, 12, 13, 14, 15, 23, 25, 32, 37, 38, 39, 41, 42, 44, 49, 55, 60, 63, 64]
    );
    assert_eq!(t(m, 2), "6212260200024125573");
    assert_eq!(t(m, 3), "000000");
    assert_eq!(t(m, 4), "000000073700");
    assert_eq!(m.number(4), Some(73_700));
    assert_eq!(t(m, 11), "002332");
    assert_eq!(t(m, 12), "203217");
    assert_eq!(t(m, 13), "0827");
    assert_eq!(t(m, 14), "2302");
    assert_eq!(t(m, 15), "0827");
    assert_eq!(t(m, 23), "001");
    assert_eq!(t(m, 25), "00");
    assert_eq!(t(m, 32), "48031000");
    assert_eq!(t(m, 37), "203217491827");
    assert_eq!(t(m, 38), "012345");
    assert_eq!(t(m, 39), "00");
    assert_eq!(t(m, 41), "00006590");
    assert_eq!(t(m, 42), "713100058120611");
    assert_eq!(t(m, 44), "01020000   48031000   ");
    assert_eq!(t(m, 49), "156");
    assert_eq!(b(m, 55), "9F36020047");
    assert_eq!(t(m, 60), "22000065000501");
    assert_eq!(t(m, 63), "CUP");
    assert_eq!(t(m, 64), "650CAC7A");
}

#[test]
fn sign_out_response_0830() {
    let d = decode_frame("004a60000000026031003100300830003800000ac000100004471608130908313530393038383336303939303030303030313134323132333435363738393031323334350011000000070020");
    assert_eq!(d.msg.mti().as_str(), "0830");
    assert_eq!(t(&d.msg, 60), "00000007002");
    assert_eq!(t(&d.msg, 39), "00");
}

#[test]
fn settlement_response_0510() {
    let d = decode_frame("006e60000000026031003100300510003a000008c180100004451608030908090831353039303838333630393730303030313134323132333435363738393031323334350062000000000011011000000000002002100000000000000000000000000000013135360011000000062010");
    let m = &d.msg;
    assert_eq!(m.mti().as_str(), "0510");
    assert_eq!(t(m, 60), "00000006201");
    assert_eq!(t(m, 49), "156");
    let totals = SettlementTotals::parse(t(m, 48)).unwrap();
    assert_eq!(totals.domestic.debit_amount, 11);
    assert_eq!(totals.domestic.debit_count, 11);
    assert_eq!(totals.domestic.credit_amount, 2);
    assert_eq!(totals.domestic.credit_count, 2);
    assert_eq!(totals.domestic.result, 1);
    assert_eq!(totals.foreign.debit_count, 0);
    assert_eq!(totals.foreign.result, 1);
}

#[test]
fn aid_query_response_0830_382() {
    let d = decode_frame("00b260000000026031003100300830001800000ac0001414431609093135303930393833363436313030303030303131343031323334353637383930313233343500110000000138200105319f0608a0000003330101069f0608a0000003330101039f0608a0000003330101029f0608a0000003330101019f0607a00000006510109f0607a00000000430609f0607a00000000410109f0607a00000000330109f0607a00000000320109f0607a0000000031010");
    assert_eq!(t(&d.msg, 60), "00000001382");
    let payload = DownloadPayload::parse(d.msg.get(62).unwrap()).unwrap();
    assert_eq!(payload.status, b'1');
    let aids: Vec<String> = payload.aids().iter().map(hex::encode_upper).collect();
    assert_eq!(aids.len(), 10);
    assert_eq!(aids[0], "A000000333010106");
    assert_eq!(aids[9], "A0000000031010");
    assert_eq!(payload.to_bytes(), d.msg.get(62).unwrap());
}

#[test]
fn aid_download_response_0810_380() {
    let d = decode_frame("00b960000000026031003100300810001800000ac0001414431609093135303930393833363436323030303030303131343031323334353637383930313233343500110000000138000112319f0607a0000000031010df0101009f08020140df1105d84000a800df1205d84004f800df130500100000009f1b0400000000df150400000000df160199df170199df14039f3704df1801019f7b06000000010000df1906000000000001df2006000000010000df2106000000010000");
    assert_eq!(t(&d.msg, 60), "00000001380");
    let payload = DownloadPayload::parse(d.msg.get(62).unwrap()).unwrap();
    let tags: Vec<String> = payload.entries.iter().map(|e| e.tag.to_string()).collect();
    assert_eq!(
        tags,
        [
            "9F06", "DF01", "9F08", "DF11", "DF12", "DF13", "9F1B", "DF15", "DF16", "DF17", "DF14",
            "DF18", "9F7B", "DF19", "DF20", "DF21"
        ]
    );
}

/// KAT-1 of PROTOCOL.md §2.6: a CA-key query response, MTI to field 63, whose MAC is
/// "5FE058DB". With field 64 appended it is a whole message.
#[test]
fn capk_query_response_from_the_mac_vector() {
    let mab = unhex("08300000000002C000153030363730303436343238393733373031373933323330303200110000000137200277319F0605A0000003339F220103DF050832303234313233319F0605A0000003339F220104DF050832303234313233319F0605A0000003339F220102DF050832303231313233319F0605A0000000039F220107DF050832303137313233319F0605A0000000039F220108DF050832303233313233319F0605A0000000039F220109DF050832303233313233319F0605A0000000659F220110DF050832303232313233319F0605A0000000659F220112DF050832303232313233319F0605A0000000659F220114DF050832303232313233319F0605A0000000049F220104DF050832303137313233319F0605A0000000049F220105DF050832303231313233319F0605A0000000049F220106DF05083230323131323331");
    let mut whole = mab.clone();
    whole.extend_from_slice(b"5FE058DB");
    let m = cup::profile().unpack(&whole).unwrap();
    assert_eq!(cup::profile().pack(&m).unwrap(), whole);
    assert_eq!(cup::mac_block(&whole).unwrap(), &mab[..]);
    assert_eq!(t(&m, 60), "00000001372");
    let payload = DownloadPayload::parse(m.get(62).unwrap()).unwrap();
    let keys = payload.capk_ids();
    assert_eq!(keys.len(), 12);
    assert_eq!(hex::encode_upper(&keys[0].rid), "A000000333");
    assert_eq!(keys[0].index, 0x03);
    assert_eq!(keys[0].expiry, b"20241231");
}

/// KAT-2 of PROTOCOL.md §2.6: a 0200 sale request MAB whose MAC is "8A9E91B8".
#[test]
fn sale_request_from_the_mac_vector() {
    let mut whole = unhex("0200302004C020C0981100000000000000005100183402100006324392260009942820D1312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F92600000000000000000822000001");
    whole.extend_from_slice(b"8A9E91B8");
    let m = cup::profile().unpack(&whole).unwrap();
    assert_eq!(cup::profile().pack(&m).unwrap(), whole);
    assert_eq!(t(&m, 3), "000000");
    assert_eq!(m.number(4), Some(51));
    assert_eq!(t(&m, 11), "001834");
    assert_eq!(t(&m, 26), "06");
    assert_eq!(t(&m, 22), "021");
    assert_eq!(t(&m, 35), "4392260009942820D131210112008439");
    assert_eq!(b(&m, 52), "ACF46E73838A82F9");
    assert_eq!(t(&m, 53), "2600000000000000");
    assert_eq!(t(&m, 60), "22000001");
}

#[test]
fn default_header_is_the_sign_in_capture() {
    assert_eq!(CupHeader::DEFAULT.to_string(), "603100310001");
}
