//! Engine errors: what went wrong and what the cashier or integrator should do about it.
//! Messages never contain a card number, track data, PIN or key.

use thiserror::Error;

/// Why a request was not carried out (or its outcome cannot be known yet).
///
/// A host *decline* is not an error: it is a [`crate::Outcome`] with a response code.
#[derive(Debug, Error)]
pub enum EngineError {
    /// Startup (sign-in and downloads) has not completed.
    #[error("the terminal is not ready: {0}")]
    NotReady(String),
    /// The request breaks a business rule; nothing was sent.
    #[error("{0}")]
    Rule(#[from] RuleViolation),
    /// The request itself is malformed (amount, ids, codes); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A request with this id is already being processed.
    #[error("request {0} is already in progress")]
    InProgress(String),
    /// The request id was already used for another request (another kind, amount or
    /// original): nothing was done; use a new id for a new request.
    #[error(
        "request id {request_id} was already used for another request ({used_for}); use a new id"
    )]
    RequestIdConflict {
        /// The reused id.
        request_id: String,
        /// What it was first used for (kind, amount, original; no card data).
        used_for: String,
    },
    /// The acquirer's allow-list does not grant the calling app this capability: nothing was
    /// done. Ask the acquirer to grant it (`docs/integration-guide.md` §1).
    #[error("this app is not allowed to {action}: the terminal's allow-list does not grant it \"{capability}\"; ask the acquirer to grant it")]
    NotPermitted {
        /// What was asked (`void`, `settle`, ...).
        action: String,
        /// The capability's allow-list name.
        capability: &'static str,
    },
    /// Another process owns this terminal's database (one owner per terminal database).
    #[error("the terminal is busy: another process is using its database ({0}); nothing was done")]
    TerminalBusy(String),
    /// The host could not be reached; nothing was sent, nothing to reverse.
    #[error("cannot reach the host ({0}); nothing was charged, try again")]
    HostUnreachable(String),
    /// The request was sent but no valid answer came back. The transaction will be reversed
    /// before the next one; the customer was not charged once the reversal is acknowledged.
    #[error("no valid answer from the host ({detail}); the transaction is being reversed (trace {trace:06})")]
    NoAnswer {
        /// What happened (timeout, reset, bad MAC, garbled).
        detail: String,
        /// Trace number of the transaction being reversed.
        trace: u32,
    },
    /// Reversals are pending and the host cannot be reached to send them.
    #[error("a reversal is pending and the host cannot be reached ({0}); no new transaction until it is sent")]
    ReversalPending(String),
    /// Settlement is in progress (batch upload unfinished): no online transaction may run.
    #[error("batch upload of batch {0:06} is not finished; settle again to complete it")]
    BatchUploadInProgress(u32),
    /// The batch holds as many transactions as the acquirer allows: settle before the next.
    #[error("batch {batch:06} is full ({limit} transactions, the acquirer's limit): settle first")]
    BatchFull {
        /// The batch.
        batch: u32,
        /// The profile's `settlement.batch_limit`.
        limit: u32,
    },
    /// The card reader, PIN pad, EMV kernel or printer failed.
    #[error("device: {0}")]
    Device(#[from] DeviceError),
    /// The cashier or customer cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The host answered something the terminal cannot use (format, protocol).
    #[error("host protocol error: {0}")]
    Protocol(String),
    /// Local storage failed. The transaction was not started (or its state is safe on disk).
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Keys could not be installed or used.
    #[error("security module: {0}")]
    Security(#[from] unipos_crypto::CryptoError),
    /// The transport is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
    /// Operator sign-in or the supervisor's authorisation refused the request; nothing was
    /// read or sent.
    #[error("{0}")]
    Operator(#[from] OperatorError),
}

/// Why an operator or supervisor step was refused, and what the cashier should do. Messages
/// never contain a password.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OperatorError {
    /// A cashier transaction needs a signed-in operator.
    #[error("no operator is signed in: sign in with your operator number and password first")]
    NotSignedIn,
    /// The operation needs the supervisor's authorisation, and the grant given is missing,
    /// expired, already used or for another operation.
    #[error("{action} needs the supervisor's password: ask the supervisor to authorise it")]
    SupervisorRequired {
        /// The guarded action (stable name).
        action: &'static str,
    },
    /// No account with this number.
    #[error("there is no operator {0}: check the number, or ask the supervisor to add it")]
    UnknownOperator(String),
    /// Wrong password; the account locks after a few more.
    #[error("wrong password for operator {number}: {attempts_left} more wrong attempt(s) lock it")]
    WrongPassword {
        /// The account.
        number: String,
        /// Wrong attempts left before the lock.
        attempts_left: u32,
    },
    /// Locked after repeated wrong passwords.
    #[error(
        "operator {number} is locked after repeated wrong passwords: try again in \
         {minutes_left} minute(s)"
    )]
    Locked {
        /// The account.
        number: String,
        /// Locked until (ms since the epoch).
        until: i64,
        /// Whole minutes left, rounded up.
        minutes_left: u32,
    },
    /// The password was set by someone else (the factory, the supervisor): it must be
    /// changed before the account is used.
    #[error("the password of operator {0} must be changed before first use")]
    PasswordChangeRequired(String),
    /// Operator management refused the change (the message names the field and why).
    #[error("{0}")]
    Refused(String),
}

/// A business rule refused the request before anything was sent (DOMAIN.md rules).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleViolation {
    /// Void: the original is not in the current batch.
    #[error("the original transaction (trace {0:06}) is not in the current batch")]
    OriginalNotInBatch(u32),
    /// The original could not be found.
    #[error("original transaction not found: {0}")]
    OriginalNotFound(String),
    /// The original was already voided.
    #[error("the original transaction was already voided")]
    AlreadyVoided,
    /// The original is of a kind this operation cannot apply to.
    #[error("{0}")]
    WrongOriginal(String),
    /// A refund would exceed what is left of the original.
    #[error("refund of {requested} fen exceeds the {remaining} fen left to refund")]
    RefundExceedsOriginal {
        /// Requested refund.
        requested: u64,
        /// What is left.
        remaining: u64,
    },
    /// A completion exceeds 115% of the pre-authorisation.
    #[error("completion of {requested} fen exceeds 115% of the pre-authorisation ({limit} fen)")]
    CompletionOverLimit {
        /// Requested amount.
        requested: u64,
        /// 115% of the pre-auth.
        limit: u64,
    },
    /// The pre-authorisation was already completed (void the completion first).
    #[error("the pre-authorisation is already completed")]
    AlreadyCompleted,
    /// The pre-authorisation is older than 30 days.
    #[error("the pre-authorisation has expired (older than 30 days)")]
    PreAuthExpired,
    /// A PIN is required and was not entered.
    #[error("this transaction needs the cardholder's PIN")]
    PinRequired,
    /// The card presented is not the card of the original transaction.
    #[error("the card does not match the original transaction")]
    CardMismatch,
}

/// A device failure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{device}: {message}")]
pub struct DeviceError {
    /// `card reader`, `PIN pad`, `EMV kernel`, `printer`, `scanner`.
    pub device: &'static str,
    /// What happened, safe to show.
    pub message: String,
}

/// A storage failure, with the operation that failed.
#[derive(Debug, Error)]
#[error("{operation}: {source}")]
pub struct StorageError {
    /// What the engine was doing.
    pub operation: &'static str,
    /// What went wrong.
    #[source]
    pub source: StorageFault,
}

/// What went wrong in storage.
#[derive(Debug, Error)]
pub enum StorageFault {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value cannot be read back (damaged, or written by another program): never
    /// replaced by a default.
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
}

impl StorageError {
    pub(crate) fn wrap(operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StorageError {
        move |source| StorageError {
            operation,
            source: StorageFault::Sqlite(source),
        }
    }

    /// A stored value that cannot be read back.
    pub(crate) fn corrupt(operation: &'static str, what: impl Into<String>) -> StorageError {
        StorageError {
            operation,
            source: StorageFault::Corrupt(what.into()),
        }
    }
}
