//! Field 60: transaction type, batch number, network management code and the IC flags.

use super::{digits_at, view_error, ViewError};

/// 60.1 transaction type codes of the UnionPay catalogue (PROTOCOL.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TransactionType {
    Management = 0,
    BalanceInquiry = 1,
    PreAuth = 10,
    PreAuthVoid = 11,
    Completion = 20,
    CompletionVoid = 21,
    Sale = 22,
    SaleVoid = 23,
    CompletionAdvice = 24,
    Refund = 25,
    OfflineSettlement = 30,
    SettlementAdjust = 32,
    Tip = 34,
    EcSale = 36,
}

impl TransactionType {
    /// The two-digit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// 60.3 network management information codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum NetworkCode {
    Financial = 0,
    SignInSingleKeys = 1,
    SignOut = 2,
    SignInDoubleKeys = 3,
    SignInDoubleKeysWithTdk = 4,
    BatchSettlement = 201,
    BatchUploadIc = 203,
    BatchUploadEndUnbalanced = 202,
    BatchUploadEndBalanced = 207,
    EchoTest = 301,
    ParameterDownload = 360,
    StatusUploadParameters = 362,
    CapkDownload = 370,
    CapkDownloadEnd = 371,
    CapkQuery = 372,
    AidDownload = 380,
    AidDownloadEnd = 381,
    AidQuery = 382,
    ScriptResult = 951,
}

impl NetworkCode {
    /// The three-digit code.
    pub fn code(self) -> u16 {
        self as u16
    }
}

/// Field 60 split into its sub-fields.
///
/// Management messages carry 11 digits (60.1–60.3), financial messages 13 or 14 (adding
/// 60.4–60.6). Digits beyond 60.6 (acquirer extensions) are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field60 {
    /// 60.1 transaction type code.
    pub txn_type: u8,
    /// 60.2 batch number.
    pub batch: u32,
    /// 60.3 network management information code.
    pub network_code: u16,
    /// 60.4 terminal read capability (`5` contact IC, `6` contactless, `2` magstripe).
    pub read_capability: Option<u8>,
    /// 60.5 IC card condition code.
    pub ic_condition: Option<u8>,
    /// 60.6 partial-approval support flag.
    pub partial_flag: Option<u8>,
    /// Digits after 60.6, as received.
    pub extra: String,
}

impl Field60 {
    /// A management message's field 60 (11 digits).
    pub fn management(batch: u32, network_code: NetworkCode) -> Self {
        Field60 {
            txn_type: TransactionType::Management.code(),
            batch,
            network_code: network_code.code(),
            ..Field60::default()
        }
    }

    /// A financial message's field 60 (14 digits).
    pub fn financial(
        txn_type: TransactionType,
        batch: u32,
        read_capability: u8,
        ic_condition: u8,
        partial_flag: u8,
    ) -> Self {
        Field60 {
            txn_type: txn_type.code(),
            batch,
            network_code: 0,
            read_capability: Some(read_capability),
            ic_condition: Some(ic_condition),
            partial_flag: Some(partial_flag),
            extra: String::new(),
        }
    }

    /// Parses the digits of field 60.
    pub fn parse(digits: &str) -> Result<Self, ViewError> {
        if digits.len() < 11 {
            return Err(view_error(
                "60",
                format!("needs at least 11 digits, has {}", digits.len()),
            ));
        }
        let single = |at: usize| -> Result<Option<u8>, ViewError> {
            match digits.as_bytes().get(at) {
                None => Ok(None),
                Some(b) if b.is_ascii_digit() => Ok(Some(b - b'0')),
                Some(_) => Err(view_error("60", format!("digit {} is not numeric", at + 1))),
            }
        };
        Ok(Field60 {
            txn_type: digits_at("60", digits, 0, 2, "60.1 transaction type")? as u8,
            batch: digits_at("60", digits, 2, 6, "60.2 batch number")? as u32,
            network_code: digits_at("60", digits, 8, 3, "60.3 network code")? as u16,
            read_capability: single(11)?,
            ic_condition: single(12)?,
            partial_flag: single(13)?,
            extra: digits.get(14..).unwrap_or("").to_owned(),
        })
    }

    /// The digits of field 60. Optional sub-fields stop at the first absent one.
    pub fn to_digits(&self) -> String {
        let mut s = format!(
            "{:02}{:06}{:03}",
            self.txn_type % 100,
            self.batch % 1_000_000,
            self.network_code % 1000
        );
        for part in [self.read_capability, self.ic_condition, self.partial_flag] {
            match part {
                Some(d) => s.push(char::from(b'0' + d % 10)),
                None => return s,
            }
        }
        s.push_str(&self.extra);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_values() {
        let sign_in = Field60::parse("00000132003").unwrap();
        assert_eq!(
            sign_in,
            Field60::management(132, NetworkCode::SignInDoubleKeys)
        );
        assert_eq!(sign_in.to_digits(), "00000132003");
        let sale = Field60::parse("22000065000501").unwrap();
        assert_eq!(sale, Field60::financial(TransactionType::Sale, 65, 5, 0, 1));
        let thirteen = Field60::parse("2200002400060").unwrap();
        assert_eq!(thirteen.partial_flag, None);
        assert_eq!(thirteen.to_digits(), "2200002400060");
    }

    #[test]
    fn rejects_short_or_non_numeric() {
        assert!(Field60::parse("0000013200").is_err());
        assert!(Field60::parse("00000132A03").is_err());
        assert!(Field60::parse("0000013200300X").is_err());
    }
}
