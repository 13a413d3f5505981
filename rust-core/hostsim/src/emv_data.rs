//! The EMV data the host downloads: CA public keys (60.3 `370`/`372`) and IC (AID)
//! parameters (60.3 `380`/`382`), in the layouts of the public captures (PROTOCOL.md §1.9,
//! §2.6 KAT-1, §3.4).
//!
//! The RIDs, indexes and AIDs are those of the captures. The moduli are deterministic
//! pseudo-random bytes (a simulator has no scheme private keys); the checksum DF03 is the
//! real EMV one, SHA-1 over RID, index, modulus and exponent, so a terminal that verifies it
//! accepts the keys.

use crate::rng::SplitMix64;
use unipos_crypto::emv::ca_key_checksum;
use unipos_iso8583::tlv::{Tag, Tlv};

/// One CA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPublicKey {
    /// Registered application provider id (5 bytes).
    pub rid: [u8; 5],
    /// Key index (9F22).
    pub index: u8,
    /// Expiry YYYYMMDD (DF05, ASCII).
    pub expiry: &'static str,
    /// Modulus (DF02), 144 bytes.
    pub modulus: Vec<u8>,
    /// Exponent (DF04).
    pub exponent: Vec<u8>,
}

impl CaPublicKey {
    /// The EMV checksum DF03: SHA-1 of RID || index || modulus || exponent.
    pub fn checksum(&self) -> [u8; 20] {
        ca_key_checksum(&self.rid, self.index, &self.modulus, &self.exponent)
    }

    /// The query entry: 9F06, 9F22, DF05.
    pub fn query_tlvs(&self) -> Vec<Tlv> {
        vec![
            tlv(0x9F06, self.rid.to_vec()),
            tlv(0x9F22, vec![self.index]),
            tlv(0xDF05, self.expiry.as_bytes().to_vec()),
        ]
    }

    /// The download entry: 9F06, 9F22, DF05, DF06, DF07, DF02, DF04, DF03.
    pub fn download_tlvs(&self) -> Vec<Tlv> {
        let mut v = self.query_tlvs();
        v.push(tlv(0xDF06, vec![0x01])); // hash algorithm: SHA-1
        v.push(tlv(0xDF07, vec![0x01])); // public key algorithm: RSA
        v.push(tlv(0xDF02, self.modulus.clone()));
        v.push(tlv(0xDF04, self.exponent.clone()));
        v.push(tlv(0xDF03, self.checksum().to_vec()));
        v
    }
}

const CAPK_LIST: [([u8; 5], u8, &str); 12] = [
    ([0xA0, 0, 0, 0x03, 0x33], 0x03, "20301231"),
    ([0xA0, 0, 0, 0x03, 0x33], 0x04, "20301231"),
    ([0xA0, 0, 0, 0x03, 0x33], 0x02, "20291231"),
    ([0xA0, 0, 0, 0x00, 0x03], 0x07, "20291231"),
    ([0xA0, 0, 0, 0x00, 0x03], 0x08, "20301231"),
    ([0xA0, 0, 0, 0x00, 0x03], 0x09, "20301231"),
    ([0xA0, 0, 0, 0x00, 0x65], 0x10, "20291231"),
    ([0xA0, 0, 0, 0x00, 0x65], 0x12, "20301231"),
    ([0xA0, 0, 0, 0x00, 0x65], 0x14, "20301231"),
    ([0xA0, 0, 0, 0x00, 0x04], 0x04, "20291231"),
    ([0xA0, 0, 0, 0x00, 0x04], 0x05, "20301231"),
    ([0xA0, 0, 0, 0x00, 0x04], 0x06, "20301231"),
];

/// The CA public keys of the KAT-1 capture (UnionPay, Visa, JCB, Mastercard).
pub fn ca_public_keys() -> Vec<CaPublicKey> {
    CAPK_LIST
        .iter()
        .map(|&(rid, index, expiry)| {
            // Stable across runs and seeds: derived from the key's identity only.
            let mut g = SplitMix64::derived(u64::from(index), &hex::encode(rid));
            let mut modulus = vec![0u8; 144];
            g.fill(&mut modulus);
            if let Some(first) = modulus.first_mut() {
                *first |= 0x80; // a full-length modulus
            }
            CaPublicKey {
                rid,
                index,
                expiry,
                modulus,
                exponent: vec![0x03],
            }
        })
        .collect()
}

/// The AIDs of the §3.4 capture, in its order.
pub const AIDS: [&str; 10] = [
    "A000000333010106",
    "A000000333010103",
    "A000000333010102",
    "A000000333010101",
    "A0000000651010",
    "A0000000043060",
    "A0000000041010",
    "A0000000033010",
    "A0000000032010",
    "A0000000031010",
];

/// The application version (9F08) of an AID's scheme.
fn app_version(aid: &[u8]) -> [u8; 2] {
    match aid.get(3..5) {
        Some([0x03, 0x33]) => [0x00, 0x30], // PBOC 3.0
        Some([0x00, 0x03]) => [0x01, 0x40], // the capture's Visa value
        Some([0x00, 0x04]) => [0x00, 0x02],
        Some([0x00, 0x65]) => [0x02, 0x00],
        _ => [0x00, 0x01],
    }
}

/// The parameter TLVs of one AID, in the order of the §3.4 capture: 9F06, DF01, 9F08,
/// DF11, DF12, DF13, 9F1B, DF15, DF16, DF17, DF14, DF18, 9F7B, DF19, DF20, DF21.
pub fn aid_parameters(aid: &[u8]) -> Vec<Tlv> {
    vec![
        tlv(0x9F06, aid.to_vec()),
        tlv(0xDF01, vec![0x00]),
        tlv(0x9F08, app_version(aid).to_vec()),
        tlv(0xDF11, vec![0xD8, 0x40, 0x00, 0xA8, 0x00]),
        tlv(0xDF12, vec![0xD8, 0x40, 0x04, 0xF8, 0x00]),
        tlv(0xDF13, vec![0x00, 0x10, 0x00, 0x00, 0x00]),
        tlv(0x9F1B, vec![0, 0, 0, 0]),
        tlv(0xDF15, vec![0, 0, 0, 0]),
        tlv(0xDF16, vec![0x99]),
        tlv(0xDF17, vec![0x99]),
        tlv(0xDF14, vec![0x9F, 0x37, 0x04]),
        tlv(0xDF18, vec![0x01]),
        tlv(0x9F7B, vec![0, 0, 0, 0x01, 0, 0]),
        tlv(0xDF19, vec![0, 0, 0, 0, 0, 0x01]),
        tlv(0xDF20, vec![0, 0, 0, 0x01, 0, 0]),
        tlv(0xDF21, vec![0, 0, 0, 0x01, 0, 0]),
    ]
}

/// The AIDs as bytes.
pub fn aid_bytes() -> Vec<Vec<u8>> {
    AIDS.iter().filter_map(|a| hex::decode(a).ok()).collect()
}

pub(crate) fn tlv(tag: u32, value: Vec<u8>) -> Tlv {
    // Every tag used here is a well-formed two-byte tag; fall back to a one-byte tag
    // rather than panic should a typo ever slip in.
    let tag = Tag::from_u32(tag).unwrap_or(unipos_iso8583::tlv::tags::AMOUNT_AUTHORISED);
    Tlv::primitive(tag, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unipos_iso8583::cup::DownloadPayload;
    use unipos_iso8583::tlv::encode_all;

    #[test]
    fn aid_parameters_match_the_capture() {
        // Field 62 of the captured 0810/380 (PROTOCOL.md §3.4), after the status byte.
        let captured = "9f0607a0000000031010df0101009f08020140df1105d84000a800df1205d84004f800df130500100000009f1b0400000000df150400000000df160199df170199df14039f3704df1801019f7b06000000010000df1906000000000001df2006000000010000df2106000000010000";
        let aid = hex::decode("A0000000031010").unwrap();
        assert_eq!(hex::encode(encode_all(&aid_parameters(&aid))), captured);
    }

    #[test]
    fn capk_payload_parses() {
        let mut entries = Vec::new();
        for k in ca_public_keys() {
            entries.extend(k.query_tlvs());
        }
        let payload = DownloadPayload {
            status: b'1',
            entries,
        };
        let back = DownloadPayload::parse(&payload.to_bytes()).unwrap();
        let ids = back.capk_ids();
        assert_eq!(ids.len(), 12);
        assert_eq!(ids[0].rid, hex::decode("A000000333").unwrap());
        assert_eq!(ids[0].index, 3);
        assert_eq!(ca_public_keys()[0].modulus.len(), 144);
    }
}
