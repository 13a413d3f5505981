//! TLV decoding errors, with the byte offset where the problem starts.

use super::tag::Tag;

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
    pub(super) const fn new(offset: usize, kind: TlvErrorKind) -> Self {
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
