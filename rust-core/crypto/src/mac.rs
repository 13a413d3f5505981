//! Message authentication codes for field 64.
//!
//! - [`cup_ecb_mac`]: the China UnionPay POS "ECB" MAC (PROTOCOL.md §2.1). Field 64
//!   carries its 8 result bytes, which are ASCII hex characters.
//! - [`cbc_mac`]: CBC-MAC under the whole key, ISO 9797-1 algorithm 1. With a single
//!   DES key this is ANSI X9.9.
//! - [`retail_mac`]: ANSI X9.19 / ISO 9797-1 algorithm 3 (the "retail MAC").
//!
//! [`MacAlgorithm`] plus [`compute`] select one of them at run time (acquirers differ,
//! PROTOCOL.md §1.10), and [`verify_mac`] compares MACs in constant time.
//!
//! ```
//! use unipos_crypto::mac::{cup_ecb_mac, verify_mac};
//! use unipos_crypto::DesKey;
//!
//! let mak = DesKey::from_hex("C24A8FB57AA20123")?;
//! let field_64 = cup_ecb_mac(&mak, b"\x08\x00 message bytes from the MTI to field 63");
//! assert!(field_64.iter().all(u8::is_ascii_hexdigit));
//! assert!(verify_mac(&field_64, &cup_ecb_mac(&mak, b"\x08\x00 message bytes from the MTI to field 63")));
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use subtle::ConstantTimeEq;

use crate::error::CryptoError;

use crate::dea::Halves;
use crate::keys::{DesCipher, DesKey};
use crate::util::hex_upper_8;

/// How a message is padded to whole 8-byte blocks (ISO 9797-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MacPadding {
    /// Padding method 1: append zero bytes up to a multiple of 8; nothing is added
    /// when the data is already aligned (empty data becomes one zero block).
    #[default]
    Method1,
    /// Padding method 2: append `0x80`, then zero bytes up to a multiple of 8. This
    /// always adds at least one byte.
    Method2,
}

/// The MAC algorithms acquirers use for field 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// China UnionPay POS "ECB" MAC ([`cup_ecb_mac`]). Its padding is fixed by the
    /// spec (zeros), so the padding argument of [`compute`] is ignored.
    CupEcb,
    /// CBC-MAC under the whole key ([`cbc_mac`]): ANSI X9.9 with a single-DES key.
    X99,
    /// Retail MAC ([`retail_mac`]): ANSI X9.19 / ISO 9797-1 algorithm 3.
    X919,
}

/// Every intermediate value of one [`cup_ecb_mac`] computation, for tests and for
/// comparing with a host's log. None of these values is secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CupEcbMacTrace {
    /// All 8-byte blocks of the zero-padded MAB XORed together.
    pub xor_block: [u8; 8],
    /// The MAK encryption of the first 8 hex characters of `xor_block`.
    pub first_encryption: [u8; 8],
    /// The MAK encryption of `first_encryption` XOR the last 8 hex characters.
    pub second_encryption: [u8; 8],
}

impl CupEcbMacTrace {
    /// The field 64 value: the first 8 upper-case hex characters of
    /// `second_encryption`, as ASCII bytes.
    #[must_use]
    pub fn mac(&self) -> [u8; 8] {
        mac_as_ascii_hex(&self.second_encryption)
    }
}

/// Computes the UnionPay "ECB" MAC of a MAB and returns all intermediate values.
///
/// Steps (PROTOCOL.md §2.1): zero-pad the MAB to a multiple of 8, XOR all blocks,
/// hex-expand the result to 16 upper-case ASCII characters, encrypt the first 8 with
/// the MAK, XOR with the last 8, encrypt again.
#[must_use]
pub fn cup_ecb_mac_trace(key: &DesKey, mab: &[u8]) -> CupEcbMacTrace {
    let xor_block = xor_of_blocks(mab);
    let hex = hex_upper_8(&xor_block);
    let (left, right) = hex.split_at(8);
    let mut block = [0u8; 8];
    block.copy_from_slice(left);
    let first_encryption = key.encrypt_block(block);
    block = first_encryption;
    for (b, r) in block.iter_mut().zip(right) {
        *b ^= r;
    }
    let second_encryption = key.encrypt_block(block);
    CupEcbMacTrace {
        xor_block,
        first_encryption,
        second_encryption,
    }
}

/// All 8-byte blocks of the zero-padded `data` XORed together, a word at a time (the MAC
/// block of a 0200 is 29 blocks; per byte this was a tenth of the whole MAC).
fn xor_of_blocks(data: &[u8]) -> [u8; 8] {
    let chunks = data.chunks_exact(8);
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        u64::from_ne_bytes(w)
    };
    let folded = chunks.fold(word(&last), |acc, block| acc ^ word(block));
    folded.to_ne_bytes()
}

/// Computes the UnionPay "ECB" MAC of a MAB (the message from the MTI to the end of
/// field 63). Returns the 8 ASCII hex characters that field 64 carries, e.g.
/// `*b"5FE058DB"`.
///
/// The MAK may be single DES or TDES.
#[must_use]
pub fn cup_ecb_mac(key: &DesKey, mab: &[u8]) -> [u8; 8] {
    cup_ecb_mac_trace(key, mab).mac()
}

/// CBC-MAC with a zero IV under the whole key (ISO 9797-1 algorithm 1).
///
/// With an 8-byte key this is ANSI X9.9; with a 16- or 24-byte key every block is
/// TDES-encrypted.
#[must_use]
pub fn cbc_mac(key: &DesKey, data: &[u8], padding: MacPadding) -> [u8; 8] {
    let cipher = key.cipher();
    // The chain stays between IP and IP⁻¹ (dea::Halves): IP⁻¹ is paid once, at the end.
    let mut chain = Halves::of(&[0u8; 8]);
    for_each_padded_block(data, padding, |block| {
        chain = cipher.encrypt_halves(chain.xor(Halves::of(&block)));
    });
    chain.block()
}

/// Retail MAC: ANSI X9.19 / ISO 9797-1 algorithm 3.
///
/// A 16-byte key is split into `K|K'`: CBC-MAC with single DES under `K`, then the
/// last block is decrypted under `K'` and encrypted under `K` again. An 8-byte key is
/// taken as `K = K'`, which reduces to X9.9 (a single-length MAK is common in 003-mode
/// sign-ins).
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] for a 24-byte key, which has no defined meaning here.
pub fn retail_mac(key: &DesKey, data: &[u8], padding: MacPadding) -> Result<[u8; 8], CryptoError> {
    // The halves come expanded with the key: no key schedule is built per MAC.
    let (k, k_prime) = match key.cipher() {
        DesCipher::Single(des) => (des, des),
        DesCipher::Double(tdes) => (tdes.first(), tdes.second()),
        DesCipher::Triple(_) => {
            return Err(CryptoError::InvalidKeyLength {
                what: "retail MAC (X9.19) key",
                expected: "8 or 16",
                actual: key.byte_len(),
            })
        }
    };
    let mut chain = Halves::of(&[0u8; 8]);
    for_each_padded_block(data, padding, |block| {
        chain = k.encrypt_halves(chain.xor(Halves::of(&block)));
    });
    Ok(k.encrypt_halves(k_prime.decrypt_halves(chain)).block())
}

/// Computes a field 64 MAC with the algorithm chosen at run time.
///
/// For [`MacAlgorithm::CupEcb`] the 8 bytes are ASCII hex characters and `padding`
/// is ignored; for the others they are the raw MAC.
///
/// # Errors
/// Those of [`retail_mac`].
pub fn compute(
    algorithm: MacAlgorithm,
    key: &DesKey,
    data: &[u8],
    padding: MacPadding,
) -> Result<[u8; 8], CryptoError> {
    match algorithm {
        MacAlgorithm::CupEcb => Ok(cup_ecb_mac(key, data)),
        MacAlgorithm::X99 => Ok(cbc_mac(key, data, padding)),
        MacAlgorithm::X919 => retail_mac(key, data, padding),
    }
}

/// Compares a received MAC with a computed one in constant time, so that a forger
/// cannot learn how many leading bytes were right. Different lengths compare unequal.
#[must_use]
pub fn verify_mac(expected: &[u8], actual: &[u8]) -> bool {
    expected.ct_eq(actual).into()
}

/// The first 4 bytes of a raw MAC written as 8 upper-case ASCII hex characters, the
/// form some acquirers put in field 64 for X9.9/X9.19 (PROTOCOL.md §2.2).
#[must_use]
pub fn mac_as_ascii_hex(mac: &[u8; 8]) -> [u8; 8] {
    let hex = hex_upper_8(mac);
    let mut out = [0u8; 8];
    out.copy_from_slice(&hex[..8]);
    out
}

/// Feeds `data` to `f` as padded 8-byte blocks.
fn for_each_padded_block(data: &[u8], padding: MacPadding, mut f: impl FnMut([u8; 8])) {
    let chunks = data.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        let mut block = [0u8; 8];
        block.copy_from_slice(chunk);
        f(block);
    }
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    match padding {
        MacPadding::Method1 => {
            // "As few zero bits as necessary to reach a positive multiple of the block".
            if !rest.is_empty() || data.is_empty() {
                f(last);
            }
        }
        MacPadding::Method2 => {
            last[rest.len()] = 0x80;
            f(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(data: &[u8], padding: MacPadding) -> Vec<[u8; 8]> {
        let mut out = Vec::new();
        for_each_padded_block(data, padding, |b| out.push(b));
        out
    }

    #[test]
    fn padding_method_1() {
        assert_eq!(blocks(&[], MacPadding::Method1), vec![[0; 8]]);
        assert_eq!(blocks(&[1; 8], MacPadding::Method1), vec![[1; 8]]);
        assert_eq!(
            blocks(&[1; 9], MacPadding::Method1),
            vec![[1; 8], [1, 0, 0, 0, 0, 0, 0, 0]]
        );
    }

    #[test]
    fn padding_method_2() {
        assert_eq!(
            blocks(&[], MacPadding::Method2),
            vec![[0x80, 0, 0, 0, 0, 0, 0, 0]]
        );
        assert_eq!(
            blocks(&[1; 8], MacPadding::Method2),
            vec![[1; 8], [0x80, 0, 0, 0, 0, 0, 0, 0]]
        );
        assert_eq!(
            blocks(&[1; 7], MacPadding::Method2),
            vec![[1, 1, 1, 1, 1, 1, 1, 0x80]]
        );
    }

    #[test]
    fn retail_mac_with_single_key_is_x99() {
        let key = DesKey::from_hex("0123456789ABCDEF").unwrap();
        let data = b"Now is the time for all ";
        assert_eq!(
            retail_mac(&key, data, MacPadding::Method1).unwrap(),
            cbc_mac(&key, data, MacPadding::Method1)
        );
    }

    #[test]
    fn retail_mac_rejects_triple_length_keys() {
        let key = DesKey::from_bytes(&[0x11; 24]).unwrap();
        assert!(matches!(
            retail_mac(&key, b"x", MacPadding::Method1),
            Err(CryptoError::InvalidKeyLength { actual: 24, .. })
        ));
    }

    #[test]
    fn cup_ecb_ignores_padding_choice() {
        let key = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        let a = compute(MacAlgorithm::CupEcb, &key, b"abc", MacPadding::Method1).unwrap();
        let b = compute(MacAlgorithm::CupEcb, &key, b"abc", MacPadding::Method2).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, cup_ecb_mac(&key, b"abc"));
    }

    #[test]
    fn cup_ecb_zero_padding_equals_explicit_zeros() {
        let key = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        assert_eq!(
            cup_ecb_mac(&key, b"abc"),
            cup_ecb_mac(&key, b"abc\0\0\0\0\0")
        );
    }

    #[test]
    fn verify_mac_compares_whole_value() {
        assert!(verify_mac(b"5FE058DB", b"5FE058DB"));
        assert!(!verify_mac(b"5FE058DB", b"5FE058DC"));
        assert!(!verify_mac(b"5FE058DB", b"5FE058D"));
        assert!(verify_mac(b"", b""));
    }

    #[test]
    fn ascii_hex_form() {
        assert_eq!(
            &mac_as_ascii_hex(&[0x5F, 0xE0, 0x58, 0xDB, 0x90, 0x68, 0x0D, 0x33]),
            b"5FE058DB"
        );
    }
}
