//! Track data under the track data key (TDK, sign-in mode `004`): which bytes of a track the
//! terminal encrypts. UnionPay's terminal specification (磁道加密算法): the track as packed
//! BCD; counting from its end, the second byte and the seven before it (the issuer's data,
//! CVN included) are encrypted with the TDK and put back in place. The PAN at the front stays
//! clear, so the field keeps its length and the host can still route the card.
//!
//! ```
//! use unipos_iso8583::cup::track;
//! let mut packed = Vec::new();
//! let digits = track::pack("1234567890123456789=0508201781999168302", &mut packed).unwrap();
//! let at = track::encrypted_block(packed.len()).unwrap();
//! assert_eq!(packed[at], [0x08, 0x20, 0x17, 0x81, 0x99, 0x91, 0x68, 0x30]);
//! assert_eq!(track::text(&packed, digits), "1234567890123456789D0508201781999168302");
//! ```

use std::ops::Range;

/// A track character that is not a digit or a separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("track data holds {0:?}, which is not a digit or the separator")]
pub struct NotTrackData(pub char);

/// Packs track text (digits, `D` or `=` as the separator) into `out`, left aligned with a
/// `0` pad nibble; returns the number of digits.
pub fn pack(track: &str, out: &mut Vec<u8>) -> Result<usize, NotTrackData> {
    checked_pack(track, out, |c| {
        c.is_ascii_digit() || matches!(c, 'D' | 'd' | '=')
    })
}

fn checked_pack(
    text: &str,
    out: &mut Vec<u8>,
    allowed: impl Fn(char) -> bool,
) -> Result<usize, NotTrackData> {
    if let Some(c) = text.chars().find(|&c| !allowed(c)) {
        return Err(NotTrackData(c));
    }
    crate::bcd::pack(text.as_bytes(), true, 0, out);
    Ok(text.len())
}

/// The bytes the TDK encrypts in a packed track of `packed_len` bytes; `None` when the track
/// is too short to hold them (under 9 bytes).
pub fn encrypted_block(packed_len: usize) -> Option<Range<usize>> {
    let end = packed_len.checked_sub(1)?;
    let start = end.checked_sub(8)?;
    Some(start..end)
}

/// The field text of a packed track, `digits` long: `0-9`, `D` as the separator and `A-F`
/// where encrypted bytes happen to hold them.
pub fn text(packed: &[u8], digits: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    packed
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0F])
        .take(digits)
        .map(|n| char::from(HEX[usize::from(n)]))
        .collect()
}

/// Packs field text as [`text`] writes it (any hex nibble), for the host side that decrypts.
pub fn pack_text(text: &str, out: &mut Vec<u8>) -> Result<usize, NotTrackData> {
    checked_pack(text, out, |c| {
        c.is_ascii_digit() || matches!(c, 'A'..='F' | 'd' | '=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_example() {
        // Track 2 of the specification's example (39 characters, packed into 20 bytes).
        let mut packed = Vec::new();
        let n = pack("1234567890123456789=0508201781999168302", &mut packed).unwrap();
        assert_eq!((n, packed.len()), (39, 20));
        assert_eq!(packed[19], 0x20, "a 0 pad nibble at the end");
        assert_eq!(encrypted_block(20), Some(11..19));
        // Any nibble reads back, and the text keeps the digit count.
        packed[11..19].copy_from_slice(&[0xAB; 8]);
        let t = text(&packed, n);
        assert_eq!(t, "1234567890123456789D05ABABABABABABABAB2");
        let mut back = Vec::new();
        assert_eq!(pack_text(&t, &mut back), Ok(39));
        assert_eq!(back, packed);
    }

    #[test]
    fn short_tracks_and_bad_characters() {
        assert_eq!(encrypted_block(8), None);
        assert_eq!(encrypted_block(9), Some(0..8));
        assert_eq!(pack("12X4", &mut Vec::new()), Err(NotTrackData('X')));
        assert_eq!(pack_text("12G4", &mut Vec::new()), Err(NotTrackData('G')));
    }
}
