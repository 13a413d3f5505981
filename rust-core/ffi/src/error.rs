//! The one public error enum of the FFI, with the stable numeric codes of the payment contract
//! (`sdk-aidl/src/main/kotlin/com/unipos/sdk/ErrorCodes.kt`: the AIDL service and the pay Intent
//! return the same numbers). Rich engine errors stay inside Rust; what crosses is a variant, its
//! code and a message safe to show (never a card number, track data, PIN or key).
//!
//! Ranges: 0 OK, 1xxx caller errors and terminal state (nothing sent), 2xxx declines,
//! 3xxx communication, 4xxx device, 5xxx internal. (6xxx belongs to the client library only.)

use crate::redact::redact;
use unipos_terminal::{DeviceError, EngineError, OperatorError, RuleViolation};

/// Why a call failed. Every variant has a stable numeric code ([`error_code`]) and a `reason`
/// safe to show to the cashier or to return to a third-party app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PosError {
    /// 1001: a field is missing or malformed; nothing was sent.
    #[error("{reason}")]
    InvalidRequest {
        /// Safe text.
        reason: String,
    },
    /// 1002: this request id is already being processed: wait for it or query it.
    #[error("{reason}")]
    RequestInProgress {
        /// Safe text.
        reason: String,
    },
    /// 1004: this request id was already used for another request (another kind, amount or
    /// original): nothing was done; use a new id.
    #[error("{reason}")]
    RequestIdConflict {
        /// Safe text.
        reason: String,
    },
    /// 1006: startup (sign-in, downloads) has not completed.
    #[error("{reason}")]
    NotSignedIn {
        /// Safe text.
        reason: String,
    },
    /// 1007: the terminal is busy: another process owns its database (or another transaction
    /// runs); nothing was done.
    #[error("{reason}")]
    TerminalBusy {
        /// Safe text.
        reason: String,
    },
    /// 1008: the operation is not supported or not configured on this terminal (e.g. QR
    /// without a QR gateway).
    #[error("{reason}")]
    Unsupported {
        /// Safe text.
        reason: String,
    },
    /// 1009: zero, negative or out-of-range amount.
    #[error("{reason}")]
    InvalidAmount {
        /// Safe text.
        reason: String,
    },
    /// 1010: the original of a void / refund / completion / reprint was not found.
    #[error("{reason}")]
    OriginalNotFound {
        /// Safe text.
        reason: String,
    },
    /// 1011: the original cannot take this operation (voided, other batch, expired, other card).
    #[error("{reason}")]
    OriginalInvalidState {
        /// Safe text.
        reason: String,
    },
    /// 1012: a refund exceeds what is left of the original, or a completion exceeds 115 %.
    #[error("{reason}")]
    AmountExceedsOriginal {
        /// Safe text.
        reason: String,
    },
    /// 1013: cancelled by the cashier or the customer before anything was sent.
    #[error("{reason}")]
    Cancelled {
        /// Safe text.
        reason: String,
    },
    /// 1015: settle first: the batch upload is unfinished, or the batch is full (the acquirer's
    /// batch limit). No online transaction until settlement.
    #[error("{reason}")]
    SettlementPending {
        /// Safe text.
        reason: String,
    },
    /// 1101: no operator is signed in (cashier entry points only): sign in first.
    #[error("{reason}")]
    OperatorNotSignedIn {
        /// Safe text.
        reason: String,
    },
    /// 1102: the operation needs the supervisor's authorisation, and the grant given is missing,
    /// expired, used or for another operation (cashier entry points only).
    #[error("{reason}")]
    SupervisorRequired {
        /// Safe text.
        reason: String,
    },
    /// 1103: wrong password; `attempts_left` more lock the account.
    #[error("{reason}")]
    WrongPassword {
        /// Safe text.
        reason: String,
        /// Wrong attempts left before the lock.
        attempts_left: i32,
    },
    /// 1104: locked after repeated wrong passwords until `locked_until` (ms since the epoch).
    #[error("{reason}")]
    PasswordLocked {
        /// Safe text.
        reason: String,
        /// Locked until, ms since the epoch.
        locked_until: i64,
    },
    /// 1105: the password was set by the factory and must be changed first.
    #[error("{reason}")]
    PasswordChangeRequired {
        /// Safe text.
        reason: String,
    },
    /// 1106: there is no operator with this number.
    #[error("{reason}")]
    UnknownOperator {
        /// Safe text.
        reason: String,
    },
    /// 1017: the terminal's allow-list does not grant the calling app what it asked for
    /// (void, refund, pre-authorisation, settlement, sign-in...): nothing was done.
    #[error("{reason}")]
    CapabilityNotGranted {
        /// Safe text.
        reason: String,
    },
    /// 2008: the chip card declined or could not be processed.
    #[error("{reason}")]
    CardDeclined {
        /// Safe text.
        reason: String,
    },
    /// 2009: QR payment code invalid or expired, or refused by the wallet.
    #[error("{reason}")]
    QrCodeInvalid {
        /// Safe text.
        reason: String,
    },
    /// 2010: QR: the customer did not pay in time; the order was closed.
    #[error("{reason}")]
    QrPaymentClosed {
        /// Safe text.
        reason: String,
    },
    /// 3001: the host could not be reached; nothing was sent, nothing charged.
    #[error("{reason}")]
    NoConnection {
        /// Safe text.
        reason: String,
    },
    /// 3003: sent, but no valid answer; the outcome is not known yet. The terminal reverses it
    /// before the next transaction: query this request id later, never retry with a new id.
    #[error("{reason}")]
    ResultUnknown {
        /// Safe text.
        reason: String,
        /// Trace number of the transaction being resolved (0 if none).
        trace: i32,
    },
    /// 4001: printer out of paper.
    #[error("{reason}")]
    PrinterOutOfPaper {
        /// Safe text.
        reason: String,
    },
    /// 4002: printer fault.
    #[error("{reason}")]
    PrinterError {
        /// Safe text.
        reason: String,
    },
    /// 4003: card reader (or EMV kernel) failure.
    #[error("{reason}")]
    CardReaderError {
        /// Safe text.
        reason: String,
    },
    /// 4004: no card presented in time.
    #[error("{reason}")]
    CardWaitTimeout {
        /// Safe text.
        reason: String,
    },
    /// 4005: PIN pad failure or PIN entry timeout (also: a PIN was required and not given).
    #[error("{reason}")]
    PinPadError {
        /// Safe text.
        reason: String,
    },
    /// 4006: scanner / camera failure.
    #[error("{reason}")]
    ScannerError {
        /// Safe text.
        reason: String,
    },
    /// 4007: security module failure (keys missing or refused): sign in again / load keys.
    #[error("{reason}")]
    SecurityModuleError {
        /// Safe text.
        reason: String,
    },
    /// 5001: unexpected internal error. If a request was accepted, query it.
    #[error("{reason}")]
    Internal {
        /// Safe text.
        reason: String,
    },
    /// 5002: journal storage failure.
    #[error("{reason}")]
    Storage {
        /// Safe text.
        reason: String,
    },
    /// 5003: the terminal is not configured correctly (ids, host address, keys).
    #[error("{reason}")]
    Configuration {
        /// Safe text.
        reason: String,
    },
}

/// One row of the published table (for documentation and cross-checks).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorCodeInfo {
    /// The stable number.
    pub code: i32,
    /// The constant's name in `ErrorCodes.kt` (`NOT_SIGNED_IN`, ...).
    pub name: String,
}

impl PosError {
    /// The stable numeric code.
    pub fn code(&self) -> i32 {
        self.info().0
    }

    /// The name of the code's constant in the contract's `ErrorCodes`.
    pub fn code_name(&self) -> &'static str {
        self.info().1
    }

    fn info(&self) -> (i32, &'static str) {
        match self {
            PosError::InvalidRequest { .. } => (1001, "INVALID_REQUEST"),
            PosError::RequestInProgress { .. } => (1002, "REQUEST_IN_PROGRESS"),
            PosError::RequestIdConflict { .. } => (1004, "REQUEST_ID_CONFLICT"),
            PosError::NotSignedIn { .. } => (1006, "NOT_SIGNED_IN"),
            PosError::TerminalBusy { .. } => (1007, "TERMINAL_BUSY"),
            PosError::Unsupported { .. } => (1008, "UNSUPPORTED_TRANSACTION"),
            PosError::InvalidAmount { .. } => (1009, "INVALID_AMOUNT"),
            PosError::OriginalNotFound { .. } => (1010, "ORIGINAL_NOT_FOUND"),
            PosError::OriginalInvalidState { .. } => (1011, "ORIGINAL_INVALID_STATE"),
            PosError::AmountExceedsOriginal { .. } => (1012, "AMOUNT_EXCEEDS_ORIGINAL"),
            PosError::Cancelled { .. } => (1013, "CANCELLED"),
            PosError::SettlementPending { .. } => (1015, "SETTLEMENT_PENDING"),
            PosError::OperatorNotSignedIn { .. } => (1101, "OPERATOR_NOT_SIGNED_IN"),
            PosError::SupervisorRequired { .. } => (1102, "SUPERVISOR_REQUIRED"),
            PosError::WrongPassword { .. } => (1103, "WRONG_PASSWORD"),
            PosError::PasswordLocked { .. } => (1104, "PASSWORD_LOCKED"),
            PosError::PasswordChangeRequired { .. } => (1105, "PASSWORD_CHANGE_REQUIRED"),
            PosError::UnknownOperator { .. } => (1106, "UNKNOWN_OPERATOR"),
            PosError::CapabilityNotGranted { .. } => (1017, "CAPABILITY_NOT_GRANTED"),
            PosError::CardDeclined { .. } => (2008, "CARD_DECLINED"),
            PosError::QrCodeInvalid { .. } => (2009, "QR_CODE_INVALID"),
            PosError::QrPaymentClosed { .. } => (2010, "QR_PAYMENT_CLOSED"),
            PosError::NoConnection { .. } => (3001, "NO_CONNECTION"),
            PosError::ResultUnknown { .. } => (3003, "RESULT_UNKNOWN"),
            PosError::PrinterOutOfPaper { .. } => (4001, "PRINTER_OUT_OF_PAPER"),
            PosError::PrinterError { .. } => (4002, "PRINTER_ERROR"),
            PosError::CardReaderError { .. } => (4003, "CARD_READER_ERROR"),
            PosError::CardWaitTimeout { .. } => (4004, "CARD_WAIT_TIMEOUT"),
            PosError::PinPadError { .. } => (4005, "PIN_PAD_ERROR"),
            PosError::ScannerError { .. } => (4006, "SCANNER_ERROR"),
            PosError::SecurityModuleError { .. } => (4007, "SECURITY_MODULE_ERROR"),
            PosError::Internal { .. } => (5001, "INTERNAL_ERROR"),
            PosError::Storage { .. } => (5002, "STORAGE_ERROR"),
            PosError::Configuration { .. } => (5003, "CONFIGURATION_ERROR"),
        }
    }

    /// One example of every variant (for the table and the tests).
    pub fn all_variants() -> Vec<PosError> {
        let r = String::new;
        vec![
            PosError::InvalidRequest { reason: r() },
            PosError::RequestInProgress { reason: r() },
            PosError::RequestIdConflict { reason: r() },
            PosError::NotSignedIn { reason: r() },
            PosError::TerminalBusy { reason: r() },
            PosError::Unsupported { reason: r() },
            PosError::InvalidAmount { reason: r() },
            PosError::OriginalNotFound { reason: r() },
            PosError::OriginalInvalidState { reason: r() },
            PosError::AmountExceedsOriginal { reason: r() },
            PosError::Cancelled { reason: r() },
            PosError::SettlementPending { reason: r() },
            PosError::OperatorNotSignedIn { reason: r() },
            PosError::SupervisorRequired { reason: r() },
            PosError::WrongPassword {
                reason: r(),
                attempts_left: 0,
            },
            PosError::PasswordLocked {
                reason: r(),
                locked_until: 0,
            },
            PosError::PasswordChangeRequired { reason: r() },
            PosError::UnknownOperator { reason: r() },
            PosError::CapabilityNotGranted { reason: r() },
            PosError::CardDeclined { reason: r() },
            PosError::QrCodeInvalid { reason: r() },
            PosError::QrPaymentClosed { reason: r() },
            PosError::NoConnection { reason: r() },
            PosError::ResultUnknown {
                reason: r(),
                trace: 0,
            },
            PosError::PrinterOutOfPaper { reason: r() },
            PosError::PrinterError { reason: r() },
            PosError::CardReaderError { reason: r() },
            PosError::CardWaitTimeout { reason: r() },
            PosError::PinPadError { reason: r() },
            PosError::ScannerError { reason: r() },
            PosError::SecurityModuleError { reason: r() },
            PosError::Internal { reason: r() },
            PosError::Storage { reason: r() },
            PosError::Configuration { reason: r() },
        ]
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> PosError {
        PosError::InvalidRequest {
            reason: reason.into(),
        }
    }

    pub(crate) fn amount(reason: impl Into<String>) -> PosError {
        PosError::InvalidAmount {
            reason: reason.into(),
        }
    }

    pub(crate) fn internal(reason: impl Into<String>) -> PosError {
        PosError::Internal {
            reason: reason.into(),
        }
    }
}

/// The stable numeric code of an error (the number the AIDL and Intent results carry).
#[uniffi::export]
pub fn error_code(error: PosError) -> i32 {
    error.code()
}

/// The safe text of an error (every variant carries one), so that bindings need no list of
/// variants of their own.
#[uniffi::export]
pub fn error_reason(error: PosError) -> String {
    error.to_string()
}

/// The whole table of codes this library can produce (0 = OK is implied).
#[uniffi::export]
pub fn error_code_table() -> Vec<ErrorCodeInfo> {
    PosError::all_variants()
        .iter()
        .map(|e| ErrorCodeInfo {
            code: e.code(),
            name: e.code_name().to_owned(),
        })
        .collect()
}

/// What a device callback reported, kept so the engine's generic device error can be mapped to
/// the precise code (timeout vs failure, out of paper vs printer fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceFault {
    CardWaitTimeout,
    CardReader,
    PinPad,
    Emv,
    PrinterOutOfPaper,
    Printer,
    Security,
}

/// Maps an engine error to the public enum. `fault` is the last device callback failure of the
/// same call, if any (it refines `EngineError::Device` and `EngineError::Security`).
pub(crate) fn from_engine(e: EngineError, fault: Option<DeviceFault>) -> PosError {
    // Engine messages never contain a PAN, track data, PIN or key; redact anyway (defence in
    // depth: a device callback's text is included in device errors).
    let reason = redact(&e.to_string());
    match e {
        EngineError::NotReady(_) => PosError::NotSignedIn { reason },
        EngineError::Rule(rule) => match rule {
            RuleViolation::OriginalNotFound(_) => PosError::OriginalNotFound { reason },
            RuleViolation::RefundExceedsOriginal { .. }
            | RuleViolation::CompletionOverLimit { .. } => {
                PosError::AmountExceedsOriginal { reason }
            }
            RuleViolation::PinRequired => PosError::PinPadError { reason },
            RuleViolation::OriginalNotInBatch(_)
            | RuleViolation::AlreadyVoided
            | RuleViolation::WrongOriginal(_)
            | RuleViolation::AlreadyCompleted
            | RuleViolation::PreAuthExpired
            | RuleViolation::CardMismatch => PosError::OriginalInvalidState { reason },
        },
        EngineError::InvalidRequest(_) => PosError::InvalidRequest { reason },
        EngineError::InProgress(_) => PosError::RequestInProgress { reason },
        EngineError::RequestIdConflict { .. } => PosError::RequestIdConflict { reason },
        EngineError::TerminalBusy(_) => PosError::TerminalBusy { reason },
        EngineError::NotPermitted { .. } => PosError::CapabilityNotGranted { reason },
        EngineError::HostUnreachable(_) | EngineError::ReversalPending(_) => {
            PosError::NoConnection { reason }
        }
        EngineError::NoAnswer { trace, .. } => PosError::ResultUnknown {
            reason,
            trace: i32::try_from(trace).unwrap_or(0),
        },
        EngineError::BatchUploadInProgress(_) | EngineError::BatchFull { .. } => {
            PosError::SettlementPending { reason }
        }
        EngineError::Device(d) => from_device(&d, reason, fault),
        EngineError::Cancelled => PosError::Cancelled { reason },
        // The host answered something unusable (or nothing, for management messages): the
        // operation's result is not known; retry / query.
        EngineError::Protocol(_) => PosError::ResultUnknown { reason, trace: 0 },
        EngineError::Storage(_) => PosError::Storage { reason },
        EngineError::Security(_) => PosError::SecurityModuleError { reason },
        EngineError::Config(_) => PosError::Configuration { reason },
        EngineError::Operator(o) => from_operator(o, reason),
    }
}

fn from_operator(o: OperatorError, reason: String) -> PosError {
    match o {
        OperatorError::NotSignedIn => PosError::OperatorNotSignedIn { reason },
        OperatorError::SupervisorRequired { .. } => PosError::SupervisorRequired { reason },
        OperatorError::UnknownOperator(_) => PosError::UnknownOperator { reason },
        OperatorError::WrongPassword { attempts_left, .. } => PosError::WrongPassword {
            reason,
            attempts_left: i32::try_from(attempts_left).unwrap_or(0),
        },
        OperatorError::Locked { until, .. } => PosError::PasswordLocked {
            reason,
            locked_until: until,
        },
        OperatorError::PasswordChangeRequired(_) => PosError::PasswordChangeRequired { reason },
        OperatorError::Refused(_) => PosError::InvalidRequest { reason },
    }
}

fn from_device(d: &DeviceError, reason: String, fault: Option<DeviceFault>) -> PosError {
    match fault {
        Some(DeviceFault::CardWaitTimeout) => return PosError::CardWaitTimeout { reason },
        Some(DeviceFault::CardReader) | Some(DeviceFault::Emv) => {
            return PosError::CardReaderError { reason }
        }
        Some(DeviceFault::PinPad) => return PosError::PinPadError { reason },
        Some(DeviceFault::PrinterOutOfPaper) => return PosError::PrinterOutOfPaper { reason },
        Some(DeviceFault::Printer) => return PosError::PrinterError { reason },
        Some(DeviceFault::Security) => return PosError::SecurityModuleError { reason },
        None => {}
    }
    match d.device {
        "card reader" if d.message.contains("no card") => PosError::CardWaitTimeout { reason },
        "card reader" | "EMV kernel" => PosError::CardReaderError { reason },
        "PIN pad" => PosError::PinPadError { reason },
        "printer" if d.message.contains("paper") => PosError::PrinterOutOfPaper { reason },
        "printer" => PosError::PrinterError { reason },
        "scanner" => PosError::ScannerError { reason },
        "security module" => PosError::SecurityModuleError { reason },
        _ => PosError::Internal { reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_range() {
        let table = error_code_table();
        let mut codes: Vec<i32> = table.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), table.len());
        assert!(codes.iter().all(|c| (1000..6000).contains(c)));
    }

    #[test]
    fn operator_errors_keep_what_the_screen_needs() {
        let e = from_engine(
            OperatorError::Locked {
                number: "00".into(),
                until: 1_234,
                minutes_left: 10,
            }
            .into(),
            None,
        );
        assert_eq!(e.code(), 1104);
        assert!(matches!(
            e,
            PosError::PasswordLocked {
                locked_until: 1_234,
                ..
            }
        ));
        let e = from_engine(
            OperatorError::WrongPassword {
                number: "01".into(),
                attempts_left: 2,
            }
            .into(),
            None,
        );
        assert!(matches!(
            e,
            PosError::WrongPassword {
                attempts_left: 2,
                ..
            }
        ));
        let e = from_engine(OperatorError::Refused("operator: x".into()).into(), None);
        assert_eq!(e.code(), 1001);
    }

    #[test]
    fn engine_errors_map_to_codes() {
        let e = from_engine(EngineError::NotReady("x".into()), None);
        assert_eq!(e.code(), 1006);
        let e = from_engine(
            EngineError::NoAnswer {
                detail: "timeout".into(),
                trace: 12,
            },
            None,
        );
        assert_eq!(
            e,
            PosError::ResultUnknown {
                reason: e.to_string(),
                trace: 12
            }
        );
        assert_eq!(e.code(), 3003);
        let d = unipos_terminal::hardware::device_error("printer", "out of paper");
        assert_eq!(from_engine(EngineError::Device(d), None).code(), 4001);
        let d = unipos_terminal::hardware::device_error("card reader", "boom");
        assert_eq!(
            from_engine(EngineError::Device(d), Some(DeviceFault::CardWaitTimeout)).code(),
            4004
        );
        assert_eq!(
            from_engine(
                EngineError::Rule(RuleViolation::RefundExceedsOriginal {
                    requested: 2,
                    remaining: 1
                }),
                None
            )
            .code(),
            1012
        );
    }
}
