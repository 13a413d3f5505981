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
    /// Settlement and batch-upload steps.
    Settlement(String),
    /// QR: waiting for the customer (entering the password), querying, reversing.
    Qr(String),
}

/// Receives progress events (called on the engine's thread; keep it quick).
pub trait ProgressListener: Send + Sync {
    /// One event.
    fn progress(&self, event: &Progress);
}
