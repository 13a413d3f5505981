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

use crate::error::DeviceFault;
use crate::redact::redact;
use std::sync::{Arc, Mutex, PoisonError};
use unipos_crypto::at_rest::{AtRestError, KeyWrap};
use unipos_crypto::mac::{MacAlgorithm, MacPadding};
use unipos_crypto::security_module::SecurityModule;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_crypto::{CryptoError, DesKey, Pan, PinBlockFormat};
use unipos_terminal::hardware as hw;
use unipos_terminal::{DeviceError, SecurityHandle};
use zeroize::{Zeroize, Zeroizing};

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

fn record(slot: &FaultSlot, fault: DeviceFault) {
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(fault);
}

fn device_error(
    slot: &FaultSlot,
    device: &'static str,
    e: &CallbackError,
    fault: DeviceFault,
) -> DeviceError {
    record(slot, fault);
    log::warn!("{device} callback failed: {e}");
    hw::device_error(device, redact(&e.to_string()))
}

// ---- card reader ---------------------------------------------------------------------------------

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

/// Lets a card reader see that the wait was cancelled (`PosTerminal.cancelCardWait()`).
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

// ---- PIN pad -------------------------------------------------------------------------------------

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

// ---- EMV kernel ----------------------------------------------------------------------------------

/// The card as the EMV kernel sees it (the kernel holds the card session itself).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvCard {
    /// How it was read.
    pub entry: EntryMode,
    /// First 6 and last 4 digits.
    pub masked_pan: String,
    /// Card sequence number.
    pub psn: Option<String>,
}

/// Terminal data for the first GENERATE AC.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvStart {
    /// 9F02, fen.
    pub amount: i64,
    /// 9C transaction type.
    pub txn_type: u8,
    /// 9A, YYMMDD.
    pub date: String,
    /// 9F21, hhmmss.
    pub time: String,
    /// 9F37, 4 bytes.
    pub unpredictable_number: Vec<u8>,
}

/// The issuer's answer, for the second GENERATE AC.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvIssuerAnswer {
    /// Whether the host approved.
    pub approved: bool,
    /// Field 39.
    pub response_code: String,
    /// Field 55 of the answer.
    pub icc_data: Option<Vec<u8>>,
}

/// The card's final decision.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvFinish {
    /// TC (true) or AAC (false).
    pub card_approved: bool,
    /// Field 55 for the TC upload.
    pub tc_data: Option<Vec<u8>>,
    /// Script results (9F5B).
    pub script_results: Option<Vec<u8>>,
}

/// The EMV level-2 kernel.
#[uniffi::export(callback_interface)]
pub trait EmvKernel: Send + Sync {
    /// First GENERATE AC: returns field 55 of the online request.
    fn start(&self, card: EmvCard, request: EmvStart) -> Result<Vec<u8>, CallbackError>;
    /// Second GENERATE AC.
    fn complete(&self, answer: EmvIssuerAnswer) -> Result<EmvFinish, CallbackError>;
}

pub(crate) struct EmvKernelAdapter {
    pub(crate) inner: Arc<dyn EmvKernel>,
    pub(crate) slot: FaultSlot,
}

impl hw::EmvKernel for EmvKernelAdapter {
    fn start(
        &mut self,
        card: &hw::CardData,
        request: &hw::EmvRequest,
    ) -> Result<Vec<u8>, DeviceError> {
        let c = EmvCard {
            entry: card.entry.into(),
            masked_pan: card.pan.masked(),
            psn: card.psn.clone(),
        };
        let r = EmvStart {
            amount: crate::types::to_i64(request.amount),
            txn_type: request.txn_type,
            date: request.date.clone(),
            time: request.time.clone(),
            unpredictable_number: request.unpredictable_number.to_vec(),
        };
        self.inner
            .start(c, r)
            .map_err(|e| device_error(&self.slot, "EMV kernel", &e, DeviceFault::Emv))
    }

    fn complete(
        &mut self,
        response: &hw::EmvIssuerResponse,
    ) -> Result<hw::EmvCompletion, DeviceError> {
        let a = EmvIssuerAnswer {
            approved: response.approved,
            response_code: response.response_code.clone(),
            icc_data: response.icc_data.clone(),
        };
        self.inner
            .complete(a)
            .map(|f| hw::EmvCompletion {
                card_approved: f.card_approved,
                tc_data: f.tc_data,
                script_results: f.script_results,
            })
            .map_err(|e| device_error(&self.slot, "EMV kernel", &e, DeviceFault::Emv))
    }
}

// ---- printer -------------------------------------------------------------------------------------

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

// ---- progress ------------------------------------------------------------------------------------

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

// ---- security module -----------------------------------------------------------------------------

/// Which work key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeyRole {
    /// PIK.
    Pin,
    /// MAK.
    Mac,
    /// TDK.
    Track,
}

/// A work key as the host sent it: encrypted under the TMK held by the PIN pad.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WrappedWorkKey {
    /// Which key.
    pub role: KeyRole,
    /// TDES-ECB ciphertext under the TMK.
    pub ciphertext: Vec<u8>,
    /// Check value (first bytes of the encryption of zeros).
    pub check_value: Vec<u8>,
}

/// The MAC algorithm of field 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MacKind {
    /// UnionPay "ECB" MAC.
    CupEcb,
    /// X9.9 CBC-MAC.
    X99,
    /// X9.19 retail MAC.
    X919,
}

/// A vendor PIN pad / secure element holding the TMK and work keys, addressed by key index
/// inside the Kotlin adapter. Used instead of the software module in production.
#[uniffi::export(callback_interface)]
pub trait SecurityModuleCallback: Send + Sync {
    /// Loads the sign-in work keys under the TMK (all or nothing; verify check values).
    fn install_work_keys(&self, keys: Vec<WrappedWorkKey>) -> Result<(), CallbackError>;
    /// Whether a PIK and MAK are loaded.
    fn has_work_keys(&self) -> Result<bool, CallbackError>;
    /// Discards the work keys.
    fn clear_work_keys(&self) -> Result<(), CallbackError>;
    /// Field 64 over `data` (8 bytes). `method2_padding`: ISO 9797-1 method 2 instead of zeros.
    fn mac(
        &self,
        algorithm: MacKind,
        method2_padding: bool,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, CallbackError>;
    /// Encrypts track data under the TDK (ECB, multiple of 8 bytes).
    fn encrypt_track(&self, data: Vec<u8>) -> Result<Vec<u8>, CallbackError>;
}

pub(crate) struct ExternalSecurityModule {
    pub(crate) inner: Arc<dyn SecurityModuleCallback>,
    pub(crate) slot: FaultSlot,
}

impl ExternalSecurityModule {
    fn failed(&self, what: &str, e: &CallbackError) -> CryptoError {
        record(&self.slot, DeviceFault::Security);
        log::warn!("security module: {what} failed: {}", redact(&e.to_string()));
        CryptoError::KeyNotLoaded {
            key: "security module key",
            remedy: "the PIN pad refused the operation; sign in again or reload the keys",
        }
    }
}

impl SecurityModule for ExternalSecurityModule {
    fn load_master_key(&mut self, _tmk: DesKey) -> Result<(), CryptoError> {
        // A clear TMK never goes to Kotlin: it is injected into the PIN pad by the vendor's
        // key-loading tool.
        record(&self.slot, DeviceFault::Security);
        Err(CryptoError::KeyNotLoaded {
            key: "TMK",
            remedy: "inject the TMK into the PIN pad with the key-loading tool",
        })
    }

    fn install_work_keys(&mut self, keys: &[WrappedKey]) -> Result<(), CryptoError> {
        let keys = keys
            .iter()
            .map(|k| WrappedWorkKey {
                role: match k.role {
                    WorkKeyRole::Pin => KeyRole::Pin,
                    WorkKeyRole::Mac => KeyRole::Mac,
                    WorkKeyRole::Track => KeyRole::Track,
                },
                ciphertext: k.ciphertext.clone(),
                check_value: k.check_value.clone(),
            })
            .collect();
        self.inner
            .install_work_keys(keys)
            .map_err(|e| self.failed("installing the work keys", &e))
    }

    fn has_work_keys(&self) -> bool {
        self.inner.has_work_keys().unwrap_or(false)
    }

    fn clear_work_keys(&mut self) {
        if let Err(e) = self.inner.clear_work_keys() {
            log::warn!("security module: clearing the work keys failed: {e}");
        }
    }

    fn mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        let kind = match algorithm {
            MacAlgorithm::CupEcb => MacKind::CupEcb,
            MacAlgorithm::X99 => MacKind::X99,
            MacAlgorithm::X919 => MacKind::X919,
        };
        let out = self
            .inner
            .mac(kind, padding == MacPadding::Method2, data.to_vec())
            .map_err(|e| self.failed("MAC", &e))?;
        out.as_slice().try_into().map_err(|_| {
            self.failed(
                "MAC",
                &CallbackError::Failed {
                    reason: "the MAC must be 8 bytes".into(),
                },
            )
        })
    }

    fn encrypt_pin(
        &mut self,
        _format: PinBlockFormat,
        _pin: &str,
        _pan: &str,
    ) -> Result<[u8; 8], CryptoError> {
        // With a hardware PIN pad the PIN is encrypted inside the pad; a clear PIN never
        // reaches this module (the PIN pad adapter refuses clear PINs in this mode).
        record(&self.slot, DeviceFault::Security);
        Err(CryptoError::KeyNotLoaded {
            key: "PIK",
            remedy: "the PIN must be encrypted inside the PIN pad",
        })
    }

    fn encrypt_track(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.inner
            .encrypt_track(data.to_vec())
            .map_err(|e| self.failed("track encryption", &e))
    }
}

// ---- key wrapping ---------------------------------------------------------------------------------

/// Wraps the terminal's data key (32 bytes) under a key the key files never contain. On Android:
/// an AndroidKeyStore AES-256-GCM key (non-exportable); on the JVM and in tests: a clearly
/// labelled software stand-in. The data key protects the card numbers sealed in the journal and
/// the software security module's key file (`docs/operations.md`).
///
/// `plain` is key material: wipe the array once wrapped. What `wrap` returns is stored in the
/// data-key file beside the database and must be given back to `unwrap` unchanged.
#[uniffi::export(callback_interface)]
pub trait KeyWrapper: Send + Sync {
    /// Encrypts the data key.
    fn wrap(&self, plain: Vec<u8>) -> Result<Vec<u8>, CallbackError>;
    /// Decrypts what [`KeyWrapper::wrap`] returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, CallbackError>;
}

pub(crate) struct KeyWrapperAdapter(pub(crate) Box<dyn KeyWrapper>);

impl KeyWrap for KeyWrapperAdapter {
    fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, AtRestError> {
        self.0
            .wrap(plain.to_vec())
            .map_err(|e| AtRestError::Wrapper {
                reason: redact(&e.to_string()),
            })
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError> {
        self.0
            .unwrap(wrapped.to_vec())
            .map(Zeroizing::new)
            .map_err(|e| AtRestError::Wrapper {
                reason: redact(&e.to_string()),
            })
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
