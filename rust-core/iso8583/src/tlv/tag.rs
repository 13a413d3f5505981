//! BER-TLV tags: 1 to 4 bytes, class and constructed bit.

use std::fmt;

/// The longest tag, in bytes.
pub(super) const MAX_TAG_LEN: usize = 4;

/// A BER-TLV tag of 1 to 4 bytes, stored inline.
///
/// `Display` and `Debug` both print the tag as upper-case hex, e.g. `9F26`.
/// The structure is checked; the tag number itself is not (EMV uses two-byte tags such
/// as `9F02` whose number would fit in one byte, which strict BER forbids).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    /// The tag bytes, zero after `len`.
    bytes: [u8; MAX_TAG_LEN],
    /// How many of `bytes` are used: 1 to 4.
    len: u8,
}

/// The class of a tag: bits 8 and 7 of its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagClass {
    /// `00xxxxxx`.
    Universal,
    /// `01xxxxxx`, e.g. `5F2A`, `70`, `77`.
    Application,
    /// `10xxxxxx`, e.g. `82`, `95`, `9F26`.
    ContextSpecific,
    /// `11xxxxxx`, e.g. the UnionPay parameter tags `DF01`–`DF21`.
    Private,
}

impl Tag {
    /// Builds a tag from a big-endian value known to be valid (for the [`super::tags`] constants,
    /// each of which a unit test checks against [`Tag::from_u32`]).
    pub(super) const fn known(value: u32) -> Tag {
        let len = if value > 0xFF_FFFF {
            4
        } else if value > 0xFFFF {
            3
        } else if value > 0xFF {
            2
        } else {
            1
        };
        // Left-align the significant bytes; the rest stay zero.
        let bytes = (value << (8 * (MAX_TAG_LEN - len))).to_be_bytes();
        Tag {
            bytes,
            len: len as u8,
        }
    }

    /// A tag from bytes [`super::scan`] checked (`len` is 1 to 4).
    pub(super) const fn from_parts(bytes: [u8; MAX_TAG_LEN], len: u8) -> Tag {
        Tag { bytes, len }
    }

    /// The tag bytes, as they appear on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The tag as a big-endian number, e.g. `0x9F26`.
    pub fn to_u32(&self) -> u32 {
        self.as_bytes()
            .iter()
            .fold(0, |acc, &b| acc << 8 | u32::from(b))
    }

    /// Whether the value is a list of TLVs (bit 6 of the first byte), e.g. `70`, `77`.
    pub const fn is_constructed(&self) -> bool {
        self.bytes[0] & 0x20 != 0
    }

    /// The class of the tag (bits 8 and 7 of the first byte).
    pub const fn class(&self) -> TagClass {
        match self.bytes[0] >> 6 {
            0 => TagClass::Universal,
            1 => TagClass::Application,
            2 => TagClass::ContextSpecific,
            _ => TagClass::Private,
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, self.as_bytes())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, self.as_bytes())
    }
}

/// Writes `bytes` as upper-case hex.
pub(super) fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
}
