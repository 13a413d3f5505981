#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Malformed input never crashes the host: random and truncated frames over the socket,
//! format errors answered `30`, and a property test on the fuzzing entry point.

mod common;

use common::*;
use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use unipos_hostsim::rng::SplitMix64;
use unipos_hostsim::sessions::Sessions;
use unipos_hostsim::{HostSimConfig, PospHost};
use unipos_iso8583::cup::CupHeader;
use unipos_iso8583::{FrameLayout, Tpdu};

#[test]
fn random_and_truncated_frames_never_crash_the_server() {
    let (host, _c) = start_host();
    let mut g = SplitMix64::new(99);
    for i in 0..300 {
        let mut s = TcpStream::connect(host.posp_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let len = (g.below(120) + 1) as usize;
        let mut body = vec![0u8; len];
        g.fill(&mut body);
        if i % 3 == 0 && len >= 5 {
            // Plausible framing, random content.
            body[..5].copy_from_slice(&Tpdu::DEFAULT.0);
        }
        let mut frame = vec![(len >> 8) as u8, len as u8];
        if i % 5 == 0 {
            // Announce more than is sent, then hang up.
            frame[1] = frame[1].wrapping_add(10);
        }
        frame.extend_from_slice(&body);
        let _ = s.write_all(&frame);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
    // Still serving.
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let (_, a) = t.sale(unipos_hostsim::test_cards::DEBIT_IC, 100, None);
    assert_eq!(a.code(), "00");
}

#[test]
fn undecodable_fields_with_a_readable_mti_get_30() {
    let (host, _c) = start_host();
    let t = Term::tcp(&host, "62969002");
    // MTI 0200, a bitmap announcing field 2, then an impossible LL length.
    let mut message = vec![0x02, 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x99];
    message.extend_from_slice(&[0x12; 3]);
    let frame = FrameLayout::UNIONPAY
        .assemble(Some(Tpdu::DEFAULT), &CupHeader::DEFAULT.0, &message)
        .unwrap();
    let raw = t.exchange_raw(&frame[2..]).unwrap();
    let parts = FrameLayout::UNIONPAY.split_body(&raw).unwrap();
    let msg = unipos_iso8583::cup::profile()
        .unpack(parts.message)
        .unwrap();
    assert_eq!(msg.mti().as_str(), "0210");
    assert_eq!(msg.text(39), Some("30"));
    // Missing field 60 on a decodable request: 30 as well.
    let mut m = unipos_iso8583::Message::new(unipos_iso8583::Mti::new("0800").unwrap());
    m.set(11, "000001").unwrap();
    m.set(41, "62969002").unwrap();
    m.set(42, unipos_hostsim::defaults::MERCHANT_ID).unwrap();
    assert_eq!(t.send(&m).code(), "30");
}

fn core() -> &'static PospHost {
    static HOST: OnceLock<PospHost> = OnceLock::new();
    HOST.get_or_init(|| {
        PospHost::new(&HostSimConfig::default(), Arc::new(Sessions::new()), 1).unwrap()
    })
}

/// A valid sign-in frame (the real capture of PROTOCOL.md §3.1).
const SIGN_IN: &str = "003C600401000060310031000108000020000000C00012000029363239363930303233303133313030343839393030303100110000013200300003303031";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn handle_frame_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = core().handle_frame(&bytes);
    }

    #[test]
    fn mutated_sign_in_never_panics(pos in 0usize..62, value in any::<u8>(), cut in 0usize..62) {
        let mut frame = hex::decode(SIGN_IN).unwrap();
        frame[pos] = value;
        let _ = core().handle_frame(&frame);
        let _ = core().handle_frame(&frame[..cut]);
        let _ = core().handle_body(&frame[2..]);
    }
}

#[test]
fn the_captured_sign_in_is_answered() {
    let answer = core().handle_frame(&hex::decode(SIGN_IN).unwrap()).unwrap();
    let parts = FrameLayout::UNIONPAY.split(&answer).unwrap();
    assert_eq!(parts.tpdu.unwrap().to_string(), "6000000401");
    let msg = unipos_iso8583::cup::profile()
        .unpack(parts.message)
        .unwrap();
    assert_eq!(msg.text(39), Some("00"));
    assert_eq!(msg.get(62).unwrap().len(), 40);
}
