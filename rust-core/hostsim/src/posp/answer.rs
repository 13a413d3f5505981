//! An answer before it goes on the wire, and its encoding (MAC, frame).

use crate::config::MacScheme;
use unipos_crypto::mac::{compute, MacAlgorithm, MacPadding};
use unipos_crypto::DesKey;
use unipos_iso8583::cup::{self, CupHeader};
use unipos_iso8583::{FrameLayout, Message, Tpdu};

/// The parts of an answer: enough to encode it again differently (fault injection).
#[derive(Clone)]
pub(crate) struct Answer {
    pub tpdu: Tpdu,
    pub header: CupHeader,
    pub msg: Message,
    /// MAC key when the answer carries field 64.
    pub mac_key: Option<DesKey>,
    pub mac: MacScheme,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("mti", &self.msg.mti())
            .field("code", &self.msg.text(39))
            .finish_non_exhaustive()
    }
}

/// The MAC of a packed message whose last 8 bytes are field 64.
pub(crate) fn mac_of(scheme: MacScheme, key: &DesKey, packed: &[u8]) -> Option<[u8; 8]> {
    let mab = cup::mac_block(packed)?;
    let algorithm = match scheme {
        MacScheme::CupEcb => MacAlgorithm::CupEcb,
        MacScheme::X919 => MacAlgorithm::X919,
    };
    compute(algorithm, key, mab, MacPadding::Method1).ok()
}

impl Answer {
    /// The whole frame (length prefix included). `None` only if a handler built a field the
    /// profile refuses, which the caller logs.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let mut msg = self.msg.clone();
        if self.mac_key.is_some() {
            msg.set(64, [0u8; 8]).ok()?;
        } else {
            msg.remove(64);
        }
        let mut packed = cup::profile().pack(&msg).ok()?;
        if let Some(key) = &self.mac_key {
            let mac = mac_of(self.mac, key, &packed)?;
            let len = packed.len();
            packed.get_mut(len - 8..)?.copy_from_slice(&mac);
        }
        FrameLayout::UNIONPAY
            .assemble(Some(self.tpdu), &self.header.0, &packed)
            .ok()
    }
}

/// Whether a whole frame's message carries field 64 (bit 64 of the primary bitmap).
pub(crate) fn frame_has_mac(frame: &[u8]) -> bool {
    let bitmap_end = FrameLayout::UNIONPAY.message_offset() + 2 + 8;
    frame
        .get(bitmap_end - 1)
        .is_some_and(|last| last & 0x01 != 0)
}
