//! Table `operator`: accounts with their password hash (an Argon2id PHC string, never the
//! password), the lock after wrong passwords and who is signed in. Every change is committed
//! before the caller learns its result, so a lock survives a restart.

use super::Store;
use crate::error::StorageError;
use crate::model::OperatorRole;
use rusqlite::{params, OptionalExtension, Row};

/// An account as stored (the hash stays inside the engine).
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorRow {
    /// Two digits.
    pub number: String,
    /// Supervisor or operator.
    pub role: OperatorRole,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The password must be changed before the account is used.
    pub must_change: bool,
    /// Consecutive wrong passwords.
    pub failed_attempts: u32,
    /// Locked until (ms), when locked.
    pub locked_until: Option<i64>,
    /// Signed in now.
    pub signed_in: bool,
}

impl std::fmt::Debug for OperatorRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorRow")
            .field("number", &self.number)
            .field("role", &self.role)
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .field("signed_in", &self.signed_in)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "number, role, password_hash, must_change, failed_attempts, locked_until, signed_in";

fn read(r: &Row<'_>) -> rusqlite::Result<(OperatorRow, String)> {
    let role: String = r.get(1)?;
    Ok((
        OperatorRow {
            number: r.get(0)?,
            role: OperatorRole::Operator,
            password_hash: r.get(2)?,
            must_change: r.get::<_, i64>(3)? != 0,
            failed_attempts: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(u32::MAX),
            locked_until: r.get(5)?,
            signed_in: r.get::<_, i64>(6)? != 0,
        },
        role,
    ))
}

/// The role column read back; anything else is corruption, never a default.
fn with_role((mut row, role): (OperatorRow, String)) -> Result<OperatorRow, StorageError> {
    row.role = OperatorRole::parse(&role)
        .ok_or_else(|| StorageError::corrupt("read operator", format!("role = {role:?}")))?;
    Ok(row)
}

impl Store {
    /// One account.
    pub fn operator(&self, number: &str) -> Result<Option<OperatorRow>, StorageError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM operator WHERE number = ?1"),
                [number],
                read,
            )
            .optional()
            .map_err(StorageError::wrap("read operator"))?
            .map(with_role)
            .transpose()
    }

    /// Every account, by number.
    pub fn operators(&self) -> Result<Vec<OperatorRow>, StorageError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM operator ORDER BY number"))
            .map_err(StorageError::wrap("list operators"))?;
        let rows = stmt
            .query_map([], read)
            .map_err(StorageError::wrap("list operators"))?;
        rows.map(|r| {
            r.map_err(StorageError::wrap("list operators"))
                .and_then(with_role)
        })
        .collect()
    }

    /// Creates an account; `false` when the number is taken (nothing changed).
    pub fn add_operator(
        &mut self,
        number: &str,
        role: OperatorRole,
        password_hash: &str,
        must_change: bool,
        now: i64,
    ) -> Result<bool, StorageError> {
        let added = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO operator (number, role, password_hash, must_change, \
                 created_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![number, role.as_str(), password_hash, must_change, now],
            )
            .map_err(StorageError::wrap("add operator"))?;
        Ok(added == 1)
    }

    /// Deletes an account; `false` if there was none.
    pub fn delete_operator(&mut self, number: &str) -> Result<bool, StorageError> {
        let n = self
            .conn
            .execute("DELETE FROM operator WHERE number = ?1", [number])
            .map_err(StorageError::wrap("delete operator"))?;
        Ok(n == 1)
    }

    /// A new password hash; the lock and the wrong-password count are cleared.
    pub fn set_operator_password(
        &mut self,
        number: &str,
        password_hash: &str,
        must_change: bool,
        now: i64,
    ) -> Result<(), StorageError> {
        self.conn
            .execute(
                "UPDATE operator SET password_hash = ?2, must_change = ?3, failed_attempts = 0, \
                 locked_until = NULL, changed_at = ?4 WHERE number = ?1",
                params![number, password_hash, must_change, now],
            )
            .map_err(StorageError::wrap("change operator password"))?;
        Ok(())
    }

    /// Records a wrong password: the new count, and the lock when it reached the limit.
    pub fn operator_password_failed(
        &mut self,
        number: &str,
        failed_attempts: u32,
        locked_until: Option<i64>,
    ) -> Result<(), StorageError> {
        self.conn
            .execute(
                "UPDATE operator SET failed_attempts = ?2, locked_until = ?3 WHERE number = ?1",
                params![number, failed_attempts, locked_until],
            )
            .map_err(StorageError::wrap("record wrong password"))?;
        Ok(())
    }

    /// A right password: the count and any expired lock are cleared.
    pub fn operator_password_ok(&mut self, number: &str) -> Result<(), StorageError> {
        self.conn
            .execute(
                "UPDATE operator SET failed_attempts = 0, locked_until = NULL WHERE number = ?1",
                [number],
            )
            .map_err(StorageError::wrap("clear wrong passwords"))?;
        Ok(())
    }

    /// Who is signed in now, if anyone.
    pub fn signed_in_operator(&self) -> Result<Option<String>, StorageError> {
        self.conn
            .query_row("SELECT number FROM operator WHERE signed_in = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(StorageError::wrap("read signed-in operator"))
    }

    /// Signs `number` in (anyone else out), or everyone out with `None`, in one transaction.
    pub fn set_signed_in_operator(&mut self, number: Option<&str>) -> Result<(), StorageError> {
        let tx = self.transaction("begin operator sign-in")?;
        tx.execute("UPDATE operator SET signed_in = 0 WHERE signed_in = 1", [])
            .map_err(StorageError::wrap("sign operator out"))?;
        if let Some(n) = number {
            tx.execute("UPDATE operator SET signed_in = 1 WHERE number = ?1", [n])
                .map_err(StorageError::wrap("sign operator in"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit operator sign-in"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn accounts_round_trip_and_numbers_are_unique() {
        let (_d, mut s) = store();
        assert!(s
            .add_operator("00", OperatorRole::Supervisor, "$h0", true, 1)
            .unwrap());
        assert!(s
            .add_operator("01", OperatorRole::Operator, "$h1", false, 2)
            .unwrap());
        assert!(!s
            .add_operator("01", OperatorRole::Operator, "$other", false, 3)
            .unwrap());
        let all = s.operators().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].role, OperatorRole::Supervisor);
        assert!(all[0].must_change);
        assert_eq!(s.operator("01").unwrap().unwrap().password_hash, "$h1");
        assert!(s.operator("02").unwrap().is_none());
    }

    #[test]
    fn lock_and_password_change_clear_each_other() {
        let (_d, mut s) = store();
        s.add_operator("01", OperatorRole::Operator, "$h", false, 1)
            .unwrap();
        s.operator_password_failed("01", 3, Some(99)).unwrap();
        let row = s.operator("01").unwrap().unwrap();
        assert_eq!((row.failed_attempts, row.locked_until), (3, Some(99)));
        s.set_operator_password("01", "$new", false, 5).unwrap();
        let row = s.operator("01").unwrap().unwrap();
        assert_eq!((row.failed_attempts, row.locked_until), (0, None));
        assert_eq!(row.password_hash, "$new");
    }

    #[test]
    fn one_operator_signed_in_at_a_time() {
        let (_d, mut s) = store();
        for n in ["01", "02"] {
            s.add_operator(n, OperatorRole::Operator, "$h", false, 1)
                .unwrap();
        }
        s.set_signed_in_operator(Some("01")).unwrap();
        s.set_signed_in_operator(Some("02")).unwrap();
        assert_eq!(s.signed_in_operator().unwrap().as_deref(), Some("02"));
        assert!(!s.operator("01").unwrap().unwrap().signed_in);
        s.set_signed_in_operator(None).unwrap();
        assert_eq!(s.signed_in_operator().unwrap(), None);
        assert!(s.delete_operator("02").unwrap());
        assert!(!s.delete_operator("02").unwrap());
    }
}
