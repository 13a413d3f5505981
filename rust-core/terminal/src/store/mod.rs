//! The terminal database: one SQLite file (WAL, `synchronous=FULL`) and the only module that
//! holds SQL. Every other module asks it typed questions; no connection handle leaves it.
//!
//! Persist, then send (ARCHITECTURE.md decision 2): a financial request gets its row, its trace
//! number and its armed reversal record in one transaction before a byte goes out; the answer
//! updates the row and disarms the reversal in one transaction. Whatever a crash interrupts is
//! found again by [`Store::recover`] at the next start.
//!
//! Card data kept for later (voids, batch upload, reversals) is the masked PAN plus the PAN
//! sealed by the [`crate::vault::Vault`]; track data and PIN blocks are never stored.
//!
//! | file | tables |
//! |---|---|
//! | `settings.rs` | `meta`: trace and batch counters, flags that must survive a restart |
//! | `journal.rs` | `txn`: card transactions |
//! | `reversals.rs` | `reversal`: the reversal queue |
//! | `saf.rs` | `saf`: store-and-forward (completion advices, TC uploads) |
//! | `batches.rs` | `batch`: open batch, upload progress, closed batches and their reports |
//! | `downloads.rs` | `download`: parameters, CA public keys, AIDs |
//! | `qr.rs` | `qr_order`, `qr_refund`: QR attempts and refunds |
//! | `operators.rs` | `operator`: operators, the supervisor, password hashes, locks, who is signed in |
//! | `schema.rs` | the versioned migrations |
//! | `wal.rs` | what the journal writes: commits (fsyncs) and WAL frames |

mod batches;
mod downloads;
mod journal;
mod operators;
mod qr;
mod reversals;
mod saf;
mod schema;
mod settings;
mod wal;

pub use operators::OperatorRow;
pub use qr::RefundRefusal;
pub use schema::SCHEMA_VERSION;
pub use wal::WalStats;

use crate::error::{EngineError, StorageError};
use rusqlite::{Connection, OpenFlags};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// The database of one terminal.
pub struct Store {
    conn: Connection,
    wal: std::sync::Arc<wal::WalCounters>,
    /// The exclusive lock of the owner (`None` for a read-only view). Held as long as the
    /// store lives; the kernel releases it when the process dies, however it dies.
    _owner: Option<File>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// The lock file of a database: `<db>.lock` beside it.
fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

impl Store {
    /// Opens (or creates) the database at `path` as its one owner: takes the exclusive lock
    /// first (before any recovery or migration), then WAL, `synchronous=FULL`, migrations. A
    /// second owner, in this process or another, gets [`EngineError::TerminalBusy`] and
    /// changes nothing.
    pub fn open(path: &Path) -> Result<Store, EngineError> {
        let lock = lock_path(path);
        let owner = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|e| EngineError::Config(format!("cannot open {}: {e}", lock.display())))?;
        match owner.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(EngineError::TerminalBusy(path.display().to_string()))
            }
            Err(TryLockError::Error(e)) => {
                return Err(EngineError::Config(format!(
                    "cannot lock {}: {e}",
                    lock.display()
                )))
            }
        }
        let mut store = Store::connect(path)?;
        store._owner = Some(owner);
        Ok(store)
    }

    /// A read-only view of the database (queries, the journal, reports), for a process that
    /// does not own the terminal: no lock, no migration, no recovery, and SQLite refuses any
    /// write. The database must exist at the current schema.
    pub fn open_read_only(path: &Path) -> Result<Store, StorageError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(StorageError::wrap("open database read-only"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StorageError::wrap("set busy timeout"))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(StorageError::wrap("read schema version"))?;
        if usize::try_from(version).ok() != Some(SCHEMA_VERSION) {
            return Err(StorageError::corrupt(
                "open database read-only",
                format!(
                    "schema version {version}, this build reads {SCHEMA_VERSION}: open it once \
                     as the terminal first"
                ),
            ));
        }
        Ok(Store {
            conn,
            wal: Default::default(),
            _owner: None,
        })
    }

    fn connect(path: &Path) -> Result<Store, StorageError> {
        let mut conn = Connection::open(path).map_err(StorageError::wrap("open database"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(StorageError::wrap("enable WAL"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(StorageError::wrap("set synchronous=FULL"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StorageError::wrap("set busy timeout"))?;
        schema::migrate(&mut conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(StorageError::wrap("enable foreign keys"))?;
        let wal = wal::watch(&mut conn)?;
        // A sale runs some twenty distinct statements; keep them all prepared.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Store {
            conn,
            wal,
            _owner: None,
        })
    }

    /// Commits and WAL frames since this store was opened (none for a read-only view).
    pub fn wal_stats(&self) -> WalStats {
        self.wal.stats()
    }

    /// Starts a transaction; `what` names it in errors.
    fn transaction(
        &mut self,
        what: &'static str,
    ) -> Result<rusqlite::Transaction<'_>, StorageError> {
        self.conn.transaction().map_err(StorageError::wrap(what))
    }
}

/// `query_row` and `execute` through the connection's statement cache: a sale runs the same
/// statements each time, and preparing them again cost a fifth of its CPU time (perf, in
/// docs/performance.md §3).
trait Cached {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;

    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

/// Fen and counters are stored as SQLite integers (`i64`).
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A sum SQLite computed over non-negative columns.
fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
