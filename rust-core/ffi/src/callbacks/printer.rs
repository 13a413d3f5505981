//! The receipt printer.

use super::{device_error, record, CallbackError, FaultSlot};
use crate::error::DeviceFault;
use std::sync::Arc;
use unipos_terminal::hardware as hw;
use unipos_terminal::DeviceError;

/// Prints receipts (lines of text).
#[uniffi::export(callback_interface)]
pub trait Printer: Send + Sync {
    /// Prints one receipt. Throw `CallbackError.OutOfPaper` when there is no paper.
    fn print(&self, lines: Vec<String>) -> Result<(), CallbackError>;
}

pub(crate) struct PrinterAdapter {
    pub(crate) inner: Arc<dyn Printer>,
    pub(crate) slot: FaultSlot,
    /// The print failure of the running call (reported as `printErrorCode`).
    pub(crate) print_fault: FaultSlot,
}

impl hw::Printer for PrinterAdapter {
    fn print(&mut self, lines: &[String]) -> Result<(), DeviceError> {
        self.inner.print(lines.to_vec()).map_err(|e| {
            let fault = match e {
                CallbackError::OutOfPaper { .. } => DeviceFault::PrinterOutOfPaper,
                _ => DeviceFault::Printer,
            };
            record(&self.print_fault, fault);
            device_error(&self.slot, "printer", &e, fault)
        })
    }
}
