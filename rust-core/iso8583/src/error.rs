//! Typed codec errors. They name the field and the byte offset, never the field's value,
//! because values can be card numbers.

use thiserror::Error;

/// Where in a message a decode error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The length prefix, TPDU or header in front of the message.
    Frame,
    /// The message type indicator.
    Mti,
    /// The primary or secondary bitmap.
    Bitmap,
    /// A data field.
    Field(u8),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Frame => f.write_str("frame"),
            Location::Mti => f.write_str("MTI"),
            Location::Bitmap => f.write_str("bitmap"),
            Location::Field(n) => write!(f, "field {n}"),
        }
    }
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeErrorKind {
    /// The input ended inside an element.
    #[error("needs {needed} more byte(s) but only {available} remain")]
    Truncated {
        /// Bytes the element needs.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// A packed BCD byte holds a nibble that is not a decimal digit.
    #[error("invalid BCD nibble {nibble:#X}")]
    InvalidBcd {
        /// The offending nibble.
        nibble: u8,
    },
    /// A length prefix is not a valid number.
    #[error("invalid length prefix")]
    InvalidLengthPrefix,
    /// A length prefix announces more than the field allows.
    #[error("length {length} exceeds the maximum {max}")]
    TooLong {
        /// Announced length.
        length: usize,
        /// Maximum of the field.
        max: usize,
    },
    /// The bitmap announces a field the profile does not define.
    #[error("the bitmap announces a field that profile '{profile}' does not define")]
    UndefinedField {
        /// Name of the profile used.
        profile: &'static str,
    },
    /// A text field holds a byte its content type does not allow.
    #[error("byte {byte:#04X} is not allowed in a {content} field")]
    InvalidCharacter {
        /// The byte.
        byte: u8,
        /// The content type code (`an`, `ans`, ...).
        content: &'static str,
    },
    /// Bytes are left after the last field the bitmap announces.
    #[error("{count} byte(s) left over after the last field")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The frame's length prefix does not match the bytes that follow.
    #[error("the length prefix says {declared} byte(s) but {actual} follow")]
    FrameLengthMismatch {
        /// Length announced by the 2-byte prefix.
        declared: usize,
        /// Bytes actually present.
        actual: usize,
    },
    /// The message is longer than a frame can carry.
    #[error("message of {length} bytes does not fit a {max}-byte frame")]
    FrameTooLong {
        /// Message length.
        length: usize,
        /// Frame limit.
        max: usize,
    },
}

/// A decode failure: what went wrong, in which element, at which byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot decode {location} at byte {offset}: {kind}")]
pub struct DecodeError {
    /// The element being decoded.
    pub location: Location,
    /// Byte offset into the input where the element (or the fault) starts.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub(crate) fn new(location: Location, offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError {
            location,
            offset,
            kind,
        }
    }
}

/// Why a value cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeErrorKind {
    /// A fixed-length field got a value of another length.
    #[error("must be exactly {expected} {unit} long but is {actual}")]
    WrongLength {
        /// Required length.
        expected: usize,
        /// Given length.
        actual: usize,
        /// What the lengths count.
        unit: &'static str,
    },
    /// A variable field got a value longer than its maximum.
    #[error("may be at most {max} {unit} long but is {actual}")]
    TooLong {
        /// Maximum length.
        max: usize,
        /// Given length.
        actual: usize,
        /// What the lengths count.
        unit: &'static str,
    },
    /// A value holds a character its content type does not allow.
    #[error("character at position {position} is not allowed in a {content} field")]
    InvalidCharacter {
        /// 0-based position of the character in the value.
        position: usize,
        /// The content type code.
        content: &'static str,
    },
    /// The message holds a field that the profile does not define.
    #[error("is not defined by profile '{profile}'")]
    UndefinedField {
        /// Name of the profile used.
        profile: &'static str,
    },
    /// The MTI is not four decimal digits.
    #[error("MTI must be 4 decimal digits")]
    InvalidMti,
    /// The message is larger than its frame's length prefix can describe.
    #[error("message of {length} bytes does not fit a {max}-byte frame")]
    FrameTooLong {
        /// Message length.
        length: usize,
        /// Frame limit.
        max: usize,
    },
    /// A TPDU or header has the wrong size for the frame layout.
    #[error("{element} must be {expected} bytes but is {actual}")]
    WrongFrameElement {
        /// `"TPDU"` or `"header"`.
        element: &'static str,
        /// Required size.
        expected: usize,
        /// Given size.
        actual: usize,
    },
}

/// An encode failure, naming the field (number and name) it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: {kind}", describe_field(*.field, .name))]
pub struct EncodeError {
    /// Field number; 0 for the MTI or frame.
    pub field: u8,
    /// The field's name in the profile, if known.
    pub name: &'static str,
    /// What went wrong.
    pub kind: EncodeErrorKind,
}

fn describe_field(field: u8, name: &str) -> String {
    match (field, name.is_empty()) {
        (0, _) => "message".to_owned(),
        (n, true) => format!("field {n}"),
        (n, false) => format!("field {n} ({name})"),
    }
}

/// Setting a field number the codec cannot hold (0, 1 or above 128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("field number {0} is out of range: data fields are 2 to 128")]
pub struct FieldNumberError(pub u16);
