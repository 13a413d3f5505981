//! Field and message specifications: what a field means and how it looks on the wire.
//!
//! A field's wire form is three independent choices, because that is exactly where ISO 8583
//! implementations disagree with each other (PROTOCOL.md §4.6):
//!
//! 1. the **length unit**: does a length count digits, characters or bytes ([`LengthUnit`]);
//! 2. the **length prefix**: fixed, LL or LLL, written as BCD, ASCII or binary
//!    ([`Length`], [`PrefixEncoding`]);
//! 3. the **data encoding**: packed BCD with its alignment and pad nibble, ASCII or raw bytes
//!    ([`DataEncoding`], [`Align`]).
//!
//! The content type ([`ContentType`]) only says which characters a value may hold.

/// Which characters a field's logical value may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// `n`: decimal digits.
    Numeric,
    /// `an`: letters, digits and spaces (real hosts pad `an` fields such as 44 with spaces).
    Alphanumeric,
    /// `ans`: any printable character; bytes above 0x7F are allowed for GBK text from hosts.
    AlphanumericSpecial,
    /// `b`: raw bytes.
    Binary,
    /// `z`: track data, digits with `D` (or `=`) as the field separator; the part a track data
    /// key (TDK) encrypted is any hex nibble `0-9A-F`.
    Track,
}

impl ContentType {
    /// The short ISO 8583 name of the type (`n`, `an`, `ans`, `b`, `z`).
    pub const fn code(self) -> &'static str {
        match self {
            ContentType::Numeric => "n",
            ContentType::Alphanumeric => "an",
            ContentType::AlphanumericSpecial => "ans",
            ContentType::Binary => "b",
            ContentType::Track => "z",
        }
    }

    /// Whether the logical value is text (digits or characters) rather than raw bytes.
    pub const fn is_text(self) -> bool {
        !matches!(self, ContentType::Binary)
    }
}

/// What a length (fixed or from a prefix) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Digits (nibbles for BCD data): the UnionPay rule for `n` and `z` fields.
    Digits,
    /// Characters: `an` and `ans` fields.
    Chars,
    /// Bytes on the wire: `b` fields.
    Bytes,
}

/// Fixed length, or a variable length announced by an LL or LLL prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Always exactly this many units.
    Fixed(u16),
    /// LLVAR: a prefix of two decimal digits (BCD: 1 byte; ASCII: 2 bytes; binary: 1 byte).
    LlVar {
        /// Largest length accepted, in units.
        max: u16,
    },
    /// LLLVAR: a prefix of three decimal digits (BCD: 2 bytes; ASCII: 3 bytes; binary: 2 bytes).
    LllVar {
        /// Largest length accepted, in units.
        max: u16,
    },
}

impl Length {
    /// The largest length in units this field accepts.
    pub const fn max(self) -> u16 {
        match self {
            Length::Fixed(n) => n,
            Length::LlVar { max } | Length::LllVar { max } => max,
        }
    }
}

/// How the LL/LLL length prefix of a variable field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixEncoding {
    /// Packed BCD, right aligned (`0x19` = 19; `0x01 0x05` = 105). The UnionPay rule.
    Bcd,
    /// ASCII digits (`"19"`, `"105"`).
    Ascii,
    /// Big-endian binary (1 byte for LL, 2 bytes for LLL).
    Binary,
}

/// Where an odd number of digits leaves its pad nibble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Digits first, pad nibble last (`"071"` → `07 10`).
    Left,
    /// Pad nibble first, digits last (`"001"` → `00 01`).
    Right,
}

/// How a field's data bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataEncoding {
    /// Packed BCD, two digits a byte. `pad` is the pad nibble written when the digit count is
    /// odd (`0x0` or `0xF`); on decode any pad nibble is accepted.
    Bcd {
        /// Alignment of the digits when their count is odd.
        align: Align,
        /// The nibble written as padding (0x0..=0xF).
        pad: u8,
    },
    /// One ASCII byte per character.
    Ascii,
    /// Raw bytes.
    Binary,
}

/// The full description of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// A short English name, used in error messages (`"PAN"`, `"amount"`).
    pub name: &'static str,
    /// Which characters the value may hold.
    pub content: ContentType,
    /// Fixed length or the kind of length prefix, with the maximum.
    pub length: Length,
    /// What the length counts.
    pub unit: LengthUnit,
    /// How a variable length prefix is written (ignored for fixed fields).
    pub prefix: PrefixEncoding,
    /// How the data is written.
    pub data: DataEncoding,
}

impl FieldSpec {
    /// Numeric, packed BCD, right aligned with a `0` pad: the ordinary fixed `n` field.
    pub const fn numeric(name: &'static str, digits: u16) -> Self {
        FieldSpec {
            name,
            content: ContentType::Numeric,
            length: Length::Fixed(digits),
            unit: LengthUnit::Digits,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Bcd {
                align: Align::Right,
                pad: 0,
            },
        }
    }

    /// Fixed text field written as ASCII (`an` or `ans`).
    pub const fn text(name: &'static str, content: ContentType, chars: u16) -> Self {
        FieldSpec {
            name,
            content,
            length: Length::Fixed(chars),
            unit: LengthUnit::Chars,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Ascii,
        }
    }

    /// Fixed binary field of `bytes` bytes.
    pub const fn binary(name: &'static str, bytes: u16) -> Self {
        FieldSpec {
            name,
            content: ContentType::Binary,
            length: Length::Fixed(bytes),
            unit: LengthUnit::Bytes,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Binary,
        }
    }

    /// Variable numeric or track field: BCD data left aligned with a `0` pad, BCD length
    /// prefix counting digits (the UnionPay form of fields 2, 32, 35, 48, 60, 61).
    pub const fn var_digits(name: &'static str, content: ContentType, length: Length) -> Self {
        FieldSpec {
            name,
            content,
            length,
            unit: LengthUnit::Digits,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Bcd {
                align: Align::Left,
                pad: 0,
            },
        }
    }

    /// Variable text field: ASCII data, BCD length prefix counting characters.
    pub const fn var_text(name: &'static str, content: ContentType, length: Length) -> Self {
        FieldSpec {
            name,
            content,
            length,
            unit: LengthUnit::Chars,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Ascii,
        }
    }

    /// Variable binary field: raw bytes, BCD length prefix counting bytes.
    pub const fn var_binary(name: &'static str, length: Length) -> Self {
        FieldSpec {
            name,
            content: ContentType::Binary,
            length,
            unit: LengthUnit::Bytes,
            prefix: PrefixEncoding::Bcd,
            data: DataEncoding::Binary,
        }
    }

    /// The same field with another data alignment and pad nibble (BCD data only).
    pub const fn aligned(mut self, align: Align, pad: u8) -> Self {
        if let DataEncoding::Bcd { .. } = self.data {
            self.data = DataEncoding::Bcd { align, pad };
        }
        self
    }

    /// The same field with another length-prefix encoding.
    pub const fn with_prefix(mut self, prefix: PrefixEncoding) -> Self {
        self.prefix = prefix;
        self
    }

    /// The same field with another length unit.
    pub const fn with_unit(mut self, unit: LengthUnit) -> Self {
        self.unit = unit;
        self
    }

    /// The same field with another data encoding.
    pub const fn with_data(mut self, data: DataEncoding) -> Self {
        self.data = data;
        self
    }
}

/// How the MTI is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtiEncoding {
    /// Two bytes of packed BCD (UnionPay).
    Bcd,
    /// Four ASCII digits.
    Ascii,
}

/// How the bitmaps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitmapEncoding {
    /// 8 raw bytes per bitmap (UnionPay).
    Binary,
    /// 16 upper-case hex characters per bitmap.
    Hex,
}

/// A whole message layout: MTI, bitmaps and the fields 2–128 it defines.
///
/// Field 1 (the secondary bitmap) is handled by the codec and never defined here.
#[derive(Debug, Clone)]
pub struct MessageSpec {
    /// The profile's name, shown in errors and by the CLI (`"cup"`).
    pub name: &'static str,
    /// How the MTI is written.
    pub mti: MtiEncoding,
    /// How the bitmaps are written.
    pub bitmap: BitmapEncoding,
    /// Index = field number; `None` for undefined fields. Index 0 and 1 are unused.
    pub fields: [Option<FieldSpec>; 129],
}

impl MessageSpec {
    /// The spec of field `number`, if the profile defines it.
    pub fn field(&self, number: u8) -> Option<&FieldSpec> {
        self.fields
            .get(usize::from(number))
            .and_then(Option::as_ref)
    }
}
