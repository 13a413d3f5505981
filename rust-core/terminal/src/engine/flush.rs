//! Flush points: pending reversals (0400) and store-and-forward messages (completion advices,
//! TC uploads) are sent before the next online transaction, before settlement, at startup and
//! on `flush_pending`, in the order they were queued.

use super::{Engine, Progress};
use crate::error::EngineError;
use crate::host_link::LinkError;
use crate::journal::TxnRecord;
use std::collections::BTreeMap;
use unipos_iso8583::{Message, Mti};

/// What a flush did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlushReport {
    /// Reversals acknowledged by the host.
    pub reversals_sent: u32,
    /// Reversals that reached the retry limit and were parked for manual handling.
    pub reversals_parked: u32,
    /// Store-and-forward messages acknowledged.
    pub advices_sent: u32,
    /// Store-and-forward messages still queued (host unreachable or no answer).
    pub advices_waiting: u32,
}

/// A queued store-and-forward message.
#[derive(Debug, Clone)]
pub(crate) struct SafEntry {
    pub id: i64,
    pub txn_id: Option<i64>,
    pub kind: String,
    pub attempts: u32,
    pub payload: BTreeMap<u8, String>,
}

impl Engine {
    /// Rebuilds a message from stored non-sensitive fields plus the sealed PAN.
    pub(crate) fn rebuild(
        &self,
        mti: &str,
        fields: &BTreeMap<u8, String>,
        row: Option<&TxnRecord>,
    ) -> Result<Message, EngineError> {
        let mti = Mti::new(mti).ok_or_else(|| EngineError::Protocol(format!("bad MTI {mti}")))?;
        let mut m = Message::new(mti);
        for (&n, v) in fields {
            let value = if n == 55 {
                hex::decode(v).map_err(|e| EngineError::Protocol(e.to_string()))?
            } else {
                v.as_bytes().to_vec()
            };
            m.set(n, value)
                .map_err(|e| EngineError::Protocol(e.to_string()))?;
        }
        if let Some(row) = row {
            if let Some(sealed) = &row.pan_sealed {
                let pan = self.vault.open(sealed)?;
                m.set(2, &pan[..])
                    .map_err(|e| EngineError::Protocol(e.to_string()))?;
            }
            if let Some(expiry) = &row.expiry {
                m.set(14, expiry)
                    .map_err(|e| EngineError::Protocol(e.to_string()))?;
            }
        }
        Ok(m)
    }

    /// Sends every pending reversal. Stops with an error only when the host cannot be
    /// reached (nothing sent); failed attempts count towards parking.
    pub(crate) fn flush_reversals(&mut self, report: &mut FlushReport) -> Result<(), EngineError> {
        for reversal in self.journal.pending_reversals()? {
            let Some(row) = self.journal.by_id(reversal.txn_id)? else {
                continue;
            };
            self.emit(Progress::Reversing(row.trace));
            let mut m = self.rebuild("0400", &row.request_fields, Some(&row))?;
            m.set(11, format!("{:06}", row.trace))
                .and_then(|m| m.set(39, reversal.reason.as_str()))
                .map_err(|e| EngineError::Protocol(e.to_string()))?;
            let now = self.now();
            match self.link.exchange(&self.security, &m, true) {
                Ok(answer) => {
                    self.note_requirement(&answer);
                    let code = answer.response_code().to_owned();
                    // The host acknowledges a reversal with 00, also for an original it never
                    // saw; 25 (original not found) means the same to us.
                    if code == "00" || code == "25" {
                        self.journal.reversal_done(row.id, now)?;
                        report.reversals_sent += 1;
                        log::info!("reversal of trace {:06} acknowledged", row.trace);
                    } else {
                        let max = self.config.profile.reversal_retries;
                        if self.journal.reversal_failed(
                            row.id,
                            &format!("host answered {code}"),
                            max,
                            now,
                        )? {
                            report.reversals_parked += 1;
                        }
                    }
                }
                Err(LinkError::NotSent(detail)) | Err(LinkError::Local(detail)) => {
                    return Err(EngineError::ReversalPending(detail));
                }
                Err(LinkError::NoAnswer { reason, detail }) => {
                    if reason == crate::host_link::NoAnswerReason::BadMac {
                        self.sign_in_due = true;
                    }
                    let max = self.config.profile.reversal_retries;
                    if self.journal.reversal_failed(row.id, &detail, max, now)? {
                        log::warn!(
                            "reversal of trace {:06} parked after {max} attempts: manual handling",
                            row.trace
                        );
                        report.reversals_parked += 1;
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn saf_pending(&self) -> Result<Vec<SafEntry>, EngineError> {
        let conn = self.journal.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, txn_id, kind, attempts, payload FROM saf WHERE state = 'pending' \
                 ORDER BY id",
            )
            .map_err(crate::error::StorageError::wrap("list advices"))?;
        let rows = stmt
            .query_map([], |r| {
                let payload: String = r.get(4)?;
                Ok(SafEntry {
                    id: r.get(0)?,
                    txn_id: r.get(1)?,
                    kind: r.get(2)?,
                    attempts: r.get::<_, i64>(3)? as u32,
                    payload: serde_json::from_str(&payload).unwrap_or_default(),
                })
            })
            .map_err(crate::error::StorageError::wrap("list advices"))?;
        Ok(rows
            .collect::<Result<_, _>>()
            .map_err(crate::error::StorageError::wrap("list advices"))?)
    }

    /// Queues a store-and-forward message (durably).
    pub(crate) fn saf_enqueue(
        &mut self,
        txn_id: Option<i64>,
        kind: &str,
        payload: &BTreeMap<u8, String>,
    ) -> Result<(), EngineError> {
        let now = self.now();
        let json = serde_json::to_string(payload).unwrap_or_else(|_| "{}".into());
        self.journal
            .conn()
            .execute(
                "INSERT INTO saf (txn_id, kind, state, payload, created_at, updated_at) \
                 VALUES (?1, ?2, 'pending', ?3, ?4, ?4)",
                rusqlite::params![txn_id, kind, json, now],
            )
            .map_err(crate::error::StorageError::wrap("queue advice"))?;
        Ok(())
    }

    fn saf_update(
        &mut self,
        id: i64,
        delivered: bool,
        error: Option<&str>,
    ) -> Result<(), EngineError> {
        let now = self.now();
        let sql = if delivered {
            "UPDATE saf SET state = 'done', updated_at = ?2, last_error = ?3 WHERE id = ?1"
        } else {
            "UPDATE saf SET attempts = attempts + 1, updated_at = ?2, last_error = ?3 WHERE id = ?1"
        };
        self.journal
            .conn()
            .execute(sql, rusqlite::params![id, now, error])
            .map_err(crate::error::StorageError::wrap("update advice"))?;
        Ok(())
    }

    /// Sends queued advices. Never drops one: an unreachable host leaves it queued.
    pub(crate) fn flush_advices(&mut self, report: &mut FlushReport) -> Result<(), EngineError> {
        let entries = self.saf_pending()?;
        if entries.is_empty() {
            return Ok(());
        }
        self.emit(Progress::SendingAdvices);
        for entry in entries {
            let row = match entry.txn_id {
                Some(id) => self.journal.by_id(id)?,
                None => None,
            };
            let mti = match entry.kind.as_str() {
                "advice" => "0220",
                "script" => "0620",
                _ => "0320",
            };
            let m = self.rebuild(mti, &entry.payload, row.as_ref())?;
            match self.link.exchange(&self.security, &m, true) {
                Ok(answer) => {
                    self.note_requirement(&answer);
                    let code = answer.response_code().to_owned();
                    if code == "00" {
                        self.saf_update(entry.id, true, None)?;
                        if let Some(row) = &row {
                            if entry.kind == "advice" {
                                let now = self.now();
                                self.journal
                                    .conn()
                                    .execute(
                                        "UPDATE txn SET state = 'approved', response_code = '00', \
                                         rrn = COALESCE(?2, rrn), updated_at = ?3 WHERE id = ?1",
                                        rusqlite::params![row.id, answer.message.text(37), now],
                                    )
                                    .map_err(crate::error::StorageError::wrap(
                                        "record advice answer",
                                    ))?;
                            }
                        }
                        report.advices_sent += 1;
                    } else {
                        self.saf_update(entry.id, false, Some(&format!("host answered {code}")))?;
                        report.advices_waiting += 1;
                    }
                }
                Err(LinkError::NotSent(d)) | Err(LinkError::Local(d)) => {
                    self.saf_update(entry.id, false, Some(&d))?;
                    report.advices_waiting += 1;
                    // The host is unreachable: the rest waits for the next flush point.
                    break;
                }
                Err(LinkError::NoAnswer { detail, .. }) => {
                    if entry.attempts + 1 >= self.config.profile.advice_retries {
                        log::warn!(
                            "advice {} still undelivered after {} attempts; kept",
                            entry.id,
                            entry.attempts + 1
                        );
                    }
                    self.saf_update(entry.id, false, Some(&detail))?;
                    report.advices_waiting += 1;
                }
            }
        }
        Ok(())
    }

    /// Reversals first (they block the next transaction), then advices.
    pub(crate) fn flush(&mut self) -> Result<FlushReport, EngineError> {
        let mut report = FlushReport::default();
        self.flush_reversals(&mut report)?;
        self.flush_advices(&mut report)?;
        // QR attempts and refunds left open (crash, lost answers, pending reverses): never
        // blocks card work; what stays open is listed by `Terminal::qr_pending_results`.
        self.flush_qr();
        Ok(report)
    }

    /// Remembers what the host asked for in the response header.
    pub(crate) fn note_requirement(&mut self, answer: &crate::host_link::Answer) {
        use unipos_iso8583::cup::ProcessingRequirement as R;
        match answer.requirement {
            R::SignIn => {
                log::info!("the host asks for a new sign-in");
                self.sign_in_due = true;
            }
            R::DownloadParameters | R::DownloadCaKeys | R::DownloadAidParameters => {
                log::info!("the host asks for new downloads");
                self.downloads_due = true;
            }
            _ => {}
        }
        if matches!(answer.response_code(), "A0" | "97") {
            self.sign_in_due = true;
        }
    }
}
