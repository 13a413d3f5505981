//! Desktop simulators of the terminal's hardware, driven by a shared [`SimCardholder`]: tests
//! and the demo "present" a card (and its PIN) and the simulated reader, PIN pad and EMV
//! kernel behave like the real ones would with the host simulator's test cards.

use super::SecurityHandle;
use super::{
    device_error, CancelToken, CardData, CardPrompt, CardRead, CardReader, EmvCompletion,
    EmvIssuerResponse, EmvKernel, EmvRequest, EntryMode, Hardware, PinEntry, PinPad, Printer,
};
use crate::error::DeviceError;
use crate::model::EmvTerminalData;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use unipos_crypto::emv::{derive_icc_master_key_option_a, generate_arqc};
use unipos_crypto::{DesKey, Pan, PinBlockFormat};
use unipos_iso8583::tlv::{self, Tag, Tlv};
use zeroize::Zeroizing;

/// A card the simulated customer presents.
#[derive(Clone)]
pub struct SimCard {
    /// Card number.
    pub pan: String,
    /// YYMM.
    pub expiry: String,
    /// Service code (3 digits), part of track 2.
    pub service_code: String,
    /// How it is presented.
    pub entry: EntryMode,
    /// The PIN the customer types (`None`: presses enter without a PIN).
    pub pin: Option<String>,
    /// Card sequence number for chip cards.
    pub psn: String,
    /// The chip application (tag 84); its first 5 bytes are the RID of the CA key.
    pub aid: Vec<u8>,
    /// The index of the CA key that certifies the card (tag 8F).
    pub ca_index: u8,
}

impl std::fmt::Debug for SimCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCard")
            .field("pan", &unipos_crypto::pan::mask_pan(&self.pan))
            .field("entry", &self.entry)
            .finish_non_exhaustive()
    }
}

impl SimCard {
    /// A magstripe card with a PIN.
    pub fn magstripe(pan: &str, expiry: &str, pin: Option<&str>) -> SimCard {
        SimCard {
            pan: pan.into(),
            expiry: expiry.into(),
            service_code: "201".into(),
            entry: EntryMode::Magstripe,
            pin: pin.map(str::to_owned),
            psn: "001".into(),
            aid: UNIONPAY_DEBIT_CREDIT_AID.to_vec(),
            ca_index: 0x03,
        }
    }

    /// The same card with another chip application and CA key index.
    pub fn with_application(mut self, aid: &[u8], ca_index: u8) -> SimCard {
        self.aid = aid.to_vec();
        self.ca_index = ca_index;
        self
    }

    /// A contact chip card with a PIN.
    pub fn chip(pan: &str, expiry: &str, pin: Option<&str>) -> SimCard {
        SimCard {
            entry: EntryMode::ContactIc,
            ..SimCard::magstripe(pan, expiry, pin)
        }
    }

    /// The same card presented contactless.
    pub fn contactless(mut self) -> SimCard {
        self.entry = EntryMode::Contactless;
        self
    }
}

#[derive(Default)]
struct SimState {
    cards: VecDeque<SimCard>,
    current: Option<SimCard>,
    printed: Vec<Vec<String>>,
    printer_fails: bool,
    kernel_data: Option<EmvTerminalData>,
}

/// The simulated customer and the paper trail: present cards, read what was printed.
#[derive(Clone, Default)]
pub struct SimCardholder {
    state: Arc<Mutex<SimState>>,
    /// How long the reader waits for a card before giving up (cancel works sooner).
    pub card_wait: Duration,
}

impl std::fmt::Debug for SimCardholder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCardholder").finish_non_exhaustive()
    }
}

impl SimCardholder {
    /// A new cardholder with no card yet.
    pub fn new() -> Self {
        SimCardholder {
            state: Arc::default(),
            card_wait: Duration::from_secs(30),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Presents a card for the next card wait (replacing one presented earlier and never
    /// read, as when a request is refused before the card wait).
    pub fn present(&self, card: SimCard) {
        let mut s = self.lock();
        s.cards.clear();
        s.cards.push_back(card);
    }

    /// Every receipt printed so far.
    pub fn printed(&self) -> Vec<Vec<String>> {
        self.lock().printed.clone()
    }

    /// What the engine last handed to the simulated EMV kernel (CA keys, AIDs).
    pub fn kernel_data(&self) -> Option<EmvTerminalData> {
        self.lock().kernel_data.clone()
    }

    /// Makes the printer fail (out of paper) or work again.
    pub fn set_printer_fails(&self, fails: bool) {
        self.lock().printer_fails = fails;
    }

    /// The full simulated hardware set, using `security` as the PIN pad's secure element.
    pub fn hardware(&self, security: SecurityHandle) -> Hardware {
        Hardware {
            card_reader: Box::new(SimCardReader {
                holder: self.clone(),
            }),
            pin_pad: Box::new(SimPinPad {
                holder: self.clone(),
                security,
            }),
            emv: Box::new(SimEmvKernel::new(self.clone())),
            printer: Box::new(SimPrinter {
                holder: self.clone(),
            }),
        }
    }
}

struct SimCardReader {
    holder: SimCardholder,
}

impl CardReader for SimCardReader {
    fn read_card(
        &mut self,
        _prompt: &CardPrompt,
        cancel: &CancelToken,
    ) -> Result<CardRead, DeviceError> {
        let started = Instant::now();
        loop {
            if cancel.is_cancelled() {
                return Ok(CardRead::Cancelled);
            }
            let next = {
                let mut s = self.holder.lock();
                let card = s.cards.pop_front();
                s.current.clone_from(&card);
                card
            };
            if let Some(card) = next {
                let pan = Pan::new(&card.pan)
                    .map_err(|_| device_error("card reader", "the card number cannot be read"))?;
                let track2 = Zeroizing::new(format!(
                    "{}D{}{}{}",
                    card.pan, card.expiry, card.service_code, "0000000000"
                ));
                return Ok(CardRead::Card(CardData {
                    entry: card.entry,
                    pan,
                    expiry: Some(card.expiry.clone()),
                    track2: Some(track2),
                    psn: card.entry.is_chip().then(|| card.psn.clone()),
                }));
            }
            if started.elapsed() >= self.holder.card_wait {
                return Err(device_error("card reader", "no card was presented"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

struct SimPinPad {
    holder: SimCardholder,
    security: SecurityHandle,
}

impl PinPad for SimPinPad {
    fn read_pin(&mut self, pan: &Pan, _amount: Option<u64>) -> Result<PinEntry, DeviceError> {
        let pin = self
            .holder
            .lock()
            .current
            .as_ref()
            .and_then(|c| c.pin.clone());
        let Some(pin) = pin.map(Zeroizing::new) else {
            return Ok(PinEntry::Bypassed);
        };
        let block = self
            .security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .encrypt_pin(PinBlockFormat::Iso0, &pin, pan.expose())
            .map_err(|e| device_error("PIN pad", e.to_string()))?;
        Ok(PinEntry::Block(block))
    }
}

/// Issuer master key of the simulated chip cards (test value).
const SIM_IMK: &str = "0123456789ABCDEFFEDCBA9876543210";

/// UnionPay debit/credit (PBOC), the application of the simulated chip cards.
const UNIONPAY_DEBIT_CREDIT_AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x01];

/// The application version of the simulated cards (9F08 of PBOC 3.0).
const CARD_APP_VERSION: [u8; 2] = [0x00, 0x30];

/// A kernel that, like a real one, selects only applications the terminal has parameters for
/// and authenticates the card offline only with a downloaded CA key.
struct SimEmvKernel {
    holder: SimCardholder,
    atc: u16,
    pending: Option<(DesKey, Vec<u8>)>,
}

impl SimEmvKernel {
    fn new(holder: SimCardholder) -> Self {
        SimEmvKernel {
            holder,
            atc: 0x0020,
            pending: None,
        }
    }

    /// Application selection and offline data authentication against the loaded data: the
    /// card's AID and the first two TVR bytes.
    fn select(&self) -> Result<(Vec<u8>, [u8; 2]), DeviceError> {
        let s = self.holder.lock();
        let (aid, ca_index) = s
            .current
            .as_ref()
            .map(|c| (c.aid.clone(), c.ca_index))
            .unwrap_or((UNIONPAY_DEBIT_CREDIT_AID.to_vec(), 0x03));
        let data = s.kernel_data.as_ref().ok_or_else(|| {
            device_error("EMV kernel", "no AID parameters loaded: run startup first")
        })?;
        let params = data.aid(&aid).ok_or_else(|| {
            device_error(
                "EMV kernel",
                format!(
                    "the card's application {} is not among the terminal's downloaded AIDs",
                    hex::encode_upper(&aid)
                ),
            )
        })?;
        // TVR byte 1 bit 8: offline data authentication not performed (no CA key for the card).
        let rid = aid.get(..5).unwrap_or_default();
        let oda = if data.ca_key(rid, ca_index).is_some() {
            0x00
        } else {
            0x80
        };
        // TVR byte 2 bit 8: ICC and terminal have different application versions.
        let versions = if params.version.is_some_and(|v| v != CARD_APP_VERSION) {
            0x80
        } else {
            0x00
        };
        Ok((aid, [oda, versions]))
    }
}

fn tag(v: u32) -> Result<Tag, DeviceError> {
    Tag::from_u32(v).map_err(|e| device_error("EMV kernel", e.to_string()))
}

fn bcd12(amount: u64) -> Vec<u8> {
    let digits = format!("{:012}", amount % 1_000_000_000_000);
    hex::decode(digits).unwrap_or_default()
}

impl EmvKernel for SimEmvKernel {
    fn load_terminal_data(&mut self, data: &EmvTerminalData) -> Result<(), DeviceError> {
        self.holder.lock().kernel_data = Some(data.clone());
        Ok(())
    }

    fn start(&mut self, card: &CardData, request: &EmvRequest) -> Result<Vec<u8>, DeviceError> {
        let (aid, [tvr1, tvr2]) = self.select()?;
        let imk =
            DesKey::from_hex(SIM_IMK).map_err(|e| device_error("EMV kernel", e.to_string()))?;
        let psn = card.psn.clone().unwrap_or_else(|| "001".into());
        let key =
            derive_icc_master_key_option_a(&imk, card.pan.expose(), psn.get(1..).unwrap_or("01"))
                .map_err(|e| device_error("EMV kernel", e.to_string()))?;
        self.atc = self.atc.wrapping_add(1);
        let date = hex::decode(&request.date).unwrap_or_default();
        let tvr = [tvr1, tvr2, 0x00, 0x88, 0x00];
        // CDOL1-style data the ARQC covers (EMV Book 2 recommended minimum set).
        let mut cdol = Vec::new();
        cdol.extend_from_slice(&bcd12(request.amount));
        cdol.extend_from_slice(&bcd12(0));
        cdol.extend_from_slice(&[0x01, 0x56]);
        cdol.extend_from_slice(&tvr);
        cdol.extend_from_slice(&[0x01, 0x56]);
        cdol.extend_from_slice(&date);
        cdol.push(request.txn_type);
        cdol.extend_from_slice(&request.unpredictable_number);
        cdol.extend_from_slice(&[0x7C, 0x00]);
        cdol.extend_from_slice(&self.atc.to_be_bytes());
        let arqc =
            generate_arqc(&key, &cdol).map_err(|e| device_error("EMV kernel", e.to_string()))?;
        let items: Vec<(u32, Vec<u8>)> = vec![
            (0x9F26, arqc.to_vec()),
            (0x9F27, vec![0x80]),
            (0x9F10, vec![0x07, 0x01, 0x01, 0x03, 0xA0, 0x00, 0x00, 0x01]),
            (0x9F37, request.unpredictable_number.to_vec()),
            (0x9F36, self.atc.to_be_bytes().to_vec()),
            (0x95, tvr.to_vec()),
            (0x9A, date),
            (0x9C, vec![request.txn_type]),
            (0x9F02, bcd12(request.amount)),
            (0x5F2A, vec![0x01, 0x56]),
            (0x82, vec![0x7C, 0x00]),
            (0x9F1A, vec![0x01, 0x56]),
            (0x9F03, bcd12(0)),
            (0x9F33, vec![0xE0, 0xE1, 0xC8]),
            (0x9F34, vec![0x42, 0x03, 0x00]),
            (0x9F35, vec![0x22]),
            (0x9F1E, b"UNIPOS01".to_vec()),
            (0x84, aid),
            (0x9F09, vec![0x00, 0x30]),
            (0x9F41, vec![0x00, 0x00, 0x00, 0x01]),
        ];
        let mut list = Vec::with_capacity(items.len());
        for (t, v) in items {
            list.push(Tlv::primitive(tag(t)?, v));
        }
        self.pending = Some((key, cdol));
        Ok(tlv::encode_all(&list))
    }

    fn complete(&mut self, response: &EmvIssuerResponse) -> Result<EmvCompletion, DeviceError> {
        let Some((key, mut cdol)) = self.pending.take() else {
            return Err(device_error("EMV kernel", "no transaction in progress"));
        };
        if !response.approved {
            return Ok(EmvCompletion {
                card_approved: false,
                tc_data: None,
                script_results: None,
            });
        }
        cdol.extend_from_slice(response.response_code.as_bytes());
        let tc =
            generate_arqc(&key, &cdol).map_err(|e| device_error("EMV kernel", e.to_string()))?;
        let tc_data = tlv::encode_all(&[
            Tlv::primitive(tag(0x9F26)?, tc.to_vec()),
            Tlv::primitive(tag(0x9F27)?, vec![0x40]),
            Tlv::primitive(tag(0x9F36)?, self.atc.to_be_bytes().to_vec()),
        ]);
        Ok(EmvCompletion {
            card_approved: true,
            tc_data: Some(tc_data),
            script_results: None,
        })
    }
}

struct SimPrinter {
    holder: SimCardholder,
}

impl Printer for SimPrinter {
    fn print(&mut self, lines: &[String]) -> Result<(), DeviceError> {
        let mut s = self.holder.lock();
        if s.printer_fails {
            return Err(device_error("printer", "out of paper"));
        }
        s.printed.push(lines.to_vec());
        Ok(())
    }
}
