//! Hardware callback interfaces implemented in Kotlin (vendor adapters, or simulators on the
//! host JVM and the emulator), and their adapters to the engine's hardware traits.
//!
//! Data direction: card data flows FROM Kotlin into Rust (the card reader hands over the PAN
//! and track 2); what flows back to Kotlin is a masked PAN, the 12 PAN digits an ISO 9564
//! format 0 PIN block needs (the PIN pad callback), and, for an external security module, the
//! wrapped (encrypted) work keys and the MAC input. Never a clear key or PIN.
//!
//! Every callback returns `Result<_, CallbackError>`: a Kotlin throw of any other exception is
//! turned into [`CallbackError::Unexpected`] by uniffi and then into a typed [`PosError`] of the
//! call, never a crash.
//!
//! [`PosError`]: crate::PosError

mod card_reader;
mod emv_kernel;
mod key_wrapper;
mod pin_pad;
mod printer;
mod progress;
mod security_module;

pub use card_reader::*;
pub use emv_kernel::*;
pub use key_wrapper::*;
pub use pin_pad::*;
pub use printer::*;
pub use progress::*;
pub use security_module::*;

use crate::error::DeviceFault;
use crate::redact::redact;
use std::sync::{Arc, Mutex, PoisonError};
use unipos_terminal::hardware as hw;
use unipos_terminal::DeviceError;

/// What a Kotlin callback throws (declare it to report a typed failure; any other exception
/// arrives as `Unexpected`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    /// The device timed out waiting for the customer (no card, no PIN).
    #[error("timeout: {reason}")]
    Timeout {
        /// Safe text.
        reason: String,
    },
    /// The printer has no paper.
    #[error("out of paper: {reason}")]
    OutOfPaper {
        /// Safe text.
        reason: String,
    },
    /// The device failed.
    #[error("{reason}")]
    Failed {
        /// Safe text.
        reason: String,
    },
    /// The callback threw something it did not declare.
    #[error("unexpected: {reason}")]
    Unexpected {
        /// The exception text.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CallbackError::Unexpected {
            reason: e.reason.to_string(),
        }
    }
}

/// The last device failure of the running call (see [`DeviceFault`]).
pub(crate) type FaultSlot = Arc<Mutex<Option<DeviceFault>>>;

pub(crate) fn record(slot: &FaultSlot, fault: DeviceFault) {
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(fault);
}

pub(crate) fn device_error(
    slot: &FaultSlot,
    device: &'static str,
    e: &CallbackError,
    fault: DeviceFault,
) -> DeviceError {
    record(slot, fault);
    log::warn!("{device} callback failed: {e}");
    hw::device_error(device, redact(&e.to_string()))
}
