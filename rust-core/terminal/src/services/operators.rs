//! Operators and the supervisor: sign-in, the supervisor's authorisation of guarded operations,
//! wrong-password locks, password changes and operator management (UnionPay terminals: the
//! supervisor is operator 00).
//!
//! * Passwords are stored only as Argon2id hashes (PHC strings, 16-byte salts from the OS) and
//!   never logged, returned or kept: callers pass them in `Zeroizing` buffers.
//! * [`LOCK_AFTER`] consecutive wrong passwords lock an account for [`LOCK_MS`], durably (the
//!   count and the lock are committed before the refusal is returned), by the injectable clock.
//! * The factory supervisor password must be changed before it authorises anything.
//! * A [`SupervisorGrant`] is a random token the engine keeps in memory: bound to one action,
//!   short-lived, single use for a transaction, reusable for a management session.

use crate::context::Ctx;
use crate::error::{EngineError, OperatorError};
use crate::model::{
    GuardedAction, OperatorInfo, OperatorRole, SupervisorGrant, FACTORY_SUPERVISOR_PASSWORD,
    SUPERVISOR,
};
use crate::store::OperatorRow;
use crate::validate;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashMap;
use unipos_crypto::random::{OsRandom, RandomSource};

/// Consecutive wrong passwords that lock an account.
pub(crate) const LOCK_AFTER: u32 = 3;
/// How long a lock lasts: 10 minutes.
pub(crate) const LOCK_MS: i64 = 10 * 60 * 1000;
/// A grant for one transaction lasts 2 minutes (the cashier is at the confirmation screen).
pub(crate) const GRANT_MS: i64 = 2 * 60 * 1000;
/// A management grant (operators, settings) lasts 5 minutes.
pub(crate) const SESSION_GRANT_MS: i64 = 5 * 60 * 1000;

/// What a cashier entry point needs before it runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Need<'a> {
    /// A signed-in operator.
    Operator,
    /// A signed-in operator and the supervisor's grant for `action` (consumed unless the
    /// action is a session).
    Supervised(GuardedAction, &'a str),
    /// The supervisor's grant only (management: the terminal may have no operator yet).
    Supervisor(GuardedAction, &'a str),
}

struct Grant {
    action: GuardedAction,
    expires_at: i64,
}

/// The operators service: the grants handed out (in memory: a restart forgets them).
#[derive(Default)]
pub(crate) struct Operators {
    grants: HashMap<String, Grant>,
}

fn hash(password: &str) -> Result<String, EngineError> {
    let mut salt = [0u8; 16];
    OsRandom.fill(&mut salt)?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| EngineError::Protocol(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Protocol(format!("password hash: {e}")))
}

fn matches(password: &str, stored: &str) -> Result<bool, EngineError> {
    let parsed = PasswordHash::new(stored).map_err(|e| {
        EngineError::Storage(crate::error::StorageError::corrupt(
            "read operator",
            format!("password hash: {e}"),
        ))
    })?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

fn info(row: &OperatorRow, now: i64) -> OperatorInfo {
    OperatorInfo {
        number: row.number.clone(),
        role: row.role,
        must_change_password: row.must_change,
        locked_until: row.locked_until.filter(|&t| t > now),
        signed_in: row.signed_in,
    }
}

fn refused(why: impl Into<String>) -> EngineError {
    OperatorError::Refused(why.into()).into()
}

impl Operators {
    /// At open: the factory supervisor account when there is none yet, and the signed-in
    /// operator's code for field 63 and receipts.
    pub(crate) fn restore(ctx: &mut Ctx) -> Result<Operators, EngineError> {
        if ctx.store.operator(SUPERVISOR)?.is_none() {
            let h = hash(FACTORY_SUPERVISOR_PASSWORD)?;
            let now = ctx.now();
            ctx.store
                .add_operator(SUPERVISOR, OperatorRole::Supervisor, &h, true, now)?;
            log::info!("supervisor account created with the factory password (change it)");
        }
        ctx.operator = ctx.store.signed_in_operator()?;
        Ok(Operators::default())
    }

    /// Checks `password` for `number`, keeping the lock rules. The right password of a locked
    /// account is refused too.
    fn verify(ctx: &mut Ctx, number: &str, password: &str) -> Result<OperatorRow, EngineError> {
        let row = ctx
            .store
            .operator(number)?
            .ok_or_else(|| OperatorError::UnknownOperator(number.to_owned()))?;
        let now = ctx.now();
        if let Some(until) = row.locked_until.filter(|&t| t > now) {
            return Err(locked(number, until, now));
        }
        if matches(password, &row.password_hash)? {
            if row.failed_attempts > 0 || row.locked_until.is_some() {
                ctx.store.operator_password_ok(number)?;
            }
            return Ok(row);
        }
        // An expired lock starts a new count.
        let before = if row.locked_until.is_some() {
            0
        } else {
            row.failed_attempts
        };
        let failed = before.saturating_add(1);
        if failed >= LOCK_AFTER {
            let until = now + LOCK_MS;
            ctx.store
                .operator_password_failed(number, failed, Some(until))?;
            log::warn!("operator {number} locked after {failed} wrong passwords");
            return Err(locked(number, until, now));
        }
        ctx.store.operator_password_failed(number, failed, None)?;
        Err(OperatorError::WrongPassword {
            number: number.to_owned(),
            attempts_left: LOCK_AFTER - failed,
        }
        .into())
    }

    /// Operator sign-in (操作员签到): the number and password of an operator (not the
    /// supervisor, who authorises but does not transact).
    pub(crate) fn sign_in(
        ctx: &mut Ctx,
        number: &str,
        password: &str,
    ) -> Result<OperatorInfo, EngineError> {
        validate::operator_number("operator", number)?;
        if number == SUPERVISOR {
            return Err(refused(
                "operator: the supervisor (00) authorises but does not transact; sign in with \
                 an operator number 01-99",
            ));
        }
        let row = Self::verify(ctx, number, password)?;
        if row.must_change {
            return Err(OperatorError::PasswordChangeRequired(number.to_owned()).into());
        }
        ctx.store.set_signed_in_operator(Some(number))?;
        ctx.operator = Some(number.to_owned());
        log::info!("operator {number} signed in");
        let now = ctx.now();
        Ok(info(
            &OperatorRow {
                signed_in: true,
                ..row
            },
            now,
        ))
    }

    /// Operator sign-out: transactions wait for the next sign-in.
    pub(crate) fn sign_out(ctx: &mut Ctx) -> Result<(), EngineError> {
        ctx.store.set_signed_in_operator(None)?;
        if let Some(n) = ctx.operator.take() {
            log::info!("operator {n} signed out");
        }
        Ok(())
    }

    /// The signed-in operator.
    pub(crate) fn current(ctx: &Ctx) -> Result<Option<OperatorInfo>, EngineError> {
        let Some(n) = &ctx.operator else {
            return Ok(None);
        };
        Ok(ctx.store.operator(n)?.map(|r| info(&r, ctx.now())))
    }

    /// Every account (numbers and states; never a hash).
    pub(crate) fn list(ctx: &Ctx) -> Result<Vec<OperatorInfo>, EngineError> {
        let now = ctx.now();
        Ok(ctx
            .store
            .operators()?
            .iter()
            .map(|r| info(r, now))
            .collect())
    }

    /// The supervisor's password, checked once: a grant for `action`.
    pub(crate) fn authorize(
        &mut self,
        ctx: &mut Ctx,
        password: &str,
        action: GuardedAction,
    ) -> Result<SupervisorGrant, EngineError> {
        let row = Self::verify(ctx, SUPERVISOR, password)?;
        if row.must_change {
            return Err(OperatorError::PasswordChangeRequired(SUPERVISOR.to_owned()).into());
        }
        let now = ctx.now();
        self.grants.retain(|_, g| g.expires_at > now);
        let mut raw = [0u8; 16];
        OsRandom.fill(&mut raw)?;
        let token = hex::encode(raw);
        let expires_at = now
            + if action.is_session() {
                SESSION_GRANT_MS
            } else {
                GRANT_MS
            };
        self.grants
            .insert(token.clone(), Grant { action, expires_at });
        log::info!("supervisor authorised {}", action.as_str());
        Ok(SupervisorGrant {
            token,
            action,
            expires_at,
        })
    }

    /// Whether a cashier entry point may run; a transaction's grant is used up here.
    pub(crate) fn check(&mut self, ctx: &Ctx, need: Need<'_>) -> Result<(), EngineError> {
        let (action, token) = match need {
            Need::Operator => return operator_present(ctx),
            Need::Supervised(action, token) => {
                operator_present(ctx)?;
                (action, token)
            }
            Need::Supervisor(action, token) => (action, token),
        };
        let now = ctx.now();
        let valid = self
            .grants
            .get(token)
            .is_some_and(|g| g.action == action && g.expires_at > now);
        if !valid {
            return Err(OperatorError::SupervisorRequired {
                action: action.as_str(),
            }
            .into());
        }
        if !action.is_session() {
            self.grants.remove(token);
        }
        Ok(())
    }

    /// Changes one's own password, knowing the current one. This is also how the factory
    /// supervisor password is replaced.
    pub(crate) fn change_password(
        ctx: &mut Ctx,
        number: &str,
        current: &str,
        new: &str,
    ) -> Result<(), EngineError> {
        validate::operator_number("operator", number)?;
        let row = Self::verify(ctx, number, current)?;
        validate::password("new password", row.role, new)?;
        if new == current {
            return Err(refused(
                "new password: must differ from the current password",
            ));
        }
        Self::store_password(ctx, number, new, false)?;
        log::info!("operator {number} changed the password");
        Ok(())
    }

    /// Adds an operator (01–99) with a password the supervisor gives.
    pub(crate) fn add(ctx: &mut Ctx, number: &str, password: &str) -> Result<(), EngineError> {
        validate::operator_number("operator", number)?;
        if number == SUPERVISOR {
            return Err(refused("operator: 00 is the supervisor's number"));
        }
        validate::password("password", OperatorRole::Operator, password)?;
        let h = hash(password)?;
        let now = ctx.now();
        if !ctx
            .store
            .add_operator(number, OperatorRole::Operator, &h, false, now)?
        {
            return Err(refused(format!("operator: {number} exists already")));
        }
        log::info!("operator {number} added");
        Ok(())
    }

    /// Deletes an operator (never the supervisor, never the one signed in).
    pub(crate) fn delete(ctx: &mut Ctx, number: &str) -> Result<(), EngineError> {
        validate::operator_number("operator", number)?;
        if number == SUPERVISOR {
            return Err(refused("operator: the supervisor cannot be deleted"));
        }
        if ctx.operator.as_deref() == Some(number) {
            return Err(refused(format!(
                "operator: {number} is signed in; sign out first"
            )));
        }
        if !ctx.store.delete_operator(number)? {
            return Err(OperatorError::UnknownOperator(number.to_owned()).into());
        }
        log::info!("operator {number} deleted");
        Ok(())
    }

    /// The supervisor sets a new password for an operator who forgot theirs (the lock goes too).
    pub(crate) fn reset_password(
        ctx: &mut Ctx,
        number: &str,
        new: &str,
    ) -> Result<(), EngineError> {
        validate::operator_number("operator", number)?;
        let row = ctx
            .store
            .operator(number)?
            .ok_or_else(|| OperatorError::UnknownOperator(number.to_owned()))?;
        if row.role == OperatorRole::Supervisor {
            return Err(refused(
                "operator: the supervisor changes the supervisor password, knowing the current one",
            ));
        }
        validate::password("new password", row.role, new)?;
        Self::store_password(ctx, number, new, false)?;
        log::info!("password of operator {number} reset by the supervisor");
        Ok(())
    }

    fn store_password(
        ctx: &mut Ctx,
        number: &str,
        new: &str,
        must_change: bool,
    ) -> Result<(), EngineError> {
        let h = hash(new)?;
        let now = ctx.now();
        ctx.store
            .set_operator_password(number, &h, must_change, now)?;
        Ok(())
    }
}

fn operator_present(ctx: &Ctx) -> Result<(), EngineError> {
    if ctx.operator.is_some() {
        Ok(())
    } else {
        Err(OperatorError::NotSignedIn.into())
    }
}

fn locked(number: &str, until: i64, now: i64) -> EngineError {
    let minutes = ((until - now).max(0) + 59_999) / 60_000;
    OperatorError::Locked {
        number: number.to_owned(),
        until,
        minutes_left: u32::try_from(minutes).unwrap_or(u32::MAX),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_and_verify() {
        let a = hash("246810").unwrap();
        let b = hash("246810").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(!a.contains("246810"));
        assert!(matches("246810", &a).unwrap());
        assert!(!matches("246811", &a).unwrap());
        assert!(matches("x", "not a hash").is_err());
    }

    #[test]
    fn grants_name_their_action_not_their_token() {
        let g = SupervisorGrant {
            token: "secret-token".into(),
            action: GuardedAction::Void,
            expires_at: 1,
        };
        assert!(!format!("{g:?}").contains("secret-token"));
    }

    #[test]
    fn lock_message_rounds_minutes_up() {
        let e = locked("00", 61_000, 0);
        assert!(e.to_string().contains("2 minute"), "{e}");
    }
}
