//! The PIN pad: it gets the 12 PAN digits of the format 0 PIN block and returns the encrypted block.

use super::{device_error, record, CallbackError, FaultSlot};
use crate::error::DeviceFault;
use std::sync::{Arc, PoisonError};
use unipos_crypto::{Pan, PinBlockFormat};
use unipos_terminal::hardware as hw;
use unipos_terminal::{DeviceError, SecurityHandle};
use zeroize::Zeroizing;

/// What the PIN pad needs to build the PIN block.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PinRequest {
    /// Card number, first 6 and last 4 digits (to show).
    pub masked_pan: String,
    /// The 12 rightmost PAN digits without the check digit: exactly what an ISO 9564 format 0
    /// PIN block uses (vendor PIN pad APIs ask for it).
    pub pan_block_digits: String,
    /// Amount to show, fen.
    pub amount: Option<i64>,
}

/// What the PIN pad returns.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PinResult {
    /// The 8-byte PIN block, encrypted under the PIK inside the PIN pad (production).
    EncryptedBlock {
        /// Field 52.
        block: Vec<u8>,
    },
    /// The clear PIN as ASCII digits: ONLY accepted with the software security module
    /// (host tests, emulator). Rust encrypts it at once and wipes it; wipe your array too.
    ClearPin {
        /// ASCII digits.
        digits: Vec<u8>,
    },
    /// The cardholder pressed enter without a PIN.
    Bypassed,
    /// Cancelled.
    Cancelled,
}

impl std::fmt::Debug for PinResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PinResult::EncryptedBlock { .. } => "EncryptedBlock(<redacted>)",
            PinResult::ClearPin { .. } => "ClearPin(<redacted>)",
            PinResult::Bypassed => "Bypassed",
            PinResult::Cancelled => "Cancelled",
        })
    }
}

/// Takes the PIN. Called on a background thread.
#[uniffi::export(callback_interface)]
pub trait PinPad: Send + Sync {
    /// Prompts for the PIN.
    fn read_pin(&self, request: PinRequest) -> Result<PinResult, CallbackError>;
}

pub(crate) struct PinPadAdapter {
    pub(crate) inner: Arc<dyn PinPad>,
    pub(crate) slot: FaultSlot,
    /// `Some` only with the software security module: clear PINs are then accepted.
    pub(crate) software: Option<SecurityHandle>,
}

/// ISO 9564-1 format 0: the 12 rightmost digits excluding the check digit.
fn pan_block_digits(pan: &str) -> String {
    let body = pan.get(..pan.len().saturating_sub(1)).unwrap_or("");
    body.get(body.len().saturating_sub(12)..)
        .unwrap_or("")
        .to_owned()
}

impl hw::PinPad for PinPadAdapter {
    fn read_pin(&mut self, pan: &Pan, amount: Option<u64>) -> Result<hw::PinEntry, DeviceError> {
        let req = PinRequest {
            masked_pan: pan.masked(),
            pan_block_digits: pan_block_digits(pan.expose()),
            amount: amount.map(crate::types::to_i64),
        };
        let fail = |slot: &FaultSlot, why: &str| {
            record(slot, DeviceFault::PinPad);
            hw::device_error("PIN pad", why)
        };
        match self.inner.read_pin(req) {
            Ok(PinResult::Bypassed) => Ok(hw::PinEntry::Bypassed),
            Ok(PinResult::Cancelled) => Ok(hw::PinEntry::Cancelled),
            Ok(PinResult::EncryptedBlock { block }) => {
                let block: [u8; 8] = block
                    .as_slice()
                    .try_into()
                    .map_err(|_| fail(&self.slot, "the PIN block must be 8 bytes"))?;
                Ok(hw::PinEntry::Block(block))
            }
            Ok(PinResult::ClearPin { digits }) => {
                let digits = Zeroizing::new(digits);
                let Some(security) = &self.software else {
                    return Err(fail(
                        &self.slot,
                        "a clear PIN is only accepted with the software security module",
                    ));
                };
                let pin = Zeroizing::new(String::from_utf8_lossy(&digits).into_owned());
                let block = security
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .encrypt_pin(PinBlockFormat::Iso0, &pin, pan.expose())
                    .map_err(|e| fail(&self.slot, &e.to_string()))?;
                Ok(hw::PinEntry::Block(block))
            }
            Err(e) => Err(device_error(&self.slot, "PIN pad", &e, DeviceFault::PinPad)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_block_digits() {
        assert_eq!(pan_block_digits("6212345678901232"), "234567890123");
        assert_eq!(pan_block_digits("6216261000000000018"), "100000000001");
        assert_eq!(pan_block_digits(""), "");
    }
}
