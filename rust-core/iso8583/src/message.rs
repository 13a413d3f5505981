//! The message model: an MTI and the logical values of its fields.
//!
//! Values are stored in their *logical* form, independent of the wire encoding: numeric and
//! track fields as ASCII digits (track separator `D`), text fields as their characters, binary
//! fields as raw bytes. All values of a message live in one buffer, so decoding a message costs
//! one allocation.

use crate::error::FieldNumberError;

/// Highest field number (with a secondary bitmap).
pub const MAX_FIELD: u8 = 128;

/// A message type indicator: four decimal digits such as `0200`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mti([u8; 4]);

impl Mti {
    /// Parses four ASCII decimal digits.
    ///
    /// ```
    /// # use unipos_iso8583::Mti;
    /// let mti = Mti::new("0200").unwrap();
    /// assert_eq!(mti.response().as_str(), "0210");
    /// ```
    pub fn new(digits: &str) -> Option<Mti> {
        let bytes: [u8; 4] = digits.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Mti(bytes))
    }

    pub(crate) const fn from_digits_unchecked(bytes: [u8; 4]) -> Mti {
        Mti(bytes)
    }

    /// The four digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("????")
    }

    /// The four digits as bytes.
    pub const fn digits(&self) -> [u8; 4] {
        self.0
    }

    /// The MTI of the answer to this request (`0200` → `0210`, `0820` → `0830`).
    pub fn response(&self) -> Mti {
        let mut d = self.0;
        if d[2].is_multiple_of(2) && d[2] < b'9' {
            d[2] += 1;
        }
        Mti(d)
    }

    /// Whether this MTI is a response (odd third digit).
    pub fn is_response(&self) -> bool {
        self.0[2] % 2 == 1
    }

    /// Compares with a string such as `"0200"`.
    pub fn is(&self, digits: &str) -> bool {
        self.0 == digits.as_bytes()
    }
}

impl std::fmt::Display for Mti {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Mti {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mti({})", self.as_str())
    }
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// An ISO 8583 message: MTI plus field values in logical form.
///
/// ```
/// # use unipos_iso8583::{Message, Mti, cup};
/// let mut msg = Message::new(Mti::new("0800").unwrap());
/// msg.set(11, "000029").unwrap();
/// msg.set(41, "62969002").unwrap();
/// let bytes = cup::profile().pack(&msg).unwrap();
/// let back = cup::profile().unpack(&bytes).unwrap();
/// assert_eq!(back.text(41), Some("62969002"));
/// ```
#[derive(Clone)]
pub struct Message {
    mti: Mti,
    present: u128,
    spans: [Span; MAX_FIELD as usize + 1],
    arena: Vec<u8>,
}

impl Message {
    /// An empty message of the given type.
    pub fn new(mti: Mti) -> Message {
        Message::with_capacity(mti, 256)
    }

    pub(crate) fn with_capacity(mti: Mti, capacity: usize) -> Message {
        Message {
            mti,
            present: 0,
            spans: [Span::default(); MAX_FIELD as usize + 1],
            arena: Vec::with_capacity(capacity),
        }
    }

    /// The message type.
    pub fn mti(&self) -> Mti {
        self.mti
    }

    /// Changes the message type.
    pub fn set_mti(&mut self, mti: Mti) {
        self.mti = mti;
    }

    /// Sets field `number` (2–128) to `value` in logical form. Validation against a profile
    /// happens when the message is packed.
    pub fn set(
        &mut self,
        number: u8,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Self, FieldNumberError> {
        if !(2..=MAX_FIELD).contains(&number) {
            return Err(FieldNumberError(u16::from(number)));
        }
        self.put(number, value.as_ref());
        Ok(self)
    }

    /// Sets a numeric field from an integer, zero-padded to `digits` digits.
    ///
    /// ```
    /// # use unipos_iso8583::{Message, Mti};
    /// let mut msg = Message::new(Mti::new("0200").unwrap());
    /// msg.set_number(4, 73_700, 12).unwrap();
    /// assert_eq!(msg.text(4), Some("000000073700"));
    /// ```
    pub fn set_number(
        &mut self,
        number: u8,
        value: u64,
        digits: usize,
    ) -> Result<&mut Self, FieldNumberError> {
        self.set(number, format!("{value:0digits$}"))
    }

    pub(crate) fn put(&mut self, number: u8, value: &[u8]) {
        let start = self.arena.len();
        self.arena.extend_from_slice(value);
        if let Some(span) = self.spans.get_mut(usize::from(number)) {
            *span = Span {
                start: start as u32,
                len: value.len() as u32,
            };
            self.present |= 1u128 << (number - 1);
        }
    }

    /// Pre-reserves room in the value buffer (decoder use).
    pub(crate) fn begin_value(&mut self) -> usize {
        self.arena.len()
    }

    /// The value buffer, for the decoder to append a value to.
    pub(crate) fn arena_mut(&mut self) -> &mut Vec<u8> {
        &mut self.arena
    }

    /// Marks the bytes appended since `start` as field `number`'s value.
    pub(crate) fn end_value(&mut self, number: u8, start: usize) {
        let len = self.arena.len() - start;
        if let Some(span) = self.spans.get_mut(usize::from(number)) {
            *span = Span {
                start: start as u32,
                len: len as u32,
            };
            self.present |= 1u128 << (number - 1);
        }
    }

    /// Removes field `number`; returns whether it was present.
    pub fn remove(&mut self, number: u8) -> bool {
        let had = self.has(number);
        if had {
            self.present &= !(1u128 << (number - 1));
        }
        had
    }

    /// Whether field `number` is present.
    pub fn has(&self, number: u8) -> bool {
        (1..=MAX_FIELD).contains(&number) && self.present & (1u128 << (number - 1)) != 0
    }

    /// The logical value of field `number`.
    pub fn get(&self, number: u8) -> Option<&[u8]> {
        if !self.has(number) {
            return None;
        }
        let span = self.spans.get(usize::from(number))?;
        let start = span.start as usize;
        self.arena.get(start..start + span.len as usize)
    }

    /// The value of a numeric or text field as a string (`None` if absent or not UTF-8).
    pub fn text(&self, number: u8) -> Option<&str> {
        self.get(number).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The value of a numeric field as an integer (`None` if absent, not digits, or too big).
    pub fn number(&self, number: u8) -> Option<u64> {
        let digits = self.get(number)?;
        if digits.is_empty() || digits.len() > 19 {
            return None;
        }
        digits.iter().try_fold(0u64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
        })
    }

    /// Numbers of the present fields, ascending.
    pub fn field_numbers(&self) -> impl Iterator<Item = u8> + '_ {
        (2..=MAX_FIELD).filter(move |&n| self.has(n))
    }

    /// Present fields with their logical values, ascending.
    pub fn fields(&self) -> impl Iterator<Item = (u8, &[u8])> + '_ {
        self.field_numbers()
            .filter_map(move |n| self.get(n).map(|v| (n, v)))
    }

    /// Whether any field above 64 is present (so a secondary bitmap is needed).
    pub fn needs_secondary_bitmap(&self) -> bool {
        self.present >> 64 != 0
    }

    pub(crate) fn present_bits(&self) -> u128 {
        self.present
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.mti == other.mti && self.present == other.present && self.fields().eq(other.fields())
    }
}

impl Eq for Message {}

/// Field values are not printed, because they may hold card data; only which fields exist.
impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<u8> = self.field_numbers().collect();
        f.debug_struct("Message")
            .field("mti", &self.mti)
            .field("fields", &fields)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_remove() {
        let mut m = Message::new(Mti::new("0200").unwrap());
        m.set(3, "000000").unwrap().set(4, "000000000100").unwrap();
        assert_eq!(m.text(3), Some("000000"));
        assert_eq!(m.number(4), Some(100));
        m.set(3, "310000").unwrap();
        assert_eq!(m.text(3), Some("310000"));
        assert!(m.remove(3));
        assert!(!m.has(3));
        assert_eq!(m.field_numbers().collect::<Vec<_>>(), vec![4]);
        assert!(m.set(1, "x").is_err());
        assert!(m.set(0, "x").is_err());
        assert!(m.set(129, "x").is_err());
    }

    #[test]
    fn mti_response() {
        assert_eq!(Mti::new("0800").unwrap().response().as_str(), "0810");
        assert_eq!(Mti::new("0400").unwrap().response().as_str(), "0410");
        assert!(Mti::new("02x0").is_none());
        assert!(Mti::new("020").is_none());
    }

    #[test]
    fn debug_never_shows_values() {
        let mut m = Message::new(Mti::new("0200").unwrap());
        m.set(2, "6212260200024125573").unwrap();
        assert!(!format!("{m:?}").contains("6212"));
    }
}
