//! Reading a tag from bytes: the checks of [`Tag::new`] and the scanner the parser uses.

use super::error::{TlvError, TlvErrorKind};
use super::tag::{Tag, MAX_TAG_LEN};

impl Tag {
    /// Checks that `bytes` is exactly one well-formed tag.
    ///
    /// # Errors
    ///
    /// [`TlvErrorKind::EmptyInput`], [`TlvErrorKind::TruncatedTag`] (a byte announces
    /// another one that is missing), [`TlvErrorKind::TagTooLong`] and
    /// [`TlvErrorKind::TrailingTagBytes`] (bytes left after the tag ends).
    pub const fn new(bytes: &[u8]) -> Result<Tag, TlvError> {
        if bytes.is_empty() {
            return Err(TlvError::new(0, TlvErrorKind::EmptyInput));
        }
        match scan_tag(bytes, 0) {
            Ok((tag, used)) if used == bytes.len() => Ok(tag),
            Ok((_, used)) => Err(TlvError::new(
                used,
                TlvErrorKind::TrailingTagBytes {
                    extra: bytes.len() - used,
                },
            )),
            Err(e) => Err(e),
        }
    }

    /// Builds a tag from its big-endian value, e.g. `Tag::from_u32(0x9F26)`.
    ///
    /// Leading zero bytes are dropped (`0` is the one-byte tag `00`); the remaining
    /// bytes are checked as by [`Tag::new`]. Usable in `const` items.
    ///
    /// # Errors
    ///
    /// As [`Tag::new`], e.g. `0x9F` is a truncated tag and `0x0126` has a trailing byte.
    pub const fn from_u32(value: u32) -> Result<Tag, TlvError> {
        let be = value.to_be_bytes();
        let skip = if value == 0 {
            3
        } else {
            (value.leading_zeros() / 8) as usize
        };
        Tag::new(be.split_at(skip).1)
    }
}

/// Reads one tag from the start of `input`; `at` is the offset of `input` for errors.
/// Returns the tag and the number of bytes it takes.
pub(super) const fn scan_tag(input: &[u8], at: usize) -> Result<(Tag, usize), TlvError> {
    let Some((&first, mut rest)) = input.split_first() else {
        return Err(TlvError::new(at, TlvErrorKind::TruncatedTag));
    };
    let mut bytes = [first, 0, 0, 0];
    if first & 0x1F != 0x1F {
        return Ok((Tag::from_parts(bytes, 1), 1));
    }
    let mut len = 1;
    loop {
        let Some((&b, tail)) = rest.split_first() else {
            return Err(TlvError::new(at, TlvErrorKind::TruncatedTag));
        };
        // In bounds: `len` is at most 3 here (the check below stops at 4).
        bytes[len] = b;
        len += 1;
        rest = tail;
        if b & 0x80 == 0 {
            return Ok((Tag::from_parts(bytes, len as u8), len));
        }
        if len == MAX_TAG_LEN {
            return Err(TlvError::new(at, TlvErrorKind::TagTooLong));
        }
    }
}
