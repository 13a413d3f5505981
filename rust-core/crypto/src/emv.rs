//! EMV application cryptograms (EMV Book 2), for the IC-card simulator and host tests.
//!
//! - [`derive_icc_master_key_option_a`]: ICC master key from the issuer master key.
//! - [`generate_arqc`]: application cryptogram, ISO 9797-1 algorithm 3 with padding 2.
//! - [`generate_arpc_method1`]: issuer response cryptogram, ARPC method 1.
//! - [`ca_key_checksum`]: the checksum of a CA public key (tag DF03 of the download).
//!
//! ```
//! use unipos_crypto::emv::generate_arpc_method1;
//! use unipos_crypto::DesKey;
//!
//! let key = DesKey::from_hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB")?;
//! let arqc = [0x12, 0x34, 0x56, 0x78, 0x90, 0xAB, 0xCD, 0xEF];
//! let arpc = generate_arpc_method1(&key, &arqc, &[0x00, 0x00]);
//! assert_eq!(hex::encode_upper(arpc), "F5E6F44147E2F1B0");
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use crate::error::CryptoError;
use crate::keys::DesKey;
use crate::mac::{retail_mac, MacPadding};
use crate::util::xor_into;

/// Derives the ICC master key from the issuer master key (EMV Book 2, Annex A1.4.1,
/// option A).
///
/// The 16 rightmost digits of `PAN || PSN` (left-padded with zeros when shorter) are
/// packed into 8 bytes `Y`; the key is `E(IMK)(Y) || E(IMK)(Y XOR FF..FF)` with every
/// byte then set to odd parity. `psn` is the 2-digit PAN sequence number (tag 5F34);
/// pass `"00"` when the card has none.
///
/// # Errors
/// [`CryptoError::InvalidEmvInput`] when `pan` is empty or `pan`/`psn` contain
/// anything but digits, or `psn` is not 2 digits.
pub fn derive_icc_master_key_option_a(
    imk: &DesKey,
    pan: &str,
    psn: &str,
) -> Result<DesKey, CryptoError> {
    if pan.is_empty() || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::InvalidEmvInput {
            reason: "the PAN must be a non-empty string of digits",
        });
    }
    if psn.len() != 2 || !psn.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::InvalidEmvInput {
            reason: "the PAN sequence number must be 2 digits",
        });
    }

    // Right-align PAN || PSN in 16 digits, zero-filled on the left.
    let mut digits = [b'0'; 16];
    let joined: Vec<u8> = pan.bytes().chain(psn.bytes()).collect();
    let take = joined.len().min(16);
    digits[16 - take..].copy_from_slice(&joined[joined.len() - take..]);

    let mut y = [0u8; 8];
    for (byte, pair) in y.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = ((pair[0] - b'0') << 4) | (pair[1] - b'0');
    }
    let mut y_inverted = y;
    xor_into(&mut y_inverted, &[0xFF; 8]);

    let mut key = zeroize::Zeroizing::new([0u8; 16]);
    key[..8].copy_from_slice(&imk.encrypt_block(y));
    key[8..].copy_from_slice(&imk.encrypt_block(y_inverted));
    for byte in key.iter_mut() {
        *byte = with_odd_parity(*byte);
    }
    DesKey::from_bytes(&*key)
}

/// Generates an application cryptogram (ARQC, TC or AAC): the ISO 9797-1 algorithm 3
/// MAC with padding method 2 over the concatenated CDOL data, under the 16-byte
/// session key (its halves are `K` and `K'`).
///
/// # Errors
/// Those of [`retail_mac`] (a 24-byte key).
pub fn generate_arqc(session_key: &DesKey, data: &[u8]) -> Result<[u8; 8], CryptoError> {
    retail_mac(session_key, data, MacPadding::Method2)
}

/// ARPC method 1 (EMV Book 2, 8.2.1): the 2-byte authorisation response code padded
/// with six zero bytes, XORed with the ARQC, then encrypted under the key (TDES for
/// a double-length key).
#[must_use]
pub fn generate_arpc_method1(key: &DesKey, arqc: &[u8; 8], arc: &[u8; 2]) -> [u8; 8] {
    let mut block = [arc[0], arc[1], 0, 0, 0, 0, 0, 0];
    xor_into(&mut block, arqc);
    key.encrypt_block(block)
}

/// The checksum of a certification authority public key (EMV Book 2, 5.1 and Annex B2.1,
/// hash algorithm indicator `01`): SHA-1 over RID (5 bytes), key index, modulus and exponent.
/// The terminal compares it with the downloaded DF03 and refuses a key that differs.
pub fn ca_key_checksum(rid: &[u8], index: u8, modulus: &[u8], exponent: &[u8]) -> [u8; 20] {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(rid);
    h.update([index]);
    h.update(modulus);
    h.update(exponent);
    h.finalize().into()
}

/// Sets the least significant bit so that the byte has an odd number of one bits.
fn with_odd_parity(byte: u8) -> u8 {
    let high = byte & 0xFE;
    if high.count_ones().is_multiple_of(2) {
        high | 1
    } else {
        high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_key_checksum_is_sha1_over_the_key_identity_and_value() {
        // FIPS 180 known answer: SHA-1("abc"), split over the four parts.
        assert_eq!(
            hex::encode(ca_key_checksum(b"ab", b'c', b"", b"")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        // The index is part of what is hashed.
        assert_ne!(
            ca_key_checksum(&[0xA0, 0, 0, 3, 0x33], 3, &[1, 2], &[3]),
            ca_key_checksum(&[0xA0, 0, 0, 3, 0x33], 4, &[1, 2], &[3])
        );
    }

    #[test]
    fn parity_adjustment() {
        assert_eq!(with_odd_parity(0x00), 0x01);
        assert_eq!(with_odd_parity(0x01), 0x01);
        assert_eq!(with_odd_parity(0xFE), 0xFE);
        assert_eq!(with_odd_parity(0xFF), 0xFE);
        for b in 0..=255u8 {
            assert_eq!(with_odd_parity(b).count_ones() % 2, 1);
            assert_eq!(with_odd_parity(b) & 0xFE, b & 0xFE);
        }
    }

    #[test]
    fn short_pan_is_left_padded() {
        let imk = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        assert_eq!(
            derive_icc_master_key_option_a(&imk, "12345678901234", "01").unwrap(),
            derive_icc_master_key_option_a(&imk, "0012345678901234", "01").unwrap()
        );
    }

    #[test]
    fn validates_inputs() {
        let imk = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        for (pan, psn) in [("", "01"), ("1234x", "01"), ("1234", "1"), ("1234", "0A")] {
            assert!(matches!(
                derive_icc_master_key_option_a(&imk, pan, psn),
                Err(CryptoError::InvalidEmvInput { .. })
            ));
        }
    }

    #[test]
    fn arpc_depends_on_arc() {
        let key = DesKey::from_hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB").unwrap();
        let arqc = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_ne!(
            generate_arpc_method1(&key, &arqc, b"00"),
            generate_arpc_method1(&key, &arqc, b"05")
        );
    }
}
