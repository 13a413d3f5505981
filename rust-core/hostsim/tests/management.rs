#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Sign-in key delivery, MAC and session rules, downloads, processing requirements,
//! determinism.

mod common;

use common::*;
use unipos_hostsim::config::MacKeyLength;
use unipos_hostsim::{test_cards, HostSimConfig, TerminalConfig};
use unipos_iso8583::cup::{
    DownloadPayload, Field60, NetworkCode, ProcessingRequirement, SignInKeys, TransactionType,
};
use unipos_iso8583::tlv::{encode_all, Tag, Tlv};
use unipos_iso8583::Tpdu;

#[test]
fn sign_in_delivers_keys_the_terminal_can_unwrap_and_check() {
    let (host, _clock) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    let a = t.sign_in();
    assert_eq!(a.code(), "00");
    assert_eq!(a.msg.get(62).unwrap().len(), 40);
    // TPDU swapped, header echoed.
    assert_eq!(a.tpdu, Tpdu::DEFAULT.swapped());
    assert_eq!(a.header, t.header);
    assert_eq!(a.msg.text(32), Some("48031000"));
    assert_eq!(a.rrn().len(), 12);
    for f in [11, 12, 13, 41, 42, 60] {
        assert!(a.msg.has(f), "field {f}");
    }
    assert!(!a.msg.has(64), "08xx answers carry no MAC");
    // The host's session holds the same keys the terminal unwrapped.
    let s = host.sessions().get("62969002").unwrap();
    assert_eq!(&s.mak, t.mak.as_ref().unwrap());
    assert_eq!(&s.pik, t.pik.as_ref().unwrap());
    assert_eq!(t.mak.as_ref().unwrap().byte_len(), 16);
    // Each sign-in issues fresh keys.
    let old = t.mak.clone();
    t.sign_in();
    assert_ne!(old, t.mak);
}

#[test]
fn sign_in_004_adds_a_tdk_and_single_mak_is_zero_padded() {
    let mut single = TerminalConfig::new("62969099", unipos_hostsim::defaults::MERCHANT_ID);
    single.mak_length = MacKeyLength::Single;
    let mut config = HostSimConfig::default();
    config.terminals.push(single);
    let (host, _clock) = start_with(config);
    let mut t = Term::tcp(&host, "62969002");
    let a = t.sign_in_mode(NetworkCode::SignInDoubleKeysWithTdk);
    assert_eq!(a.code(), "00");
    assert_eq!(a.msg.get(62).unwrap().len(), 60);
    assert!(t.tdk.is_some());
    assert_eq!(host.sessions().get("62969002").unwrap().tdk, t.tdk);

    let mut s = Term::tcp(&host, "62969099");
    let a = s.sign_in();
    let keys = SignInKeys::parse(a.msg.get(62).unwrap()).unwrap();
    assert_eq!(keys.mak.ciphertext[8..], [0u8; 8]);
    assert_eq!(s.mak.as_ref().unwrap().byte_len(), 8);
    // And the single-length MAK works for MAC'd traffic.
    let (_, sale) = s.sale(test_cards::DEBIT_IC, 100, None);
    assert_eq!(sale.code(), "00");
    assert_eq!(sale.mac_ok, Some(true));
}

#[test]
fn unknown_terminal_merchant_and_sessions() {
    let (host, _clock) = start_host();
    let mut stranger = Term::tcp(&host, "99999999");
    assert_eq!(
        stranger.sign_in_mode(NetworkCode::SignInDoubleKeys).code(),
        "03"
    );
    let mut wrong_merchant = Term::tcp(&host, "62969002");
    wrong_merchant.mid = "999999999999999".into();
    assert_eq!(
        wrong_merchant
            .sign_in_mode(NetworkCode::SignInDoubleKeys)
            .code(),
        "03"
    );

    // MAC'd request before sign-in: 97, no MAC.
    let mut t = Term::tcp(&host, "62969003");
    t.mak = Some(unipos_crypto::DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    t.pik = t.mak.clone();
    let m = t.financial(
        "0200",
        "310000",
        "00",
        TransactionType::BalanceInquiry,
        None,
    );
    let m = t.with_card(m, test_cards::DEBIT_IC, None);
    let a = t.send(&m);
    assert_eq!(a.code(), "97");
    assert!(!a.msg.has(64));

    // Bad MAC: A0 without MAC.
    t.sign_in();
    let good_mak = t.mak.clone();
    t.mak = Some(unipos_crypto::DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let m = t.financial(
        "0200",
        "310000",
        "00",
        TransactionType::BalanceInquiry,
        None,
    );
    let m = t.with_card(m, test_cards::DEBIT_IC, None);
    let a = t.send(&m);
    assert_eq!(a.code(), "A0");
    assert!(!a.msg.has(64));
    t.mak = good_mak;

    // Good MAC: answer MAC'd and verified.
    let m = t.financial(
        "0200",
        "310000",
        "00",
        TransactionType::BalanceInquiry,
        None,
    );
    let m = t.with_card(m, test_cards::DEBIT_IC, None);
    let a = t.send(&m);
    assert_eq!(a.code(), "00");
    assert_eq!(a.mac_ok, Some(true));
    assert_eq!(a.msg.text(54), Some("1002156C000010000000"));

    // Echo, then sign-out ends the session.
    let echo = t.management("0820", NetworkCode::EchoTest);
    assert_eq!(t.send(&echo).code(), "00");
    let out = t.management("0820", NetworkCode::SignOut);
    assert_eq!(t.send(&out).code(), "00");
    let m = t.financial(
        "0200",
        "310000",
        "00",
        TransactionType::BalanceInquiry,
        None,
    );
    let m = t.with_card(m, test_cards::DEBIT_IC, None);
    assert_eq!(t.send(&m).code(), "97");
}

/// A refusal of a request whose MAC verified is MAC'd like any other answer: the terminal
/// takes an answer without a MAC for a forged one (reversal `A0`, new sign-in).
#[test]
fn refusals_of_an_authenticated_request_are_macd() {
    let (host, _clock) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let (sale, first) = t.sale(test_cards::DEBIT_IC, 1_000, None);
    assert_eq!(first.code(), "00");
    let mut other = sale.clone();
    other.set_number(4, 2_000, 12).unwrap();
    let a = t.send(&other);
    assert_eq!(a.code(), "94");
    assert_eq!(a.mac_ok, Some(true), "94 answer MAC'd");

    let mut m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(100));
    m.remove(60);
    let a = t.send(&m);
    assert_eq!(a.code(), "30");
    assert_eq!(a.mac_ok, Some(true), "30 (field 60 missing) MAC'd");

    let real_mid = t.mid.clone();
    t.mid = "999999999999999".into();
    let m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(100));
    let a = t.send(&m);
    assert_eq!(a.code(), "03");
    assert_eq!(a.mac_ok, Some(true), "03 (another merchant) MAC'd");
    t.mid = real_mid;

    // Key mode 004: a track too short to carry an encrypted block does not decrypt.
    let mut u = Term::tcp(&host, "62969003");
    assert_eq!(
        u.sign_in_mode(NetworkCode::SignInDoubleKeysWithTdk).code(),
        "00"
    );
    let m = u.financial("0200", "000000", "00", TransactionType::Sale, Some(100));
    let mut m = u.with_card(m, test_cards::DEBIT_IC, None);
    m.set(35, "6212345D3012").unwrap();
    let a = u.send(&m);
    assert_eq!(a.code(), "30");
    assert_eq!(a.mac_ok, Some(true), "30 (track 2 under the TDK) MAC'd");
}

/// A pending processing requirement is in the header of every answer to the terminal,
/// refusals included; a request from no known terminal and merchant gets none.
#[test]
fn refusals_carry_the_pending_requirement() {
    let (host, _clock) = start_host();
    let pending = ProcessingRequirement::DownloadParameters;
    assert!(host.set_processing_requirement("62969002", pending));
    let mut t = Term::tcp(&host, "62969002");
    let sale = |t: &mut Term| {
        let m = t.financial("0200", "000000", "00", TransactionType::Sale, Some(100));
        t.with_card(m, test_cards::DEBIT_IC, None)
    };

    // 97: a MAC'd request before sign-in.
    t.mak = Some(unipos_crypto::DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let m = sale(&mut t);
    let a = t.send(&m);
    assert_eq!(a.code(), "97");
    assert_eq!(a.header.processing_requirement(), pending, "97");

    t.sign_in();
    let good_mak = t.mak.clone();
    t.mak = Some(unipos_crypto::DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let m = sale(&mut t);
    let a = t.send(&m);
    assert_eq!(a.code(), "A0");
    assert_eq!(a.header.processing_requirement(), pending, "A0");
    t.mak = good_mak;

    let m = sale(&mut t);
    assert_eq!(t.send(&m).code(), "00");
    let mut other = m.clone();
    other.set_number(4, 200, 12).unwrap();
    let a = t.send(&other);
    assert_eq!(a.code(), "94");
    assert_eq!(a.header.processing_requirement(), pending, "94");

    let mut m = sale(&mut t);
    m.remove(11);
    let a = t.send(&m);
    assert_eq!(a.code(), "30");
    assert_eq!(a.header.processing_requirement(), pending, "30");

    // Not attributable to the terminal: another merchant, an unknown terminal.
    t.mid = "999999999999999".into();
    let m = sale(&mut t);
    let a = t.send(&m);
    assert_eq!(a.code(), "03");
    assert_eq!(
        a.header.processing_requirement(),
        ProcessingRequirement::None
    );
    let mut stranger = Term::tcp(&host, "99999999");
    let a = stranger.sign_in_mode(NetworkCode::SignInDoubleKeys);
    assert_eq!(a.code(), "03");
    assert_eq!(
        a.header.processing_requirement(),
        ProcessingRequirement::None
    );
}

fn tag(v: u32) -> Tag {
    Tag::from_u32(v).unwrap()
}

#[test]
fn downloads_parameters_ca_keys_and_aids() {
    let (host, _clock) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    // Downloads need a session.
    for code in [
        NetworkCode::ParameterDownload,
        NetworkCode::CapkDownload,
        NetworkCode::CapkDownloadEnd,
        NetworkCode::AidDownload,
        NetworkCode::AidDownloadEnd,
    ] {
        let m = t.management("0800", code);
        assert_eq!(t.send(&m).code(), "97", "{code:?}");
    }
    for code in [NetworkCode::CapkQuery, NetworkCode::AidQuery] {
        let m = t.management("0820", code);
        assert_eq!(t.send(&m).code(), "97", "{code:?}");
    }
    t.sign_in();

    let m = t.management("0800", NetworkCode::ParameterDownload);
    let a = t.send(&m);
    let p = DownloadPayload::parse(a.msg.get(62).unwrap()).unwrap();
    assert_eq!(p.status, b'1');
    let name = p.entries.iter().find(|e| e.tag == tag(0xDF01)).unwrap();
    assert_eq!(name.value_bytes().unwrap(), b"UNIPOS TEST MERCHANT");
    assert_eq!(p.entries.len(), 4);

    let mut q = t.management("0820", NetworkCode::CapkQuery);
    q.set(62, b"1").unwrap();
    let a = t.send(&q);
    let ids = DownloadPayload::parse(a.msg.get(62).unwrap())
        .unwrap()
        .capk_ids();
    assert_eq!(ids.len(), 12);
    let first = &ids[0];
    let mut d = t.management("0800", NetworkCode::CapkDownload);
    d.set(
        62,
        encode_all(&[
            Tlv::primitive(tag(0x9F06), first.rid.clone()),
            Tlv::primitive(tag(0x9F22), vec![first.index]),
        ]),
    )
    .unwrap();
    let a = t.send(&d);
    assert_eq!(a.code(), "00");
    let key = DownloadPayload::parse(a.msg.get(62).unwrap()).unwrap();
    let tags: Vec<String> = key.entries.iter().map(|e| e.tag.to_string()).collect();
    assert_eq!(
        tags,
        ["9F06", "9F22", "DF05", "DF06", "DF07", "DF02", "DF04", "DF03"]
    );
    let modulus = key.entries[5].value_bytes().unwrap();
    assert_eq!(modulus.len(), 144);
    // DF03 is the real EMV checksum.
    assert_eq!(
        key.entries[7].value_bytes().unwrap(),
        unipos_crypto::emv::ca_key_checksum(&first.rid, first.index, modulus, &[3])
    );
    let mut unknown = t.management("0800", NetworkCode::CapkDownload);
    unknown
        .set(
            62,
            encode_all(&[
                Tlv::primitive(tag(0x9F06), vec![0xA0, 0, 0, 0, 0x99]),
                Tlv::primitive(tag(0x9F22), vec![1]),
            ]),
        )
        .unwrap();
    assert_eq!(t.send(&unknown).code(), "25");
    let end = t.management("0800", NetworkCode::CapkDownloadEnd);
    assert_eq!(t.send(&end).code(), "00");

    let mut q = t.management("0820", NetworkCode::AidQuery);
    q.set(62, b"1").unwrap();
    let a = t.send(&q);
    let list = DownloadPayload::parse(a.msg.get(62).unwrap()).unwrap();
    let aids: Vec<Vec<u8>> = list.aids().into_iter().map(<[u8]>::to_vec).collect();
    assert_eq!(aids.len(), 10);
    let mut d = t.management("0800", NetworkCode::AidDownload);
    d.set(
        62,
        encode_all(&[Tlv::primitive(tag(0x9F06), aids[9].clone())]),
    )
    .unwrap();
    let a = t.send(&d);
    let params = DownloadPayload::parse(a.msg.get(62).unwrap()).unwrap();
    assert_eq!(params.entries.len(), 16);
    assert_eq!(params.entries[0].value_bytes().unwrap(), &aids[9][..]);
    let end = t.management("0800", NetworkCode::AidDownloadEnd);
    assert_eq!(t.send(&end).code(), "00");
}

#[test]
fn processing_requirement_is_carried_until_fulfilled() {
    let mut every = TerminalConfig::new("62969098", unipos_hostsim::defaults::MERCHANT_ID);
    every.sign_in_every = Some(2);
    let mut config = HostSimConfig::default();
    config.terminals.push(every);
    let (host, _clock) = start_with(config);

    let mut t = Term::tcp(&host, "62969098");
    t.sign_in();
    let (_, a1) = t.sale(test_cards::DEBIT_IC, 100, None);
    assert_eq!(
        a1.header.processing_requirement(),
        ProcessingRequirement::None
    );
    let (_, a2) = t.sale(test_cards::DEBIT_IC, 100, None);
    assert_eq!(
        a2.header.processing_requirement(),
        ProcessingRequirement::SignIn
    );
    let a = t.sign_in();
    assert_eq!(
        a.header.processing_requirement(),
        ProcessingRequirement::None
    );

    // Set through the library API: parameter download asked until done.
    let mut u = Term::tcp(&host, "62969002");
    u.sign_in();
    assert!(host.set_processing_requirement("62969002", ProcessingRequirement::DownloadParameters));
    let (_, a) = u.sale(test_cards::DEBIT_IC, 100, None);
    assert_eq!(
        a.header.processing_requirement(),
        ProcessingRequirement::DownloadParameters
    );
    let m = u.management("0800", NetworkCode::ParameterDownload);
    assert_eq!(
        u.send(&m).header.processing_requirement(),
        ProcessingRequirement::None
    );
}

/// Everything the generator decides, for one fixed script.
fn scripted_run() -> Vec<String> {
    let (host, _clock) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    let a = t.sign_in();
    let mut out = vec![hex::encode(a.msg.get(62).unwrap()), a.rrn()];
    for amount in [100, 200, 300] {
        let (_, s) = t.sale(test_cards::DEBIT_IC, amount, None);
        out.push(s.rrn());
        out.push(s.auth());
    }
    let (_, p) = t.pre_auth(test_cards::DEBIT_IC, 500);
    out.push(p.auth());
    out
}

#[test]
fn same_seed_same_keys_rrns_and_auth_codes() {
    let a = scripted_run();
    let b = scripted_run();
    assert_eq!(a, b);
    // And they are not trivially constant.
    assert_ne!(a[3], a[5]);
    assert_eq!(Field60::parse("00000001003").unwrap().batch, 1);
}
