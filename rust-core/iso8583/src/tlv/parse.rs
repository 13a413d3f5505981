//! Parsing: a whole list (recursing into constructed values, at most [`MAX_DEPTH`] deep), the
//! depth-first search, and a zero-copy iterator over a flat list.

use super::error::{TlvError, TlvErrorKind};
use super::scan::scan_tag;
use super::tag::Tag;
use super::value::{Tlv, TlvValue};
use super::MAX_DEPTH;
use std::iter::FusedIterator;

/// Parses a concatenation of TLVs, recursing into constructed values.
///
/// The whole input must be consumed: empty input gives an empty list, and trailing bytes
/// that are not a complete TLV give an error. A constructed value must itself be a
/// complete list of TLVs, at most [`MAX_DEPTH`] levels deep.
///
/// # Errors
///
/// The first problem found, in wire order, as a [`TlvError`] with its byte offset.
pub fn parse_all(bytes: &[u8]) -> Result<Vec<Tlv>, TlvError> {
    parse_level(bytes, 0, 0)
}

/// Parses the list in `data`, found at offset `base` of the original input, inside
/// `depth` constructed values.
fn parse_level(data: &[u8], base: usize, depth: usize) -> Result<Vec<Tlv>, TlvError> {
    let mut iter = TlvIter {
        data,
        pos: 0,
        base,
        done: false,
    };
    let mut out = Vec::new();
    loop {
        let start = iter.offset();
        let Some(item) = iter.next() else {
            return Ok(out);
        };
        let (tag, value) = item?;
        let value = if tag.is_constructed() {
            if depth >= MAX_DEPTH {
                return Err(TlvError::new(
                    start,
                    TlvErrorKind::NestingTooDeep {
                        tag,
                        limit: MAX_DEPTH,
                    },
                ));
            }
            let value_at = iter.offset().saturating_sub(value.len());
            TlvValue::Constructed(parse_level(value, value_at, depth + 1)?)
        } else {
            TlvValue::Primitive(value.to_vec())
        };
        out.push(Tlv { tag, value });
    }
}

/// Encodes a list of TLVs, in order; see [`Tlv::encode_into`].
pub fn encode_all(list: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::with_capacity(list.iter().map(Tlv::encoded_len).sum());
    for tlv in list {
        tlv.encode_into(&mut out);
    }
    out
}

/// The first TLV with `tag`, searching depth-first in wire order: each TLV is checked
/// before the contents of its constructed value, and those before its next sibling.
pub fn find(list: &[Tlv], tag: Tag) -> Option<&Tlv> {
    list.iter().find_map(|tlv| {
        if tlv.tag == tag {
            Some(tlv)
        } else {
            tlv.children().and_then(|children| find(children, tag))
        }
    })
}

/// A zero-copy iterator over a flat list of TLVs, yielding each tag and its value bytes
/// without descending into constructed values and without allocating.
///
/// After the first error it yields nothing more.
///
/// ```
/// # use unipos_iso8583::tlv::{tags, TlvIter};
/// let mut iter = TlvIter::new(&[0x9C, 0x01, 0x31, 0x5F, 0x2A, 0x02, 0x01, 0x56]);
/// assert_eq!(iter.next(), Some(Ok((tags::TRANSACTION_TYPE, &[0x31][..]))));
/// assert_eq!(iter.next(), Some(Ok((tags::TRANSACTION_CURRENCY_CODE, &[0x01, 0x56][..]))));
/// assert_eq!(iter.next(), None);
/// ```
#[derive(Clone, Debug)]
pub struct TlvIter<'a> {
    /// The list being read.
    data: &'a [u8],
    /// The offset in `data` of the next TLV.
    pos: usize,
    /// The offset of `data` in the input that error offsets refer to.
    base: usize,
    /// Set after the end or an error.
    done: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates over the TLVs in `data`.
    pub fn new(data: &'a [u8]) -> Self {
        TlvIter {
            data,
            pos: 0,
            base: 0,
            done: false,
        }
    }

    /// The offset in the input of the next TLV (the input length once all are read).
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The input not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Reads the TLV at the start of `rest`, which is at offset `at` of the input.
    /// Returns the tag, the value and the number of bytes read.
    fn read(rest: &'a [u8], at: usize) -> Result<(Tag, &'a [u8], usize), TlvError> {
        let (tag, tag_len) = scan_tag(rest, at)?;
        let len_at = at + tag_len;
        let after_tag = rest.get(tag_len..).unwrap_or_default();
        let Some((&first, after_first)) = after_tag.split_first() else {
            return Err(TlvError::new(len_at, TlvErrorKind::TruncatedLength { tag }));
        };
        let (value_len, len_len) = match first {
            0x00..=0x7F => (usize::from(first), 1),
            0x80 => {
                return Err(TlvError::new(
                    len_at,
                    TlvErrorKind::IndefiniteLength { tag },
                ));
            }
            0x81..=0x83 => {
                let n = usize::from(first & 0x7F);
                let Some(digits) = after_first.get(..n) else {
                    return Err(TlvError::new(len_at, TlvErrorKind::TruncatedLength { tag }));
                };
                let len = digits.iter().fold(0, |acc, &b| acc << 8 | usize::from(b));
                (len, 1 + n)
            }
            _ => {
                return Err(TlvError::new(
                    len_at,
                    TlvErrorKind::UnsupportedLengthForm { tag, byte: first },
                ));
            }
        };
        let header_len = tag_len + len_len;
        let available = rest.get(header_len..).unwrap_or_default();
        let Some(value) = available.get(..value_len) else {
            return Err(TlvError::new(
                at + header_len,
                TlvErrorKind::ValueExceedsInput {
                    tag,
                    needed: value_len,
                    available: available.len(),
                },
            ));
        };
        Ok((tag, value, header_len + value_len))
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<(Tag, &'a [u8]), TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.remaining();
        if self.done || rest.is_empty() {
            self.done = true;
            return None;
        }
        match Self::read(rest, self.offset()) {
            Ok((tag, value, used)) => {
                self.pos += used;
                Some(Ok((tag, value)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl FusedIterator for TlvIter<'_> {}
