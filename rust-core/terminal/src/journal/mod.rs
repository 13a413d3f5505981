//! The durable journal (SQLite, WAL, `synchronous=FULL`).
//!
//! Persist, then send (ARCHITECTURE.md decision 2): a financial request gets its row, its trace
//! number and its armed reversal record in one transaction before a byte goes out; the answer
//! updates the row and disarms the reversal in one transaction. Whatever a crash interrupts
//! is found again by [`Journal::recover`] at the next start.
//!
//! Card data kept for later (voids, batch upload, reversals) is the masked PAN plus the PAN
//! sealed by the [`crate::vault::Vault`]; track data and PIN blocks are never stored.

mod schema;

pub use schema::SCHEMA_VERSION;

use crate::error::StorageError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;
use std::path::Path;

/// Kinds of journalled transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TxnKind {
    BalanceInquiry,
    Sale,
    SaleVoid,
    Refund,
    PreAuth,
    PreAuthVoid,
    Completion,
    CompletionAdvice,
    CompletionVoid,
}

impl TxnKind {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnKind::BalanceInquiry => "balance",
            TxnKind::Sale => "sale",
            TxnKind::SaleVoid => "sale_void",
            TxnKind::Refund => "refund",
            TxnKind::PreAuth => "preauth",
            TxnKind::PreAuthVoid => "preauth_void",
            TxnKind::Completion => "completion",
            TxnKind::CompletionAdvice => "completion_advice",
            TxnKind::CompletionVoid => "completion_void",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<TxnKind> {
        ALL_KINDS.iter().copied().find(|k| k.as_str() == s)
    }

    /// Whether a lost answer is resolved by a 0400 reversal (money may have moved).
    /// Completion advices are store-and-forward instead; balance inquiries move no money.
    pub fn reversible(self) -> bool {
        !matches!(self, TxnKind::BalanceInquiry | TxnKind::CompletionAdvice)
    }

    /// Settlement direction: debits are sales and completions, credits are voids, refunds
    /// and completion voids (PROTOCOL.md §1.7). Pre-authorisations and their voids move no
    /// money and are not settled.
    pub fn settlement_side(self) -> Option<SettlementSide> {
        match self {
            TxnKind::Sale | TxnKind::Completion | TxnKind::CompletionAdvice => {
                Some(SettlementSide::Debit)
            }
            TxnKind::SaleVoid | TxnKind::Refund | TxnKind::CompletionVoid => {
                Some(SettlementSide::Credit)
            }
            _ => None,
        }
    }
}

/// Debit or credit in settlement totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementSide {
    /// Money to the merchant.
    Debit,
    /// Money back to the card.
    Credit,
}

const ALL_KINDS: [TxnKind; 9] = [
    TxnKind::BalanceInquiry,
    TxnKind::Sale,
    TxnKind::SaleVoid,
    TxnKind::Refund,
    TxnKind::PreAuth,
    TxnKind::PreAuthVoid,
    TxnKind::Completion,
    TxnKind::CompletionAdvice,
    TxnKind::CompletionVoid,
];

/// Where a journalled transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnState {
    /// Persisted; the request is being sent (or a crash interrupted it: see recovery).
    Sending,
    /// The host approved (fully or partly).
    Approved,
    /// The host declined.
    Declined,
    /// Nothing reached the host.
    NotSent,
    /// No valid answer: a reversal must be sent.
    ReversalPending,
    /// The reversal was acknowledged: no money moved.
    Reversed,
    /// The reversal failed too often: kept for manual handling.
    ReversalParked,
    /// Approved offline / advice queued: waiting for store-and-forward.
    AdvicePending,
}

impl TxnState {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnState::Sending => "sending",
            TxnState::Approved => "approved",
            TxnState::Declined => "declined",
            TxnState::NotSent => "not_sent",
            TxnState::ReversalPending => "reversal_pending",
            TxnState::Reversed => "reversed",
            TxnState::ReversalParked => "reversal_parked",
            TxnState::AdvicePending => "advice_pending",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<TxnState> {
        [
            TxnState::Sending,
            TxnState::Approved,
            TxnState::Declined,
            TxnState::NotSent,
            TxnState::ReversalPending,
            TxnState::Reversed,
            TxnState::ReversalParked,
            TxnState::AdvicePending,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the transaction has reached a state that will not change by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TxnState::Approved | TxnState::Declined | TxnState::NotSent | TxnState::Reversed
        )
    }
}

/// One journal row.
#[derive(Clone, PartialEq, Eq)]
pub struct TxnRecord {
    /// Row id.
    pub id: i64,
    /// The caller's idempotency key.
    pub request_id: String,
    /// What it is.
    pub kind: TxnKind,
    /// Where it stands.
    pub state: TxnState,
    /// Batch number.
    pub batch: u32,
    /// Trace number (field 11).
    pub trace: u32,
    /// Requested amount, fen.
    pub amount: u64,
    /// Approved amount, fen (partial approval: less than requested).
    pub approved_amount: Option<u64>,
    /// Field 39.
    pub response_code: Option<String>,
    /// Field 37.
    pub rrn: Option<String>,
    /// Field 38.
    pub auth_code: Option<String>,
    /// Field 15.
    pub settlement_date: Option<String>,
    /// Card organisation from field 63 (`CUP`, `VIS`, ...).
    pub card_org: Option<String>,
    /// Field 54 of a balance inquiry.
    pub balance: Option<String>,
    /// First 6 + last 4.
    pub pan_masked: Option<String>,
    /// The PAN sealed by the vault.
    pub pan_sealed: Option<Vec<u8>>,
    /// Field 14, YYMM.
    pub expiry: Option<String>,
    /// Field 22.
    pub entry_mode: Option<String>,
    /// Field 23.
    pub psn: Option<String>,
    /// Field 55 sent (ICC data without tags 57/5A).
    pub icc_data: Option<Vec<u8>>,
    /// Domestic card (settlement group).
    pub domestic: bool,
    /// The transaction this one refers to (void, refund, completion, ...).
    pub original_id: Option<i64>,
    /// Local date MMDD of the request.
    pub local_date: String,
    /// Local time hhmmss of the request.
    pub local_time: String,
    /// Non-sensitive request fields needed to rebuild a reversal (number → logical value;
    /// binary values as hex).
    pub request_fields: BTreeMap<u8, String>,
    /// A void of this transaction was approved.
    pub voided: bool,
    /// Sum of approved refunds against this transaction, fen.
    pub refunded_amount: u64,
    /// Pre-authorisation: an approved completion exists (and was not voided).
    pub completed: bool,
    /// Creation time, ms since epoch.
    pub created_at: i64,
    /// Last update, ms since epoch.
    pub updated_at: i64,
}

/// Card data is masked; the sealed PAN is shown as its length only.
impl std::fmt::Debug for TxnRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxnRecord")
            .field("id", &self.id)
            .field("request_id", &self.request_id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("batch", &self.batch)
            .field("trace", &self.trace)
            .field("amount", &self.amount)
            .field("approved_amount", &self.approved_amount)
            .field("response_code", &self.response_code)
            .field("rrn", &self.rrn)
            .field("auth_code", &self.auth_code)
            .field("pan_masked", &self.pan_masked)
            .field("original_id", &self.original_id)
            .finish_non_exhaustive()
    }
}

impl TxnRecord {
    /// The amount that counts for settlement and receipts: the approved amount if any.
    pub fn effective_amount(&self) -> u64 {
        self.approved_amount.unwrap_or(self.amount)
    }
}

/// What a new request row holds.
#[derive(Clone)]
pub struct NewTxn {
    /// Idempotency key.
    pub request_id: String,
    /// Kind.
    pub kind: TxnKind,
    /// Requested amount.
    pub amount: u64,
    /// Masked PAN.
    pub pan_masked: Option<String>,
    /// Sealed PAN.
    pub pan_sealed: Option<Vec<u8>>,
    /// Expiry.
    pub expiry: Option<String>,
    /// Entry mode.
    pub entry_mode: Option<String>,
    /// Card sequence number.
    pub psn: Option<String>,
    /// ICC data (sanitised).
    pub icc_data: Option<Vec<u8>>,
    /// Domestic card.
    pub domestic: bool,
    /// Referenced transaction.
    pub original_id: Option<i64>,
    /// MMDD.
    pub local_date: String,
    /// hhmmss.
    pub local_time: String,
    /// Non-sensitive request fields.
    pub request_fields: BTreeMap<u8, String>,
    /// Now, ms.
    pub now: i64,
}

/// The answer fields recorded when a request completes.
#[derive(Debug, Clone, Default)]
pub struct AnswerFields {
    /// Field 39.
    pub response_code: String,
    /// Approved amount (for approvals).
    pub approved_amount: Option<u64>,
    /// Field 37.
    pub rrn: Option<String>,
    /// Field 38.
    pub auth_code: Option<String>,
    /// Field 15.
    pub settlement_date: Option<String>,
    /// Field 63 organisation.
    pub card_org: Option<String>,
    /// Field 54.
    pub balance: Option<String>,
}

/// A reversal record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalRecord {
    /// The transaction to reverse.
    pub txn_id: i64,
    /// `armed` (request in flight), `pending`, `parked`.
    pub state: String,
    /// Field 39 of the 0400: `98`, `96`, `A0`, `06`.
    pub reason: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Last failure.
    pub last_error: Option<String>,
}

/// The database of one terminal.
pub struct Journal {
    conn: Connection,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").finish_non_exhaustive()
    }
}

const TXN_COLUMNS: &str = "id, request_id, kind, state, batch, trace, amount, approved_amount, \
    response_code, rrn, auth_code, settlement_date, card_org, balance, pan_masked, pan_sealed, \
    expiry, entry_mode, psn, icc_data, domestic, original_id, local_date, local_time, \
    request_fields, voided, refunded_amount, completed, created_at, updated_at";

fn row_to_txn(r: &Row<'_>) -> rusqlite::Result<TxnRecord> {
    let kind: String = r.get(2)?;
    let state: String = r.get(3)?;
    let fields: String = r.get(24)?;
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    Ok(TxnRecord {
        id: r.get(0)?,
        request_id: r.get(1)?,
        kind: TxnKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        state: TxnState::parse(&state).ok_or_else(|| bad("state"))?,
        batch: r.get(4)?,
        trace: r.get(5)?,
        amount: r.get::<_, i64>(6)? as u64,
        approved_amount: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
        response_code: r.get(8)?,
        rrn: r.get(9)?,
        auth_code: r.get(10)?,
        settlement_date: r.get(11)?,
        card_org: r.get(12)?,
        balance: r.get(13)?,
        pan_masked: r.get(14)?,
        pan_sealed: r.get(15)?,
        expiry: r.get(16)?,
        entry_mode: r.get(17)?,
        psn: r.get(18)?,
        icc_data: r.get(19)?,
        domestic: r.get::<_, i64>(20)? != 0,
        original_id: r.get(21)?,
        local_date: r.get(22)?,
        local_time: r.get(23)?,
        request_fields: serde_json::from_str(&fields).unwrap_or_default(),
        voided: r.get::<_, i64>(25)? != 0,
        refunded_amount: r.get::<_, i64>(26)? as u64,
        completed: r.get::<_, i64>(27)? != 0,
        created_at: r.get(28)?,
        updated_at: r.get(29)?,
    })
}

/// What `begin` found.
#[derive(Debug)]
pub enum Begun {
    /// A new row was written (with its armed reversal if the kind is reversible).
    New(TxnRecord),
    /// The request id exists already: its row, unchanged.
    Existing(TxnRecord),
}

/// Effects of an approval on the transaction it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalEffect {
    /// Nothing.
    None,
    /// The original is now voided (sale void, pre-auth void, completion void).
    Voided,
    /// Add to the original's refunded total.
    Refunded(u64),
    /// The pre-authorisation is now completed.
    Completed,
    /// A completion void: the completion is voided and its pre-auth is open again.
    CompletionVoided {
        /// The pre-authorisation of the completion.
        preauth_id: i64,
    },
}

impl Journal {
    /// Opens (or creates) the database at `path`: WAL, `synchronous=FULL`, migrations.
    pub fn open(path: &Path) -> Result<Journal, StorageError> {
        let mut conn = Connection::open(path).map_err(StorageError::wrap("open database"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(StorageError::wrap("enable WAL"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(StorageError::wrap("set synchronous=FULL"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(StorageError::wrap("enable foreign keys"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StorageError::wrap("set busy timeout"))?;
        schema::migrate(&mut conn)?;
        Ok(Journal { conn })
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32, StorageError> {
        self.meta_u32("batch")
    }

    /// The last trace number used (0 before the first).
    pub fn last_trace(&self) -> Result<u32, StorageError> {
        self.meta_u32("trace")
    }

    fn meta_u32(&self, key: &str) -> Result<u32, StorageError> {
        let v: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .map_err(StorageError::wrap("read counter"))?;
        Ok(v.parse().unwrap_or(0))
    }

    /// Reads a free-form setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(StorageError::wrap("read setting"))
    }

    /// Writes a free-form setting (durably).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(StorageError::wrap("write setting"))?;
        Ok(())
    }

    /// Allocates the next trace number (1..=999999, wrapping) without a journal row: for
    /// management messages. Durable before it is used.
    pub fn next_management_trace(&mut self) -> Result<u32, StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin trace allocation"))?;
        let trace = bump_trace(&tx)?;
        tx.commit().map_err(StorageError::wrap("commit trace"))?;
        Ok(trace)
    }

    /// Persists a new request with a fresh trace number and, for reversible kinds, an armed
    /// reversal record, in one transaction. A known request id returns its existing row.
    pub fn begin(&mut self, new: &NewTxn) -> Result<Begun, StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin request"))?;
        if let Some(existing) = find_by(&tx, "request_id = ?1", params![new.request_id])? {
            return Ok(Begun::Existing(existing));
        }
        let trace = bump_trace(&tx)?;
        let batch: u32 = tx
            .query_row("SELECT value FROM meta WHERE key = 'batch'", [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(StorageError::wrap("read batch"))?
            .parse()
            .unwrap_or(1);
        let fields = serde_json::to_string(&new.request_fields).unwrap_or_else(|_| "{}".into());
        tx.execute(
            "INSERT INTO txn (request_id, kind, state, batch, trace, amount, pan_masked, \
             pan_sealed, expiry, entry_mode, psn, icc_data, domestic, original_id, local_date, \
             local_time, request_fields, created_at, updated_at) \
             VALUES (?1, ?2, 'sending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
             ?16, ?17, ?17)",
            params![
                new.request_id,
                new.kind.as_str(),
                batch,
                trace,
                new.amount as i64,
                new.pan_masked,
                new.pan_sealed,
                new.expiry,
                new.entry_mode,
                new.psn,
                new.icc_data,
                new.domestic as i64,
                new.original_id,
                new.local_date,
                new.local_time,
                fields,
                new.now,
            ],
        )
        .map_err(StorageError::wrap("insert request"))?;
        let id = tx.last_insert_rowid();
        if new.kind.reversible() {
            tx.execute(
                "INSERT INTO reversal (txn_id, state, reason, updated_at) \
                 VALUES (?1, 'armed', '98', ?2)",
                params![id, new.now],
            )
            .map_err(StorageError::wrap("arm reversal"))?;
        }
        let row = find_by(&tx, "id = ?1", params![id])?.ok_or(StorageError {
            operation: "read back request",
            source: rusqlite::Error::QueryReturnedNoRows,
        })?;
        tx.commit().map_err(StorageError::wrap("commit request"))?;
        Ok(Begun::New(row))
    }

    /// Records a valid answer: row updated, reversal disarmed, effect on the original applied,
    /// all in one transaction.
    pub fn complete(
        &mut self,
        id: i64,
        state: TxnState,
        answer: &AnswerFields,
        effect: (Option<i64>, OriginalEffect),
        now: i64,
    ) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin answer"))?;
        tx.execute(
            "UPDATE txn SET state = ?2, response_code = ?3, approved_amount = ?4, rrn = ?5, \
             auth_code = ?6, settlement_date = ?7, card_org = ?8, balance = ?9, updated_at = ?10 \
             WHERE id = ?1",
            params![
                id,
                state.as_str(),
                answer.response_code,
                answer.approved_amount.map(|a| a as i64),
                answer.rrn,
                answer.auth_code,
                answer.settlement_date,
                answer.card_org,
                answer.balance,
                now,
            ],
        )
        .map_err(StorageError::wrap("record answer"))?;
        tx.execute("DELETE FROM reversal WHERE txn_id = ?1", [id])
            .map_err(StorageError::wrap("disarm reversal"))?;
        if let (Some(original), effect) = effect {
            apply_effect(&tx, original, effect, now)?;
        }
        tx.commit().map_err(StorageError::wrap("commit answer"))?;
        Ok(())
    }

    /// Nothing reached the host: the row is closed and the reversal disarmed.
    pub fn mark_not_sent(&mut self, id: i64, now: i64) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin not-sent"))?;
        tx.execute(
            "UPDATE txn SET state = 'not_sent', updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )
        .map_err(StorageError::wrap("mark not sent"))?;
        tx.execute("DELETE FROM reversal WHERE txn_id = ?1", [id])
            .map_err(StorageError::wrap("disarm reversal"))?;
        tx.commit().map_err(StorageError::wrap("commit not-sent"))?;
        Ok(())
    }

    /// No valid answer: the reversal becomes pending with `reason` (field 39 of the 0400).
    /// Kinds that are not reversible end in `not_sent`-like failure states instead.
    pub fn mark_unknown(&mut self, id: i64, reason: &str, now: i64) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin unknown"))?;
        let has_reversal: bool = tx
            .query_row(
                "SELECT COUNT(*) FROM reversal WHERE txn_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .map_err(StorageError::wrap("find reversal"))?
            > 0;
        let state = if has_reversal {
            TxnState::ReversalPending
        } else {
            TxnState::NotSent
        };
        tx.execute(
            "UPDATE txn SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, state.as_str(), now],
        )
        .map_err(StorageError::wrap("mark unknown"))?;
        tx.execute(
            "UPDATE reversal SET state = 'pending', reason = ?2, updated_at = ?3 WHERE txn_id = ?1",
            params![id, reason, now],
        )
        .map_err(StorageError::wrap("queue reversal"))?;
        tx.commit().map_err(StorageError::wrap("commit unknown"))?;
        Ok(())
    }

    /// After a crash: requests left in `sending` get their reversal queued (reason `98`:
    /// no answer was recorded); non-reversible ones are closed. Returns how many were found.
    ///
    /// A completion advice is not reversed: it may have been applied, so it goes to the
    /// store-and-forward queue and is retransmitted (the host recognises the repeat).
    pub fn recover(&mut self, now: i64) -> Result<usize, StorageError> {
        let rows = self.rows("state = 'sending' ORDER BY id", [])?;
        for row in &rows {
            if row.kind == TxnKind::CompletionAdvice {
                self.queue_interrupted_advice(row, now)?;
            } else {
                self.mark_unknown(row.id, "98", now)?;
            }
        }
        Ok(rows.len())
    }

    fn queue_interrupted_advice(&mut self, row: &TxnRecord, now: i64) -> Result<(), StorageError> {
        let mut payload = row.request_fields.clone();
        payload.insert(11, format!("{:06}", row.trace));
        let json = serde_json::to_string(&payload).unwrap_or_else(|_| "{}".into());
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin advice recovery"))?;
        tx.execute(
            "INSERT INTO saf (txn_id, kind, state, payload, created_at, updated_at) \
             VALUES (?1, 'advice', 'pending', ?2, ?3, ?3)",
            params![row.id, json, now],
        )
        .map_err(StorageError::wrap("queue interrupted advice"))?;
        tx.execute(
            "UPDATE txn SET state = 'advice_pending', response_code = '00', \
             approved_amount = amount, updated_at = ?2 WHERE id = ?1",
            params![row.id, now],
        )
        .map_err(StorageError::wrap("mark advice pending"))?;
        if let Some(preauth) = row.original_id {
            apply_effect(&tx, preauth, OriginalEffect::Completed, now)?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit advice recovery"))?;
        Ok(())
    }

    /// Reversals waiting to be sent, oldest first.
    pub fn pending_reversals(&self) -> Result<Vec<ReversalRecord>, StorageError> {
        self.reversals("state = 'pending'")
    }

    /// Reversals given up on after the retry limit.
    pub fn parked_reversals(&self) -> Result<Vec<ReversalRecord>, StorageError> {
        self.reversals("state = 'parked'")
    }

    fn reversals(&self, filter: &str) -> Result<Vec<ReversalRecord>, StorageError> {
        let sql = format!(
            "SELECT txn_id, state, reason, attempts, last_error FROM reversal WHERE {filter} \
             ORDER BY txn_id"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(StorageError::wrap("list reversals"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReversalRecord {
                    txn_id: r.get(0)?,
                    state: r.get(1)?,
                    reason: r.get(2)?,
                    attempts: r.get::<_, i64>(3)? as u32,
                    last_error: r.get(4)?,
                })
            })
            .map_err(StorageError::wrap("list reversals"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list reversals"))
    }

    /// The host acknowledged the reversal: the transaction is reversed.
    pub fn reversal_done(&mut self, txn_id: i64, now: i64) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin reversal done"))?;
        tx.execute("DELETE FROM reversal WHERE txn_id = ?1", [txn_id])
            .map_err(StorageError::wrap("clear reversal"))?;
        tx.execute(
            "UPDATE txn SET state = 'reversed', updated_at = ?2 WHERE id = ?1",
            params![txn_id, now],
        )
        .map_err(StorageError::wrap("mark reversed"))?;
        tx.commit().map_err(StorageError::wrap("commit reversal"))?;
        Ok(())
    }

    /// A reversal attempt failed; after `max_attempts` it is parked (kept, reported).
    /// Returns whether it is now parked.
    pub fn reversal_failed(
        &mut self,
        txn_id: i64,
        error: &str,
        max_attempts: u32,
        now: i64,
    ) -> Result<bool, StorageError> {
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin reversal failure"))?;
        let attempts: i64 = tx
            .query_row(
                "UPDATE reversal SET attempts = attempts + 1, last_error = ?2, updated_at = ?3 \
                 WHERE txn_id = ?1 RETURNING attempts",
                params![txn_id, error, now],
                |r| r.get(0),
            )
            .map_err(StorageError::wrap("count reversal attempt"))?;
        let parked = attempts as u32 >= max_attempts;
        if parked {
            tx.execute(
                "UPDATE reversal SET state = 'parked' WHERE txn_id = ?1",
                [txn_id],
            )
            .map_err(StorageError::wrap("park reversal"))?;
            tx.execute(
                "UPDATE txn SET state = 'reversal_parked', updated_at = ?2 WHERE id = ?1",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("park transaction"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit reversal failure"))?;
        Ok(parked)
    }

    /// Puts a parked reversal back in the queue (manual handling decided to retry).
    pub fn retry_parked_reversal(&mut self, txn_id: i64, now: i64) -> Result<(), StorageError> {
        self.conn
            .execute(
                "UPDATE reversal SET state = 'pending', attempts = 0, updated_at = ?2 \
                 WHERE txn_id = ?1 AND state = 'parked'",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("requeue reversal"))?;
        self.conn
            .execute(
                "UPDATE txn SET state = 'reversal_pending', updated_at = ?2 WHERE id = ?1",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("requeue reversal"))?;
        Ok(())
    }

    /// The row of a request id.
    pub fn by_request_id(&self, request_id: &str) -> Result<Option<TxnRecord>, StorageError> {
        find_by(&self.conn, "request_id = ?1", params![request_id])
    }

    /// A row by id.
    pub fn by_id(&self, id: i64) -> Result<Option<TxnRecord>, StorageError> {
        find_by(&self.conn, "id = ?1", params![id])
    }

    /// The row of a trace number in a batch.
    pub fn by_trace(&self, batch: u32, trace: u32) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "batch = ?1 AND trace = ?2",
            params![batch, trace],
        )
    }

    /// The newest row with this RRN and local date (any batch).
    pub fn by_rrn(&self, rrn: &str, date: &str) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "rrn = ?1 AND local_date = ?2 ORDER BY id DESC",
            params![rrn, date],
        )
    }

    /// The approved pre-authorisation with this auth code and date.
    pub fn preauth_by_auth_code(
        &self,
        auth_code: &str,
        date: &str,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "kind = 'preauth' AND state = 'approved' AND auth_code = ?1 AND local_date = ?2 \
             ORDER BY id DESC",
            params![auth_code, date],
        )
    }

    /// The last row written.
    pub fn last(&self) -> Result<Option<TxnRecord>, StorageError> {
        find_by(&self.conn, "1 = 1 ORDER BY id DESC", [])
    }

    /// Rows of a batch, in trace order of creation.
    pub fn batch_rows(&self, batch: u32) -> Result<Vec<TxnRecord>, StorageError> {
        self.rows("batch = ?1 ORDER BY id", params![batch])
    }

    /// The latest `limit` rows, newest first.
    pub fn recent(&self, limit: u32) -> Result<Vec<TxnRecord>, StorageError> {
        self.rows("1 = 1 ORDER BY id DESC LIMIT ?1", params![limit])
    }

    fn rows(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<TxnRecord>, StorageError> {
        let sql = format!("SELECT {TXN_COLUMNS} FROM txn WHERE {filter}");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(StorageError::wrap("list transactions"))?;
        let rows = stmt
            .query_map(args, row_to_txn)
            .map_err(StorageError::wrap("list transactions"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list transactions"))
    }

    /// Stores a downloaded item (AID, CA key, parameter) replacing an older copy.
    pub fn store_download(&self, kind: &str, id: &str, data: &[u8]) -> Result<(), StorageError> {
        self.conn
            .execute(
                "INSERT INTO download (kind, id, data) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data",
                params![kind, id, data],
            )
            .map_err(StorageError::wrap("store download"))?;
        Ok(())
    }

    /// How many items of a kind are stored.
    pub fn download_count(&self, kind: &str) -> Result<u32, StorageError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM download WHERE kind = ?1",
                [kind],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u32)
            .map_err(StorageError::wrap("count downloads"))
    }

    /// A stored download item.
    pub fn download(&self, kind: &str, id: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.conn
            .query_row(
                "SELECT data FROM download WHERE kind = ?1 AND id = ?2",
                params![kind, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(StorageError::wrap("read download"))
    }

    /// Adopts a batch number (from sign-in) if the current batch holds no transaction.
    pub fn adopt_batch(&mut self, batch: u32, now: i64) -> Result<bool, StorageError> {
        let current = self.current_batch()?;
        if current == batch || batch == 0 {
            return Ok(false);
        }
        let used: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM txn WHERE batch = ?1",
                [current],
                |r| r.get(0),
            )
            .map_err(StorageError::wrap("count batch"))?;
        if used > 0 {
            return Ok(false);
        }
        let tx = self
            .conn
            .transaction()
            .map_err(StorageError::wrap("begin batch change"))?;
        tx.execute("DELETE FROM batch WHERE number = ?1", [current])
            .map_err(StorageError::wrap("drop empty batch"))?;
        tx.execute(
            "INSERT OR IGNORE INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2)",
            params![batch, now],
        )
        .map_err(StorageError::wrap("open batch"))?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'batch'",
            [batch.to_string()],
        )
        .map_err(StorageError::wrap("set batch"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit batch change"))?;
        Ok(true)
    }

    /// The raw connection, for the settlement and QR modules of this crate.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The raw connection, mutable (transactions).
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn bump_trace(tx: &rusqlite::Transaction<'_>) -> Result<u32, StorageError> {
    let last: u32 = tx
        .query_row("SELECT value FROM meta WHERE key = 'trace'", [], |r| {
            r.get::<_, String>(0)
        })
        .map_err(StorageError::wrap("read trace"))?
        .parse()
        .unwrap_or(0);
    let next = if last >= 999_999 { 1 } else { last + 1 };
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'trace'",
        [next.to_string()],
    )
    .map_err(StorageError::wrap("advance trace"))?;
    Ok(next)
}

fn find_by(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Option<TxnRecord>, StorageError> {
    let sql = format!("SELECT {TXN_COLUMNS} FROM txn WHERE {filter} LIMIT 1");
    conn.query_row(&sql, args, row_to_txn)
        .optional()
        .map_err(StorageError::wrap("read transaction"))
}

fn apply_effect(
    tx: &rusqlite::Transaction<'_>,
    original: i64,
    effect: OriginalEffect,
    now: i64,
) -> Result<(), StorageError> {
    let run = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
        tx.execute(sql, p)
            .map(|_| ())
            .map_err(StorageError::wrap("update original"))
    };
    match effect {
        OriginalEffect::None => Ok(()),
        OriginalEffect::Voided => run(
            "UPDATE txn SET voided = 1, updated_at = ?2 WHERE id = ?1",
            &[&original, &now],
        ),
        OriginalEffect::Refunded(amount) => run(
            "UPDATE txn SET refunded_amount = refunded_amount + ?2, updated_at = ?3 WHERE id = ?1",
            &[&original, &(amount as i64), &now],
        ),
        OriginalEffect::Completed => run(
            "UPDATE txn SET completed = 1, updated_at = ?2 WHERE id = ?1",
            &[&original, &now],
        ),
        OriginalEffect::CompletionVoided { preauth_id } => {
            run(
                "UPDATE txn SET voided = 1, updated_at = ?2 WHERE id = ?1",
                &[&original, &now],
            )?;
            run(
                "UPDATE txn SET completed = 0, updated_at = ?2 WHERE id = ?1",
                &[&preauth_id, &now],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_txn(request_id: &str, kind: TxnKind, amount: u64) -> NewTxn {
        NewTxn {
            request_id: request_id.into(),
            kind,
            amount,
            pan_masked: Some("621234******1265".into()),
            pan_sealed: None,
            expiry: None,
            entry_mode: Some("021".into()),
            psn: None,
            icc_data: None,
            domestic: true,
            original_id: None,
            local_date: "1121".into(),
            local_time: "093000".into(),
            request_fields: BTreeMap::new(),
            now: 1,
        }
    }

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("j.db")).unwrap();
        (dir, j)
    }

    #[test]
    fn begin_is_idempotent_and_arms_a_reversal() {
        let (_d, mut j) = journal();
        let Begun::New(row) = j.begin(&new_txn("r1", TxnKind::Sale, 100)).unwrap() else {
            panic!("expected a new row");
        };
        assert_eq!((row.trace, row.batch, row.state), (1, 1, TxnState::Sending));
        assert!(matches!(
            j.begin(&new_txn("r1", TxnKind::Sale, 999)).unwrap(),
            Begun::Existing(r) if r.id == row.id && r.amount == 100
        ));
        // Armed, not pending: nothing to send yet.
        assert!(j.pending_reversals().unwrap().is_empty());
        assert_eq!(j.recover(2).unwrap(), 1);
        let pending = j.pending_reversals().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].reason, "98");
        assert_eq!(
            j.by_request_id("r1").unwrap().unwrap().state,
            TxnState::ReversalPending
        );
    }

    #[test]
    fn answer_disarms_and_applies_effects() {
        let (_d, mut j) = journal();
        let Begun::New(sale) = j.begin(&new_txn("s", TxnKind::Sale, 500)).unwrap() else {
            panic!()
        };
        let answer = AnswerFields {
            response_code: "00".into(),
            approved_amount: Some(500),
            rrn: Some("123456789012".into()),
            ..AnswerFields::default()
        };
        j.complete(
            sale.id,
            TxnState::Approved,
            &answer,
            (None, OriginalEffect::None),
            2,
        )
        .unwrap();
        let mut refund = new_txn("f", TxnKind::Refund, 200);
        refund.original_id = Some(sale.id);
        let Begun::New(refund) = j.begin(&refund).unwrap() else {
            panic!()
        };
        j.complete(
            refund.id,
            TxnState::Approved,
            &answer,
            (Some(sale.id), OriginalEffect::Refunded(200)),
            3,
        )
        .unwrap();
        assert_eq!(j.by_id(sale.id).unwrap().unwrap().refunded_amount, 200);
        assert_eq!(j.recover(4).unwrap(), 0);
        assert_eq!(
            j.by_rrn("123456789012", "1121").unwrap().unwrap().id,
            refund.id
        );
    }

    #[test]
    fn reversal_retries_then_parks() {
        let (_d, mut j) = journal();
        let Begun::New(sale) = j.begin(&new_txn("s", TxnKind::Sale, 500)).unwrap() else {
            panic!()
        };
        j.mark_unknown(sale.id, "A0", 2).unwrap();
        assert!(!j.reversal_failed(sale.id, "timeout", 3, 3).unwrap());
        assert!(!j.reversal_failed(sale.id, "timeout", 3, 4).unwrap());
        assert!(j.reversal_failed(sale.id, "timeout", 3, 5).unwrap());
        assert!(j.pending_reversals().unwrap().is_empty());
        assert_eq!(j.parked_reversals().unwrap()[0].reason, "A0");
        j.retry_parked_reversal(sale.id, 6).unwrap();
        j.reversal_done(sale.id, 7).unwrap();
        assert_eq!(j.by_id(sale.id).unwrap().unwrap().state, TxnState::Reversed);
    }

    #[test]
    fn balance_inquiry_has_no_reversal() {
        let (_d, mut j) = journal();
        let Begun::New(b) = j.begin(&new_txn("b", TxnKind::BalanceInquiry, 0)).unwrap() else {
            panic!()
        };
        j.mark_unknown(b.id, "98", 2).unwrap();
        assert!(j.pending_reversals().unwrap().is_empty());
        assert_eq!(j.by_id(b.id).unwrap().unwrap().state, TxnState::NotSent);
    }

    #[test]
    fn trace_wraps_and_batch_is_adopted_only_when_empty() {
        let (_d, mut j) = journal();
        j.set_setting("trace", "999999").unwrap();
        assert_eq!(j.next_management_trace().unwrap(), 1);
        assert!(j.adopt_batch(42, 0).unwrap());
        assert_eq!(j.current_batch().unwrap(), 42);
        j.begin(&new_txn("x", TxnKind::Sale, 1)).unwrap();
        assert!(!j.adopt_batch(43, 0).unwrap());
        assert_eq!(j.current_batch().unwrap(), 42);
    }
}
