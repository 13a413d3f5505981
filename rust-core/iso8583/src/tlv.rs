//! EMV BER-TLV: the encoding of ISO 8583 field 55 (ICC data) and of the UnionPay
//! parameter and CA public key download payloads carried in field 62.
//!
//! - A [`Tag`] is 1 to 4 bytes. When the low 5 bits of the first byte are all set, more
//!   bytes follow; each later byte with bit 8 set announces one more.
//! - A length is either short (`00`–`7F`) or long: `81 xx`, `82 xx xx` or `83 xx xx xx`.
//!   The indefinite form `80` and lengths wider than 3 bytes are rejected.
//! - A tag whose first byte has bit 6 set is constructed: its value is itself a list of
//!   TLVs, which [`parse_all`] parses recursively, at most [`MAX_DEPTH`] levels deep.
//!
//! Parsing accepts non-minimal long-form lengths (for example `81 05`); encoding always
//! uses the shortest form, so parsing minimal input and encoding it again gives back the
//! same bytes. Nothing here panics on any input: every malformed input becomes a
//! [`TlvError`] that names the byte offset where the problem starts.
//!
//! The UnionPay parameter tags `DF01`–`DF21` are private-class *primitive* tags (bit 6 of
//! `DF` is clear), so parameter payloads parse as flat lists. Padding bytes between TLVs
//! (`00` or `FF`, which EMV tolerates in card responses) are not skipped: they would read
//! as tags. [`tags`] names the tags used in field 55 and in the parameter downloads.
//!
//! ```
//! # use unipos_iso8583::tlv::{encode_all, find, parse_all, tags, TlvError};
//! # fn main() -> Result<(), TlvError> {
//! // 9F26 (8 bytes) then 9F27 (1 byte), as found at the start of a field 55.
//! let field55 = [
//!     0x9F, 0x26, 0x08, 0xBB, 0xFD, 0x1B, 0xFA, 0xCF, 0x6A, 0x64, 0x29, //
//!     0x9F, 0x27, 0x01, 0x80,
//! ];
//! let list = parse_all(&field55)?;
//! assert_eq!(list.len(), 2);
//! assert_eq!(list[0].tag.to_string(), "9F26");
//! let cid = find(&list, tags::CRYPTOGRAM_INFORMATION_DATA).and_then(|t| t.value_bytes());
//! assert_eq!(cid, Some(&[0x80][..]));
//! assert_eq!(encode_all(&list), field55);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::iter::FusedIterator;

/// The deepest nesting of constructed values [`parse_all`] accepts: a constructed TLV
/// inside 8 enclosing constructed TLVs is rejected with [`TlvErrorKind::NestingTooDeep`].
pub const MAX_DEPTH: usize = 8;

/// The longest tag, in bytes.
const MAX_TAG_LEN: usize = 4;

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

    /// Builds a tag from a big-endian value known to be valid (for the [`tags`] constants,
    /// each of which a unit test checks against [`Tag::from_u32`]).
    const fn known(value: u32) -> Tag {
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

/// Reads one tag from the start of `input`; `at` is the offset of `input` for errors.
/// Returns the tag and the number of bytes it takes.
const fn scan_tag(input: &[u8], at: usize) -> Result<(Tag, usize), TlvError> {
    let Some((&first, mut rest)) = input.split_first() else {
        return Err(TlvError::new(at, TlvErrorKind::TruncatedTag));
    };
    let mut bytes = [first, 0, 0, 0];
    if first & 0x1F != 0x1F {
        return Ok((Tag { bytes, len: 1 }, 1));
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
            return Ok((
                Tag {
                    bytes,
                    len: len as u8,
                },
                len,
            ));
        }
        if len == MAX_TAG_LEN {
            return Err(TlvError::new(at, TlvErrorKind::TagTooLong));
        }
    }
}

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
fn length_len(len: usize) -> usize {
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
fn push_length(len: usize, out: &mut Vec<u8>) {
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

/// A TLV decoding error, with the byte offset in the input where the problem starts.
///
/// The offset points at the first byte of the part at fault: the tag for tag and nesting
/// errors, the first length byte for length errors, the first value byte when the value
/// is cut short. Offsets inside constructed values count from the start of the outermost
/// input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("TLV error at byte {offset}: {kind}")]
pub struct TlvError {
    /// The byte offset in the input.
    pub offset: usize,
    /// What is wrong.
    pub kind: TlvErrorKind,
}

impl TlvError {
    /// An error of `kind` at `offset`.
    const fn new(offset: usize, kind: TlvErrorKind) -> Self {
        TlvError { offset, kind }
    }
}

/// What is wrong, for a [`TlvError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvErrorKind {
    /// No bytes where a tag was required ([`Tag::new`]).
    #[error("input is empty")]
    EmptyInput,
    /// The input ends inside a tag.
    #[error("tag is truncated")]
    TruncatedTag,
    /// A tag continues past 4 bytes.
    #[error("tag is longer than 4 bytes")]
    TagTooLong,
    /// Bytes follow the end of the tag ([`Tag::new`]).
    #[error("{extra} bytes follow the end of the tag")]
    TrailingTagBytes {
        /// How many.
        extra: usize,
    },
    /// The input ends inside the length field.
    #[error("length of tag {tag} is truncated")]
    TruncatedLength {
        /// The tag whose length is cut short.
        tag: Tag,
    },
    /// The length byte is `80`, the indefinite form, which EMV does not allow.
    #[error("tag {tag} uses the indefinite length form 80")]
    IndefiniteLength {
        /// The tag with the indefinite length.
        tag: Tag,
    },
    /// The length byte announces more than 3 length bytes (`84`–`FF`).
    #[error("tag {tag} has length byte {byte:02X}; lengths wider than 3 bytes are not supported")]
    UnsupportedLengthForm {
        /// The tag with the unsupported length.
        tag: Tag,
        /// The first length byte.
        byte: u8,
    },
    /// The value is longer than what is left of the input (or of the enclosing value).
    #[error("value of tag {tag} needs {needed} bytes but only {available} remain")]
    ValueExceedsInput {
        /// The tag with the long value.
        tag: Tag,
        /// The value length in the length field.
        needed: usize,
        /// The bytes that remain.
        available: usize,
    },
    /// A constructed value nests deeper than [`MAX_DEPTH`].
    #[error("constructed tag {tag} nests deeper than {limit} levels")]
    NestingTooDeep {
        /// The constructed tag one level too deep.
        tag: Tag,
        /// The limit, [`MAX_DEPTH`].
        limit: usize,
    },
}

/// Writes `bytes` as upper-case hex.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
}

/// Tags used in field 55 and in the UnionPay parameter and CA public key downloads.
pub mod tags {
    use super::Tag;

    /// `70`: EMV proprietary template (READ RECORD response), constructed.
    pub const EMV_TEMPLATE: Tag = Tag::known(0x70);
    /// `71`: issuer script template 1, constructed.
    pub const ISSUER_SCRIPT_TEMPLATE_1: Tag = Tag::known(0x71);
    /// `72`: issuer script template 2, constructed.
    pub const ISSUER_SCRIPT_TEMPLATE_2: Tag = Tag::known(0x72);
    /// `77`: response message template format 2, constructed.
    pub const RESPONSE_TEMPLATE_FORMAT_2: Tag = Tag::known(0x77);

    /// `4F`: application identifier (card).
    pub const APPLICATION_IDENTIFIER: Tag = Tag::known(0x4F);
    /// `57`: track 2 equivalent data.
    pub const TRACK2_EQUIVALENT_DATA: Tag = Tag::known(0x57);
    /// `5A`: application primary account number.
    pub const PAN: Tag = Tag::known(0x5A);
    /// `5F2A`: transaction currency code (`0156` for CNY).
    pub const TRANSACTION_CURRENCY_CODE: Tag = Tag::known(0x5F2A);
    /// `5F34`: PAN sequence number.
    pub const PAN_SEQUENCE_NUMBER: Tag = Tag::known(0x5F34);
    /// `82`: application interchange profile.
    pub const APPLICATION_INTERCHANGE_PROFILE: Tag = Tag::known(0x82);
    /// `84`: dedicated file name.
    pub const DEDICATED_FILE_NAME: Tag = Tag::known(0x84);
    /// `8A`: authorisation response code.
    pub const AUTHORISATION_RESPONSE_CODE: Tag = Tag::known(0x8A);
    /// `91`: issuer authentication data.
    pub const ISSUER_AUTHENTICATION_DATA: Tag = Tag::known(0x91);
    /// `95`: terminal verification results.
    pub const TERMINAL_VERIFICATION_RESULTS: Tag = Tag::known(0x95);
    /// `9A`: transaction date, YYMMDD.
    pub const TRANSACTION_DATE: Tag = Tag::known(0x9A);
    /// `9C`: transaction type.
    pub const TRANSACTION_TYPE: Tag = Tag::known(0x9C);
    /// `9F02`: amount, authorised.
    pub const AMOUNT_AUTHORISED: Tag = Tag::known(0x9F02);
    /// `9F03`: amount, other.
    pub const AMOUNT_OTHER: Tag = Tag::known(0x9F03);
    /// `9F06`: application identifier (terminal); also the RID in CA key downloads.
    pub const AID_TERMINAL: Tag = Tag::known(0x9F06);
    /// `9F08`: application version number (the AID's version in parameter downloads).
    pub const APPLICATION_VERSION_NUMBER: Tag = Tag::known(0x9F08);
    /// `9F09`: application version number (terminal).
    pub const APPLICATION_VERSION_NUMBER_TERMINAL: Tag = Tag::known(0x9F09);
    /// `9F10`: issuer application data.
    pub const ISSUER_APPLICATION_DATA: Tag = Tag::known(0x9F10);
    /// `9F1A`: terminal country code.
    pub const TERMINAL_COUNTRY_CODE: Tag = Tag::known(0x9F1A);
    /// `9F1B`: terminal floor limit.
    pub const TERMINAL_FLOOR_LIMIT: Tag = Tag::known(0x9F1B);
    /// `9F1E`: interface device serial number.
    pub const INTERFACE_DEVICE_SERIAL_NUMBER: Tag = Tag::known(0x9F1E);
    /// `9F22`: certification authority public key index.
    pub const CA_PUBLIC_KEY_INDEX: Tag = Tag::known(0x9F22);
    /// `9F26`: application cryptogram.
    pub const APPLICATION_CRYPTOGRAM: Tag = Tag::known(0x9F26);
    /// `9F27`: cryptogram information data.
    pub const CRYPTOGRAM_INFORMATION_DATA: Tag = Tag::known(0x9F27);
    /// `9F33`: terminal capabilities.
    pub const TERMINAL_CAPABILITIES: Tag = Tag::known(0x9F33);
    /// `9F34`: cardholder verification method results.
    pub const CVM_RESULTS: Tag = Tag::known(0x9F34);
    /// `9F35`: terminal type.
    pub const TERMINAL_TYPE: Tag = Tag::known(0x9F35);
    /// `9F36`: application transaction counter.
    pub const APPLICATION_TRANSACTION_COUNTER: Tag = Tag::known(0x9F36);
    /// `9F37`: unpredictable number.
    pub const UNPREDICTABLE_NUMBER: Tag = Tag::known(0x9F37);
    /// `9F41`: transaction sequence counter.
    pub const TRANSACTION_SEQUENCE_COUNTER: Tag = Tag::known(0x9F41);
    /// `9F7B`: electronic cash terminal transaction limit.
    pub const EC_TERMINAL_TRANSACTION_LIMIT: Tag = Tag::known(0x9F7B);

    /// `DF01`: application selection indicator (parameter download).
    pub const APPLICATION_SELECTION_INDICATOR: Tag = Tag::known(0xDF01);
    /// `DF02`: CA public key modulus (CA key download).
    pub const CAPK_MODULUS: Tag = Tag::known(0xDF02);
    /// `DF03`: CA public key checksum (CA key download).
    pub const CAPK_CHECKSUM: Tag = Tag::known(0xDF03);
    /// `DF04`: CA public key exponent (CA key download).
    pub const CAPK_EXPONENT: Tag = Tag::known(0xDF04);
    /// `DF05`: CA public key expiry date, ASCII `YYYYMMDD` (CA key download).
    pub const CAPK_EXPIRY: Tag = Tag::known(0xDF05);
    /// `DF06`: CA public key hash algorithm indicator (CA key download).
    pub const CAPK_HASH_ALGORITHM: Tag = Tag::known(0xDF06);
    /// `DF07`: CA public key algorithm indicator (CA key download).
    pub const CAPK_ALGORITHM: Tag = Tag::known(0xDF07);
    /// `DF11`: terminal action code, default (parameter download).
    pub const TAC_DEFAULT: Tag = Tag::known(0xDF11);
    /// `DF12`: terminal action code, online (parameter download).
    pub const TAC_ONLINE: Tag = Tag::known(0xDF12);
    /// `DF13`: terminal action code, denial (parameter download).
    pub const TAC_DENIAL: Tag = Tag::known(0xDF13);
    /// `DF14`: default DDOL (parameter download).
    pub const DEFAULT_DDOL: Tag = Tag::known(0xDF14);
    /// `DF15`: threshold value for biased random selection (parameter download).
    pub const RANDOM_SELECTION_THRESHOLD: Tag = Tag::known(0xDF15);
    /// `DF16`: maximum target percentage for biased random selection (parameter download).
    pub const RANDOM_SELECTION_MAX_PERCENTAGE: Tag = Tag::known(0xDF16);
    /// `DF17`: target percentage for random selection (parameter download).
    pub const RANDOM_SELECTION_TARGET_PERCENTAGE: Tag = Tag::known(0xDF17);
    /// `DF18`: terminal online PIN capability (parameter download).
    pub const ONLINE_PIN_CAPABILITY: Tag = Tag::known(0xDF18);
    /// `DF19`: contactless reader offline floor limit (parameter download).
    pub const CONTACTLESS_FLOOR_LIMIT: Tag = Tag::known(0xDF19);
    /// `DF20`: contactless reader transaction limit (parameter download).
    pub const CONTACTLESS_TRANSACTION_LIMIT: Tag = Tag::known(0xDF20);
    /// `DF21`: contactless reader CVM required limit (parameter download).
    pub const CONTACTLESS_CVM_LIMIT: Tag = Tag::known(0xDF21);

    /// Every constant above, for tests.
    #[cfg(test)]
    pub(crate) const ALL: &[Tag] = &[
        EMV_TEMPLATE,
        ISSUER_SCRIPT_TEMPLATE_1,
        ISSUER_SCRIPT_TEMPLATE_2,
        RESPONSE_TEMPLATE_FORMAT_2,
        APPLICATION_IDENTIFIER,
        TRACK2_EQUIVALENT_DATA,
        PAN,
        TRANSACTION_CURRENCY_CODE,
        PAN_SEQUENCE_NUMBER,
        APPLICATION_INTERCHANGE_PROFILE,
        DEDICATED_FILE_NAME,
        AUTHORISATION_RESPONSE_CODE,
        ISSUER_AUTHENTICATION_DATA,
        TERMINAL_VERIFICATION_RESULTS,
        TRANSACTION_DATE,
        TRANSACTION_TYPE,
        AMOUNT_AUTHORISED,
        AMOUNT_OTHER,
        AID_TERMINAL,
        APPLICATION_VERSION_NUMBER,
        APPLICATION_VERSION_NUMBER_TERMINAL,
        ISSUER_APPLICATION_DATA,
        TERMINAL_COUNTRY_CODE,
        TERMINAL_FLOOR_LIMIT,
        INTERFACE_DEVICE_SERIAL_NUMBER,
        CA_PUBLIC_KEY_INDEX,
        APPLICATION_CRYPTOGRAM,
        CRYPTOGRAM_INFORMATION_DATA,
        TERMINAL_CAPABILITIES,
        CVM_RESULTS,
        TERMINAL_TYPE,
        APPLICATION_TRANSACTION_COUNTER,
        UNPREDICTABLE_NUMBER,
        TRANSACTION_SEQUENCE_COUNTER,
        EC_TERMINAL_TRANSACTION_LIMIT,
        APPLICATION_SELECTION_INDICATOR,
        CAPK_MODULUS,
        CAPK_CHECKSUM,
        CAPK_EXPONENT,
        CAPK_EXPIRY,
        CAPK_HASH_ALGORITHM,
        CAPK_ALGORITHM,
        TAC_DEFAULT,
        TAC_ONLINE,
        TAC_DENIAL,
        DEFAULT_DDOL,
        RANDOM_SELECTION_THRESHOLD,
        RANDOM_SELECTION_MAX_PERCENTAGE,
        RANDOM_SELECTION_TARGET_PERCENTAGE,
        ONLINE_PIN_CAPABILITY,
        CONTACTLESS_FLOOR_LIMIT,
        CONTACTLESS_TRANSACTION_LIMIT,
        CONTACTLESS_CVM_LIMIT,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(v: u32) -> Tag {
        Tag::from_u32(v).unwrap()
    }

    fn err(offset: usize, kind: TlvErrorKind) -> TlvError {
        TlvError { offset, kind }
    }

    #[test]
    fn tag_structure() {
        assert_eq!(Tag::new(&[0x9C]).unwrap().as_bytes(), [0x9C]);
        assert_eq!(Tag::new(&[0x9F, 0x26]).unwrap().as_bytes(), [0x9F, 0x26]);
        assert_eq!(Tag::new(&[0xDF, 0x81, 0x01]).unwrap().to_u32(), 0xDF8101);
        assert_eq!(
            Tag::new(&[0xFF, 0x81, 0x82, 0x03]).unwrap().to_u32(),
            0xFF81_8203
        );
        assert_eq!(Tag::new(&[]), Err(err(0, TlvErrorKind::EmptyInput)));
        assert_eq!(Tag::new(&[0x9F]), Err(err(0, TlvErrorKind::TruncatedTag)));
        assert_eq!(
            Tag::new(&[0x9F, 0x81]),
            Err(err(0, TlvErrorKind::TruncatedTag))
        );
        assert_eq!(
            Tag::new(&[0x9F, 0x81, 0x81, 0x81]),
            Err(err(0, TlvErrorKind::TagTooLong))
        );
        assert_eq!(
            Tag::new(&[0x9F, 0x26, 0x08]),
            Err(err(2, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        assert_eq!(
            Tag::new(&[0x5A, 0x00, 0x00]),
            Err(err(1, TlvErrorKind::TrailingTagBytes { extra: 2 }))
        );
    }

    #[test]
    fn tag_from_u32() {
        assert_eq!(tag(0x9F26).as_bytes(), [0x9F, 0x26]);
        assert_eq!(tag(0).as_bytes(), [0x00]);
        assert_eq!(tag(0x70).as_bytes(), [0x70]);
        assert_eq!(
            Tag::from_u32(0x0126),
            Err(err(1, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        assert_eq!(Tag::from_u32(0x9F), Err(err(0, TlvErrorKind::TruncatedTag)));
        assert_eq!(
            Tag::from_u32(0x9F8181),
            Err(err(0, TlvErrorKind::TruncatedTag))
        );
        assert_eq!(
            Tag::from_u32(0x9F2681),
            Err(err(2, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        const AC: Result<Tag, TlvError> = Tag::from_u32(0x9F26);
        assert_eq!(AC, Ok(tags::APPLICATION_CRYPTOGRAM));
    }

    #[test]
    fn tag_constants_are_valid() {
        for &t in tags::ALL {
            assert_eq!(Tag::from_u32(t.to_u32()), Ok(t), "{t}");
            assert_eq!(Tag::new(t.as_bytes()), Ok(t), "{t}");
        }
    }

    #[test]
    fn tag_display_and_bits() {
        assert_eq!(tag(0x9F26).to_string(), "9F26");
        assert_eq!(format!("{:?}", tag(0xDF8101)), "DF8101");
        assert_eq!(tag(0x0A).to_string(), "0A");
        assert!(tag(0x70).is_constructed());
        assert!(tag(0x77).is_constructed());
        assert!(tag(0xBF0C).is_constructed());
        assert!(!tag(0x9F26).is_constructed());
        assert!(!tag(0xDF01).is_constructed());
        assert!(!tag(0x5F2A).is_constructed());
        assert_eq!(tag(0x30).class(), TagClass::Universal);
        assert_eq!(tag(0x5F2A).class(), TagClass::Application);
        assert_eq!(tag(0x9F26).class(), TagClass::ContextSpecific);
        assert_eq!(tag(0xDF01).class(), TagClass::Private);
    }

    #[test]
    fn length_forms_at_boundaries() {
        for (len, header) in [
            (0usize, &[0x00][..]),
            (0x7F, &[0x7F]),
            (0x80, &[0x81, 0x80]),
            (0xFF, &[0x81, 0xFF]),
            (0x100, &[0x82, 0x01, 0x00]),
            (0xFFFF, &[0x82, 0xFF, 0xFF]),
            (0x1_0000, &[0x83, 0x01, 0x00, 0x00]),
        ] {
            let tlv = Tlv::primitive(tag(0xDF02), vec![0xA5; len]);
            let bytes = tlv.encode();
            assert_eq!(bytes.get(2..2 + header.len()), Some(header), "len {len}");
            assert_eq!(bytes.len(), tlv.encoded_len());
            assert_eq!(parse_all(&bytes).unwrap(), vec![tlv]);
        }
    }

    #[test]
    fn long_lengths_encode_beyond_three_bytes() {
        let mut out = Vec::new();
        push_length(0x0100_0000, &mut out);
        assert_eq!(out, [0x84, 0x01, 0x00, 0x00, 0x00]);
        assert_eq!(length_len(0x0100_0000), 5);
    }

    #[test]
    fn non_minimal_length_is_accepted() {
        let list = parse_all(&[0x9C, 0x81, 0x01, 0x31]).unwrap();
        assert_eq!(list, vec![Tlv::primitive(tag(0x9C), [0x31])]);
        assert_eq!(encode_all(&list), [0x9C, 0x01, 0x31]);
    }

    #[test]
    fn length_errors() {
        use TlvErrorKind::*;
        let t = tag(0x9F10);
        assert_eq!(
            parse_all(&[0x9F, 0x10]),
            Err(err(2, TruncatedLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x82, 0x01]),
            Err(err(2, TruncatedLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x80, 0x00]),
            Err(err(2, IndefiniteLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x84, 0, 0, 0, 1, 0]),
            Err(err(2, UnsupportedLengthForm { tag: t, byte: 0x84 }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x83, 0xFF, 0xFF, 0xFF, 1]),
            Err(err(
                6,
                ValueExceedsInput {
                    tag: t,
                    needed: 0xFF_FFFF,
                    available: 1
                }
            ))
        );
    }

    #[test]
    fn nesting_limit() {
        let mut tlv = Tlv::primitive(tag(0x9C), [0x00]);
        for _ in 0..MAX_DEPTH {
            tlv = Tlv::constructed(tag(0x70), vec![tlv]);
        }
        let ok = tlv.encode();
        assert_eq!(parse_all(&ok).unwrap(), vec![tlv.clone()]);
        let too_deep = Tlv::constructed(tag(0x77), vec![tlv]).encode();
        // The 9th constructed tag is the innermost 70, after 8 two-byte headers.
        assert_eq!(
            parse_all(&too_deep),
            Err(err(
                2 * MAX_DEPTH,
                TlvErrorKind::NestingTooDeep {
                    tag: tag(0x70),
                    limit: MAX_DEPTH
                }
            ))
        );
    }

    #[test]
    fn iterator_stops_after_error() {
        let data = [0x9C, 0x01, 0x31, 0x9F, 0x02, 0x06, 0x00];
        let mut iter = TlvIter::new(&data);
        assert_eq!(iter.next(), Some(Ok((tag(0x9C), &[0x31][..]))));
        assert_eq!(iter.offset(), 3);
        assert_eq!(iter.remaining(), &data[3..]);
        assert_eq!(
            iter.next(),
            Some(Err(err(
                6,
                TlvErrorKind::ValueExceedsInput {
                    tag: tag(0x9F02),
                    needed: 6,
                    available: 1
                }
            )))
        );
        assert_eq!(iter.next(), None);
        assert_eq!(iter.next(), None);
    }

    #[test]
    fn debug_is_hex() {
        let tlv = Tlv::constructed(tag(0x77), vec![Tlv::primitive(tag(0x9F27), [0x80])]);
        assert_eq!(
            format!("{tlv:?}"),
            "Tlv { tag: 77, value: Constructed([Tlv { tag: 9F27, value: Primitive(80) }]) }"
        );
    }

    #[test]
    fn error_display_names_offset() {
        let e = err(
            14,
            TlvErrorKind::ValueExceedsInput {
                tag: tag(0x9F10),
                needed: 8,
                available: 3,
            },
        );
        assert_eq!(
            e.to_string(),
            "TLV error at byte 14: value of tag 9F10 needs 8 bytes but only 3 remain"
        );
    }
}
