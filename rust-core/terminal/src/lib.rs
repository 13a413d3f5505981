//! `unipos-terminal`: the acquiring engine of a smart-POS terminal.
//!
//! * [`Terminal`]: startup, card transactions, queries, flush points; one transaction at a
//!   time, safe to share between threads.
//! * [`journal`]: the durable SQLite journal, reversal queue and batches.
//! * [`hardware`]: card reader, PIN pad, EMV kernel and printer traits, with simulators.
//! * [`response_codes`]: field 39 in words and what the cashier should do.
//!
//! Persist, then send: every financial request is committed with its reversal record before
//! a byte goes out, and a lost answer is reversed before the next transaction.

#![warn(missing_docs)]

pub mod config;
mod crash;
mod engine;
pub mod error;
pub mod hardware;
mod host_link;
pub mod journal;
pub mod outcome;
pub mod qr;
pub mod receipt;
pub mod response_codes;
pub mod vault;

pub use config::{AcquirerProfile, HostAddress, KeyMode, MacScheme, TerminalConfig};
pub use engine::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, Dependencies, FlushReport, KindTotal,
    PreAuthRequest, PreAuthVoidRequest, Progress, ProgressListener, RefundRequest, SaleRequest,
    SettlementReport, StartupReport, Terminal, TotalsView, VoidRequest,
};
pub use error::{DeviceError, EngineError, RuleViolation, StorageError};
pub use outcome::{Outcome, OutcomeStatus};
pub use qr::{
    QrDynamicCode, QrDynamicRequest, QrOrderKind, QrOrderSummary, QrOutcome, QrPayRequest,
    QrRefundKind, QrRefundOutcome, QrRefundRequest, QrRefundStatus, QrSettings, QrState, QrStatus,
    QrVoidRequest,
};

use std::sync::{Arc, Mutex};
use unipos_crypto::security_module::SecurityModule;

/// The security module (PIN pad / secure element), shared by the engine and the PIN pad.
pub type SecurityHandle = Arc<Mutex<dyn SecurityModule>>;
