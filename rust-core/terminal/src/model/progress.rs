//! Progress events for the cashier screen.

/// What the engine is doing, for the cashier screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A startup step (`sign-in`, `parameters`, `CA keys 3/12`, ...).
    Startup(String),
    /// Waiting for the customer's card.
    WaitingForCard,
    /// Waiting for the PIN.
    WaitingForPin,
    /// Talking to the host (trace number).
    Sending(u32),
    /// Sending a reversal (trace of the reversed transaction).
    Reversing(u32),
    /// Sending store-and-forward messages.
    SendingAdvices,
    /// Printing a receipt.
    Printing,
    /// Settlement steps.
    Settlement(String),
    /// Batch upload (批上送): sending record `record` of `total`.
    BatchUpload {
        /// 1-based number of the record being sent.
        record: u32,
        /// Records to upload.
        total: u32,
    },
    /// QR: waiting for the customer (entering the password), querying, reversing.
    Qr(String),
}

/// The QR step while the customer's wallet asks for a password (the cashier waits; nothing
/// to do but not to charge again).
pub const QR_WAITING_FOR_PASSWORD: &str = "waiting for the customer's password";

impl Progress {
    /// Whether the customer is confirming in the wallet (entering the password).
    pub fn is_waiting_for_customer(&self) -> bool {
        matches!(self, Progress::Qr(s) if s == QR_WAITING_FOR_PASSWORD)
    }
}

/// Receives progress events (called on the engine's thread; keep it quick).
pub trait ProgressListener: Send + Sync {
    /// One event.
    fn progress(&self, event: &Progress);
}
