//! Table `download`: terminal parameters, CA public keys and AIDs from the startup downloads.

use super::Cached;
use super::Store;
use crate::error::StorageError;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Stores a downloaded item (AID, CA key, parameter) replacing an older copy.
    pub fn store_download(&self, kind: &str, id: &str, data: &[u8]) -> Result<(), StorageError> {
        self.conn
            .cached_execute(
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
            .cached_row(
                "SELECT COUNT(*) FROM download WHERE kind = ?1",
                [kind],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(StorageError::wrap("count downloads"))
    }

    /// A stored download item.
    pub fn download(&self, kind: &str, id: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.conn
            .cached_row(
                "SELECT data FROM download WHERE kind = ?1 AND id = ?2",
                params![kind, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(StorageError::wrap("read download"))
    }

    /// Every stored item of a kind, by id.
    pub fn downloads(&self, kind: &str) -> Result<Vec<Vec<u8>>, StorageError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM download WHERE kind = ?1 ORDER BY id")
            .map_err(StorageError::wrap("list downloads"))?;
        let rows = stmt
            .query_map([kind], |r| r.get(0))
            .map_err(StorageError::wrap("list downloads"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StorageError::wrap("list downloads"))
    }
}
