//! The acquirer's rules: time limits, what a reversal needs, how a batch is settled.

use serde::{Deserialize, Serialize};

/// Time limits of one exchange with the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timeouts {
    /// Time allowed to connect, ms.
    pub connect_ms: u64,
    /// Time allowed for the answer, ms (the UnionPay default is 60 s). The host may change it
    /// in the parameter download.
    pub response_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect_ms: 10_000,
            response_ms: 60_000,
        }
    }
}

/// What the terminal does with a lost answer (DOMAIN.md rule 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReversalRules {
    /// Attempts before a reversal is parked for manual handling. The host may change it in
    /// the parameter download.
    pub retries: u32,
    /// Field 39 answers to a 0400 that count as acknowledged. `00` always; `25` (original not
    /// found) means "nothing to undo" at most acquirers.
    pub acknowledged_codes: Vec<String>,
    /// Field 39 of the reversal of a host approval the card refused (second GENERATE AC):
    /// `96` (device fault, the spec's reading) or `06` (other).
    pub card_refused_reason: String,
}

impl Default for ReversalRules {
    fn default() -> Self {
        ReversalRules {
            retries: 3,
            acknowledged_codes: vec!["00".into(), "25".into()],
            card_refused_reason: "96".into(),
        }
    }
}

/// How voids count in the settlement totals (field 48) the terminal sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum VoidCounting {
    /// A void counts as a credit and its voided sale stays a debit (the terminal's totals
    /// carry both).
    #[default]
    #[serde(rename = "gross")]
    Gross,
    /// A void and its voided original both leave the totals (they net out).
    #[serde(rename = "net")]
    Net,
}

/// How a batch is settled (PROTOCOL.md §1.7–1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettlementRules {
    /// 60.3 of the end-of-batch-upload message when the totals balanced.
    pub upload_end_balanced: u16,
    /// 60.3 of the end-of-batch-upload message when they did not.
    pub upload_end_unbalanced: u16,
    /// Whether a balanced batch still sends the end-of-upload message (with
    /// `upload_end_balanced`; no records are uploaded). Some acquirers close the batch on it.
    pub end_message_when_balanced: bool,
    /// How voids count in the totals.
    pub voids: VoidCounting,
    /// Financial transactions a batch may hold (the totals carry 3-digit counts): the
    /// terminal asks for settlement before the batch overflows.
    pub batch_limit: u32,
}

impl Default for SettlementRules {
    fn default() -> Self {
        SettlementRules {
            upload_end_balanced: 207,
            upload_end_unbalanced: 202,
            end_message_when_balanced: false,
            voids: VoidCounting::Gross,
            batch_limit: 999,
        }
    }
}
