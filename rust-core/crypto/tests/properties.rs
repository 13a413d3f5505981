//! Property tests: round trips, MAC sensitivity, and the MACs as their definitions read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use unipos_crypto::mac::{
    cbc_mac, cup_ecb_mac, cup_ecb_mac_trace, retail_mac, verify_mac, MacPadding,
};
use unipos_crypto::pin::{
    decode_pin_block, decrypt_pin, encode_pin_block, encrypt_pin, PinBlockFormat,
};
use unipos_crypto::random::DeterministicRandom;
use unipos_crypto::unwrap::{unwrap_key, wrap_key};
use unipos_crypto::{DesKey, Sm4Key};

fn format() -> impl Strategy<Value = PinBlockFormat> {
    prop_oneof![Just(PinBlockFormat::Iso0), Just(PinBlockFormat::Iso3)]
}

fn des_key() -> impl Strategy<Value = DesKey> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 8),
        prop::collection::vec(any::<u8>(), 16),
        prop::collection::vec(any::<u8>(), 24),
    ]
    .prop_map(|bytes| DesKey::from_bytes(&bytes).unwrap())
}

fn double_key() -> impl Strategy<Value = DesKey> {
    any::<[u8; 16]>().prop_map(|bytes| DesKey::from_bytes(&bytes).unwrap())
}

fn padding() -> impl Strategy<Value = MacPadding> {
    prop_oneof![Just(MacPadding::Method1), Just(MacPadding::Method2)]
}

proptest! {
    #[test]
    fn pin_block_round_trip(
        format in format(),
        pin in "[0-9]{4,12}",
        pan in "[0-9]{13,19}",
        seed in any::<u64>(),
    ) {
        let mut rng = DeterministicRandom::new(seed);
        let block = encode_pin_block(format, &pin, &pan, &mut rng).unwrap();
        let decoded = decode_pin_block(format, &block, &pan).unwrap();
        prop_assert_eq!(decoded.expose_secret(), pin.as_str());
    }

    #[test]
    fn encrypted_pin_round_trip(
        key in des_key(),
        format in format(),
        pin in "[0-9]{4,12}",
        pan in "[0-9]{13,19}",
        seed in any::<u64>(),
    ) {
        let mut rng = DeterministicRandom::new(seed);
        let block = encrypt_pin(&key, format, &pin, &pan, &mut rng).unwrap();
        let decoded = decrypt_pin(&key, format, &block, &pan).unwrap();
        prop_assert_eq!(decoded.expose_secret(), pin.as_str());
        // The clear PIN never shows up in any Debug output.
        let shown = format!("{block:?}{decoded:?}");
        prop_assert!(!shown.contains(pin.as_str()));
    }

    #[test]
    fn des_ecb_round_trip(key in des_key(), blocks in prop::collection::vec(any::<[u8; 8]>(), 0..8)) {
        let data = blocks.concat();
        let ct = key.encrypt_ecb(&data).unwrap();
        prop_assert_eq!(ct.len(), data.len());
        prop_assert_eq!(&key.decrypt_ecb(&ct).unwrap()[..], &data[..]);
        let cbc = key.encrypt_cbc([0; 8], &data).unwrap();
        prop_assert_eq!(&key.decrypt_cbc([0; 8], &cbc).unwrap()[..], &data[..]);
    }

    #[test]
    fn sm4_ecb_round_trip(key in any::<[u8; 16]>(), blocks in prop::collection::vec(any::<[u8; 16]>(), 0..4)) {
        let key = Sm4Key::from_bytes(&key).unwrap();
        let data = blocks.concat();
        let ct = key.encrypt_ecb(&data).unwrap();
        prop_assert_eq!(&key.decrypt_ecb(&ct).unwrap()[..], &data[..]);
    }

    #[test]
    fn key_wrap_round_trip(kek in des_key(), key in des_key()) {
        let wrapped = wrap_key(&kek, &key).unwrap();
        // A 16-byte key whose ciphertext ends in 8 zero bytes would be read as a
        // single-length key (the 003 convention); the odds are 2^-64, ignore them.
        prop_assume!(!(wrapped.len() == 16 && wrapped[8..] == [0; 8]));
        prop_assert_eq!(unwrap_key(&kek, &wrapped).unwrap(), key);
    }

    #[test]
    fn verify_mac_rejects_any_single_bit_flip(
        key in double_key(),
        data in prop::collection::vec(any::<u8>(), 0..64),
        pad in padding(),
        bit in 0usize..64,
    ) {
        for mac in [
            cbc_mac(&key, &data, pad),
            retail_mac(&key, &data, pad).unwrap(),
            cup_ecb_mac(&key, &data),
        ] {
            prop_assert!(verify_mac(&mac, &mac));
            let mut flipped = mac;
            flipped[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(!verify_mac(&mac, &flipped));
        }
    }

    #[test]
    fn any_single_bit_flip_in_data_changes_the_mac(
        key in double_key(),
        data in prop::collection::vec(any::<u8>(), 1..64),
        pad in padding(),
        bit_seed in any::<usize>(),
    ) {
        let bit = bit_seed % (data.len() * 8);
        let mut tampered = data.clone();
        tampered[bit / 8] ^= 1 << (bit % 8);
        // For equal-length messages CBC-MAC is injective in any one block, so these
        // can never collide.
        prop_assert_ne!(cbc_mac(&key, &data, pad), cbc_mac(&key, &tampered, pad));
        prop_assert_ne!(
            retail_mac(&key, &data, pad).unwrap(),
            retail_mac(&key, &tampered, pad).unwrap()
        );
        // The UnionPay MAC keeps only half of its last block; the full block must differ.
        prop_assert_ne!(
            cup_ecb_mac_trace(&key, &data).second_encryption,
            cup_ecb_mac_trace(&key, &tampered).second_encryption
        );
    }

    #[test]
    fn key_debug_never_contains_key_hex(key in des_key()) {
        let hex = hex::encode_upper(key.expose_secret());
        let shown = format!("{key:?}").to_uppercase();
        // Any 8 consecutive hex digits of the key would be a leak.
        for start in (0..=hex.len() - 8).step_by(2) {
            prop_assert!(!shown.contains(&hex[start..start + 8]));
        }
    }

    // The MACs keep their chain between DES's permutations (dea::Halves); these spell the
    // chain out block by block through the public API.

    #[test]
    fn cbc_mac_is_the_last_block_of_cbc_encryption(
        key in des_key(),
        data in prop::collection::vec(any::<u8>(), 0..80),
        padding in padding(),
    ) {
        let padded = padded(&data, padding);
        let cbc = key.encrypt_cbc([0; 8], &padded).unwrap();
        prop_assert_eq!(&cbc_mac(&key, &data, padding)[..], &cbc[cbc.len() - 8..]);
    }

    #[test]
    fn retail_mac_is_single_des_cbc_then_decrypt_and_encrypt(
        key in any::<[u8; 16]>(),
        data in prop::collection::vec(any::<u8>(), 0..80),
        padding in padding(),
    ) {
        let left = DesKey::from_bytes(&key[..8]).unwrap();
        let right = DesKey::from_bytes(&key[8..]).unwrap();
        let cbc = left.encrypt_cbc([0; 8], &padded(&data, padding)).unwrap();
        let last: [u8; 8] = cbc[cbc.len() - 8..].try_into().unwrap();
        let expected = left.encrypt_block(right.decrypt_block(last));
        let double = DesKey::from_bytes(&key).unwrap();
        prop_assert_eq!(retail_mac(&double, &data, padding).unwrap(), expected);
    }
}

/// `data` padded as the MAC pads it: ISO 9797-1 method 1 (zeros, none for whole blocks,
/// and one block of zeros for no data) or method 2 (0x80 then zeros).
fn padded(data: &[u8], padding: MacPadding) -> Vec<u8> {
    let mut out = data.to_vec();
    match padding {
        MacPadding::Method1 => {
            if out.is_empty() || !out.len().is_multiple_of(8) {
                out.resize(out.len().div_ceil(8).max(1) * 8, 0);
            }
        }
        MacPadding::Method2 => {
            out.push(0x80);
            out.resize(out.len().div_ceil(8) * 8, 0);
        }
    }
    out
}
