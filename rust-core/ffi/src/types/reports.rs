//! Startup, flush and settlement reports.

use super::{to_i32, to_i64};
use unipos_terminal as t;

/// What startup did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StartupReport {
    /// Batch number in use.
    pub batch: i32,
    /// Terminal parameters stored.
    pub parameters: i32,
    /// CA public keys stored.
    pub ca_keys: i32,
    /// CA public keys refused (checksum DF03 wrong), this startup's downloads.
    pub ca_keys_refused: i32,
    /// AIDs stored.
    pub aids: i32,
    /// Whether it signed in (a resume signs in only when due).
    pub signed_in: bool,
    /// Reversals acknowledged during startup.
    pub reversals_sent: i32,
    /// Reversals parked (manual handling) during startup.
    pub reversals_parked: i32,
    /// Advices delivered during startup.
    pub advices_sent: i32,
}

impl From<t::StartupReport> for StartupReport {
    fn from(r: t::StartupReport) -> Self {
        StartupReport {
            batch: to_i32(r.batch),
            parameters: to_i32(r.parameters),
            ca_keys: to_i32(r.ca_keys),
            ca_keys_refused: to_i32(r.ca_keys_refused),
            aids: to_i32(r.aids),
            signed_in: r.signed_in,
            reversals_sent: to_i32(r.flushed.reversals_sent),
            reversals_parked: to_i32(r.flushed.reversals_parked),
            advices_sent: to_i32(r.flushed.advices_sent),
        }
    }
}

/// What a flush did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlushReport {
    /// Reversals acknowledged.
    pub reversals_sent: i32,
    /// Reversals parked for manual handling.
    pub reversals_parked: i32,
    /// Store-and-forward messages acknowledged.
    pub advices_sent: i32,
    /// Store-and-forward messages still queued.
    pub advices_waiting: i32,
}

impl From<t::FlushReport> for FlushReport {
    fn from(r: t::FlushReport) -> Self {
        FlushReport {
            reversals_sent: to_i32(r.reversals_sent),
            reversals_parked: to_i32(r.reversals_parked),
            advices_sent: to_i32(r.advices_sent),
            advices_waiting: to_i32(r.advices_waiting),
        }
    }
}

/// Count and amount of one group.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Total {
    /// Group (`sale`, `refund`, `domestic debit`, a QR channel ...).
    pub name: String,
    /// Number of transactions.
    pub count: i32,
    /// Sum, fen.
    pub amount: i64,
}

fn total(name: &str, k: &t::KindTotal) -> Total {
    Total {
        name: name.to_owned(),
        count: to_i32(k.count),
        amount: to_i64(k.amount),
    }
}

/// The settlement report of a batch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SettlementReport {
    /// Batch number.
    pub batch: i32,
    /// Whether the host's totals matched (after batch upload if needed).
    pub balanced: bool,
    /// Whether a batch upload was needed.
    pub batch_uploaded: bool,
    /// Records sent in the batch upload.
    pub records_uploaded: i32,
    /// Field 48 totals: domestic debit/credit, foreign debit/credit.
    pub card_totals: Vec<Total>,
    /// Card transactions per kind.
    pub by_kind: Vec<Total>,
    /// QR payments per channel.
    pub qr_by_channel: Vec<Total>,
    /// Local date and time of the settlement.
    pub settled_at: String,
}

impl From<t::SettlementReport> for SettlementReport {
    fn from(r: t::SettlementReport) -> Self {
        SettlementReport {
            batch: to_i32(r.batch),
            balanced: r.balanced,
            batch_uploaded: r.batch_uploaded,
            records_uploaded: to_i32(r.records_uploaded),
            card_totals: vec![
                total("domestic debit", &r.domestic.debit),
                total("domestic credit", &r.domestic.credit),
                total("foreign debit", &r.foreign.debit),
                total("foreign credit", &r.foreign.credit),
            ],
            by_kind: r.by_kind.iter().map(|(n, k)| total(n, k)).collect(),
            qr_by_channel: r.qr_by_channel.iter().map(|(n, k)| total(n, k)).collect(),
            settled_at: r.settled_at,
        }
    }
}
