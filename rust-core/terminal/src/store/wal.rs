//! What the journal costs the terminal's flash: every commit in WAL mode with
//! `synchronous=FULL` is one fsync of the WAL file, and every page it changed is one WAL frame
//! (a frame header plus the page). The sale benchmark and the storage tests read these
//! counters; a change that adds a page or a commit to a sale shows up there
//! (docs/performance.md §3).
//!
//! SQLite's own automatic checkpoint is a WAL hook too, and registering a hook replaces it, so
//! this one also checkpoints, as the default would, once the WAL holds
//! [`AUTO_CHECKPOINT_FRAMES`] frames.

use rusqlite::wal::CheckpointMode;
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::StorageError;

/// SQLite's default `wal_autocheckpoint`, kept.
pub(crate) const AUTO_CHECKPOINT_FRAMES: i32 = 1000;

/// Commits and WAL frames written since the database was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalStats {
    /// Committed write transactions: with `synchronous=FULL`, one WAL fsync each.
    pub commits: u64,
    /// WAL frames appended (one page each).
    pub frames: u64,
}

impl WalStats {
    /// What happened between `earlier` and `self`.
    #[must_use]
    pub fn since(self, earlier: WalStats) -> WalStats {
        WalStats {
            commits: self.commits.saturating_sub(earlier.commits),
            frames: self.frames.saturating_sub(earlier.frames),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct WalCounters {
    commits: AtomicU64,
    frames: AtomicU64,
    /// Frames in the WAL after the last commit, to turn SQLite's running total into a delta.
    in_wal: AtomicU64,
}

impl WalCounters {
    pub(crate) fn stats(&self) -> WalStats {
        WalStats {
            commits: self.commits.load(Ordering::Relaxed),
            frames: self.frames.load(Ordering::Relaxed),
        }
    }

    /// After a checkpoint that copied every frame, the next commit writes the WAL from its
    /// start; with a reader in the way it appends instead and is counted high, never low.
    fn checkpointed(&self, log: i32, copied: i32) {
        let left = if log == copied { 0 } else { log };
        self.in_wal
            .store(u64::try_from(left).unwrap_or(0), Ordering::Relaxed);
    }

    /// SQLite reports the WAL's size in frames after each commit. A smaller figure than the
    /// last means the WAL was reset after a checkpoint and this commit wrote from its start.
    fn record(&self, in_wal_now: u64) {
        let before = self.in_wal.swap(in_wal_now, Ordering::Relaxed);
        let added = if in_wal_now >= before {
            in_wal_now - before
        } else {
            in_wal_now
        };
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.frames.fetch_add(added, Ordering::Relaxed);
    }
}

/// Counts commits and frames of `conn` and checkpoints as SQLite's default would.
pub(crate) fn watch(conn: &mut Connection) -> Result<Arc<WalCounters>, StorageError> {
    let counters = Arc::new(WalCounters::default());
    // What the WAL already holds (the migrations', or a previous run's) is not ours to count.
    let (log, copied): (i32, i32) = conn
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(1)?, r.get(2)?))
        })
        .map_err(StorageError::wrap("checkpoint the WAL"))?;
    counters.checkpointed(log, copied);
    let hook = Arc::clone(&counters);
    conn.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: i32| {
        hook.record(u64::try_from(pages).unwrap_or(0));
        if pages >= AUTO_CHECKPOINT_FRAMES {
            // Passive: never waits for a reader; what it cannot copy now, a later one will.
            let (log, copied) = wal.checkpoint_v2(CheckpointMode::PASSIVE)?;
            hook.checkpointed(log, copied);
        }
        Ok(())
    }))
    .map_err(StorageError::wrap("watch the WAL"))?;
    Ok(counters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wal_db() -> (tempfile::TempDir, Connection, Arc<WalCounters>) {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("t.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        let counters = watch(&mut conn).unwrap();
        (dir, conn, counters)
    }

    #[test]
    fn one_commit_of_one_small_row_is_one_frame() {
        let (_d, conn, c) = wal_db();
        conn.execute("INSERT INTO t VALUES (x'00')", []).unwrap();
        assert_eq!(
            c.stats(),
            WalStats {
                commits: 1,
                frames: 1
            }
        );
        conn.execute("INSERT INTO t VALUES (x'01')", []).unwrap();
        assert_eq!(
            c.stats(),
            WalStats {
                commits: 2,
                frames: 2
            }
        );
    }

    #[test]
    fn the_wal_is_checkpointed_and_restarted_as_sqlite_would() {
        let (_d, conn, c) = wal_db();
        // Each row fills about a page: the WAL passes the checkpoint mark and starts again.
        for _ in 0..1100 {
            conn.execute("INSERT INTO t VALUES (zeroblob(3000))", [])
                .unwrap();
        }
        let s = c.stats();
        assert_eq!(s.commits, 1100);
        assert!(s.frames >= 1100, "{s:?}");
        let wal_frames: i64 = conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap();
        assert!(
            wal_frames < 1000,
            "the WAL restarted after a checkpoint: {wal_frames}"
        );
    }
}
