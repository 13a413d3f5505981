//! The EMV level-2 kernel of the terminal, driven by the engine.

use super::card_reader::EntryMode;
use super::{device_error, CallbackError, FaultSlot};
use crate::error::DeviceFault;
use std::sync::Arc;
use unipos_terminal::hardware as hw;
use unipos_terminal::model as t;
use unipos_terminal::DeviceError;

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

/// A CA public key as downloaded, its checksum (DF03) verified by the engine.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvCaKey {
    /// RID (9F06), 5 bytes.
    pub rid: Vec<u8>,
    /// Key index (9F22).
    pub index: u8,
    /// Expiry as sent (DF05, ASCII `YYYYMMDD`).
    pub expiry: Vec<u8>,
    /// Hash algorithm indicator (DF06, `01` = SHA-1).
    pub hash_algorithm: u8,
    /// Public key algorithm indicator (DF07, `01` = RSA).
    pub key_algorithm: u8,
    /// Modulus (DF02).
    pub modulus: Vec<u8>,
    /// Exponent (DF04).
    pub exponent: Vec<u8>,
    /// Checksum (DF03).
    pub checksum: Vec<u8>,
}

/// One application's parameters as downloaded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmvAid {
    /// The AID (9F06).
    pub aid: Vec<u8>,
    /// Every parameter TLV of the download, 9F06 first (TACs, floor limit, DDOL, limits).
    pub tlvs: Vec<u8>,
}

/// The EMV level-2 kernel.
#[uniffi::export(callback_interface)]
pub trait EmvKernel: Send + Sync {
    /// The downloaded CA keys and AIDs: called after every download and at each start, before
    /// any chip transaction; replaces what was loaded before.
    fn load_terminal_data(
        &self,
        ca_keys: Vec<EmvCaKey>,
        aids: Vec<EmvAid>,
    ) -> Result<(), CallbackError>;
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
    fn load_terminal_data(&mut self, data: &t::EmvTerminalData) -> Result<(), DeviceError> {
        let keys = data
            .ca_keys
            .iter()
            .map(|k| EmvCaKey {
                rid: k.rid.clone(),
                index: k.index,
                expiry: k.expiry.clone(),
                hash_algorithm: k.hash_algorithm,
                key_algorithm: k.key_algorithm,
                modulus: k.modulus.clone(),
                exponent: k.exponent.clone(),
                checksum: k.checksum.to_vec(),
            })
            .collect();
        let aids = data
            .aids
            .iter()
            .map(|a| EmvAid {
                aid: a.aid.clone(),
                tlvs: a.tlvs.clone(),
            })
            .collect();
        self.inner
            .load_terminal_data(keys, aids)
            .map_err(|e| device_error(&self.slot, "EMV kernel", &e, DeviceFault::Emv))
    }

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
