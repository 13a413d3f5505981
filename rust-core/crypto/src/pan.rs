//! Primary account numbers: validation, Luhn check digits and masking.
//!
//! A [`Pan`] is wiped on drop and only ever *shows* its masked form (first 6 and
//! last 4 digits, as PCI DSS allows); the full number is reachable only through
//! [`Pan::expose`], for the places that must put it on the wire.
//!
//! ```
//! use unipos_crypto::pan::{mask_pan, Pan};
//!
//! let pan: Pan = "6212262201234565573".parse()?;
//! assert_eq!(pan.to_string(), "621226*********5573");
//! assert_eq!(format!("{pan:?}"), r#"Pan("621226*********5573")"#);
//! assert_eq!(mask_pan("6216261000000000018"), "621626*********0018");
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use zeroize::Zeroizing;

use crate::error::CryptoError;

/// Shortest PAN accepted by [`Pan::new`].
pub const MIN_PAN_LEN: usize = 12;
/// Longest PAN (ISO/IEC 7812).
pub const MAX_PAN_LEN: usize = 19;

/// A validated primary account number: 12 to 19 ASCII digits.
///
/// The Luhn check digit is not enforced (some private-label and test cards fail it);
/// ask [`Pan::luhn_valid`] when it matters.
#[derive(Clone, PartialEq, Eq)]
pub struct Pan(Zeroizing<String>);

impl Pan {
    /// Validates and wraps a card number.
    ///
    /// # Errors
    /// [`CryptoError::InvalidPan`] unless `digits` is 12 to 19 ASCII digits.
    pub fn new(digits: &str) -> Result<Self, CryptoError> {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CryptoError::InvalidPan {
                reason: "it must contain only digits",
            });
        }
        if !(MIN_PAN_LEN..=MAX_PAN_LEN).contains(&digits.len()) {
            return Err(CryptoError::InvalidPan {
                reason: "it must be 12 to 19 digits long",
            });
        }
        let mut pan = Zeroizing::new(String::with_capacity(MAX_PAN_LEN));
        pan.push_str(digits);
        Ok(Self(pan))
    }

    /// The full number, for building the message that carries it. Never log or
    /// display it; use [`Pan::masked`] (or `Display`) instead.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Number of digits.
    #[must_use]
    pub fn digit_count(&self) -> usize {
        self.0.len()
    }

    /// First 6 digits, `*` for each hidden digit, last 4 digits.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_pan(&self.0)
    }

    /// The issuer identification number (first 6 digits), which may be shown.
    #[must_use]
    pub fn bin(&self) -> &str {
        &self.0[..6]
    }

    /// The last 4 digits, which may be shown.
    #[must_use]
    pub fn last_four(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// Whether the last digit is a correct Luhn check digit.
    #[must_use]
    pub fn luhn_valid(&self) -> bool {
        luhn_check(&self.0)
    }
}

impl FromStr for Pan {
    type Err = CryptoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pan").field(&self.masked()).finish()
    }
}

/// Shows the masked form only.
impl fmt::Display for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masks any digit string for display.
///
/// - 12 characters or more: first 6, a `*` per hidden character, last 4
///   (`6212261234565573` becomes `621226******5573`);
/// - 5 to 11 characters: everything but the last 4 is masked;
/// - 4 characters or fewer: everything is masked.
///
/// Works on characters, so it never fails, whatever the input.
#[must_use]
pub fn mask_pan(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let len = chars.len();
    let (head, tail) = if len >= MIN_PAN_LEN {
        (6, 4)
    } else if len > 4 {
        (0, 4)
    } else {
        (0, 0)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i >= len - tail { c } else { '*' })
        .collect()
}

/// Whether `digits` is a non-empty string of ASCII digits whose last digit is a
/// correct Luhn (mod 10) check digit.
#[must_use]
pub fn luhn_check(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    luhn_sum(digits.bytes().rev(), false).is_multiple_of(10)
}

/// The Luhn check digit to append to `partial` (a non-empty digit string), or
/// `None` if `partial` is empty or has non-digits. Useful for making test cards.
///
/// ```
/// assert_eq!(unipos_crypto::pan::luhn_check_digit("7992739871"), Some('3'));
/// ```
#[must_use]
pub fn luhn_check_digit(partial: &str) -> Option<char> {
    if partial.is_empty() || !partial.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The digit to be appended would sit at an odd position from the right, so the
    // rightmost existing digit is doubled.
    let sum = luhn_sum(partial.bytes().rev(), true);
    let check = (10 - sum % 10) % 10;
    char::from_digit(check, 10)
}

/// Luhn sum of ASCII digits given right to left; `double_first` says whether the
/// first of them (the rightmost) is doubled.
fn luhn_sum(rev_digits: impl Iterator<Item = u8>, double_first: bool) -> u32 {
    rev_digits
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if (i % 2 == 0) == double_first {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_length_and_digits() {
        assert!(Pan::new("123456789012").is_ok());
        assert!(Pan::new("1234567890123456789").is_ok());
        assert!(Pan::new("12345678901").is_err());
        assert!(Pan::new("12345678901234567890").is_err());
        assert!(Pan::new("6212 3456 7890 1265").is_err());
        assert!(Pan::new("").is_err());
    }

    #[test]
    fn masks_by_length() {
        assert_eq!(mask_pan("6212261234565573"), "621226******5573");
        assert_eq!(mask_pan("123456789012"), "123456**9012");
        assert_eq!(mask_pan("12345678901"), "*******8901");
        assert_eq!(mask_pan("12345"), "*2345");
        assert_eq!(mask_pan("1234"), "****");
        assert_eq!(mask_pan(""), "");
    }

    #[test]
    fn star_count_is_len_minus_ten() {
        for len in MIN_PAN_LEN..=MAX_PAN_LEN {
            let digits = "1".repeat(len);
            let pan = Pan::new(&digits).unwrap();
            assert_eq!(pan.masked().matches('*').count(), len - 10);
            assert_eq!(pan.masked().len(), len);
        }
    }

    #[test]
    fn debug_and_display_show_only_masked_form() {
        let pan = Pan::new("6212345678901265").unwrap();
        for shown in [format!("{pan:?}"), format!("{pan:#?}"), format!("{pan}")] {
            assert!(!shown.contains("6212345678901265"));
            assert!(!shown.contains("789"));
            assert!(shown.contains("621234******1265"));
        }
        assert_eq!(pan.expose(), "6212345678901265");
        assert_eq!(pan.bin(), "621234");
        assert_eq!(pan.last_four(), "1265");
        assert_eq!(pan.digit_count(), 16);
    }

    #[test]
    fn luhn_rejects_non_digits() {
        assert!(!luhn_check(""));
        assert!(!luhn_check("7992739871a"));
        assert!(!luhn_check("7992 7398 713"));
        assert!(luhn_check("0"));
        assert_eq!(luhn_check_digit(""), None);
        assert_eq!(luhn_check_digit("12x"), None);
    }

    #[test]
    fn check_digit_agrees_with_check() {
        for partial in ["621234567890126", "621626100000000001", "7992739871", "1"] {
            let digit = luhn_check_digit(partial).unwrap();
            let full = format!("{partial}{digit}");
            assert!(luhn_check(&full), "{full}");
        }
    }
}
