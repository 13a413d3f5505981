//! Table `reversal`: one record per lost answer, pending until the host acknowledges the 0400,
//! parked after the retry limit for manual handling. (A request in flight is armed by its own
//! journal row in state `sending`.)

use super::Cached;
use super::Store;
use crate::error::StorageError;
use crate::model::ReversalRecord;
use rusqlite::params;

impl Store {
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
            .prepare_cached(&sql)
            .map_err(StorageError::wrap("list reversals"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReversalRecord {
                    txn_id: r.get(0)?,
                    state: r.get(1)?,
                    reason: r.get(2)?,
                    attempts: u32::try_from(r.get::<_, i64>(3)?).map_err(|_| {
                        rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Integer,
                            "reversal attempts out of range".into(),
                        )
                    })?,
                    last_error: r.get(4)?,
                })
            })
            .map_err(StorageError::wrap("list reversals"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list reversals"))
    }

    /// The host acknowledged the reversal: the transaction is reversed.
    pub fn reversal_done(&mut self, txn_id: i64, now: i64) -> Result<(), StorageError> {
        let tx = self.transaction("begin reversal done")?;
        tx.cached_execute("DELETE FROM reversal WHERE txn_id = ?1", [txn_id])
            .map_err(StorageError::wrap("clear reversal"))?;
        tx.cached_execute(
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
        let tx = self.transaction("begin reversal failure")?;
        let attempts: i64 = tx
            .cached_row(
                "UPDATE reversal SET attempts = attempts + 1, last_error = ?2, updated_at = ?3 \
                 WHERE txn_id = ?1 RETURNING attempts",
                params![txn_id, error, now],
                |r| r.get(0),
            )
            .map_err(StorageError::wrap("count reversal attempt"))?;
        let parked = u32::try_from(attempts).unwrap_or(u32::MAX) >= max_attempts;
        if parked {
            tx.cached_execute(
                "UPDATE reversal SET state = 'parked' WHERE txn_id = ?1",
                [txn_id],
            )
            .map_err(StorageError::wrap("park reversal"))?;
            tx.cached_execute(
                "UPDATE txn SET state = 'reversal_parked', updated_at = ?2 WHERE id = ?1",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("park transaction"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit reversal failure"))?;
        Ok(parked)
    }

    /// Puts a parked reversal back in the queue (manual handling decided to retry), in one
    /// transaction. Returns whether it was parked.
    pub fn retry_parked_reversal(&mut self, txn_id: i64, now: i64) -> Result<bool, StorageError> {
        let tx = self.transaction("begin reversal retry")?;
        let changed = tx
            .cached_execute(
                "UPDATE reversal SET state = 'pending', attempts = 0, updated_at = ?2 \
                 WHERE txn_id = ?1 AND state = 'parked'",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("requeue reversal"))?;
        if changed > 0 {
            tx.cached_execute(
                "UPDATE txn SET state = 'reversal_pending', updated_at = ?2 WHERE id = ?1",
                params![txn_id, now],
            )
            .map_err(StorageError::wrap("requeue reversal"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit reversal retry"))?;
        Ok(changed > 0)
    }
}
