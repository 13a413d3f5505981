//! Field 61: the original transaction a void, reversal, refund or completion refers to.

use super::{digits_at, ViewError};

/// Field 61: original batch (n6), original trace (n6), optional original date MMDD (n4),
/// and any further acquirer-defined digits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OriginalMessage {
    /// 61.1 original batch number.
    pub batch: u32,
    /// 61.2 original trace number.
    pub trace: u32,
    /// 61.3 original transaction date, MMDD.
    pub date: Option<String>,
    /// Digits after 61.3, as received.
    pub extra: String,
}

impl OriginalMessage {
    /// Parses the digits of field 61.
    pub fn parse(digits: &str) -> Result<Self, ViewError> {
        let batch = digits_at("61", digits, 0, 6, "61.1 original batch")? as u32;
        let trace = digits_at("61", digits, 6, 6, "61.2 original trace")? as u32;
        let date = if digits.len() >= 16 {
            digits_at("61", digits, 12, 4, "61.3 original date")?;
            digits.get(12..16).map(str::to_owned)
        } else {
            None
        };
        Ok(OriginalMessage {
            batch,
            trace,
            date,
            extra: digits.get(16..).unwrap_or("").to_owned(),
        })
    }

    /// The digits of field 61.
    pub fn to_digits(&self) -> String {
        let mut s = format!("{:06}{:06}", self.batch % 1_000_000, self.trace % 1_000_000);
        if let Some(date) = &self.date {
            s.push_str(date);
            s.push_str(&self.extra);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = OriginalMessage::parse("0000650023320827").unwrap();
        assert_eq!(
            (m.batch, m.trace, m.date.as_deref()),
            (65, 2332, Some("0827"))
        );
        assert_eq!(m.to_digits(), "0000650023320827");
        let short = OriginalMessage::parse("000065002332").unwrap();
        assert_eq!(short.date, None);
        assert!(OriginalMessage::parse("00006500233").is_err());
    }
}
