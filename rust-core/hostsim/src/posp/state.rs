//! The host's mutable state, behind one lock: ledger, journal, per-terminal state, the
//! duplicate cache and the batch-upload reports.

use crate::config::CardOrganisation;
use crate::config::VoidCounting;
use crate::ledger::{JournalEntry, Ledger, Record, TxnKind};
use crate::rng::{RrnSequence, SplitMix64};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// (terminal id, batch, trace).
pub(crate) type TraceKey = (String, u32, u32);

pub(crate) struct TerminalState {
    /// The batch the host considers open.
    pub batch: u32,
    pub settled: HashSet<u32>,
    /// Header digit 6 of the next answers.
    pub requirement: u8,
    pub requests_since_sign_in: u32,
    /// Keys and auth codes of this terminal.
    pub rng: SplitMix64,
}

/// What the host remembers of a request for duplicate detection.
pub(crate) struct Seen {
    pub request_hash: u64,
    /// The answer frame, once sent.
    pub answer: Option<Vec<u8>>,
}

pub(crate) struct HostState {
    pub ledger: Ledger,
    pub journal: Vec<Record>,
    pub by_terminal: HashMap<String, Vec<usize>>,
    pub by_trace: HashMap<TraceKey, usize>,
    pub by_rrn: HashMap<String, usize>,
    pub terminals: HashMap<String, TerminalState>,
    pub seen: HashMap<TraceKey, Seen>,
    pub uploads: HashMap<(String, u32), UploadReport>,
    pub rrn: RrnSequence,
    pub next_seq: u64,
}

impl HostState {
    pub fn next_rrn(&mut self) -> String {
        self.rrn.next_rrn()
    }

    /// Appends a record and indexes it; returns its index.
    pub fn push(&mut self, mut record: Record, index_trace: bool) -> usize {
        let idx = self.journal.len();
        self.next_seq += 1;
        record.entry.seq = self.next_seq;
        let e = &record.entry;
        self.by_terminal
            .entry(e.terminal_id.clone())
            .or_default()
            .push(idx);
        if index_trace {
            self.by_trace
                .entry((e.terminal_id.clone(), e.batch, e.trace))
                .or_insert(idx);
        }
        if e.approved() && !e.rrn.is_empty() {
            self.by_rrn.insert(e.rrn.clone(), idx);
        }
        self.journal.push(record);
        idx
    }

    pub fn entries(&self, terminal_id: &str) -> Vec<JournalEntry> {
        self.by_terminal
            .get(terminal_id)
            .map(|v| {
                v.iter()
                    .filter_map(|&i| self.journal.get(i))
                    .map(|r| r.entry.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn report(&mut self, terminal_id: &str, batch: u32) -> &mut UploadReport {
        self.uploads
            .entry((terminal_id.to_owned(), batch))
            .or_insert_with(|| UploadReport {
                terminal_id: terminal_id.to_owned(),
                batch,
                ..UploadReport::default()
            })
    }

    /// The host's totals of a batch (what [`counts_in_totals`]), domestic then foreign.
    pub fn batch_totals(
        &self,
        terminal_id: &str,
        batch: u32,
        voids: VoidCounting,
    ) -> (GroupTotals, GroupTotals) {
        let mut domestic = GroupTotals::default();
        let mut foreign = GroupTotals::default();
        for idx in self.by_terminal.get(terminal_id).into_iter().flatten() {
            let Some(r) = self.journal.get(*idx) else {
                continue;
            };
            let e = &r.entry;
            if e.batch != batch || !counts_in_totals(e, voids) {
                continue;
            }
            let group = if e.organisation.is_none_or(CardOrganisation::is_domestic) {
                &mut domestic
            } else {
                &mut foreign
            };
            if e.kind.is_settlement_debit() {
                group.debit_amount += e.amount;
                group.debit_count += 1;
            } else if e.kind.is_settlement_credit() {
                group.credit_amount += e.amount;
                group.credit_count += 1;
            }
        }
        (domestic, foreign)
    }
}

/// Whether a journal entry counts in its batch's settlement totals (and is expected in a batch
/// upload): approved, not reversed, a debit or credit kind; under [`VoidCounting::Net`] neither
/// a void nor the transaction it voided.
pub fn counts_in_totals(e: &JournalEntry, voids: VoidCounting) -> bool {
    let void = matches!(e.kind, TxnKind::SaleVoid | TxnKind::CompletionVoid);
    e.approved()
        && !e.reversed
        && (e.kind.is_settlement_debit() || e.kind.is_settlement_credit())
        && (voids == VoidCounting::Gross || !(e.voided || void))
}

/// Totals of one card group (field 48 of a settlement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GroupTotals {
    /// Sales and completions, fen.
    pub debit_amount: u64,
    /// Their count.
    pub debit_count: u32,
    /// Voids, refunds and completion voids, fen.
    pub credit_amount: u64,
    /// Their count.
    pub credit_count: u32,
}

/// The outcome of one settlement request (0500).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementCheck {
    /// The terminal's totals: domestic, foreign.
    pub terminal: (GroupTotals, GroupTotals),
    /// The host's totals: domestic, foreign.
    pub host: (GroupTotals, GroupTotals),
    /// Domestic group balanced (result digit 1).
    pub domestic_balanced: bool,
    /// Foreign group balanced.
    pub foreign_balanced: bool,
}

/// One record a terminal uploaded in a batch upload or TC upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadedRecord {
    /// Trace of the original transaction.
    pub trace: u32,
    /// The card, masked.
    pub masked_pan: String,
    /// Amount the terminal reports, fen.
    pub amount: u64,
    /// Card organisation code of the record (magstripe records), `None` for IC records.
    pub organisation: Option<u8>,
    /// Came as an IC (60.3 `203`) record.
    pub ic: bool,
}

/// A difference between what the terminal uploaded and the host journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UploadMismatch {
    /// The host has no transaction with this trace in the batch.
    NotOnHost {
        /// Trace.
        trace: u32,
    },
    /// The host declined or reversed it.
    NotApprovedOnHost {
        /// Trace.
        trace: u32,
        /// What the host answered (`"reversed"` when reversed).
        host_status: String,
    },
    /// Amounts differ.
    AmountDiffers {
        /// Trace.
        trace: u32,
        /// Host amount, fen.
        host: u64,
        /// Terminal amount, fen.
        terminal: u64,
    },
    /// Card numbers differ.
    CardDiffers {
        /// Trace.
        trace: u32,
    },
    /// Domestic/foreign classification differs.
    OrganisationDiffers {
        /// Trace.
        trace: u32,
    },
    /// The host has an approved transaction the terminal did not upload.
    NotUploaded {
        /// Trace.
        trace: u32,
        /// Host amount, fen.
        amount: u64,
    },
    /// The end-of-upload count differs from the records received.
    CountDiffers {
        /// Count in the end message.
        declared: u32,
        /// Records received.
        received: u32,
    },
}

impl UploadMismatch {
    /// The record a mismatch is about (none for the count of the end message).
    pub fn trace(&self) -> Option<u32> {
        match self {
            UploadMismatch::NotOnHost { trace }
            | UploadMismatch::NotApprovedOnHost { trace, .. }
            | UploadMismatch::AmountDiffers { trace, .. }
            | UploadMismatch::CardDiffers { trace }
            | UploadMismatch::OrganisationDiffers { trace }
            | UploadMismatch::NotUploaded { trace, .. } => Some(*trace),
            UploadMismatch::CountDiffers { .. } => None,
        }
    }
}

/// What the host learnt about one batch at settlement and batch upload, for manual
/// reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UploadReport {
    /// Terminal.
    pub terminal_id: String,
    /// Batch.
    pub batch: u32,
    /// The settlement comparison, when a 0500 arrived.
    pub settlement: Option<SettlementCheck>,
    /// Records uploaded.
    pub uploaded: Vec<UploadedRecord>,
    /// Differences found.
    pub mismatches: Vec<UploadMismatch>,
    /// Count announced by the end-of-upload message.
    pub declared_total: Option<u32>,
    /// The end-of-upload message arrived.
    pub finished: bool,
    /// The batch is closed on the host.
    pub closed: bool,
}
