//! One TLV (a tag and its value, bytes or a nested list) and its encoding.

use super::tag::{write_hex, Tag};
use std::fmt;

/// One TLV: a tag and its value, either bytes or a list of TLVs.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Tlv {
    /// The tag.
    pub tag: Tag,
    /// The value. [`parse_all`] makes it [`TlvValue::Constructed`] exactly when
    /// [`Tag::is_constructed`] is true.
    pub value: TlvValue,
}

/// The value of a [`Tlv`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum TlvValue {
    /// Raw value bytes.
    Primitive(Vec<u8>),
    /// Nested TLVs, in wire order.
    Constructed(Vec<Tlv>),
}

impl fmt::Debug for TlvValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlvValue::Primitive(bytes) => {
                f.write_str("Primitive(")?;
                write_hex(f, bytes)?;
                f.write_str(")")
            }
            TlvValue::Constructed(children) => {
                f.debug_tuple("Constructed").field(children).finish()
            }
        }
    }
}

impl Tlv {
    /// A TLV with a raw value. The tag is not checked to be primitive; a constructed tag
    /// with a raw value encodes those bytes as they are.
    pub fn primitive(tag: Tag, value: impl Into<Vec<u8>>) -> Tlv {
        Tlv {
            tag,
            value: TlvValue::Primitive(value.into()),
        }
    }

    /// A TLV whose value is the list `children`, e.g. a `70` or `77` template.
    pub fn constructed(tag: Tag, children: Vec<Tlv>) -> Tlv {
        Tlv {
            tag,
            value: TlvValue::Constructed(children),
        }
    }

    /// The raw value, or `None` for a constructed value.
    pub fn value_bytes(&self) -> Option<&[u8]> {
        match &self.value {
            TlvValue::Primitive(bytes) => Some(bytes),
            TlvValue::Constructed(_) => None,
        }
    }

    /// The nested TLVs, or `None` for a raw value.
    pub fn children(&self) -> Option<&[Tlv]> {
        match &self.value {
            TlvValue::Primitive(_) => None,
            TlvValue::Constructed(children) => Some(children),
        }
    }

    /// The length of the encoded value, i.e. the number in the length field.
    pub fn value_len(&self) -> usize {
        match &self.value {
            TlvValue::Primitive(bytes) => bytes.len(),
            TlvValue::Constructed(children) => children.iter().map(Tlv::encoded_len).sum(),
        }
    }

    /// The length of the whole encoding: tag, length and value.
    pub fn encoded_len(&self) -> usize {
        let value_len = self.value_len();
        self.tag.as_bytes().len() + length_len(value_len) + value_len
    }

    /// Appends the encoding to `out`, with the shortest length form.
    ///
    /// Values of 16 MiB or more get a length wider than 3 bytes, which [`parse_all`]
    /// does not read back; nothing in ISO 8583 comes near that size.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.tag.as_bytes());
        push_length(self.value_len(), out);
        match &self.value {
            TlvValue::Primitive(bytes) => out.extend_from_slice(bytes),
            TlvValue::Constructed(children) => {
                for child in children {
                    child.encode_into(out);
                }
            }
        }
    }

    /// The encoding as a new vector; see [`Tlv::encode_into`].
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }
}

/// How many bytes the length field of a `len`-byte value takes.
pub(super) fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + significant_bytes(len)
    }
}

/// The number of big-endian bytes needed for `n` (at least 1).
fn significant_bytes(n: usize) -> usize {
    (usize::BITS as usize - n.leading_zeros() as usize)
        .div_ceil(8)
        .max(1)
}

/// Appends the shortest BER length field for `len`.
pub(super) fn push_length(len: usize, out: &mut Vec<u8>) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let n = significant_bytes(len);
            let be = len.to_be_bytes();
            // `n` is at most size_of::<usize>() (8), so it fits in the low 7 bits.
            out.push(0x80 | n as u8);
            out.extend(be.iter().skip(be.len() - n));
        }
    }
}
