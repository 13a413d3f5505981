//! Table `meta`: the trace and batch counters and the flags that must survive a restart. Each
//! flag has its own typed method, so the key names live here only.

use super::Cached;
use super::Store;
use crate::error::StorageError;
use rusqlite::{params, OptionalExtension};

/// Batch whose upload is unfinished (no online transaction until it completes).
const UPLOAD_IN_PROGRESS: &str = "upload_in_progress";
/// Set once the first complete startup stored every download.
const DOWNLOADS_DONE: &str = "downloads_done";
/// Local day number of the last settlement (automatic settlement runs once a day).
const LAST_SETTLED_DAY: &str = "last_settled_day";
/// Local day number of the last successful sign-in (a new day means a new sign-in).
const SIGNED_IN_DAY: &str = "signed_in_day";
/// What the host asked for and the terminal has not done yet: `sign_in`, `downloads`.
const HOST_DEMANDS: &str = "host_demands";
/// Check values of the work keys the last sign-in installed: `role:HEX,role:HEX`.
const WORK_KEY_CHECKS: &str = "work_key_checks";

impl Store {
    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32, StorageError> {
        self.counter("batch")
    }

    /// The last trace number used (0 before the first).
    pub fn last_trace(&self) -> Result<u32, StorageError> {
        self.counter("trace")
    }

    /// Allocates the next trace number (1..=999999, wrapping) without a journal row: for
    /// management messages. Durable before it is used.
    pub fn next_management_trace(&mut self) -> Result<u32, StorageError> {
        let tx = self.transaction("begin trace allocation")?;
        let trace = bump_trace(&tx)?;
        tx.commit().map_err(StorageError::wrap("commit trace"))?;
        Ok(trace)
    }

    /// The batch whose upload was started and not finished, if any.
    pub fn upload_in_progress(&self) -> Result<Option<u32>, StorageError> {
        match self.setting(UPLOAD_IN_PROGRESS)? {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => parse(UPLOAD_IN_PROGRESS, &v).map(Some),
        }
    }

    /// Durable before the first upload message: no online transaction until it is cleared
    /// (by closing the batch).
    pub fn set_upload_in_progress(&self, batch: u32) -> Result<(), StorageError> {
        self.set_setting(UPLOAD_IN_PROGRESS, &batch.to_string())
    }

    /// Whether a complete startup stored the downloads once.
    pub fn downloads_done(&self) -> Result<bool, StorageError> {
        Ok(self.setting(DOWNLOADS_DONE)?.as_deref() == Some("1"))
    }

    /// Records that the downloads are stored.
    pub fn set_downloads_done(&self) -> Result<(), StorageError> {
        self.set_setting(DOWNLOADS_DONE, "1")
    }

    /// Local day number of the last settlement.
    pub fn last_settled_day(&self) -> Result<Option<i64>, StorageError> {
        Ok(self.setting(LAST_SETTLED_DAY)?.and_then(|v| v.parse().ok()))
    }

    /// Records the day of a settlement.
    pub fn set_last_settled_day(&self, day: i64) -> Result<(), StorageError> {
        self.set_setting(LAST_SETTLED_DAY, &day.to_string())
    }

    /// Local day number of the last successful sign-in.
    pub fn signed_in_day(&self) -> Result<Option<i64>, StorageError> {
        self.setting(SIGNED_IN_DAY)?
            .map(|v| parse(SIGNED_IN_DAY, &v))
            .transpose()
    }

    /// Records a successful sign-in on `day`.
    pub fn set_signed_in_day(&self, day: i64) -> Result<(), StorageError> {
        self.set_setting(SIGNED_IN_DAY, &day.to_string())
    }

    /// What the host asked for and is not done yet: (sign in, downloads).
    pub fn host_demands(&self) -> Result<(bool, bool), StorageError> {
        let Some(v) = self.setting(HOST_DEMANDS)? else {
            return Ok((false, false));
        };
        let mut demands = (false, false);
        for part in v.split(',').filter(|p| !p.is_empty()) {
            match part {
                "sign_in" => demands.0 = true,
                "downloads" => demands.1 = true,
                other => {
                    return Err(StorageError::corrupt(
                        "read setting",
                        format!("{HOST_DEMANDS} = {other:?}"),
                    ))
                }
            }
        }
        Ok(demands)
    }

    /// Records what the host asked for (durably, before it is acted on: a process that ends
    /// first leaves it to the next).
    pub fn set_host_demands(&self, sign_in: bool, downloads: bool) -> Result<(), StorageError> {
        let v = match (sign_in, downloads) {
            (true, true) => "sign_in,downloads",
            (true, false) => "sign_in",
            (false, true) => "downloads",
            (false, false) => "",
        };
        self.set_setting(HOST_DEMANDS, v)
    }

    /// The check values (role, hex) of the work keys the last sign-in installed, as the host
    /// sent them and the security module verified them. Check values only: never a key.
    pub fn work_key_checks(&self) -> Result<Vec<(String, String)>, StorageError> {
        let Some(v) = self.setting(WORK_KEY_CHECKS)? else {
            return Ok(Vec::new());
        };
        v.split(',')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':') {
                Some((role, kcv)) => Ok((role.to_owned(), kcv.to_owned())),
                None => Err(StorageError::corrupt(
                    "read setting",
                    format!("{WORK_KEY_CHECKS} = {v:?}"),
                )),
            })
            .collect()
    }

    /// Records the check values of the work keys just installed.
    pub fn set_work_key_checks(&self, checks: &[(&str, String)]) -> Result<(), StorageError> {
        let v: Vec<String> = checks.iter().map(|(r, k)| format!("{r}:{k}")).collect();
        self.set_setting(WORK_KEY_CHECKS, &v.join(","))
    }

    fn counter(&self, key: &str) -> Result<u32, StorageError> {
        let v: String = self
            .conn
            .cached_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .map_err(StorageError::wrap("read counter"))?;
        parse(key, &v)
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.conn
            .cached_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(StorageError::wrap("read setting"))
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.conn
            .cached_execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(StorageError::wrap("write setting"))?;
        Ok(())
    }

    /// Test hook: sets the last trace number (wrap-around tests).
    #[cfg(test)]
    pub(crate) fn set_last_trace(&self, trace: u32) -> Result<(), StorageError> {
        self.set_setting("trace", &trace.to_string())
    }
}

/// The next trace number inside `tx`.
pub(super) fn bump_trace(tx: &rusqlite::Transaction<'_>) -> Result<u32, StorageError> {
    let last: u32 = parse(
        "trace",
        &tx.cached_row("SELECT value FROM meta WHERE key = 'trace'", [], |r| {
            r.get::<_, String>(0)
        })
        .map_err(StorageError::wrap("read trace"))?,
    )?;
    let next = if last >= 999_999 { 1 } else { last + 1 };
    tx.cached_execute(
        "UPDATE meta SET value = ?1 WHERE key = 'trace'",
        [next.to_string()],
    )
    .map_err(StorageError::wrap("advance trace"))?;
    Ok(next)
}

/// The current batch inside `tx`.
pub(super) fn batch_in(tx: &rusqlite::Transaction<'_>) -> Result<u32, StorageError> {
    parse(
        "batch",
        &tx.cached_row("SELECT value FROM meta WHERE key = 'batch'", [], |r| {
            r.get::<_, String>(0)
        })
        .map_err(StorageError::wrap("read batch"))?,
    )
}

/// A stored number; anything else is a storage error naming the setting, never a default.
fn parse<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, StorageError> {
    value
        .parse()
        .map_err(|_| StorageError::corrupt("read setting", format!("{key} = {value:?}")))
}
