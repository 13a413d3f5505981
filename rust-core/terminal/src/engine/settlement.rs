//! Settlement (0500), batch upload (0320) with resume after a crash, batch close and
//! archive, sign-out (DOMAIN.md rule 4; PROTOCOL.md §1.7–1.8).

use super::{Engine, Progress};
use crate::error::{EngineError, StorageError};
use crate::host_link::LinkError;
use crate::journal::{SettlementSide, TxnRecord, TxnState};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use unipos_iso8583::cup::{
    BatchRecord, BatchRecords, CardTotals, Field60, NetworkCode, OriginalMessage, SettlementTotals,
};
use unipos_iso8583::{Message, Mti};

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

fn is_domestic(row: &TxnRecord) -> bool {
    matches!(row.card_org.as_deref(), None | Some("CUP") | Some(""))
}

/// The rows of a batch that count for settlement.
fn settled_rows(rows: &[TxnRecord]) -> Vec<&TxnRecord> {
    rows.iter()
        .filter(|r| {
            matches!(r.state, TxnState::Approved | TxnState::AdvicePending)
                && r.kind.settlement_side().is_some()
        })
        .collect()
}

/// Field 48 totals and the per-kind report of a batch.
pub(crate) fn totals(
    rows: &[TxnRecord],
) -> (
    SettlementTotals,
    TotalsView,
    TotalsView,
    Vec<(String, KindTotal)>,
) {
    let mut dom = TotalsView::default();
    let mut foreign = TotalsView::default();
    let mut by_kind: Vec<(String, KindTotal)> = Vec::new();
    for r in settled_rows(rows) {
        let amount = r.effective_amount();
        let group = if is_domestic(r) {
            &mut dom
        } else {
            &mut foreign
        };
        let side = match r.kind.settlement_side() {
            Some(SettlementSide::Debit) => &mut group.debit,
            _ => &mut group.credit,
        };
        side.count += 1;
        side.amount += amount;
        let name = r.kind.as_str().to_owned();
        match by_kind.iter_mut().find(|(k, _)| *k == name) {
            Some((_, t)) => {
                t.count += 1;
                t.amount += amount;
            }
            None => by_kind.push((name, KindTotal { count: 1, amount })),
        }
    }
    // The format carries 3-digit counts: a larger batch saturates and so cannot balance,
    // which sends it through batch upload, where every record is reconciled one by one.
    let card = |v: &TotalsView| CardTotals {
        debit_amount: v.debit.amount,
        debit_count: v.debit.count.min(999),
        credit_amount: v.credit.amount,
        credit_count: v.credit.count.min(999),
        result: 0,
    };
    (
        SettlementTotals {
            domestic: card(&dom),
            foreign: card(&foreign),
        },
        dom,
        foreign,
        by_kind,
    )
}

fn mti(s: &str) -> Result<Mti, EngineError> {
    Mti::new(s).ok_or_else(|| EngineError::Protocol(format!("bad MTI {s}")))
}

fn set(m: &mut Message, n: u8, v: impl AsRef<[u8]>) -> Result<(), EngineError> {
    m.set(n, v)
        .map(|_| ())
        .map_err(|e| EngineError::Protocol(e.to_string()))
}

impl Engine {
    fn settlement_message(
        &mut self,
        mti_text: &str,
        code: u16,
        batch: u32,
    ) -> Result<Message, EngineError> {
        let trace = self.journal.next_management_trace()?;
        let mut m = Message::new(mti(mti_text)?);
        set(&mut m, 11, format!("{trace:06}"))?;
        set(&mut m, 41, self.config.terminal_id.clone())?;
        set(&mut m, 42, self.config.merchant_id.clone())?;
        let mut f60 = Field60::management(batch, NetworkCode::BatchSettlement);
        f60.network_code = code;
        set(&mut m, 60, f60.to_digits())?;
        Ok(m)
    }

    fn exchange_settlement(&mut self, what: &str, m: &Message) -> Result<Message, EngineError> {
        match self.link.exchange(&self.security, m, true) {
            Ok(answer) => {
                self.note_requirement(&answer);
                let code = answer.response_code().to_owned();
                if code != "00" {
                    let info = crate::response_codes::lookup(&code);
                    return Err(EngineError::Protocol(format!(
                        "{what} refused: {code} {} / {}",
                        info.zh, info.en
                    )));
                }
                Ok(answer.message)
            }
            Err(LinkError::NotSent(d)) | Err(LinkError::Local(d)) => {
                Err(EngineError::HostUnreachable(d))
            }
            Err(LinkError::NoAnswer { detail, .. }) => Err(EngineError::Protocol(format!(
                "{what}: no valid answer ({detail}); settle again to resume"
            ))),
        }
    }

    /// Settles the current batch. Resumes an interrupted batch upload.
    pub(crate) fn settle(&mut self) -> Result<SettlementReport, EngineError> {
        self.ensure_keys()?;
        let batch = self.journal.current_batch()?;
        self.emit(Progress::Settlement(format!("batch {batch:06}: flushing")));
        let flushed = self.flush()?;
        if flushed.advices_waiting > 0 {
            return Err(EngineError::Protocol(format!(
                "{} advice(s) could not be delivered; settle again when the host answers",
                flushed.advices_waiting
            )));
        }
        let rows = self.journal.batch_rows(batch)?;
        let (totals, domestic, foreign, by_kind) = totals(&rows);
        let resuming = self
            .journal
            .setting("upload_in_progress")?
            .unwrap_or_default();
        let mut report = SettlementReport {
            batch,
            domestic,
            foreign,
            by_kind,
            qr_by_channel: self.qr_settlement_lines(batch)?,
            settled_at: self.local().display(),
            ..SettlementReport::default()
        };
        let balanced = if resuming == batch.to_string() {
            false
        } else {
            self.emit(Progress::Settlement(format!("batch {batch:06}: totals")));
            let mut m = self.settlement_message("0500", 201, batch)?;
            let f48 = totals
                .to_digits()
                .map_err(|e| EngineError::Protocol(e.to_string()))?;
            set(&mut m, 48, f48)?;
            set(&mut m, 49, self.config.profile.currency.clone())?;
            set(&mut m, 63, self.config.operator.clone())?;
            let answer = self.exchange_settlement("settlement", &m)?;
            let result = answer
                .text(48)
                .and_then(|d| SettlementTotals::parse(d).ok())
                .ok_or_else(|| EngineError::Protocol("settlement answer without totals".into()))?;
            result.domestic.result == 1 && result.foreign.result == 1
        };
        if !balanced {
            // Durable before the first upload message: no online transaction until finished.
            self.journal
                .set_setting("upload_in_progress", &batch.to_string())?;
            report.records_uploaded = self.batch_upload(batch, &rows)?;
            report.batch_uploaded = true;
        }
        report.balanced = balanced;
        self.close_batch(batch, &report)?;
        let day = self.local().day_number();
        self.journal
            .set_setting("last_settled_day", &day.to_string())?;
        self.sign_out()?;
        Ok(report)
    }

    /// Uploads every settled record of the batch, resuming after the last acknowledged one.
    fn batch_upload(&mut self, batch: u32, rows: &[TxnRecord]) -> Result<u32, EngineError> {
        let records: Vec<&TxnRecord> = settled_rows(rows);
        let mut next: usize = self
            .journal
            .conn()
            .query_row(
                "SELECT upload_next FROM batch WHERE number = ?1",
                [batch],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0) as usize;
        let total = records.len();
        while next < total {
            self.emit(Progress::Settlement(format!(
                "batch upload {}/{total}",
                next + 1
            )));
            let Some(first) = records.get(next) else {
                break;
            };
            let chip = first
                .entry_mode
                .as_deref()
                .is_some_and(|e| e.starts_with("05") || e.starts_with("07"));
            let (m, sent) = if chip {
                (self.upload_ic(batch, first)?, 1)
            } else {
                // Up to 8 consecutive magstripe records per message.
                let group: Vec<&TxnRecord> = records[next..]
                    .iter()
                    .take(BatchRecords::MAX)
                    .take_while(|r| {
                        !r.entry_mode
                            .as_deref()
                            .is_some_and(|e| e.starts_with("05") || e.starts_with("07"))
                    })
                    .copied()
                    .collect();
                let n = group.len();
                (self.upload_magstripe(batch, &group)?, n)
            };
            self.exchange_settlement("batch upload", &m)?;
            next += sent;
            self.journal
                .conn()
                .execute(
                    "UPDATE batch SET upload_next = ?2 WHERE number = ?1",
                    params![batch, next as i64],
                )
                .map_err(StorageError::wrap("record upload progress"))?;
            crate::crash::point("batch_upload_progress");
        }
        let end_code = self.config.profile.batch_upload_end_unbalanced;
        let mut end = self.settlement_message("0320", end_code, batch)?;
        set(&mut end, 48, format!("{:04}", total.min(9999)))?;
        self.exchange_settlement("end of batch upload", &end)?;
        Ok(total as u32)
    }

    fn upload_magstripe(
        &mut self,
        batch: u32,
        group: &[&TxnRecord],
    ) -> Result<Message, EngineError> {
        let mut records = Vec::with_capacity(group.len());
        for r in group {
            let pan = match &r.pan_sealed {
                Some(s) => String::from_utf8_lossy(&self.vault.open(s)?).into_owned(),
                None => String::new(),
            };
            records.push(BatchRecord {
                organisation: if is_domestic(r) { 0 } else { 1 },
                trace: r.trace,
                pan,
                amount: r.effective_amount(),
            });
        }
        let digits = BatchRecords { records }
            .to_digits()
            .map_err(|e| EngineError::Protocol(e.to_string()))?;
        let mut m = self.settlement_message("0320", 201, batch)?;
        set(&mut m, 48, digits)?;
        Ok(m)
    }

    fn upload_ic(&mut self, batch: u32, r: &TxnRecord) -> Result<Message, EngineError> {
        let mut m = self.settlement_message("0320", 203, batch)?;
        if let Some(s) = &r.pan_sealed {
            set(&mut m, 2, &self.vault.open(s)?[..])?;
        }
        if let Some(v) = r.request_fields.get(&3) {
            set(&mut m, 3, v)?;
        }
        set(&mut m, 4, format!("{:012}", r.effective_amount()))?;
        if let Some(v) = &r.entry_mode {
            set(&mut m, 22, v)?;
        }
        if let Some(v) = &r.psn {
            set(&mut m, 23, v)?;
        }
        if let Some(icc) = &r.icc_data {
            set(&mut m, 55, icc)?;
        }
        set(
            &mut m,
            61,
            OriginalMessage {
                batch: r.batch,
                trace: r.trace,
                date: None,
                extra: String::new(),
            }
            .to_digits(),
        )?;
        Ok(m)
    }

    /// Archives the batch (rows stay, the batch row is closed) and opens the next one.
    fn close_batch(&mut self, batch: u32, report: &SettlementReport) -> Result<(), EngineError> {
        let now = self.now();
        let next = if batch >= 999_999 { 1 } else { batch + 1 };
        let json = serde_json::to_string(report).unwrap_or_default();
        let tx = self
            .journal
            .conn_mut()
            .transaction()
            .map_err(StorageError::wrap("begin batch close"))?;
        tx.execute(
            "INSERT INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2) \
             ON CONFLICT(number) DO NOTHING",
            params![batch, now],
        )
        .map_err(StorageError::wrap("close batch"))?;
        tx.execute(
            "UPDATE batch SET state = 'closed', closed_at = ?2, result = ?3, report = ?4 \
             WHERE number = ?1",
            params![
                batch,
                now,
                if report.balanced {
                    "balanced"
                } else {
                    "uploaded"
                },
                json
            ],
        )
        .map_err(StorageError::wrap("close batch"))?;
        tx.execute(
            "INSERT OR REPLACE INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2)",
            params![next, now],
        )
        .map_err(StorageError::wrap("open next batch"))?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'batch'",
            [next.to_string()],
        )
        .map_err(StorageError::wrap("advance batch"))?;
        tx.execute("DELETE FROM meta WHERE key = 'upload_in_progress'", [])
            .map_err(StorageError::wrap("clear upload flag"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit batch close"))?;
        log::info!("batch {batch:06} closed; batch {next:06} opened");
        Ok(())
    }

    /// Sign-out (0820, 60.3 002). A failure is logged: the batch is already closed.
    fn sign_out(&mut self) -> Result<(), EngineError> {
        let batch = self.journal.current_batch()?;
        let m = self.settlement_message("0820", 2, batch)?;
        if let Err(e) = self.link.exchange(&self.security, &m, false) {
            log::warn!("sign-out not acknowledged: {e:?}");
        }
        self.sign_in_due = true;
        Ok(())
    }

    /// The report of a closed batch.
    pub(crate) fn batch_report(&self, batch: u32) -> Result<Option<SettlementReport>, EngineError> {
        let json: Option<String> = self
            .journal
            .conn()
            .query_row("SELECT report FROM batch WHERE number = ?1", [batch], |r| {
                r.get(0)
            })
            .map_err(StorageError::wrap("read batch report"))
            .ok()
            .flatten();
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// QR lines of the settlement report (filled in by the QR module when present).
    pub(crate) fn qr_settlement_lines(
        &self,
        batch: u32,
    ) -> Result<Vec<(String, KindTotal)>, EngineError> {
        // Per channel: paid QR payments and done refunds/voids of the batch (DOMAIN.md rule 6).
        self.qr_batch_lines(batch)
    }
}

impl Engine {
    /// Automatic settlement: due when the configured local time has passed today, the batch
    /// holds transactions, and no settlement ran today.
    pub(crate) fn settle_if_due(&mut self) -> Result<Option<SettlementReport>, EngineError> {
        let Some(at) = self.config.auto_settlement.clone() else {
            return Ok(None);
        };
        let (h, m) = at
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
            .ok_or_else(|| {
                EngineError::Config(format!("auto settlement time '{at}' is not HH:MM"))
            })?;
        let local = self.local();
        let today = local.day_number();
        let passed = (local.hour, local.minute) >= (h, m);
        let settled_today = self.journal.setting("last_settled_day")?.as_deref()
            == Some(today.to_string().as_str());
        let batch = self.journal.current_batch()?;
        let has_rows = !self.journal.batch_rows(batch)?.is_empty();
        if passed && !settled_today && has_rows {
            self.settle().map(Some)
        } else {
            Ok(None)
        }
    }
}
