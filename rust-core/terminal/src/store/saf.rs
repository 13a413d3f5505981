//! Table `saf`: store-and-forward messages (completion advices, TC uploads), queued durably
//! and never dropped: an undelivered message stays pending.

use super::Cached;
use super::Store;
use crate::error::StorageError;
use crate::model::SafEntry;
use rusqlite::params;
use std::collections::BTreeMap;

impl Store {
    /// Pending store-and-forward messages, in the order they were queued.
    pub(crate) fn saf_pending(&self) -> Result<Vec<SafEntry>, StorageError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, txn_id, kind, attempts, payload FROM saf WHERE state = 'pending' \
                 ORDER BY id",
            )
            .map_err(StorageError::wrap("list advices"))?;
        let rows = stmt
            .query_map([], |r| {
                let payload: String = r.get(4)?;
                Ok(SafEntry {
                    id: r.get(0)?,
                    txn_id: r.get(1)?,
                    kind: r.get(2)?,
                    attempts: u32::try_from(r.get::<_, i64>(3)?).map_err(|_| {
                        rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Integer,
                            "advice attempts out of range".into(),
                        )
                    })?,
                    payload: serde_json::from_str(&payload).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            4,
                            rusqlite::types::Type::Text,
                            format!("advice payload: {e}").into(),
                        )
                    })?,
                })
            })
            .map_err(StorageError::wrap("list advices"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list advices"))
    }

    /// Queues a store-and-forward message (durably).
    pub fn saf_enqueue(
        &self,
        txn_id: Option<i64>,
        kind: &str,
        payload: &BTreeMap<u8, String>,
        now: i64,
    ) -> Result<(), StorageError> {
        let json = serde_json::to_string(payload)
            .map_err(|e| StorageError::corrupt("queue advice", e.to_string()))?;
        self.conn
            .cached_execute(
                "INSERT INTO saf (txn_id, kind, state, payload, created_at, updated_at) \
                 VALUES (?1, ?2, 'pending', ?3, ?4, ?4)",
                params![txn_id, kind, json, now],
            )
            .map_err(StorageError::wrap("queue advice"))?;
        Ok(())
    }

    /// The host acknowledged message `id`; for a completion advice (`approved_txn`) its
    /// transaction becomes approved, with the host's reference number when the answer carries
    /// one, in the same transaction.
    pub fn saf_delivered(
        &mut self,
        id: i64,
        approved_txn: Option<(i64, Option<&str>)>,
        now: i64,
    ) -> Result<(), StorageError> {
        let tx = self.transaction("begin advice delivery")?;
        tx.cached_execute(
            "UPDATE saf SET state = 'done', updated_at = ?2, last_error = NULL WHERE id = ?1",
            params![id, now],
        )
        .map_err(StorageError::wrap("update advice"))?;
        if let Some((txn_id, rrn)) = approved_txn {
            tx.cached_execute(
                "UPDATE txn SET state = 'approved', response_code = '00', \
                 rrn = COALESCE(?2, rrn), updated_at = ?3 WHERE id = ?1",
                params![txn_id, rrn, now],
            )
            .map_err(StorageError::wrap("record advice answer"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit advice delivery"))
    }

    /// An attempt to deliver message `id` failed; it stays queued.
    pub fn saf_failed(&self, id: i64, error: &str, now: i64) -> Result<(), StorageError> {
        self.conn
            .cached_execute(
                "UPDATE saf SET attempts = attempts + 1, updated_at = ?2, last_error = ?3 \
                 WHERE id = ?1",
                params![id, now, error],
            )
            .map_err(StorageError::wrap("update advice"))?;
        Ok(())
    }
}
