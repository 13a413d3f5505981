//! What a receipt shows, and the paper it is printed on.

use super::outcome::Outcome;

/// Labels in which language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// 中文.
    Chinese,
    /// English.
    English,
    /// Both, Chinese first (the usual UnionPay slip).
    #[default]
    Bilingual,
}

/// Paper width and language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptStyle {
    /// Characters per line (32 for 58 mm paper, 48 for 80 mm).
    pub width: usize,
    /// Label language.
    pub language: Language,
}

impl Default for ReceiptStyle {
    fn default() -> Self {
        ReceiptStyle {
            width: 32,
            language: Language::Bilingual,
        }
    }
}

/// Which copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyKind {
    /// 商户存根, signed by the cardholder.
    Merchant,
    /// 持卡人存根.
    Customer,
}

/// Where the merchant is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantInfo {
    /// Merchant name.
    pub name: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Terminal id.
    pub terminal_id: String,
    /// Operator.
    pub operator: String,
}

/// Reference to the original of a void, refund or completion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OriginalRef {
    /// Original trace number.
    pub trace: Option<u32>,
    /// Original reference number.
    pub rrn: Option<String>,
    /// Original authorisation code.
    pub auth_code: Option<String>,
    /// Original date MMDD.
    pub date: Option<String>,
}

/// QR payment details.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QrInfo {
    /// Channel name (微信支付 WeChat Pay, ...).
    pub channel: String,
    /// Our order number.
    pub order_no: String,
    /// The channel's transaction id.
    pub channel_txn_id: Option<String>,
}

/// Everything printed on a transaction slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Merchant and terminal.
    pub merchant: MerchantInfo,
    /// The transaction.
    pub outcome: Outcome,
    /// Original transaction, for voids, refunds and completions.
    pub original: Option<OriginalRef>,
    /// QR details, for QR payments.
    pub qr: Option<QrInfo>,
    /// Which copy.
    pub copy: CopyKind,
    /// A reprint (marked as such).
    pub reprint: bool,
    /// Local date and time `YYYY-MM-DD hh:mm:ss`.
    pub printed_at: String,
    /// The merchant app's own order number.
    pub merchant_order_no: Option<String>,
    /// The merchant app's remark line.
    pub remark: Option<String>,
}
