//! The host side of a terminal's request: the simulator's POSP pipeline
//! `PospHost::handle_frame` (split, decode, identify, MAC check, duplicate detection, the
//! transaction's rules, the answer and its MAC). The Android third-party request
//! (sdk-aidl) is Kotlin and out of reach of cargo-fuzz; its Rust-side counterparts are this
//! path and the QR request decoders (`qr_json`).
//!
//! A fresh host per input keeps every run reproducible (the host is stateful: sessions,
//! journal, duplicate detection). The input's first byte is a mode:
//! * bit 0: the default terminals are signed in (a session with a known MAK), so requests
//!   get past the session check (`97`);
//! * bit 1: the target writes the correct CUP-ECB MAC into field 64 of the message, so
//!   requests get past the MAC check (`A0`) into the transaction rules and the ledger.
//!
//! The rest of the input is the whole frame (2-byte length prefix included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use unipos_crypto::mac::compute;
use unipos_crypto::{DesKey, MacAlgorithm, MacPadding};
use unipos_hostsim::sessions::{Session, Sessions};
use unipos_hostsim::{defaults, HostSimConfig, PospHost};
use unipos_iso8583::{cup, FrameLayout};

const MAK_HEX: &str = "C24A8FB57AA20123FEDCBA9876543210";
const PIK_HEX: &str = "0123456789ABCDEFFEDCBA9876543210";

fn keys() -> Option<&'static (DesKey, DesKey)> {
    static KEYS: OnceLock<Option<(DesKey, DesKey)>> = OnceLock::new();
    KEYS.get_or_init(|| Some((DesKey::from_hex(MAK_HEX).ok()?, DesKey::from_hex(PIK_HEX).ok()?)))
        .as_ref()
}

/// Rewrites field 64 of the frame's message with the MAC the host expects.
fn fix_mac(frame: &mut [u8], mak: &DesKey) {
    let at = FrameLayout::UNIONPAY.message_offset();
    let Some(message) = frame.get_mut(at..) else { return };
    let Ok(msg) = cup::profile().unpack(message) else { return };
    if !msg.has(64) || message.len() < 8 {
        return;
    }
    let Some(mab) = cup::mac_block(message) else { return };
    let Ok(mac) = compute(MacAlgorithm::CupEcb, mak, mab, MacPadding::Method1) else {
        return;
    };
    let len = message.len();
    message[len - 8..].copy_from_slice(&mac);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, frame)) = data.split_first() else { return };
    let Some((mak, pik)) = keys() else { return };
    let sessions = Arc::new(Sessions::new());
    if mode & 1 == 1 {
        for tid in std::iter::once(defaults::TERMINAL_ID).chain(defaults::EXTRA_TERMINAL_IDS) {
            sessions.insert(
                tid,
                Session {
                    pik: pik.clone(),
                    mak: mak.clone(),
                    tdk: None,
                    batch: 1,
                },
            );
        }
    }
    let mut frame = frame.to_vec();
    if mode & 2 == 2 {
        fix_mac(&mut frame, mak);
    }
    let Ok(host) = PospHost::new(&HostSimConfig::default(), sessions, 1) else {
        return;
    };
    if let Some(answer) = host.handle_frame(&frame) {
        // Whatever the host answers is a well-formed frame around a decodable message.
        match FrameLayout::UNIONPAY.split(&answer) {
            Ok(parts) => assert!(
                cup::profile().unpack(parts.message).is_ok(),
                "the host answered a message that does not decode: {answer:02X?}"
            ),
            Err(e) => panic!("the host answered a frame that does not split: {e}"),
        }
    }
});
