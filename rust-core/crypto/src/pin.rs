//! ISO 9564-1 PIN blocks, formats 0 and 3 (field 52).
//!
//! Both formats XOR a PIN field with a PAN field:
//!
//! - PIN field: control nibble (`0` or `3`), PIN length nibble, the PIN digits, then
//!   pad nibbles up to 16: `F` for format 0, random `A`–`F` for format 3.
//! - PAN field: `0000` followed by the 12 rightmost PAN digits excluding the check
//!   digit.
//!
//! The clear block ([`ClearPinBlock`]) is then encrypted under the PIN key
//! ([`encrypt_pin_block`]). Clear blocks and [`Pin`]s are wiped on drop and never
//! shown by `Debug`.
//!
//! ```
//! use unipos_crypto::pin::{decode_pin_block, encode_pin_block, PinBlockFormat};
//! use unipos_crypto::random::OsRandom;
//!
//! let block = encode_pin_block(PinBlockFormat::Iso0, "1234", "5555555551234567", &mut OsRandom)?;
//! assert_eq!(hex::encode_upper(block.expose_secret()), "041261AAAAEDCBA9");
//! let pin = decode_pin_block(PinBlockFormat::Iso0, &block, "5555555551234567")?;
//! assert_eq!(pin.expose_secret(), "1234");
//! assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::keys::DesKey;
use crate::pan::MAX_PAN_LEN;
use crate::random::RandomSource;
use crate::util::xor_into;

/// Shortest PIN ISO 9564 allows.
pub const MIN_PIN_LEN: usize = 4;
/// Longest PIN ISO 9564 allows.
pub const MAX_PIN_LEN: usize = 12;
/// Shortest PAN accepted for the PAN field (12 digits plus the check digit).
pub const MIN_PIN_PAN_LEN: usize = 13;

/// The supported ISO 9564-1 PIN block formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinBlockFormat {
    /// Format 0 (ANSI X9.8): `F` padding. What China UnionPay field 52 uses
    /// (field 53 first digit `2`).
    Iso0,
    /// Format 3: random `A`–`F` padding.
    Iso3,
}

impl PinBlockFormat {
    /// The control nibble that opens the PIN field.
    #[must_use]
    pub const fn control_nibble(self) -> u8 {
        match self {
            Self::Iso0 => 0x0,
            Self::Iso3 => 0x3,
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Iso0 => "ISO 9564 format 0",
            Self::Iso3 => "ISO 9564 format 3",
        }
    }
}

/// A cardholder PIN: 4 to 12 decimal digits. Wiped on drop; `Debug` is redacted;
/// `==` compares in constant time.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Validates and wraps a PIN.
    ///
    /// # Errors
    /// [`CryptoError::InvalidPinLength`] or [`CryptoError::PinNotNumeric`].
    pub fn new(digits: &str) -> Result<Self, CryptoError> {
        validate_pin(digits)?;
        let mut pin = Zeroizing::new(String::with_capacity(MAX_PIN_LEN));
        pin.push_str(digits);
        Ok(Self(pin))
    }

    /// The PIN digits. Only for handing the PIN to a component that needs it; never
    /// log or display the result.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Pin {}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// A clear (unencrypted) 8-byte PIN block. Wiped on drop; `Debug` is redacted;
/// `==` compares in constant time.
#[derive(Clone)]
pub struct ClearPinBlock(Zeroizing<[u8; 8]>);

impl ClearPinBlock {
    /// Wraps 8 bytes that are already a clear PIN block (for example from a test vector).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The clear block. Never log or display it: together with the PAN it reveals the PIN.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 8] {
        &self.0
    }
}

impl PartialEq for ClearPinBlock {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&*other.0).into()
    }
}

impl Eq for ClearPinBlock {}

impl fmt::Debug for ClearPinBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClearPinBlock(<redacted>)")
    }
}

/// A PIN block encrypted under the PIN key: the 8 bytes of field 52.
///
/// `Debug` shows no bytes, to keep field 52 out of logs as payment schemes require.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncryptedPinBlock(pub [u8; 8]);

impl EncryptedPinBlock {
    /// The 8 bytes to put in field 52.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Debug for EncryptedPinBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptedPinBlock(<8 bytes>)")
    }
}

/// Builds the clear PIN block for `pin` and `pan`.
///
/// `rng` supplies the pad nibbles of format 3 and is not used for format 0.
///
/// # Errors
/// - [`CryptoError::InvalidPinLength`], [`CryptoError::PinNotNumeric`] for a bad PIN;
/// - [`CryptoError::InvalidPan`] unless the PAN is 13 to 19 digits;
/// - [`CryptoError::RandomSourceFailed`] if `rng` fails (format 3).
pub fn encode_pin_block<R: RandomSource + ?Sized>(
    format: PinBlockFormat,
    pin: &str,
    pan: &str,
    rng: &mut R,
) -> Result<ClearPinBlock, CryptoError> {
    validate_pin(pin)?;
    let pan_field = pan_field(pan)?;

    // 16 nibbles, one per byte while we assemble them.
    let mut nibbles = Zeroizing::new([0u8; 16]);
    nibbles[0] = format.control_nibble();
    // The PIN length is at most 12, so it fits a nibble.
    nibbles[1] = pin.len() as u8;
    for (n, digit) in nibbles[2..].iter_mut().zip(pin.bytes()) {
        *n = digit - b'0';
    }
    let pad = &mut nibbles[2 + pin.len()..];
    match format {
        PinBlockFormat::Iso0 => pad.fill(0xF),
        PinBlockFormat::Iso3 => fill_random_a_to_f(pad, rng)?,
    }

    let mut block = Zeroizing::new([0u8; 8]);
    for (byte, pair) in block.iter_mut().zip(nibbles.chunks_exact(2)) {
        *byte = (pair[0] << 4) | pair[1];
    }
    xor_into(&mut block, &pan_field);
    Ok(ClearPinBlock(block))
}

/// Recovers the PIN from a clear PIN block, checking every nibble of the PIN field:
/// the control nibble, a length of 4 to 12, decimal PIN digits and the pad nibbles
/// (`F` for format 0, `A`–`F` for format 3).
///
/// # Errors
/// [`CryptoError::InvalidPan`] for a bad PAN; [`CryptoError::InvalidPinBlock`] when
/// the block does not follow the format, which after a decryption usually means the
/// wrong key or the wrong PAN.
pub fn decode_pin_block(
    format: PinBlockFormat,
    block: &ClearPinBlock,
    pan: &str,
) -> Result<Pin, CryptoError> {
    let invalid = |reason| CryptoError::InvalidPinBlock {
        format: format.name(),
        reason,
    };
    let pan_field = pan_field(pan)?;
    let mut field = Zeroizing::new(*block.0);
    xor_into(&mut field, &pan_field);

    let mut nibbles = Zeroizing::new([0u8; 16]);
    for (pair, byte) in nibbles.chunks_exact_mut(2).zip(field.iter()) {
        pair[0] = byte >> 4;
        pair[1] = byte & 0x0F;
    }
    if nibbles[0] != format.control_nibble() {
        return Err(invalid("wrong control nibble"));
    }
    let len = usize::from(nibbles[1]);
    if !(MIN_PIN_LEN..=MAX_PIN_LEN).contains(&len) {
        return Err(invalid("PIN length is not 4 to 12"));
    }
    let (digits, pad) = nibbles[2..].split_at(len);
    if digits.iter().any(|&d| d > 9) {
        return Err(invalid("PIN digit is not 0-9"));
    }
    let pad_ok = match format {
        PinBlockFormat::Iso0 => pad.iter().all(|&n| n == 0xF),
        PinBlockFormat::Iso3 => pad.iter().all(|&n| n >= 0xA),
    };
    if !pad_ok {
        return Err(invalid("wrong pad nibbles"));
    }

    let mut pin = Zeroizing::new(String::with_capacity(MAX_PIN_LEN));
    pin.extend(digits.iter().map(|&d| char::from(b'0' + d)));
    Ok(Pin(pin))
}

/// Encrypts a clear PIN block under the PIN key (TDES when the key is double length).
#[must_use]
pub fn encrypt_pin_block(key: &DesKey, block: &ClearPinBlock) -> EncryptedPinBlock {
    EncryptedPinBlock(key.encrypt_block(*block.0))
}

/// Decrypts a PIN block with the PIN key.
#[must_use]
pub fn decrypt_pin_block(key: &DesKey, block: &EncryptedPinBlock) -> ClearPinBlock {
    ClearPinBlock::from_bytes(key.decrypt_block(block.0))
}

/// Encodes and encrypts in one step: what a PIN pad does with an entered PIN.
///
/// # Errors
/// Those of [`encode_pin_block`].
pub fn encrypt_pin<R: RandomSource + ?Sized>(
    key: &DesKey,
    format: PinBlockFormat,
    pin: &str,
    pan: &str,
    rng: &mut R,
) -> Result<EncryptedPinBlock, CryptoError> {
    let clear = encode_pin_block(format, pin, pan, rng)?;
    Ok(encrypt_pin_block(key, &clear))
}

/// Decrypts and decodes in one step: what a host (or host simulator) does with field 52.
///
/// # Errors
/// Those of [`decode_pin_block`].
pub fn decrypt_pin(
    key: &DesKey,
    format: PinBlockFormat,
    block: &EncryptedPinBlock,
    pan: &str,
) -> Result<Pin, CryptoError> {
    decode_pin_block(format, &decrypt_pin_block(key, block), pan)
}

fn validate_pin(pin: &str) -> Result<(), CryptoError> {
    // Digits first: after that, bytes and characters count the same.
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::PinNotNumeric);
    }
    if !(MIN_PIN_LEN..=MAX_PIN_LEN).contains(&pin.len()) {
        return Err(CryptoError::InvalidPinLength { len: pin.len() });
    }
    Ok(())
}

/// The PAN field: `0000` then the 12 rightmost digits excluding the check digit, BCD.
fn pan_field(pan: &str) -> Result<[u8; 8], CryptoError> {
    let digits = pan.as_bytes();
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(CryptoError::InvalidPan {
            reason: "it must contain only digits",
        });
    }
    if !(MIN_PIN_PAN_LEN..=MAX_PAN_LEN).contains(&digits.len()) {
        return Err(CryptoError::InvalidPan {
            reason: "a PIN block needs 13 to 19 digits",
        });
    }
    let twelve = &digits[digits.len() - 13..digits.len() - 1];
    let mut field = [0u8; 8];
    for (byte, pair) in field[2..].iter_mut().zip(twelve.chunks_exact(2)) {
        *byte = ((pair[0] - b'0') << 4) | (pair[1] - b'0');
    }
    Ok(field)
}

/// Fills `pad` with uniformly random nibbles in `A..=F`.
///
/// Uses rejection sampling (a nibble below 12 maps to `A + n % 6`) so that every pad
/// value is equally likely; gives up if the source keeps producing unusable values.
fn fill_random_a_to_f<R: RandomSource + ?Sized>(
    pad: &mut [u8],
    rng: &mut R,
) -> Result<(), CryptoError> {
    const ROUNDS: usize = 16;
    let mut filled = 0;
    let mut buf = Zeroizing::new([0u8; 16]);
    for _ in 0..ROUNDS {
        rng.fill(&mut *buf)?;
        for n in buf.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
            if filled == pad.len() {
                return Ok(());
            }
            if n < 12 {
                pad[filled] = 0xA + n % 6;
                filled += 1;
            }
        }
        if filled == pad.len() {
            return Ok(());
        }
    }
    Err(CryptoError::RandomSourceFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::DeterministicRandom;

    const PAN: &str = "5555555551234567";

    fn encode(format: PinBlockFormat, pin: &str, pan: &str) -> Result<ClearPinBlock, CryptoError> {
        encode_pin_block(format, pin, pan, &mut DeterministicRandom::new(42))
    }

    #[test]
    fn pan_field_uses_twelve_digits_before_check_digit() {
        assert_eq!(
            pan_field(PAN).unwrap(),
            [0x00, 0x00, 0x55, 0x55, 0x55, 0x12, 0x34, 0x56]
        );
        assert_eq!(
            pan_field("4000001234567899").unwrap(),
            [0, 0, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89]
        );
        // A 13-digit PAN uses all but its check digit.
        assert_eq!(
            pan_field("1234567890123").unwrap(),
            [0, 0, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12]
        );
    }

    #[test]
    fn pin_validation() {
        assert_eq!(
            encode(PinBlockFormat::Iso0, "123", PAN).unwrap_err(),
            CryptoError::InvalidPinLength { len: 3 }
        );
        assert_eq!(
            encode(PinBlockFormat::Iso0, "1234567890123", PAN).unwrap_err(),
            CryptoError::InvalidPinLength { len: 13 }
        );
        assert_eq!(
            encode(PinBlockFormat::Iso0, "12a4", PAN).unwrap_err(),
            CryptoError::PinNotNumeric
        );
        // Non-ASCII digits are not PIN digits.
        assert_eq!(
            encode(PinBlockFormat::Iso0, "١٢٣٤", PAN).unwrap_err(),
            CryptoError::PinNotNumeric
        );
        assert_eq!(
            encode(PinBlockFormat::Iso0, "", PAN).unwrap_err(),
            CryptoError::InvalidPinLength { len: 0 }
        );
        assert!(Pin::new("0000").is_ok());
    }

    #[test]
    fn pan_validation() {
        assert!(matches!(
            encode(PinBlockFormat::Iso0, "1234", "555555555123"),
            Err(CryptoError::InvalidPan { .. })
        ));
        assert!(matches!(
            encode(PinBlockFormat::Iso0, "1234", "55555555512345678901"),
            Err(CryptoError::InvalidPan { .. })
        ));
        assert!(matches!(
            encode(PinBlockFormat::Iso0, "1234", "5555 5555 5123 4567"),
            Err(CryptoError::InvalidPan { .. })
        ));
    }

    #[test]
    fn errors_never_echo_pin_or_pan() {
        for err in [
            encode(PinBlockFormat::Iso0, "12a45", PAN).unwrap_err(),
            encode(PinBlockFormat::Iso0, "98765", "55555555512x4567").unwrap_err(),
        ] {
            let text = err.to_string();
            assert!(!text.contains("12a45") && !text.contains("98765"));
            assert!(!text.contains("5555555"));
        }
    }

    #[test]
    fn format3_pads_with_a_to_f() {
        let block = encode(PinBlockFormat::Iso3, "1234", PAN).unwrap();
        let field = {
            let mut f = *block.expose_secret();
            xor_into(&mut f, &pan_field(PAN).unwrap());
            f
        };
        assert_eq!(field[0], 0x34);
        assert_eq!(field[1], 0x12);
        assert_eq!(field[2], 0x34);
        for byte in &field[3..] {
            assert!(byte >> 4 >= 0xA && byte & 0xF >= 0xA);
        }
        assert_eq!(
            decode_pin_block(PinBlockFormat::Iso3, &block, PAN)
                .unwrap()
                .expose_secret(),
            "1234"
        );
    }

    #[test]
    fn format3_pad_differs_between_blocks() {
        let mut rng = DeterministicRandom::new(9);
        let a = encode_pin_block(PinBlockFormat::Iso3, "1234", PAN, &mut rng).unwrap();
        let b = encode_pin_block(PinBlockFormat::Iso3, "1234", PAN, &mut rng).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn format3_fails_on_degenerate_random_source() {
        struct AllOnes;
        impl RandomSource for AllOnes {
            fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
                buf.fill(0xFF);
                Ok(())
            }
        }
        assert_eq!(
            encode_pin_block(PinBlockFormat::Iso3, "1234", PAN, &mut AllOnes).unwrap_err(),
            CryptoError::RandomSourceFailed
        );
        // Format 0 never touches the random source.
        assert!(encode_pin_block(PinBlockFormat::Iso0, "1234", PAN, &mut AllOnes).is_ok());
    }

    #[test]
    fn decode_rejects_malformed_blocks() {
        let pan = pan_field(PAN).unwrap();
        let with_pan = |mut field: [u8; 8]| {
            xor_into(&mut field, &pan);
            ClearPinBlock::from_bytes(field)
        };
        let cases: [([u8; 8], PinBlockFormat, &str); 6] = [
            (
                [0x14, 0x12, 0x34, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                PinBlockFormat::Iso0,
                "wrong control nibble",
            ),
            (
                [0x03, 0x12, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                PinBlockFormat::Iso0,
                "PIN length is not 4 to 12",
            ),
            (
                [0x0D, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x3F],
                PinBlockFormat::Iso0,
                "PIN length is not 4 to 12",
            ),
            (
                [0x04, 0x12, 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                PinBlockFormat::Iso0,
                "PIN digit is not 0-9",
            ),
            (
                [0x04, 0x12, 0x34, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE],
                PinBlockFormat::Iso0,
                "wrong pad nibbles",
            ),
            (
                [0x34, 0x12, 0x34, 0xAB, 0xCD, 0xEF, 0xAB, 0x9C],
                PinBlockFormat::Iso3,
                "wrong pad nibbles",
            ),
        ];
        for (field, format, reason) in cases {
            let err = decode_pin_block(format, &with_pan(field), PAN).unwrap_err();
            assert_eq!(
                err,
                CryptoError::InvalidPinBlock {
                    format: format.name(),
                    reason
                }
            );
        }
    }

    #[test]
    fn format_mismatch_is_detected() {
        let block = encode(PinBlockFormat::Iso0, "1234", PAN).unwrap();
        assert!(decode_pin_block(PinBlockFormat::Iso3, &block, PAN).is_err());
    }

    #[test]
    fn encrypt_decrypt_round_trip() {
        let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let mut rng = DeterministicRandom::new(1);
        for format in [PinBlockFormat::Iso0, PinBlockFormat::Iso3] {
            let enc = encrypt_pin(&key, format, "987654", PAN, &mut rng).unwrap();
            let pin = decrypt_pin(&key, format, &enc, PAN).unwrap();
            assert_eq!(pin.expose_secret(), "987654");
        }
    }

    #[test]
    fn debug_output_is_redacted() {
        let block = encode(PinBlockFormat::Iso0, "1234", PAN).unwrap();
        let pin = Pin::new("9876").unwrap();
        let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let enc = encrypt_pin_block(&key, &block);
        let shown = format!("{block:?} {pin:?} {enc:?} {block:#?} {pin:#?}");
        assert!(!shown.contains("9876"));
        assert!(!shown.contains("041261"));
        assert!(!shown.contains("[4, 18"));
        assert!(!shown
            .to_uppercase()
            .contains(&hex::encode_upper(enc.as_bytes())));
    }
}
