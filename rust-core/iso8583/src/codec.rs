//! Packing and unpacking messages with a [`MessageSpec`].

use crate::bcd;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Location};
use crate::message::{Message, Mti};
use crate::spec::{
    Align, BitmapEncoding, ContentType, DataEncoding, FieldSpec, Length, LengthUnit, MessageSpec,
    MtiEncoding, PrefixEncoding,
};

impl MessageSpec {
    /// Packs `msg` into wire bytes (MTI, bitmaps, fields), validating every value.
    pub fn pack(&self, msg: &Message) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(256);
        self.pack_into(msg, &mut out)?;
        Ok(out)
    }

    /// Packs `msg` and appends the bytes to `out`. On error `out` may hold a partial message.
    pub fn pack_into(&self, msg: &Message, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mti = msg.mti().digits();
        match self.mti {
            MtiEncoding::Bcd => bcd::pack(&mti, false, 0, out),
            MtiEncoding::Ascii => out.extend_from_slice(&mti),
        }
        let mut bits = msg.present_bits();
        let secondary = msg.needs_secondary_bitmap();
        if secondary {
            bits |= 1; // field 1 = "a secondary bitmap follows"
        }
        // Field n is bit n counted from the most significant bit of the bitmap.
        let primary = ((bits & 0xFFFF_FFFF_FFFF_FFFF) as u64).reverse_bits();
        self.push_bitmap(primary, out);
        if secondary {
            self.push_bitmap(((bits >> 64) as u64).reverse_bits(), out);
        }
        for (number, value) in msg.fields() {
            let spec = self.field(number).ok_or(EncodeError {
                field: number,
                name: "",
                kind: EncodeErrorKind::UndefinedField { profile: self.name },
            })?;
            encode_field(number, spec, value, out)?;
        }
        Ok(())
    }

    fn push_bitmap(&self, bitmap: u64, out: &mut Vec<u8>) {
        match self.bitmap {
            BitmapEncoding::Binary => out.extend_from_slice(&bitmap.to_be_bytes()),
            BitmapEncoding::Hex => out.extend_from_slice(format!("{bitmap:016X}").as_bytes()),
        }
    }

    /// Unpacks a whole message (MTI onwards). Every byte must be consumed.
    ///
    /// Never panics: any malformed input gives a [`DecodeError`] naming the element and offset.
    pub fn unpack(&self, input: &[u8]) -> Result<Message, DecodeError> {
        let mut cursor = Cursor { input, pos: 0 };
        let mti_bytes = match self.mti {
            MtiEncoding::Bcd => cursor.take(2, Location::Mti)?,
            MtiEncoding::Ascii => cursor.take(4, Location::Mti)?,
        };
        let mti = decode_mti(self.mti, mti_bytes)?;
        let mut msg = Message::with_capacity(mti, input.len() * 2);
        let primary = self.read_bitmap(&mut cursor)?;
        let mut bits = u128::from(primary.reverse_bits());
        if bits & 1 != 0 {
            let secondary = self.read_bitmap(&mut cursor)?;
            bits |= u128::from(secondary.reverse_bits()) << 64;
        }
        // Walk the set bits only; bit 0 (field 1) is the secondary-bitmap flag.
        let mut pending = bits & !1;
        while pending != 0 {
            let number = (pending.trailing_zeros() + 1) as u8;
            pending &= pending - 1;
            let start = cursor.pos;
            let spec = self.field(number).ok_or(DecodeError::new(
                Location::Field(number),
                start,
                DecodeErrorKind::UndefinedField { profile: self.name },
            ))?;
            decode_field(number, spec, &mut cursor, &mut msg)?;
        }
        if cursor.remaining() > 0 {
            return Err(DecodeError::new(
                Location::Field(last_field(bits)),
                cursor.pos,
                DecodeErrorKind::TrailingBytes {
                    count: cursor.remaining(),
                },
            ));
        }
        Ok(msg)
    }

    fn read_bitmap(&self, cursor: &mut Cursor<'_>) -> Result<u64, DecodeError> {
        match self.bitmap {
            BitmapEncoding::Binary => {
                let bytes = cursor.take(8, Location::Bitmap)?;
                let mut array = [0u8; 8];
                array.copy_from_slice(bytes);
                Ok(u64::from_be_bytes(array))
            }
            BitmapEncoding::Hex => {
                let at = cursor.pos;
                let bytes = cursor.take(16, Location::Bitmap)?;
                std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                    .ok_or(DecodeError::new(
                        Location::Bitmap,
                        at,
                        DecodeErrorKind::InvalidCharacter {
                            byte: bytes
                                .iter()
                                .copied()
                                .find(|b| !b.is_ascii_hexdigit())
                                .unwrap_or(0),
                            content: "hex",
                        },
                    ))
            }
        }
    }
}

fn last_field(bits: u128) -> u8 {
    (128 - bits.leading_zeros()) as u8
}

fn decode_mti(encoding: MtiEncoding, bytes: &[u8]) -> Result<Mti, DecodeError> {
    let mut digits = [0u8; 4];
    match encoding {
        MtiEncoding::Bcd => {
            for (i, &b) in bytes.iter().enumerate().take(2) {
                for (j, nibble) in [b >> 4, b & 0x0F].into_iter().enumerate() {
                    if nibble > 9 {
                        return Err(DecodeError::new(
                            Location::Mti,
                            i,
                            DecodeErrorKind::InvalidBcd { nibble },
                        ));
                    }
                    digits[i * 2 + j] = b'0' + nibble;
                }
            }
        }
        MtiEncoding::Ascii => {
            if let Some(&byte) = bytes.iter().find(|b| !b.is_ascii_digit()) {
                return Err(DecodeError::new(
                    Location::Mti,
                    0,
                    DecodeErrorKind::InvalidCharacter { byte, content: "n" },
                ));
            }
            digits.copy_from_slice(bytes);
        }
    }
    Ok(Mti::from_digits_unchecked(digits))
}

struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn take(&mut self, n: usize, location: Location) -> Result<&'a [u8], DecodeError> {
        let slice =
            self.input
                .get(self.pos..self.pos.saturating_add(n))
                .ok_or(DecodeError::new(
                    location,
                    self.pos,
                    DecodeErrorKind::Truncated {
                        needed: n,
                        available: self.remaining(),
                    },
                ))?;
        self.pos += n;
        Ok(slice)
    }
}

const fn unit_name(unit: LengthUnit) -> &'static str {
    match unit {
        LengthUnit::Digits => "digits",
        LengthUnit::Chars => "characters",
        LengthUnit::Bytes => "bytes",
    }
}

/// Wire bytes taken by a value of `len` units.
fn wire_len(spec: &FieldSpec, len: usize) -> usize {
    match (spec.data, spec.unit) {
        (DataEncoding::Bcd { .. }, LengthUnit::Digits | LengthUnit::Chars) => len.div_ceil(2),
        (DataEncoding::Binary, LengthUnit::Digits) => len.div_ceil(2),
        _ => len,
    }
}

/// Length in units of a logical value.
fn logical_units(spec: &FieldSpec, value: &[u8]) -> usize {
    match (spec.data, spec.unit) {
        (DataEncoding::Bcd { .. }, LengthUnit::Bytes) => value.len().div_ceil(2),
        (DataEncoding::Binary, LengthUnit::Digits) => value.len() * 2,
        _ => value.len(),
    }
}

fn allowed(content: ContentType, byte: u8) -> bool {
    match content {
        ContentType::Numeric => byte.is_ascii_digit(),
        ContentType::Track => byte.is_ascii_digit() || matches!(byte, b'A'..=b'F' | b'd' | b'='),
        ContentType::Alphanumeric => byte.is_ascii_alphanumeric() || byte == b' ',
        ContentType::AlphanumericSpecial => byte >= 0x20 && byte != 0x7F,
        ContentType::Binary => true,
    }
}

/// Decoding is a little more lenient for `an` than encoding: hosts put punctuation in `an`
/// fields, and refusing a real answer over that helps nobody.
fn allowed_on_decode(content: ContentType, byte: u8) -> bool {
    match content {
        ContentType::Alphanumeric => allowed(ContentType::AlphanumericSpecial, byte),
        other => allowed(other, byte),
    }
}

fn encode_field(
    number: u8,
    spec: &FieldSpec,
    value: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let fail = |kind| EncodeError {
        field: number,
        name: spec.name,
        kind,
    };
    if let Some(position) = value.iter().position(|&b| !allowed(spec.content, b)) {
        return Err(fail(EncodeErrorKind::InvalidCharacter {
            position,
            content: spec.content.code(),
        }));
    }
    // BCD data counted in bytes carries an even number of digits.
    if matches!(
        (spec.data, spec.unit),
        (DataEncoding::Bcd { .. }, LengthUnit::Bytes)
    ) && value.len() % 2 == 1
    {
        return Err(fail(EncodeErrorKind::WrongLength {
            expected: value.len() + 1,
            actual: value.len(),
            unit: "digits",
        }));
    }
    let units = logical_units(spec, value);
    let unit = unit_name(spec.unit);
    match spec.length {
        Length::Fixed(n) if units != usize::from(n) => {
            return Err(fail(EncodeErrorKind::WrongLength {
                expected: usize::from(n),
                actual: units,
                unit,
            }))
        }
        Length::Fixed(_) => {}
        Length::LlVar { max } | Length::LllVar { max } => {
            if units > usize::from(max) {
                return Err(fail(EncodeErrorKind::TooLong {
                    max: usize::from(max),
                    actual: units,
                    unit,
                }));
            }
            let digits = if matches!(spec.length, Length::LlVar { .. }) {
                2
            } else {
                3
            };
            push_prefix(spec.prefix, digits, units, out);
        }
    }
    match spec.data {
        DataEncoding::Bcd { align, pad } => bcd::pack(value, align == Align::Left, pad, out),
        DataEncoding::Ascii | DataEncoding::Binary => out.extend_from_slice(value),
    }
    Ok(())
}

fn push_prefix(encoding: PrefixEncoding, digits: usize, len: usize, out: &mut Vec<u8>) {
    match encoding {
        PrefixEncoding::Bcd => bcd::push_number(len, digits.div_ceil(2), out),
        PrefixEncoding::Ascii => out.extend_from_slice(format!("{len:0digits$}").as_bytes()),
        PrefixEncoding::Binary if digits == 2 => out.push(len as u8),
        PrefixEncoding::Binary => out.extend_from_slice(&(len as u16).to_be_bytes()),
    }
}

fn decode_field(
    number: u8,
    spec: &FieldSpec,
    cursor: &mut Cursor<'_>,
    msg: &mut Message,
) -> Result<(), DecodeError> {
    let location = Location::Field(number);
    let field_start = cursor.pos;
    let units = match spec.length {
        Length::Fixed(n) => usize::from(n),
        Length::LlVar { max } | Length::LllVar { max } => {
            let digits = if matches!(spec.length, Length::LlVar { .. }) {
                2
            } else {
                3
            };
            let len = read_prefix(spec.prefix, digits, cursor, location)?;
            if len > usize::from(max) {
                return Err(DecodeError::new(
                    location,
                    field_start,
                    DecodeErrorKind::TooLong {
                        length: len,
                        max: usize::from(max),
                    },
                ));
            }
            len
        }
    };
    let data_start = cursor.pos;
    let data = cursor.take(wire_len(spec, units), location)?;
    let value_start = msg.begin_value();
    match spec.data {
        DataEncoding::Bcd { align, .. } => {
            let digits = match spec.unit {
                LengthUnit::Bytes => units * 2,
                _ => units,
            };
            let track = spec.content == ContentType::Track;
            bcd::unpack(data, digits, align == Align::Left, track, msg.arena_mut()).map_err(
                |nibble| {
                    DecodeError::new(location, data_start, DecodeErrorKind::InvalidBcd { nibble })
                },
            )?;
        }
        DataEncoding::Ascii | DataEncoding::Binary => {
            if spec.content != ContentType::Binary {
                if let Some(i) = data
                    .iter()
                    .position(|&b| !allowed_on_decode(spec.content, b))
                {
                    return Err(DecodeError::new(
                        location,
                        data_start + i,
                        DecodeErrorKind::InvalidCharacter {
                            byte: data[i],
                            content: spec.content.code(),
                        },
                    ));
                }
            }
            msg.arena_mut().extend_from_slice(data);
        }
    }
    msg.end_value(number, value_start);
    Ok(())
}

fn read_prefix(
    encoding: PrefixEncoding,
    digits: usize,
    cursor: &mut Cursor<'_>,
    location: Location,
) -> Result<usize, DecodeError> {
    let at = cursor.pos;
    let invalid = || DecodeError::new(location, at, DecodeErrorKind::InvalidLengthPrefix);
    match encoding {
        PrefixEncoding::Bcd => {
            let bytes = cursor.take(digits.div_ceil(2), location)?;
            bcd::number(bytes).ok_or_else(invalid)
        }
        PrefixEncoding::Ascii => {
            let bytes = cursor.take(digits, location)?;
            if !bytes.iter().all(u8::is_ascii_digit) {
                return Err(invalid());
            }
            Ok(bytes
                .iter()
                .fold(0usize, |acc, &b| acc * 10 + usize::from(b - b'0')))
        }
        PrefixEncoding::Binary => {
            let bytes = cursor.take(if digits == 2 { 1 } else { 2 }, location)?;
            Ok(bytes
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b)))
        }
    }
}
