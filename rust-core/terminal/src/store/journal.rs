//! Table `txn`: one row per card transaction, written before the request is sent.

use super::settings::{batch_in, bump_trace};
use super::Cached;
use super::{to_i64, Store};
use crate::error::StorageError;
use crate::model::{AnswerFields, Begun, NewTxn, OriginalEffect, TxnKind, TxnRecord, TxnState};
use rusqlite::{params, Connection, OptionalExtension, Row};

const TXN_COLUMNS: &str = "id, scope, request_id, fingerprint, kind, state, batch, trace, \
    amount, approved_amount, response_code, rrn, auth_code, settlement_date, card_org, balance, \
    pan_masked, pan_sealed, expiry, entry_mode, psn, icc_data, domestic, original_id, \
    local_date, local_time, request_fields, voided, refunded_amount, completed, created_at, \
    updated_at, order_no, receipt_remark";

/// A column that must hold a non-negative integer (fen, counts).
fn unsigned(r: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(idx)?;
    u64::try_from(v).map_err(|_| corrupt(idx, format!("negative value {v}")))
}

fn corrupt(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, what.into())
}

fn row_to_txn(r: &Row<'_>) -> rusqlite::Result<TxnRecord> {
    let kind: String = r.get(4)?;
    let state: String = r.get(5)?;
    let fields: String = r.get(26)?;
    Ok(TxnRecord {
        id: r.get(0)?,
        scope: r.get(1)?,
        request_id: r.get(2)?,
        fingerprint: r.get(3)?,
        kind: TxnKind::parse(&kind).ok_or_else(|| corrupt(4, format!("unknown kind {kind:?}")))?,
        state: TxnState::parse(&state)
            .ok_or_else(|| corrupt(5, format!("unknown state {state:?}")))?,
        batch: r.get(6)?,
        trace: r.get(7)?,
        amount: unsigned(r, 8)?,
        approved_amount: match r.get::<_, Option<i64>>(9)? {
            None => None,
            Some(_) => Some(unsigned(r, 9)?),
        },
        response_code: r.get(10)?,
        rrn: r.get(11)?,
        auth_code: r.get(12)?,
        settlement_date: r.get(13)?,
        card_org: r.get(14)?,
        balance: r.get(15)?,
        pan_masked: r.get(16)?,
        pan_sealed: r.get(17)?,
        expiry: r.get(18)?,
        entry_mode: r.get(19)?,
        psn: r.get(20)?,
        icc_data: r.get(21)?,
        domestic: r.get::<_, i64>(22)? != 0,
        original_id: r.get(23)?,
        local_date: r.get(24)?,
        local_time: r.get(25)?,
        request_fields: serde_json::from_str(&fields)
            .map_err(|e| corrupt(26, format!("request fields: {e}")))?,
        voided: r.get::<_, i64>(27)? != 0,
        refunded_amount: unsigned(r, 28)?,
        completed: r.get::<_, i64>(29)? != 0,
        created_at: r.get(30)?,
        updated_at: r.get(31)?,
        order_no: r.get(32)?,
        receipt_remark: r.get(33)?,
    })
}

impl Store {
    /// Persists a new request with a fresh trace number, in one transaction. The row in state
    /// `sending` is the armed reversal of a reversible kind: a crash before the answer is
    /// recorded recovers it as a pending reversal ([`Store::recover`]). A known request id
    /// (within its scope) returns its existing row.
    pub fn begin(&mut self, new: &NewTxn) -> Result<Begun, StorageError> {
        let tx = self.transaction("begin request")?;
        if let Some(existing) = find_by(
            &tx,
            "scope = ?1 AND request_id = ?2",
            params![new.scope, new.request_id],
        )? {
            return Ok(Begun::Existing(existing));
        }
        let trace = bump_trace(&tx)?;
        let batch = batch_in(&tx)?;
        let fields = serde_json::to_string(&new.request_fields)
            .map_err(|e| StorageError::corrupt("insert request", e.to_string()))?;
        tx.cached_execute(
            "INSERT INTO txn (scope, request_id, fingerprint, kind, state, batch, trace, amount, \
             pan_masked, pan_sealed, expiry, entry_mode, psn, icc_data, domestic, original_id, \
             local_date, local_time, request_fields, created_at, updated_at, order_no, \
             receipt_remark) \
             VALUES (?18, ?1, ?19, ?2, 'sending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, \
             ?14, ?15, ?16, ?17, ?17, ?20, ?21)",
            params![
                new.request_id,
                new.kind.as_str(),
                batch,
                trace,
                to_i64(new.amount),
                new.pan_masked,
                new.pan_sealed,
                new.expiry,
                new.entry_mode,
                new.psn,
                new.icc_data,
                i64::from(new.domestic),
                new.original_id,
                new.local_date,
                new.local_time,
                fields,
                new.now,
                new.scope,
                new.fingerprint,
                new.order_no,
                new.receipt_remark,
            ],
        )
        .map_err(StorageError::wrap("insert request"))?;
        let id = tx.last_insert_rowid();
        let row = find_by(&tx, "id = ?1", params![id])?
            .ok_or_else(|| StorageError::corrupt("read back request", "the new row is missing"))?;
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
        let tx = self.transaction("begin answer")?;
        tx.cached_execute(
            "UPDATE txn SET state = ?2, response_code = ?3, approved_amount = ?4, rrn = ?5, \
             auth_code = ?6, settlement_date = ?7, card_org = ?8, balance = ?9, updated_at = ?10 \
             WHERE id = ?1",
            params![
                id,
                state.as_str(),
                answer.response_code,
                answer.approved_amount.map(to_i64),
                answer.rrn,
                answer.auth_code,
                answer.settlement_date,
                answer.card_org,
                answer.balance,
                now,
            ],
        )
        .map_err(StorageError::wrap("record answer"))?;
        tx.cached_execute("DELETE FROM reversal WHERE txn_id = ?1", [id])
            .map_err(StorageError::wrap("disarm reversal"))?;
        if let (Some(original), effect) = effect {
            apply_effect(&tx, original, effect, now)?;
        }
        tx.commit().map_err(StorageError::wrap("commit answer"))?;
        Ok(())
    }

    /// Nothing reached the host: the row is closed and the reversal disarmed.
    pub fn mark_not_sent(&mut self, id: i64, now: i64) -> Result<(), StorageError> {
        let tx = self.transaction("begin not-sent")?;
        tx.cached_execute(
            "UPDATE txn SET state = 'not_sent', updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )
        .map_err(StorageError::wrap("mark not sent"))?;
        tx.cached_execute("DELETE FROM reversal WHERE txn_id = ?1", [id])
            .map_err(StorageError::wrap("disarm reversal"))?;
        tx.commit().map_err(StorageError::wrap("commit not-sent"))?;
        Ok(())
    }

    /// No valid answer: a reversible request gets its pending reversal with `reason` (field
    /// 39 of the 0400); a request that moves no money (balance inquiry) is closed as not sent.
    pub fn mark_unknown(&mut self, id: i64, reason: &str, now: i64) -> Result<(), StorageError> {
        let tx = self.transaction("begin unknown")?;
        let kind: String = tx
            .cached_row("SELECT kind FROM txn WHERE id = ?1", [id], |r| r.get(0))
            .map_err(StorageError::wrap("find request"))?;
        let reversible = TxnKind::parse(&kind)
            .ok_or_else(|| StorageError::corrupt("find request", format!("unknown kind {kind:?}")))?
            .reversible();
        let state = if reversible {
            TxnState::ReversalPending
        } else {
            TxnState::NotSent
        };
        tx.cached_execute(
            "UPDATE txn SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, state.as_str(), now],
        )
        .map_err(StorageError::wrap("mark unknown"))?;
        if reversible {
            tx.cached_execute(
                "INSERT INTO reversal (txn_id, state, reason, updated_at) \
                 VALUES (?1, 'pending', ?2, ?3) \
                 ON CONFLICT(txn_id) DO UPDATE SET state = 'pending', reason = excluded.reason, \
                 updated_at = excluded.updated_at",
                params![id, reason, now],
            )
            .map_err(StorageError::wrap("queue reversal"))?;
        }
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
        let json = serde_json::to_string(&payload)
            .map_err(|e| StorageError::corrupt("queue interrupted advice", e.to_string()))?;
        let tx = self.transaction("begin advice recovery")?;
        tx.cached_execute(
            "INSERT INTO saf (txn_id, kind, state, payload, created_at, updated_at) \
             VALUES (?1, 'advice', 'pending', ?2, ?3, ?3)",
            params![row.id, json, now],
        )
        .map_err(StorageError::wrap("queue interrupted advice"))?;
        tx.cached_execute(
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

    /// The row of a request id in `scope`.
    pub fn by_request_id(
        &self,
        scope: &str,
        request_id: &str,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "scope = ?1 AND request_id = ?2",
            params![scope, request_id],
        )
    }

    /// A row by id.
    pub fn by_id(&self, id: i64) -> Result<Option<TxnRecord>, StorageError> {
        find_by(&self.conn, "id = ?1", params![id])
    }

    /// The row of a trace number in a batch, among the rows of `scope` (every scope: `None`).
    pub fn by_trace(
        &self,
        scope: Option<&str>,
        batch: u32,
        trace: u32,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "batch = ?1 AND trace = ?2 AND (?3 IS NULL OR scope = ?3)",
            params![batch, trace, scope],
        )
    }

    /// The newest row with this RRN and local date (any batch), among the rows of `scope`.
    pub fn by_rrn(
        &self,
        scope: Option<&str>,
        rrn: &str,
        date: &str,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "rrn = ?1 AND local_date = ?2 AND (?3 IS NULL OR scope = ?3) ORDER BY id DESC",
            params![rrn, date, scope],
        )
    }

    /// The approved pre-authorisation with this auth code and date, among the rows of `scope`.
    pub fn preauth_by_auth_code(
        &self,
        scope: Option<&str>,
        auth_code: &str,
        date: &str,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "kind = 'preauth' AND state = 'approved' AND auth_code = ?1 AND local_date = ?2 \
             AND (?3 IS NULL OR scope = ?3) ORDER BY id DESC",
            params![auth_code, date, scope],
        )
    }

    /// The newest row with a merchant app's order number in its scope.
    pub fn by_order_no(
        &self,
        scope: &str,
        order_no: &str,
    ) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "scope = ?1 AND order_no = ?2 ORDER BY id DESC",
            params![scope, order_no],
        )
    }

    /// The last row written (of `scope`; of any scope: `None`).
    pub fn last(&self, scope: Option<&str>) -> Result<Option<TxnRecord>, StorageError> {
        find_by(
            &self.conn,
            "(?1 IS NULL OR scope = ?1) ORDER BY id DESC",
            params![scope],
        )
    }

    /// Rows of a batch, in trace order of creation.
    pub fn batch_rows(&self, batch: u32) -> Result<Vec<TxnRecord>, StorageError> {
        self.rows("batch = ?1 ORDER BY id", params![batch])
    }

    /// Every row of a batch, whatever its kind and state: an upper bound of
    /// [`Store::batch_settlement_count`] that SQLite counts from the `(batch, trace)` index
    /// alone, without reading a row.
    pub fn batch_row_count(&self, batch: u32) -> Result<u32, StorageError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM txn WHERE batch = ?1")
            .and_then(|mut s| s.query_row([batch], |r| r.get::<_, i64>(0)))
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(StorageError::wrap("count batch rows"))
    }

    /// Rows of a batch that take (or, in flight, may take) a place in its settlement totals:
    /// what the batch limit counts. It reads every row of the batch: ask
    /// [`Store::batch_row_count`] first.
    pub fn batch_settlement_count(&self, batch: u32) -> Result<u32, StorageError> {
        let kinds: Vec<String> = crate::model::ALL_KINDS
            .iter()
            .filter(|k| k.settlement_side().is_some())
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        let sql = format!(
            "SELECT COUNT(*) FROM txn WHERE batch = ?1 AND kind IN ({}) \
             AND state IN ('approved', 'advice_pending', 'sending')",
            kinds.join(", ")
        );
        self.conn
            .cached_row(&sql, [batch], |r| r.get::<_, i64>(0))
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(StorageError::wrap("count batch transactions"))
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
            .prepare_cached(&sql)
            .map_err(StorageError::wrap("list transactions"))?;
        let rows = stmt
            .query_map(args, row_to_txn)
            .map_err(StorageError::wrap("list transactions"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list transactions"))
    }
}

fn find_by(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Option<TxnRecord>, StorageError> {
    let sql = format!("SELECT {TXN_COLUMNS} FROM txn WHERE {filter} LIMIT 1");
    conn.cached_row(&sql, args, row_to_txn)
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
        tx.cached_execute(sql, p)
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
            &[&original, &to_i64(amount), &now],
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
    use std::collections::BTreeMap;

    fn new_txn(request_id: &str, kind: TxnKind, amount: u64) -> NewTxn {
        NewTxn {
            scope: String::new(),
            request_id: request_id.into(),
            fingerprint: format!("{}:{amount}", kind.as_str()),
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
            order_no: None,
            receipt_remark: None,
        }
    }

    fn journal() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let j = Store::open(&dir.path().join("j.db")).unwrap();
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
            j.by_request_id("", "r1").unwrap().unwrap().state,
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
            j.by_rrn(None, "123456789012", "1121").unwrap().unwrap().id,
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
        j.set_last_trace(999_999).unwrap();
        assert_eq!(j.next_management_trace().unwrap(), 1);
        assert!(j.adopt_batch(42, 0).unwrap());
        assert_eq!(j.current_batch().unwrap(), 42);
        j.begin(&new_txn("x", TxnKind::Sale, 1)).unwrap();
        assert!(!j.adopt_batch(43, 0).unwrap());
        assert_eq!(j.current_batch().unwrap(), 42);
    }
}
