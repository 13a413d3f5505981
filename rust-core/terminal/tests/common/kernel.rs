//! Wrapping the simulated EMV kernel, for tests that change what a card or kernel does.
#![allow(dead_code)]

use unipos_terminal::hardware::{
    device_error, CardData, EmvCompletion, EmvIssuerResponse, EmvKernel, EmvRequest, Hardware,
};
use unipos_terminal::model::EmvTerminalData;
use unipos_terminal::DeviceError;

/// Replaces the hardware's kernel with `wrap` of it.
pub fn wrap_kernel(hw: &mut Hardware, wrap: impl FnOnce(Box<dyn EmvKernel>) -> Box<dyn EmvKernel>) {
    let inner = std::mem::replace(&mut hw.emv, Box::new(NoKernel));
    hw.emv = wrap(inner);
}

/// Stands in for the kernel while the real one moves into its wrapper.
struct NoKernel;

impl EmvKernel for NoKernel {
    fn load_terminal_data(&mut self, _: &EmvTerminalData) -> Result<(), DeviceError> {
        Ok(())
    }
    fn start(&mut self, _: &CardData, _: &EmvRequest) -> Result<Vec<u8>, DeviceError> {
        Err(device_error("EMV kernel", "none"))
    }
    fn complete(&mut self, _: &EmvIssuerResponse) -> Result<EmvCompletion, DeviceError> {
        Err(device_error("EMV kernel", "none"))
    }
}
