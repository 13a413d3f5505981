//! The crate's error type.
//!
//! Messages are written for the person who has to act on them (a cashier reading a
//! terminal screen, or an integrator reading a log). They never contain key bytes,
//! PINs, clear PIN blocks or full card numbers: at most a length, a position or the
//! name of the key involved.

use crate::key_role::WorkKeyRole;

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key was given with a length the algorithm does not accept.
    #[error("{what} must be {expected} bytes long, but {actual} bytes were given")]
    InvalidKeyLength {
        /// Which key, e.g. `"DES key"`.
        what: &'static str,
        /// The accepted lengths, in words, e.g. `"8, 16 or 24"`.
        expected: &'static str,
        /// The length that was given.
        actual: usize,
    },

    /// A hexadecimal string could not be decoded. The offending text is deliberately
    /// not repeated because it may be key material.
    #[error("{what} is not valid hexadecimal: use only 0-9 and A-F, an even number of characters")]
    InvalidHex {
        /// What was being decoded, e.g. `"DES key"`.
        what: &'static str,
    },

    /// Block-mode input whose length is not a whole number of cipher blocks.
    #[error(
        "data of {len} bytes is not a multiple of the {block}-byte cipher block; pad it first"
    )]
    NotBlockAligned {
        /// Length of the data that was given.
        len: usize,
        /// The cipher's block size in bytes.
        block: usize,
    },

    /// A PIN with too few or too many digits.
    #[error("PIN must have 4 to 12 digits, but {len} were entered")]
    InvalidPinLength {
        /// Number of characters entered.
        len: usize,
    },

    /// A PIN containing something other than the digits 0-9.
    #[error("PIN must contain only the digits 0-9")]
    PinNotNumeric,

    /// A card number (PAN) that cannot be used. The number itself is never included.
    #[error("invalid card number: {reason}")]
    InvalidPan {
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A clear PIN block that does not follow the expected ISO 9564 format. After a
    /// decryption this usually means the wrong PIN key or the wrong card number.
    #[error("PIN block is not valid {format}: {reason} (wrong PIN key or card number?)")]
    InvalidPinBlock {
        /// The format that was expected, e.g. `"ISO 9564 format 0"`.
        format: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An EMV input (PAN, PAN sequence number, ...) that is malformed.
    #[error("invalid EMV input: {reason}")]
    InvalidEmvInput {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A check value of the wrong size was supplied.
    #[error("a key check value must be 1 to {max} bytes long, but {actual} bytes were given")]
    InvalidCheckValueLength {
        /// The largest accepted length (the cipher block size).
        max: usize,
        /// The length that was given.
        actual: usize,
    },

    /// A wrapped (encrypted) key whose length does not give a usable DES key.
    #[error("encrypted {key} must be 8, 16 or 24 bytes long, but {actual} bytes were received")]
    InvalidWrappedKeyLength {
        /// The key's role.
        key: WorkKeyRole,
        /// The length that was received.
        actual: usize,
    },

    /// The check value computed from a freshly unwrapped key differs from the one the
    /// host sent. Nothing was installed.
    #[error(
        "check value of the {key} does not match the host's: the key was not installed; \
         sign in again, and if it keeps failing have the master key (TMK) re-injected"
    )]
    CheckValueMismatch {
        /// The key whose check failed.
        key: WorkKeyRole,
    },

    /// A set of work keys that cannot be installed as a whole.
    #[error("work keys rejected: {reason}; sign in again")]
    IncompleteWorkKeys {
        /// What is missing or duplicated.
        reason: &'static str,
    },

    /// An operation needs a key that has not been loaded yet.
    #[error("no {key} is loaded: {remedy}")]
    KeyNotLoaded {
        /// The missing key, in words.
        key: &'static str,
        /// What to do about it.
        remedy: &'static str,
    },

    /// The random source failed (or kept returning unusable values).
    #[error("the random number source failed; retry, and restart the terminal if it persists")]
    RandomSourceFailed,

    /// Sealed data (AES-256-GCM) that does not open: not sealed under this key or for this
    /// purpose, or changed since.
    #[error("the {what} does not authenticate: wrong key, wrong purpose or damaged data")]
    Unauthentic {
        /// What was being opened.
        what: &'static str,
    },

    /// A security module could not persist its keys (its key file). Nothing was changed.
    #[error("the keys could not be stored: {reason}")]
    KeyStorageFailed {
        /// Why (file and operating-system error; never key bytes).
        reason: String,
    },
}
