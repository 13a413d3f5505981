//! What the host knows, for tests, the admin API and reconciliation, and the lost-write fault.

use super::state::UploadReport;
use super::PospHost;
use crate::config::CardConfig;
use crate::ledger::{CardSnapshot, JournalEntry};
use unipos_crypto::unwrap::WrappedKey;
use unipos_iso8583::cup::ProcessingRequirement;

impl PospHost {
    /// The QR key a terminal is provisioned with (encrypted under its TMK, with its check
    /// value), as the acquirer's key-loading process would hand it over.
    pub fn wrapped_qr_key(&self, terminal_id: &str) -> Option<WrappedKey> {
        self.terminals
            .get(terminal_id)?
            .config
            .wrapped_qr_key()
            .ok()
    }

    /// Simulates a lost write on the host side: the journal record of this transaction
    /// vanishes from the terminal's journal and settlement totals (the card ledger keeps its
    /// effect). The next settlement cannot balance; the batch upload brings the record back in
    /// the upload report for manual reconciliation. Returns whether a record was found.
    pub fn lose_record(&self, terminal_id: &str, batch: u32, trace: u32) -> bool {
        let mut st = self.lock();
        let key = (terminal_id.to_owned(), batch, trace);
        let Some(idx) = st.by_trace.remove(&key) else {
            return false;
        };
        if let Some(list) = st.by_terminal.get_mut(terminal_id) {
            list.retain(|&i| i != idx);
        }
        log::info!("fault: host record of terminal {terminal_id} batch {batch} trace {trace} lost");
        true
    }

    /// The host journal of one terminal, oldest first.
    pub fn journal(&self, terminal_id: &str) -> Vec<JournalEntry> {
        self.lock().entries(terminal_id)
    }

    /// The whole host journal, oldest first.
    pub fn journal_all(&self) -> Vec<JournalEntry> {
        self.lock()
            .journal
            .iter()
            .map(|r| r.entry.clone())
            .collect()
    }

    /// A card's balances and holds.
    pub fn card(&self, pan: &str) -> Option<CardSnapshot> {
        self.lock().ledger.snapshot(pan, self.clock.now_millis())
    }

    /// Every card's balances and holds.
    pub fn cards(&self) -> Vec<CardSnapshot> {
        let st = self.lock();
        let now = self.clock.now_millis();
        let mut pans: Vec<&String> = st.ledger.accounts.keys().collect();
        pans.sort();
        pans.iter()
            .filter_map(|p| st.ledger.snapshot(p, now))
            .collect()
    }

    /// The card configurations (for the admin API's card list by index).
    pub fn card_configs(&self) -> Vec<CardConfig> {
        self.lock()
            .ledger
            .accounts
            .values()
            .map(|a| a.config.clone())
            .collect()
    }

    /// The batch-upload report of a terminal's batch.
    pub fn upload_report(&self, terminal_id: &str, batch: u32) -> Option<UploadReport> {
        self.lock()
            .uploads
            .get(&(terminal_id.to_owned(), batch))
            .cloned()
    }

    /// Every batch-upload report.
    pub fn upload_reports(&self) -> Vec<UploadReport> {
        let mut v: Vec<UploadReport> = self.lock().uploads.values().cloned().collect();
        v.sort_by(|a, b| (&a.terminal_id, a.batch).cmp(&(&b.terminal_id, b.batch)));
        v
    }

    /// Sets the processing requirement (header digit 6) the terminal's next answers carry,
    /// until the terminal does what it asks (sign-in clears `3`, parameter download `1`,
    /// CA-key download end `4`, AID download end `5`) or it is set again. `false` for an
    /// unknown terminal.
    pub fn set_processing_requirement(
        &self,
        terminal_id: &str,
        requirement: ProcessingRequirement,
    ) -> bool {
        match self.lock().terminals.get_mut(terminal_id) {
            Some(t) => {
                t.requirement = requirement.digit();
                true
            }
            None => false,
        }
    }

    /// The processing requirement pending for a terminal.
    pub fn processing_requirement(&self, terminal_id: &str) -> Option<ProcessingRequirement> {
        self.lock()
            .terminals
            .get(terminal_id)
            .map(|t| ProcessingRequirement::from_digit(t.requirement))
    }

    /// The batch the host considers open for a terminal.
    pub fn open_batch(&self, terminal_id: &str) -> Option<u32> {
        self.lock().terminals.get(terminal_id).map(|t| t.batch)
    }

    /// Terminal ids the host knows, sorted.
    pub fn terminal_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.terminals.keys().cloned().collect();
        v.sort();
        v
    }
}
