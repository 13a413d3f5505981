//! The crate's error type.

use unipos_crypto::CryptoError;

use crate::codes::ErrorCode;

/// A request field that fails validation. Never repeats the field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct ValidationError {
    /// The JSON field name.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
    /// The gateway error code this maps to (`INVALID_REQUEST`, `INVALID_AMOUNT`, `INVALID_CODE`).
    pub code: ErrorCode,
}

/// Why a gateway message could not be produced, authenticated or understood.
///
/// On the terminal, every variant after a request was sent means "no valid answer": the
/// outcome is unknown and the order must be queried (QR.md §7a rule 5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrProtocolError {
    /// A body larger than [`crate::messages::MAX_BODY_LEN`].
    #[error("message body of {len} bytes exceeds the limit of {max} bytes")]
    BodyTooLarge {
        /// Length received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not valid JSON, or not the expected message. The text never contains long digit
    /// runs (payment codes are masked).
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A field fails validation.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No `X-Unipos-Mac` header.
    #[error("the message carries no X-Unipos-Mac header")]
    MacMissing,
    /// `X-Unipos-Mac` is not 16 hex characters.
    #[error("the X-Unipos-Mac header is not 16 hexadecimal characters")]
    MacMalformed,
    /// The MAC does not match: wrong key, or the message was altered.
    #[error("the message MAC does not verify (wrong MAC key or altered message)")]
    MacMismatch,
    /// The security module could not compute the MAC.
    #[error("MAC computation failed: {0}")]
    Crypto(#[from] CryptoError),
    /// The response does not belong to the request (e.g. another `out_trade_no`).
    #[error("the response does not match the request: {field} differs")]
    Mismatch {
        /// The field that differs.
        field: &'static str,
    },
}

/// Replaces every run of 6 or more digits with `*`s keeping the last 4 digits, so that
/// error texts (e.g. serde's "invalid type: integer `134919586213926735`") never carry a
/// payment code or another long number.
#[must_use]
pub fn sanitize_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 6 {
            out.push_str(&crate::routing::mask_code(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_long_digit_runs() {
        assert_eq!(
            sanitize_message("invalid type: integer `134919586213926735`, line 1 column 42"),
            "invalid type: integer `**************6735`, line 1 column 42"
        );
        assert_eq!(sanitize_message("12345 ok"), "12345 ok");
        assert_eq!(sanitize_message("123456"), "**3456");
    }
}
