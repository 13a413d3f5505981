//! Small byte helpers shared by the modules.

use zeroize::Zeroizing;

use crate::error::CryptoError;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Writes `bytes` as upper-case hexadecimal ASCII (`0x1A` becomes `b"1A"`).
pub(crate) fn hex_upper_8(bytes: &[u8; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_UPPER[usize::from(byte >> 4)];
        pair[1] = HEX_UPPER[usize::from(byte & 0x0F)];
    }
    out
}

/// XORs `other` into `acc`.
pub(crate) fn xor_into<const N: usize>(acc: &mut [u8; N], other: &[u8; N]) {
    for (a, b) in acc.iter_mut().zip(other) {
        *a ^= b;
    }
}

/// Decodes hexadecimal text (either case) into a zeroizing buffer. The error
/// deliberately carries no part of the text, which may be key material.
pub(crate) fn decode_hex_secret(
    text: &str,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let digits = text.trim().as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(CryptoError::InvalidHex { what });
    }
    // Decode straight into the zeroizing buffer (no intermediate copies to leak).
    let mut out = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for pair in digits.chunks_exact(2) {
        match (hex_value(pair[0]), hex_value(pair[1])) {
            (Some(high), Some(low)) => out.push((high << 4) | low),
            _ => return Err(CryptoError::InvalidHex { what }),
        }
    }
    Ok(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_upper_expands_each_nibble() {
        assert_eq!(
            &hex_upper_8(&[0x12, 0x12, 0xB0, 0x4E, 0x12, 0x27, 0x80, 0x9C]),
            b"1212B04E1227809C"
        );
    }

    #[test]
    fn hex_errors_do_not_echo_input() {
        let err = decode_hex_secret("0123456789ABCDEZ", "DES key").unwrap_err();
        assert!(!err.to_string().contains("0123456789ABCDEZ"));
        assert!(!err.to_string().contains('Z'));
    }

    #[test]
    fn hex_decodes_both_cases() {
        assert_eq!(
            &decode_hex_secret(" 0aF9 ", "x").unwrap()[..],
            &[0x0A, 0xF9]
        );
        assert!(decode_hex_secret("0aF", "x").is_err());
        assert!(decode_hex_secret("0g", "x").is_err());
    }
}
