//! The card reader: the card as read goes into Rust only.

use super::{device_error, record, CallbackError, FaultSlot};
use crate::error::DeviceFault;
use std::sync::Arc;
use unipos_crypto::Pan;
use unipos_terminal::hardware as hw;
use unipos_terminal::DeviceError;
use zeroize::{Zeroize, Zeroizing};

/// How a card was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EntryMode {
    /// Magnetic stripe.
    Magstripe,
    /// Contact chip.
    ContactIc,
    /// Contactless.
    Contactless,
}

impl From<EntryMode> for hw::EntryMode {
    fn from(e: EntryMode) -> Self {
        match e {
            EntryMode::Magstripe => hw::EntryMode::Magstripe,
            EntryMode::ContactIc => hw::EntryMode::ContactIc,
            EntryMode::Contactless => hw::EntryMode::Contactless,
        }
    }
}

impl From<hw::EntryMode> for EntryMode {
    fn from(e: hw::EntryMode) -> Self {
        match e {
            hw::EntryMode::Magstripe => EntryMode::Magstripe,
            hw::EntryMode::ContactIc => EntryMode::ContactIc,
            hw::EntryMode::Contactless => EntryMode::Contactless,
        }
    }
}

/// What the engine asks the card reader for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardPrompt {
    /// Amount to show, fen (`null` for a balance inquiry).
    pub amount: Option<i64>,
    /// Title to show (`消费 Sale`, ...).
    pub title: String,
    /// Whether contactless is allowed.
    pub allow_contactless: bool,
}

/// A card as read by the Kotlin card reader (goes into Rust only).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardInput {
    /// How it was read.
    pub entry: EntryMode,
    /// Card number (digits).
    pub pan: String,
    /// YYMM.
    pub expiry: Option<String>,
    /// Track 2 equivalent data (digits with `D` or `=` separator).
    pub track2: Option<String>,
    /// Card sequence number (3 digits), chip cards.
    pub psn: Option<String>,
}

impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardInput")
            .field("entry", &self.entry)
            .field("pan", &unipos_crypto::pan::mask_pan(&self.pan))
            .finish_non_exhaustive()
    }
}

/// The result of a card wait.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CardReadResult {
    /// A card was read.
    Card {
        /// The data.
        card: CardInput,
    },
    /// The cashier cancelled, or [`CancelSignal::is_cancelled`] became true.
    Cancelled,
}

/// Lets a card reader see that the wait was cancelled (`PosTerminal.cancelWait()`).
#[derive(Debug, uniffi::Object)]
pub struct CancelSignal {
    token: hw::CancelToken,
}

#[uniffi::export]
impl CancelSignal {
    /// Whether the wait was cancelled: return `CardReadResult.Cancelled` promptly.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// Reads cards. Called on a background thread; should poll `cancel` while waiting.
#[uniffi::export(callback_interface)]
pub trait CardReader: Send + Sync {
    /// Waits for a card.
    fn read_card(
        &self,
        prompt: CardPrompt,
        cancel: Arc<CancelSignal>,
    ) -> Result<CardReadResult, CallbackError>;
}

pub(crate) struct CardReaderAdapter {
    pub(crate) inner: Arc<dyn CardReader>,
    pub(crate) slot: FaultSlot,
}

impl hw::CardReader for CardReaderAdapter {
    fn read_card(
        &mut self,
        prompt: &hw::CardPrompt,
        cancel: &hw::CancelToken,
    ) -> Result<hw::CardRead, DeviceError> {
        let p = CardPrompt {
            amount: prompt.amount.map(crate::types::to_i64),
            title: prompt.title.clone(),
            allow_contactless: prompt.allow_contactless,
        };
        let signal = Arc::new(CancelSignal {
            token: cancel.clone(),
        });
        match self.inner.read_card(p, signal) {
            Ok(CardReadResult::Cancelled) => Ok(hw::CardRead::Cancelled),
            Ok(CardReadResult::Card { card }) => {
                let CardInput {
                    entry,
                    mut pan,
                    expiry,
                    track2,
                    psn,
                } = card;
                let track2 = track2.map(Zeroizing::new);
                let parsed = Pan::new(&pan);
                pan.zeroize();
                let pan = parsed.map_err(|_| {
                    record(&self.slot, DeviceFault::CardReader);
                    hw::device_error("card reader", "the card number cannot be read")
                })?;
                Ok(hw::CardRead::Card(hw::CardData {
                    entry: entry.into(),
                    pan,
                    expiry,
                    track2,
                    psn,
                }))
            }
            Err(e @ CallbackError::Timeout { .. }) => Err(device_error(
                &self.slot,
                "card reader",
                &e,
                DeviceFault::CardWaitTimeout,
            )),
            Err(e) => Err(device_error(
                &self.slot,
                "card reader",
                &e,
                DeviceFault::CardReader,
            )),
        }
    }
}
