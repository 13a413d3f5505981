//! Field 48: settlement totals (0500) and magstripe batch-upload records (0320).

use super::{digits_at, view_error, ViewError};

/// Totals of one card group in a settlement (PROTOCOL.md §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CardTotals {
    /// Debit (sales, completions) total in fen.
    pub debit_amount: u64,
    /// Number of debit transactions.
    pub debit_count: u32,
    /// Credit (voids, refunds, completion voids) total in fen.
    pub credit_amount: u64,
    /// Number of credit transactions.
    pub credit_count: u32,
    /// Reconciliation result: `0` in requests; in responses `1` balanced, `2`/`3` not.
    pub result: u8,
}

/// Field 48 of a settlement: domestic (内卡) and foreign (外卡) card totals, 62 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettlementTotals {
    /// Domestic cards.
    pub domestic: CardTotals,
    /// Foreign cards.
    pub foreign: CardTotals,
}

const GROUP: usize = 12 + 3 + 12 + 3 + 1;

impl SettlementTotals {
    /// Parses the 62 digits of field 48.
    pub fn parse(digits: &str) -> Result<Self, ViewError> {
        if digits.len() != 2 * GROUP {
            return Err(view_error(
                "48",
                format!(
                    "settlement totals need {} digits, got {}",
                    2 * GROUP,
                    digits.len()
                ),
            ));
        }
        let group = |at: usize| -> Result<CardTotals, ViewError> {
            Ok(CardTotals {
                debit_amount: digits_at("48", digits, at, 12, "debit amount")?,
                debit_count: digits_at("48", digits, at + 12, 3, "debit count")? as u32,
                credit_amount: digits_at("48", digits, at + 15, 12, "credit amount")?,
                credit_count: digits_at("48", digits, at + 27, 3, "credit count")? as u32,
                result: digits_at("48", digits, at + 30, 1, "result code")? as u8,
            })
        };
        Ok(SettlementTotals {
            domestic: group(0)?,
            foreign: group(GROUP)?,
        })
    }

    /// The 62 digits of field 48. Fails if a count or amount does not fit its digits
    /// (the format carries at most 999 transactions a kind).
    pub fn to_digits(&self) -> Result<String, ViewError> {
        let mut s = String::with_capacity(2 * GROUP);
        for t in [&self.domestic, &self.foreign] {
            if t.debit_count > 999 || t.credit_count > 999 {
                return Err(view_error(
                    "48",
                    "a count exceeds the 3 digits of the format",
                ));
            }
            if t.debit_amount > 999_999_999_999 || t.credit_amount > 999_999_999_999 {
                return Err(view_error(
                    "48",
                    "an amount exceeds the 12 digits of the format",
                ));
            }
            s.push_str(&format!(
                "{:012}{:03}{:012}{:03}{}",
                t.debit_amount,
                t.debit_count,
                t.credit_amount,
                t.credit_count,
                t.result % 10
            ));
        }
        Ok(s)
    }
}

/// One magstripe transaction in a batch-upload 0320 (PROTOCOL.md §1.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// Card organisation code (2 digits: `00` domestic, `01` foreign ...).
    pub organisation: u8,
    /// Trace number of the transaction.
    pub trace: u32,
    /// The card number (carried right aligned in 20 digits).
    pub pan: String,
    /// Amount in fen.
    pub amount: u64,
}

/// Field 48 of a magstripe batch upload: a count (n2, at most 8) then the records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchRecords {
    /// The records, at most [`BatchRecords::MAX`].
    pub records: Vec<BatchRecord>,
}

const RECORD: usize = 2 + 6 + 20 + 12;

impl BatchRecords {
    /// Records a single 0320 may carry.
    pub const MAX: usize = 8;

    /// Parses field 48 of a batch upload.
    pub fn parse(digits: &str) -> Result<Self, ViewError> {
        let count = digits_at("48", digits, 0, 2, "record count")? as usize;
        if count > Self::MAX || digits.len() != 2 + count * RECORD {
            return Err(view_error(
                "48",
                format!(
                    "batch upload announces {count} record(s) but carries {} digits",
                    digits.len()
                ),
            ));
        }
        let mut records = Vec::with_capacity(count);
        for i in 0..count {
            let at = 2 + i * RECORD;
            let pan = digits.get(at + 8..at + 28).unwrap_or("");
            records.push(BatchRecord {
                organisation: digits_at("48", digits, at, 2, "card organisation")? as u8,
                trace: digits_at("48", digits, at + 2, 6, "trace number")? as u32,
                pan: pan.trim_start_matches('0').to_owned(),
                amount: digits_at("48", digits, at + 28, 12, "amount")?,
            });
        }
        Ok(BatchRecords { records })
    }

    /// The digits of field 48.
    pub fn to_digits(&self) -> Result<String, ViewError> {
        if self.records.len() > Self::MAX {
            return Err(view_error("48", "more than 8 records in one batch upload"));
        }
        let mut s = format!("{:02}", self.records.len());
        for r in &self.records {
            if r.pan.len() > 20 || !r.pan.bytes().all(|b| b.is_ascii_digit()) {
                return Err(view_error("48", "a card number is not 1 to 20 digits"));
            }
            s.push_str(&format!(
                "{:02}{:06}{:0>20}{:012}",
                r.organisation % 100,
                r.trace % 1_000_000,
                r.pan,
                r.amount % 1_000_000_000_000
            ));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_settlement_response() {
        let digits = "00000000001101100000000000200210000000000000000000000000000001";
        let t = SettlementTotals::parse(digits).unwrap();
        assert_eq!(t.domestic.debit_amount, 11);
        assert_eq!(t.domestic.debit_count, 11);
        assert_eq!(t.domestic.credit_amount, 2);
        assert_eq!(t.domestic.credit_count, 2);
        assert_eq!(t.domestic.result, 1);
        assert_eq!(t.foreign.result, 1);
        assert_eq!(t.to_digits().unwrap(), digits);
    }

    #[test]
    fn counts_beyond_the_format_are_refused() {
        let mut t = SettlementTotals::default();
        t.domestic.debit_count = 1000;
        assert!(t.to_digits().is_err());
    }

    #[test]
    fn batch_records_round_trip() {
        let recs = BatchRecords {
            records: vec![BatchRecord {
                organisation: 0,
                trace: 12,
                pan: "6212260200024125573".into(),
                amount: 73_700,
            }],
        };
        let digits = recs.to_digits().unwrap();
        assert_eq!(digits.len(), 42);
        assert_eq!(BatchRecords::parse(&digits).unwrap(), recs);
        assert!(BatchRecords::parse("02").is_err());
    }
}
