//! An external (vendor) security module holding the TMK and the work keys.

use super::{record, CallbackError, FaultSlot};
use crate::error::DeviceFault;
use crate::redact::redact;
use std::sync::Arc;
use unipos_crypto::mac::{MacAlgorithm, MacPadding};
use unipos_crypto::security_module::SecurityModule;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_crypto::{CryptoError, DesKey, PinBlockFormat};

/// Which work key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeyRole {
    /// PIK.
    Pin,
    /// MAK.
    Mac,
    /// TDK.
    Track,
    /// The terminal's QR gateway key (provisioned, not sent at sign-in).
    Qr,
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
    /// Loads the terminal's QR gateway key (role `Qr`) under the TMK, verifying its check
    /// value; kept across sign-ins (its own key index).
    fn install_qr_key(&self, key: WrappedWorkKey) -> Result<(), CallbackError>;
    /// The 4-byte check value of the loaded QR key, or `null` when none is loaded.
    fn qr_key_check_value(&self) -> Result<Option<Vec<u8>>, CallbackError>;
    /// A MAC under the QR key (8 bytes), as [`SecurityModuleCallback::mac`] under the MAK.
    fn qr_mac(
        &self,
        algorithm: MacKind,
        method2_padding: bool,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, CallbackError>;
}

fn kind_of(algorithm: MacAlgorithm) -> MacKind {
    match algorithm {
        MacAlgorithm::CupEcb => MacKind::CupEcb,
        MacAlgorithm::X99 => MacKind::X99,
        MacAlgorithm::X919 => MacKind::X919,
    }
}

fn role_of(role: WorkKeyRole) -> KeyRole {
    match role {
        WorkKeyRole::Pin => KeyRole::Pin,
        WorkKeyRole::Mac => KeyRole::Mac,
        WorkKeyRole::Track => KeyRole::Track,
        WorkKeyRole::Qr => KeyRole::Qr,
    }
}

pub(crate) struct ExternalSecurityModule {
    pub(crate) inner: Arc<dyn SecurityModuleCallback>,
    pub(crate) slot: FaultSlot,
}

impl ExternalSecurityModule {
    fn eight_bytes(&self, what: &str, out: &[u8]) -> Result<[u8; 8], CryptoError> {
        out.try_into().map_err(|_| {
            self.failed(
                what,
                &CallbackError::Failed {
                    reason: "the MAC must be 8 bytes".into(),
                },
            )
        })
    }

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
                role: role_of(k.role),
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
        let out = self
            .inner
            .mac(
                kind_of(algorithm),
                padding == MacPadding::Method2,
                data.to_vec(),
            )
            .map_err(|e| self.failed("MAC", &e))?;
        self.eight_bytes("MAC", &out)
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

    fn install_qr_key(&mut self, key: &WrappedKey) -> Result<(), CryptoError> {
        let k = WrappedWorkKey {
            role: role_of(key.role),
            ciphertext: key.ciphertext.clone(),
            check_value: key.check_value.clone(),
        };
        self.inner
            .install_qr_key(k)
            .map_err(|e| self.failed("installing the QR key", &e))
    }

    fn qr_key_check_value(&self) -> Option<[u8; 4]> {
        match self.inner.qr_key_check_value() {
            Ok(v) => v.and_then(|v| v.as_slice().try_into().ok()),
            Err(e) => {
                log::warn!("security module: reading the QR key check value failed: {e}");
                None
            }
        }
    }

    fn qr_mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        let out = self
            .inner
            .qr_mac(
                kind_of(algorithm),
                padding == MacPadding::Method2,
                data.to_vec(),
            )
            .map_err(|e| self.failed("QR MAC", &e))?;
        self.eight_bytes("QR MAC", &out)
    }
}
