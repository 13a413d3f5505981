//! Table `batch`: the open batch, the progress of its upload, and the closed batches with their
//! settlement reports (archived, never deleted).

use super::Cached;
use super::Store;
use crate::error::StorageError;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Adopts a batch number (from sign-in) if the current batch holds no transaction.
    pub fn adopt_batch(&mut self, batch: u32, now: i64) -> Result<bool, StorageError> {
        let current = self.current_batch()?;
        if current == batch || batch == 0 {
            return Ok(false);
        }
        let used: i64 = self
            .conn
            .cached_row(
                "SELECT COUNT(*) FROM txn WHERE batch = ?1",
                [current],
                |r| r.get(0),
            )
            .map_err(StorageError::wrap("count batch"))?;
        if used > 0 {
            return Ok(false);
        }
        let tx = self.transaction("begin batch change")?;
        tx.cached_execute("DELETE FROM batch WHERE number = ?1", [current])
            .map_err(StorageError::wrap("drop empty batch"))?;
        tx.cached_execute(
            "INSERT OR IGNORE INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2)",
            params![batch, now],
        )
        .map_err(StorageError::wrap("open batch"))?;
        tx.cached_execute(
            "UPDATE meta SET value = ?1 WHERE key = 'batch'",
            [batch.to_string()],
        )
        .map_err(StorageError::wrap("set batch"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit batch change"))?;
        Ok(true)
    }

    /// Index of the next record of `batch` to upload (0 before the first).
    pub fn upload_next(&self, batch: u32) -> Result<usize, StorageError> {
        let next: Option<i64> = self
            .conn
            .cached_row(
                "SELECT upload_next FROM batch WHERE number = ?1",
                [batch],
                |r| r.get(0),
            )
            .optional()
            .map_err(StorageError::wrap("read upload progress"))?;
        usize::try_from(next.unwrap_or(0))
            .map_err(|_| StorageError::corrupt("read upload progress", format!("batch {batch:06}")))
    }

    /// Records that the records before `next` are acknowledged.
    pub fn set_upload_next(&self, batch: u32, next: usize) -> Result<(), StorageError> {
        self.conn
            .cached_execute(
                "UPDATE batch SET upload_next = ?2 WHERE number = ?1",
                params![batch, i64::try_from(next).unwrap_or(i64::MAX)],
            )
            .map_err(StorageError::wrap("record upload progress"))?;
        Ok(())
    }

    /// Closes `batch` with its report (JSON) and opens the next batch number, in one
    /// transaction; clears the upload flag. Returns the new batch number.
    pub fn close_batch(
        &mut self,
        batch: u32,
        balanced: bool,
        report_json: &str,
        now: i64,
    ) -> Result<u32, StorageError> {
        let next = if batch >= 999_999 { 1 } else { batch + 1 };
        let tx = self.transaction("begin batch close")?;
        tx.cached_execute(
            "INSERT INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2) \
             ON CONFLICT(number) DO NOTHING",
            params![batch, now],
        )
        .map_err(StorageError::wrap("close batch"))?;
        tx.cached_execute(
            "UPDATE batch SET state = 'closed', closed_at = ?2, result = ?3, report = ?4 \
             WHERE number = ?1",
            params![
                batch,
                now,
                if balanced { "balanced" } else { "uploaded" },
                report_json
            ],
        )
        .map_err(StorageError::wrap("close batch"))?;
        tx.cached_execute(
            "INSERT OR REPLACE INTO batch (number, state, opened_at) VALUES (?1, 'open', ?2)",
            params![next, now],
        )
        .map_err(StorageError::wrap("open next batch"))?;
        tx.cached_execute(
            "UPDATE meta SET value = ?1 WHERE key = 'batch'",
            [next.to_string()],
        )
        .map_err(StorageError::wrap("advance batch"))?;
        tx.cached_execute("DELETE FROM meta WHERE key = 'upload_in_progress'", [])
            .map_err(StorageError::wrap("clear upload flag"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit batch close"))?;
        Ok(next)
    }

    /// The stored report (JSON) of a closed batch.
    pub fn batch_report_json(&self, batch: u32) -> Result<Option<String>, StorageError> {
        Ok(self
            .conn
            .cached_row("SELECT report FROM batch WHERE number = ?1", [batch], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map_err(StorageError::wrap("read batch report"))?
            .flatten())
    }
}
