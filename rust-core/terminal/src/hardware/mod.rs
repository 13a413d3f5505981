//! Hardware is a trait (ARCHITECTURE.md decision 5). Vendor adapters implement these in
//! Kotlin through the FFI callback interfaces; [`sim`] implements them for the desktop, the
//! tests and the emulator.

pub mod sim;

use crate::error::DeviceError;
use crate::model::EmvTerminalData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use unipos_crypto::security_module::SecurityModule;
use unipos_crypto::Pan;
use zeroize::Zeroizing;

/// The security module (PIN pad / secure element), shared by the engine and the PIN pad.
pub type SecurityHandle = Arc<Mutex<dyn SecurityModule>>;

/// What the terminal can read: 60.4 of financial messages. It describes the terminal, not
/// how this card was read (a swipe on a chip terminal still says the terminal reads chips).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CardReading {
    /// Magnetic stripe only (`2`).
    Magstripe,
    /// Magnetic stripe and contact chip (`5`).
    ContactChip,
    /// Magnetic stripe, contact and contactless chip (`6`).
    #[default]
    ContactlessAndChip,
}

impl CardReading {
    /// The 60.4 digit.
    pub fn field60_4(self) -> u8 {
        match self {
            CardReading::Magstripe => 2,
            CardReading::ContactChip => 5,
            CardReading::ContactlessAndChip => 6,
        }
    }
}

/// How the card was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryMode {
    /// Magnetic stripe.
    Magstripe,
    /// Contact chip.
    ContactIc,
    /// Contactless chip.
    Contactless,
}

impl EntryMode {
    /// Field 22 with or without PIN (`021`/`022`, `051`/`052`, `071`/`072`).
    pub fn field22(self, pin: bool) -> &'static str {
        match (self, pin) {
            (EntryMode::Magstripe, true) => "021",
            (EntryMode::Magstripe, false) => "022",
            (EntryMode::ContactIc, true) => "051",
            (EntryMode::ContactIc, false) => "052",
            (EntryMode::Contactless, true) => "071",
            (EntryMode::Contactless, false) => "072",
        }
    }

    /// Whether field 55 is involved.
    pub fn is_chip(self) -> bool {
        !matches!(self, EntryMode::Magstripe)
    }
}

/// The data read from a card. Track data is wiped on drop and never stored.
pub struct CardData {
    /// How it was read.
    pub entry: EntryMode,
    /// Card number.
    pub pan: Pan,
    /// YYMM.
    pub expiry: Option<String>,
    /// Track 2 equivalent, digits with `D` separator.
    pub track2: Option<Zeroizing<String>>,
    /// Card sequence number (3 digits), chip cards.
    pub psn: Option<String>,
}

impl std::fmt::Debug for CardData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardData")
            .field("entry", &self.entry)
            .field("pan", &self.pan)
            .field("track2", &self.track2.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// What the engine asks the card reader for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPrompt {
    /// Amount to show, fen (None for balance inquiry).
    pub amount: Option<u64>,
    /// What to show (`消费 Sale`, ...).
    pub title: String,
    /// Whether contactless is allowed.
    pub allow_contactless: bool,
}

/// Shared cancellation flag for the card-wait phase.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Clears the flag (start of a new wait).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Result of a card wait.
#[derive(Debug)]
pub enum CardRead {
    /// A card was read.
    Card(CardData),
    /// The cashier cancelled (or the token fired).
    Cancelled,
}

/// Reads cards (magstripe, contact, contactless).
pub trait CardReader: Send {
    /// Waits for a card; must return `Cancelled` promptly once `cancel` fires.
    fn read_card(
        &mut self,
        prompt: &CardPrompt,
        cancel: &CancelToken,
    ) -> Result<CardRead, DeviceError>;
}

/// What the PIN pad returns.
pub enum PinEntry {
    /// The PIN block, already encrypted under the PIK inside the PIN pad.
    Block([u8; 8]),
    /// The cardholder pressed enter without a PIN (allowed only where no PIN is needed).
    Bypassed,
    /// Cancelled.
    Cancelled,
}

impl std::fmt::Debug for PinEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PinEntry::Block(_) => "PinEntry::Block(<redacted>)",
            PinEntry::Bypassed => "PinEntry::Bypassed",
            PinEntry::Cancelled => "PinEntry::Cancelled",
        })
    }
}

/// Takes the PIN and encrypts it (ISO 9564 format 0) under the PIK in its secure element.
pub trait PinPad: Send {
    /// Prompts for the PIN of `pan` (for the PAN field of the block) and the amount shown.
    fn read_pin(&mut self, pan: &Pan, amount: Option<u64>) -> Result<PinEntry, DeviceError>;
}

/// The terminal-side data of a chip transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvRequest {
    /// 9F02, fen.
    pub amount: u64,
    /// 9C transaction type (`00` purchase, `31` inquiry, `03` pre-auth ...).
    pub txn_type: u8,
    /// 9A, YYMMDD.
    pub date: String,
    /// 9F21, hhmmss.
    pub time: String,
    /// 9F37 unpredictable number.
    pub unpredictable_number: [u8; 4],
}

/// What the issuer answered, for the card's second GENERATE AC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvIssuerResponse {
    /// Whether the host approved.
    pub approved: bool,
    /// Field 39.
    pub response_code: String,
    /// Field 55 of the answer (issuer authentication data, scripts), if any.
    pub icc_data: Option<Vec<u8>>,
}

/// The card's final decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvCompletion {
    /// The card accepted (TC) or refused (AAC) the host's approval.
    pub card_approved: bool,
    /// Field 55 for the TC upload (9F26 = TC), if approved.
    pub tc_data: Option<Vec<u8>>,
    /// Script results (9F5B) to notify, if the issuer sent scripts.
    pub script_results: Option<Vec<u8>>,
}

/// The EMV level-2 kernel: builds field 55 and runs the card's completion.
pub trait EmvKernel: Send {
    /// The downloaded CA public keys (each checksum verified) and AID parameters: given after
    /// every download and at each process start, before any chip transaction. Replaces what
    /// was given before.
    fn load_terminal_data(&mut self, data: &EmvTerminalData) -> Result<(), DeviceError>;
    /// First GENERATE AC: the field 55 of the online request (ARQC and terminal data).
    fn start(&mut self, card: &CardData, request: &EmvRequest) -> Result<Vec<u8>, DeviceError>;
    /// Second GENERATE AC with the issuer's answer.
    fn complete(&mut self, response: &EmvIssuerResponse) -> Result<EmvCompletion, DeviceError>;
}

/// Prints receipts (lines of text for a thermal printer).
pub trait Printer: Send {
    /// Prints one receipt.
    fn print(&mut self, lines: &[String]) -> Result<(), DeviceError>;
}

/// The terminal's hardware.
pub struct Hardware {
    /// Card reader.
    pub card_reader: Box<dyn CardReader>,
    /// PIN pad.
    pub pin_pad: Box<dyn PinPad>,
    /// EMV kernel.
    pub emv: Box<dyn EmvKernel>,
    /// Printer.
    pub printer: Box<dyn Printer>,
}

impl std::fmt::Debug for Hardware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hardware").finish_non_exhaustive()
    }
}

/// Builds a [`DeviceError`].
pub fn device_error(device: &'static str, message: impl Into<String>) -> DeviceError {
    DeviceError {
        device,
        message: message.into(),
    }
}
