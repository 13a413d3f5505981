//! The China UnionPay POS terminal profile: the field table, the header, and typed views of
//! the private fields (48, 60, 61, 62, 63).
//!
//! ```
//! use unipos_iso8583::cup::{self, Field60};
//! let f60 = Field60::parse("22000065000501").unwrap();
//! assert_eq!((f60.txn_type, f60.batch, f60.network_code), (22, 65, 0));
//! assert_eq!(f60.to_digits(), "22000065000501");
//! # let _ = cup::profile();
//! ```

mod field48;
mod field60;
mod field61;
mod field62;
mod field63;
mod header;
mod profile;
pub mod track;

pub use field48::{BatchRecord, BatchRecords, CardTotals, SettlementTotals};
pub use field60::{Field60, NetworkCode, TransactionType};
pub use field61::OriginalMessage;
pub use field62::{CapkId, DownloadPayload, KeyBlock, SignInKeys};
pub use field63::Field63;
pub use header::{CupHeader, ProcessingRequirement};

use crate::spec::MessageSpec;
use thiserror::Error;

/// The UnionPay terminal profile (fields 2–64).
pub fn profile() -> &'static MessageSpec {
    &profile::PROFILE
}

/// A private field whose content does not follow its UnionPay structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("field {field}: {reason}")]
pub struct ViewError {
    /// The field (`"60"`, `"62"`, ...).
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub reason: String,
}

pub(crate) fn view_error(field: &'static str, reason: impl Into<String>) -> ViewError {
    ViewError {
        field,
        reason: reason.into(),
    }
}

/// Parses `len` decimal digits at `at` of `digits`.
pub(crate) fn digits_at(
    field: &'static str,
    digits: &str,
    at: usize,
    len: usize,
    what: &str,
) -> Result<u64, ViewError> {
    let part = digits
        .get(at..at + len)
        .ok_or_else(|| view_error(field, format!("too short for {what}")))?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(view_error(field, format!("{what} is not numeric")));
    }
    part.parse::<u64>()
        .map_err(|_| view_error(field, format!("{what} is not numeric")))
}

/// The MAC element block of a packed UnionPay message (MTI to the end of field 63): the
/// message without its trailing 8-byte field 64. `None` if the message is too short.
///
/// Valid for messages whose field 64 is the last field (no secondary bitmap), which is the
/// case for every UnionPay terminal message.
pub fn mac_block(packed: &[u8]) -> Option<&[u8]> {
    packed.len().checked_sub(8).map(|end| &packed[..end])
}
