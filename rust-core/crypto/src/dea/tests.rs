//! Each step against a plain reading of the standard, the cipher against the `des` crate
//! and published answers.

use des::cipher::array::Array;
use des::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use proptest::prelude::*;

use super::*;

/// f(R, K) read straight from the standard: E, the key, the S-boxes by row and column, P.
fn feistel_as_printed(right: u32, k48: u64) -> u32 {
    let expanded = select_bits(u64::from(right), 32, &E) ^ k48;
    let mut substituted = 0u32;
    for (b, sbox) in S_BOXES.iter().enumerate() {
        let six = (expanded >> (42 - 6 * b)) & 0x3F;
        let row = (((six >> 4) & 0b10) | (six & 1)) as usize;
        let column = ((six >> 1) & 0xF) as usize;
        substituted = (substituted << 4) | u32::from(sbox[row][column]);
    }
    permute_p(substituted)
}

fn reference(key: [u8; 8]) -> des::Des {
    des::Des::new(&key.into())
}

fn encrypted_by_reference(key: [u8; 8], block: [u8; 8]) -> [u8; 8] {
    let mut out = block;
    reference(key).encrypt_block(Array::cast_from_core_mut(&mut out));
    out
}

fn hex8(s: &str) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn every_table_is_one_cache_line() {
    for line in &S_LINES {
        assert_eq!(core::ptr::from_ref(line) as usize % 64, 0);
    }
    for line in &SPREAD_LINES {
        assert_eq!(core::ptr::from_ref(line) as usize % 64, 0);
    }
    assert_eq!(core::mem::size_of::<SBoxLine>(), 64);
    assert_eq!(core::mem::size_of::<SpreadLine>(), 64);
}

#[test]
fn the_nibbles_are_their_values() {
    for (value, nibble) in Nibble::ALL.iter().enumerate() {
        assert_eq!(*nibble as usize, value);
    }
}

#[test]
fn published_answers() {
    // FIPS 81's example and the first of SP 800-17's variable-plaintext answers.
    let cases = [
        ("0123456789ABCDEF", "4E6F772069732074", "3FA40E8A984D4815"),
        ("0101010101010101", "8000000000000000", "95F8A5E5DD31D900"),
        ("0101010101010101", "0000000000000001", "166B40B44ABA4BD6"),
        ("8001010101010101", "0000000000000000", "95A8D72813DAA94D"),
    ];
    for (key, plain, cipher) in cases {
        let dea = Dea::new(&hex8(key));
        let mut block = hex8(plain);
        dea.encrypt(&mut block);
        assert_eq!(block, hex8(cipher), "key {key}, plaintext {plain}");
        dea.decrypt(&mut block);
        assert_eq!(block, hex8(plain));
    }
}

proptest! {
    #[test]
    fn the_halves_are_ip(block: [u8; 8]) {
        let ip = select_bits(u64::from_be_bytes(block), 64, &IP);
        let halves = Halves::of(&block);
        prop_assert_eq!((halves.left, halves.right), ((ip >> 32) as u32, ip as u32));
        prop_assert_eq!(halves.block(), block);
    }

    #[test]
    fn xor_commutes_with_ip(a: [u8; 8], b: [u8; 8]) {
        let mut sum = a;
        sum.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
        prop_assert_eq!(Halves::of(&a).xor(Halves::of(&b)), Halves::of(&sum));
    }

    #[test]
    fn the_spread_words_have_no_bit_in_common(sixes: [u8; 8]) {
        // feistel() adds them; that is their XOR only if no two share a bit.
        let words: Vec<u32> = (0..8)
            .map(|b| SPREAD_LINES[b].0[S_LINES[b].0[usize::from(sixes[b] & 0x3F)] as usize])
            .collect();
        let or = words.iter().fold(0, |acc, w| acc | w);
        let ones: u32 = words.iter().map(|w| w.count_ones()).sum();
        prop_assert_eq!(or.count_ones(), ones);
    }

    #[test]
    fn the_round_function_is_the_printed_one(right: u32, k in 0u64..1 << 48) {
        prop_assert_eq!(feistel(right, &round_key(k)), feistel_as_printed(right, k));
    }

    #[test]
    fn single_des_agrees_with_the_des_crate(key: [u8; 8], block: [u8; 8]) {
        let dea = Dea::new(&key);
        let mut ours = block;
        dea.encrypt(&mut ours);
        prop_assert_eq!(ours, encrypted_by_reference(key, block));
        dea.decrypt(&mut ours);
        prop_assert_eq!(ours, block);
    }

    #[test]
    fn triple_des_agrees_with_the_des_crate(key: [u8; 24], two_key: bool, block: [u8; 8]) {
        let part = |at: usize| {
            let mut k = [0u8; 8];
            k.copy_from_slice(&key[at..at + 8]);
            k
        };
        let third = (!two_key).then(|| Dea::new(&part(16)));
        let ours = TripleDea::new(Dea::new(&part(0)), Dea::new(&part(8)), third);
        let mut theirs = block;
        let theirs_block = Array::cast_from_core_mut(&mut theirs);
        if two_key {
            let k: [u8; 16] = key[..16].try_into().unwrap();
            des::TdesEde2::new(&k.into()).encrypt_block(theirs_block);
        } else {
            des::TdesEde3::new(&key.into()).encrypt_block(theirs_block);
        }
        let mut mine = block;
        ours.encrypt(&mut mine);
        prop_assert_eq!(mine, theirs);
        ours.decrypt(&mut mine);
        prop_assert_eq!(mine, block);
    }
}

#[test]
fn decrypt_agrees_with_the_des_crate_over_many_keys() {
    // Beside the property test: a fixed walk through keys and blocks, 10,000 of each.
    let mut x = 0x0123_4567_89AB_CDEFu64;
    for _ in 0..10_000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let key = x.to_be_bytes();
        let block = x.rotate_left(17).to_be_bytes();
        let mut theirs = block;
        reference(key).decrypt_block(Array::cast_from_core_mut(&mut theirs));
        let mut ours = block;
        Dea::new(&key).decrypt(&mut ours);
        assert_eq!(ours, theirs, "key {key:02X?}");
    }
}
