//! `unipos-ffi`: the uniffi facade over the unipos engine, built as one cdylib, `libunipos.so`.
//!
//! * [`PosTerminal`]: open with a [`PosConfig`] and a database path; startup, card
//!   transactions, queries, reprint, settlement, flush, cancel of the card wait.
//! * [`CashierDesk`] ([`PosTerminal::cashier_desk`]): the cashier's entry points: operator
//!   sign-in, the supervisor's grants for the guarded operations, lookups, management.
//! * [`PosError`]: one error enum with the stable numeric codes of the payment contract
//!   ([`error_code`]), reused by the AIDL and Intent results.
//! * Callback interfaces implemented in Kotlin: [`CardReader`], [`PinPad`], [`EmvKernel`],
//!   [`Printer`], [`SecurityModuleCallback`], [`ProgressListener`], [`LogSink`].
//!
//! No full card number, track data, PIN or key ever crosses to Kotlin in an outcome, an error or
//! a log record (masked PAN only). See `docs/ffi.md`.
//!
//! `unsafe_code` stays denied here (workspace lint): the `unsafe` FFI scaffolding comes from
//! uniffi's macros (the lint does not fire on code expanded from an external proc-macro), this
//! crate's own code has no `unsafe`, and there is no hand-written JNI (see `docs/ffi.md`).
#![warn(missing_docs)]

mod callbacks;
mod caller;
mod error;
mod logging;
mod operators;
mod qr;
mod redact;
mod terminal;
mod types;

pub use callbacks::*;
pub use caller::*;
pub use error::{error_code, error_code_table, ErrorCodeInfo, PosError};
pub use logging::{set_log_sink, LogLevel, LogRecord, LogSink};
pub use operators::CashierDesk;
pub use qr::*;
pub use redact::redact;
pub use terminal::PosTerminal;
pub use types::*;

uniffi::setup_scaffolding!();

/// The version of the library (the Cargo package version).
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
