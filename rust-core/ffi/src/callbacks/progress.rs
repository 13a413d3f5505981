//! Progress events for the cashier screen.

use super::CallbackError;
use std::sync::Arc;

/// What the engine is doing (for the cashier screen).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressEvent {
    /// A startup step.
    Startup {
        /// Step.
        step: String,
    },
    /// Waiting for the card.
    WaitingForCard,
    /// Waiting for the PIN.
    WaitingForPin,
    /// Talking to the host.
    Sending {
        /// Trace number.
        trace: i32,
    },
    /// Sending a reversal.
    Reversing {
        /// Trace of the reversed transaction.
        trace: i32,
    },
    /// Sending store-and-forward messages.
    SendingAdvices,
    /// Printing.
    Printing,
    /// A settlement step.
    Settlement {
        /// Step.
        step: String,
    },
    /// Batch upload (批上送): sending record `record` of `total`.
    BatchUpload {
        /// 1-based record number.
        record: i32,
        /// Records to upload.
        total: i32,
    },
    /// QR: the customer's wallet asks for a password; wait for it, do not charge again.
    QrWaitingForCustomer,
    /// A QR step.
    Qr {
        /// Step.
        step: String,
    },
}

impl From<&unipos_terminal::Progress> for ProgressEvent {
    fn from(p: &unipos_terminal::Progress) -> Self {
        use unipos_terminal::Progress as P;
        let t = |v: u32| i32::try_from(v).unwrap_or(0);
        match p {
            P::Startup(s) => ProgressEvent::Startup { step: s.clone() },
            P::WaitingForCard => ProgressEvent::WaitingForCard,
            P::WaitingForPin => ProgressEvent::WaitingForPin,
            P::Sending(v) => ProgressEvent::Sending { trace: t(*v) },
            P::Reversing(v) => ProgressEvent::Reversing { trace: t(*v) },
            P::SendingAdvices => ProgressEvent::SendingAdvices,
            P::Printing => ProgressEvent::Printing,
            P::Settlement(s) => ProgressEvent::Settlement { step: s.clone() },
            P::BatchUpload { record, total } => ProgressEvent::BatchUpload {
                record: t(*record),
                total: t(*total),
            },
            p if p.is_waiting_for_customer() => ProgressEvent::QrWaitingForCustomer,
            P::Qr(s) => ProgressEvent::Qr { step: s.clone() },
        }
    }
}

/// Receives progress events, on the engine's (background) thread; keep it quick, post to the
/// UI thread yourself. A throw is ignored.
#[uniffi::export(callback_interface)]
pub trait ProgressListener: Send + Sync {
    /// One event.
    fn on_progress(&self, event: ProgressEvent) -> Result<(), CallbackError>;
}

pub(crate) struct ProgressAdapter(pub(crate) Arc<dyn ProgressListener>);

impl unipos_terminal::ProgressListener for ProgressAdapter {
    fn progress(&self, event: &unipos_terminal::Progress) {
        if let Err(e) = self.0.on_progress(event.into()) {
            log::debug!("progress listener failed: {e}");
        }
    }
}
