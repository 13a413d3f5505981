//! `unipos-terminal`: the acquiring engine of a smart-POS terminal.
//!
//! * [`Terminal`]: startup, card transactions, QR payments, queries, flush points,
//!   settlement; one request at a time, safe to share between threads.
//! * [`Desk`] ([`Terminal::desk`]): the cashier's entry points: operator sign-in, the
//!   supervisor's grants for void, refund, settlement and management, the management screens.
//! * [`model`]: the plain data callers send and get back (requests, outcomes, reports).
//! * [`store`]: the durable SQLite database, the only module that holds SQL.
//! * [`hardware`]: card reader, PIN pad, EMV kernel, printer and security module traits, with
//!   simulators.
//! * [`config`]: the terminal's identity, hosts and acquirer profile.
//!
//! Inside: `engine` orders the `services` (session, card, forward, settlement, printing,
//! qr), which share the infrastructure of `context` (store, `link`, devices, clock).
//!
//! Persist, then send: every financial request is committed with its reversal record before
//! a byte goes out, and a lost answer is reversed before the next transaction.

#![warn(missing_docs)]

pub mod config;
mod context;
mod crash;
mod desk;
mod engine;
pub mod error;
pub mod hardware;
mod link;
mod lookup;
pub mod model;
pub mod qr_code;
mod queries;
mod reader;
pub mod receipt;
mod serve;
mod services;
pub mod store;
mod terminal;
pub mod validate;
pub mod vault;

pub use config::{AcquirerProfile, HostAddress, KeyMode, MacScheme, TerminalConfig};
pub use context::Dependencies;
pub use desk::Desk;
pub use error::{
    DeviceError, EngineError, OperatorError, RuleViolation, StorageError, StorageFault,
};
pub use hardware::SecurityHandle;
pub use model::response_codes;
pub use model::*;
pub use reader::JournalReader;
pub use terminal::Terminal;
