//! What startup, a flush and a settlement did, for the cashier and the integrator.

use serde::{Deserialize, Serialize};

/// What startup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupReport {
    /// Batch number in use after sign-in.
    pub batch: u32,
    /// Terminal parameters stored.
    pub parameters: u32,
    /// CA public keys stored.
    pub ca_keys: u32,
    /// CA public keys refused because their checksum (DF03) did not match (this startup's
    /// downloads only; 0 for a resume that downloaded nothing).
    pub ca_keys_refused: u32,
    /// AIDs stored.
    pub aids: u32,
    /// Whether it signed in (a resume signs in only when due: new day, host request, keys).
    pub signed_in: bool,
    /// What the flush at its end did (reversals, advices).
    pub flushed: FlushReport,
}

/// What a flush did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlushReport {
    /// Reversals acknowledged by the host.
    pub reversals_sent: u32,
    /// Reversals that reached the retry limit and were parked for manual handling.
    pub reversals_parked: u32,
    /// Trace numbers of the reversals parked by this flush.
    pub parked_traces: Vec<u32>,
    /// Store-and-forward messages acknowledged.
    pub advices_sent: u32,
    /// Store-and-forward messages still queued (host unreachable or no answer).
    pub advices_waiting: u32,
}

impl FlushReport {
    /// Adds what another flush did.
    pub fn add(&mut self, other: &FlushReport) {
        self.reversals_sent += other.reversals_sent;
        self.reversals_parked += other.reversals_parked;
        self.parked_traces.extend_from_slice(&other.parked_traces);
        self.advices_sent += other.advices_sent;
        self.advices_waiting = other.advices_waiting;
    }

    /// What the cashier must be told when reversals were parked (`None` otherwise).
    pub fn parked_notice(&self) -> Option<String> {
        if self.parked_traces.is_empty() {
            return None;
        }
        let traces: Vec<String> = self
            .parked_traces
            .iter()
            .map(|t| format!("{t:06}"))
            .collect();
        Some(format!(
            "冲正失败，已转人工处理 / The reversal of trace {} could not be delivered and was \
             parked for manual handling: the customer may still be charged; the supervisor can \
             retry it",
            traces.join(", ")
        ))
    }
}

/// Counts and amounts of one kind of transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KindTotal {
    /// Number of transactions.
    pub count: u32,
    /// Sum, fen.
    pub amount: u64,
}

/// The settlement report of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SettlementReport {
    /// Batch number.
    pub batch: u32,
    /// Whether the host's totals matched (after batch upload if they did not).
    pub balanced: bool,
    /// Whether a batch upload was needed.
    pub batch_uploaded: bool,
    /// Records sent in the batch upload.
    pub records_uploaded: u32,
    /// Totals sent in field 48, domestic cards.
    pub domestic: TotalsView,
    /// Totals sent in field 48, foreign cards.
    pub foreign: TotalsView,
    /// Per kind (`sale`, `refund`, ...), card transactions.
    pub by_kind: Vec<(String, KindTotal)>,
    /// QR payments per channel (listed apart: no card-batch upload, DOMAIN.md rule 6).
    pub qr_by_channel: Vec<(String, KindTotal)>,
    /// Local date and time of the settlement.
    pub settled_at: String,
}

/// One group of field 48.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TotalsView {
    /// Debit count and amount.
    pub debit: KindTotal,
    /// Credit count and amount.
    pub credit: KindTotal,
}
