//! Packed BCD helpers shared by the field codec, the MTI and the length prefixes.

/// Writes `digits` (ASCII `0-9`; for track data also `A`-`F`, with `=` as nibble 0xD) as
/// packed BCD.
/// With an odd count, `pad` goes first (`Align::Right`) or last (`Align::Left`).
/// The caller has validated the characters.
pub(crate) fn pack(digits: &[u8], left_aligned: bool, pad: u8, out: &mut Vec<u8>) {
    let pad = pad & 0x0F;
    let odd = digits.len() % 2 == 1;
    let mut nibbles = digits.iter().map(|&c| ascii_to_nibble(c));
    if odd && !left_aligned {
        let first = nibbles.next().unwrap_or(0);
        out.push((pad << 4) | first);
    }
    loop {
        match (nibbles.next(), nibbles.next()) {
            (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
            (Some(hi), None) => {
                out.push((hi << 4) | pad);
                break;
            }
            _ => break,
        }
    }
}

/// Reads `count` digits from packed BCD `bytes` (which must hold `count.div_ceil(2)` bytes),
/// skipping the pad nibble. `track` allows nibbles 0xA-0xF (`D` is the separator; the others
/// appear where the TDK encrypted part of the track).
/// Returns the offending nibble on a non-digit.
pub(crate) fn unpack(
    bytes: &[u8],
    count: usize,
    left_aligned: bool,
    track: bool,
    out: &mut Vec<u8>,
) -> Result<(), u8> {
    let odd = count % 2 == 1;
    let (mut body, first_low, last_high) = match (odd, left_aligned) {
        (false, _) => (bytes, None, None),
        (true, false) => match bytes.split_first() {
            Some((&first, rest)) => (rest, Some(first & 0x0F), None),
            None => (bytes, None, None),
        },
        (true, true) => match bytes.split_last() {
            Some((&last, rest)) => (rest, None, Some(last >> 4)),
            None => (bytes, None, None),
        },
    };
    if let Some(n) = first_low {
        out.push(nibble_to_ascii(n, track)?);
    }
    if !track {
        // Fast path: both nibbles of a byte are checked at once.
        for &b in body {
            if b >> 4 > 9 || b & 0x0F > 9 {
                return Err(if b >> 4 > 9 { b >> 4 } else { b & 0x0F });
            }
            out.extend_from_slice(&[b'0' + (b >> 4), b'0' + (b & 0x0F)]);
        }
        body = &[];
    }
    for &b in body {
        out.push(nibble_to_ascii(b >> 4, track)?);
        out.push(nibble_to_ascii(b & 0x0F, track)?);
    }
    if let Some(n) = last_high {
        out.push(nibble_to_ascii(n, track)?);
    }
    Ok(())
}

/// Parses a right-aligned BCD number (length prefixes, MTI).
pub(crate) fn number(bytes: &[u8]) -> Option<usize> {
    bytes.iter().try_fold(0usize, |acc, &b| {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if hi > 9 || lo > 9 {
            return None;
        }
        Some(acc * 100 + usize::from(hi) * 10 + usize::from(lo))
    })
}

/// Writes `value` as `width` bytes of right-aligned BCD (value must fit).
pub(crate) fn push_number(value: usize, width: usize, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + width, 0);
    let mut rest = value;
    for slot in out[start..].iter_mut().rev() {
        let lo = (rest % 10) as u8;
        rest /= 10;
        let hi = (rest % 10) as u8;
        rest /= 10;
        *slot = (hi << 4) | lo;
    }
}

#[inline]
fn ascii_to_nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'F' => c - b'A' + 10,
        b'd' | b'=' => 0x0D,
        _ => 0,
    }
}

#[inline]
fn nibble_to_ascii(nibble: u8, track: bool) -> Result<u8, u8> {
    match nibble {
        0..=9 => Ok(b'0' + nibble),
        0x0A..=0x0F if track => Ok(b'A' + nibble - 10),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_digits_pad_on_the_aligned_side() {
        let mut out = Vec::new();
        pack(b"071", true, 0, &mut out);
        assert_eq!(out, [0x07, 0x10]);
        out.clear();
        pack(b"001", false, 0, &mut out);
        assert_eq!(out, [0x00, 0x01]);
        out.clear();
        pack(b"123", true, 0xF, &mut out);
        assert_eq!(out, [0x12, 0x3F]);
    }

    #[test]
    fn unpack_skips_the_pad_nibble() {
        let mut out = Vec::new();
        unpack(&[0x07, 0x10], 3, true, false, &mut out).unwrap();
        assert_eq!(out, b"071");
        out.clear();
        unpack(&[0x00, 0x01], 3, false, false, &mut out).unwrap();
        assert_eq!(out, b"001");
        out.clear();
        assert_eq!(unpack(&[0x1A], 2, true, false, &mut out), Err(0xA));
    }

    #[test]
    fn track_separator_is_nibble_d() {
        let mut out = Vec::new();
        pack(b"62D1", true, 0, &mut out);
        assert_eq!(out, [0x62, 0xD1]);
        let mut back = Vec::new();
        unpack(&out, 4, true, true, &mut back).unwrap();
        assert_eq!(back, b"62D1");
    }

    #[test]
    fn numbers() {
        assert_eq!(number(&[0x01, 0x05]), Some(105));
        assert_eq!(number(&[0x1A]), None);
        let mut out = Vec::new();
        push_number(105, 2, &mut out);
        assert_eq!(out, [0x01, 0x05]);
    }
}
