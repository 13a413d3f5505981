//! The [`SecurityModule`] trait: everything the payment core asks of a PIN pad or
//! secure element, and [`SoftwareSecurityModule`], a software stand-in for tests,
//! simulators and development builds.
//!
//! On a real smart POS the keys never leave the vendor's PIN pad; an adapter
//! implements this trait by calling the vendor SDK with key indexes instead.
//!
//! ```
//! use unipos_crypto::mac::{MacAlgorithm, MacPadding};
//! use unipos_crypto::pin::PinBlockFormat;
//! use unipos_crypto::security_module::{SecurityModule, SoftwareSecurityModule};
//! use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
//! use unipos_crypto::DesKey;
//!
//! let tmk = DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923")?;
//! let mut module = SoftwareSecurityModule::with_master_key(tmk.clone());
//!
//! // What the host sends at sign-in (here produced locally).
//! let pik = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210")?;
//! let mak = DesKey::from_hex("C24A8FB57AA20123")?;
//! module.install_work_keys(&[
//!     WrappedKey::wrap(WorkKeyRole::Pin, &tmk, &pik)?,
//!     WrappedKey::wrap(WorkKeyRole::Mac, &tmk, &mak)?,
//! ])?;
//!
//! let field_64 = module.mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"MAB")?;
//! let field_52 = module.encrypt_pin(PinBlockFormat::Iso0, "1234", "5555555551234567")?;
//! assert_eq!(field_64.len() + field_52.len(), 16);
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use core::fmt;

use crate::error::CryptoError;
use crate::keys::DesKey;
use crate::mac::{self, MacAlgorithm, MacPadding};
use crate::pin::{self, PinBlockFormat};
use crate::random::{OsRandom, RandomSource};
use crate::unwrap::{WorkKeys, WrappedKey};

/// A device (or software) that holds the terminal's keys and performs every
/// operation that needs them, so that callers never handle clear keys.
pub trait SecurityModule: Send {
    /// Stores the terminal master key (TMK). Any work keys installed under the
    /// previous TMK are discarded.
    ///
    /// # Errors
    /// Implementation-specific (for example a PIN pad refusing the key).
    fn load_master_key(&mut self, tmk: DesKey) -> Result<(), CryptoError>;

    /// Unwraps the sign-in work keys under the TMK, verifies every check value and
    /// installs them, all or nothing: on any error the previous keys stay in place.
    /// A PIK and a MAK are required; a TDK is optional.
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a TMK; otherwise those of
    /// [`WorkKeys::unwrap_all`].
    fn install_work_keys(&mut self, keys: &[WrappedKey]) -> Result<(), CryptoError>;

    /// Whether a PIK and MAK are installed.
    fn has_work_keys(&self) -> bool;

    /// Discards the work keys (at sign-off, or when the host asks for a new sign-in).
    fn clear_work_keys(&mut self);

    /// Computes a field 64 MAC under the MAK; see [`mac::compute`] for the output format.
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a MAK; otherwise those of [`mac::compute`].
    fn mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError>;

    /// Builds a PIN block and encrypts it under the PIK, giving the field 52 bytes.
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a PIK; otherwise those of
    /// [`pin::encode_pin_block`].
    fn encrypt_pin(
        &mut self,
        format: PinBlockFormat,
        pin: &str,
        pan: &str,
    ) -> Result<[u8; 8], CryptoError>;

    /// Encrypts track data under the TDK, ECB over 8-byte blocks. Choosing which bytes
    /// of the track to encrypt is the caller's business.
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a TDK; [`CryptoError::NotBlockAligned`]
    /// unless `data` is a multiple of 8 bytes.
    fn encrypt_track(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// Installs the terminal's QR gateway key: the acquirer's per-terminal key, delivered
    /// with the terminal's provisioning encrypted under the TMK with its check value (like a
    /// work key, but long-lived). Sign-in, sign-out and [`SecurityModule::clear_work_keys`]
    /// leave it; a new TMK discards it. Nothing changes unless it unwraps and checks.
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a TMK; those of
    /// [`crate::unwrap::unwrap_and_check`].
    fn install_qr_key(&mut self, key: &WrappedKey) -> Result<(), CryptoError>;

    /// The check value (4 bytes) of the installed QR key, if any: tells whether a
    /// provisioned key is already in.
    fn qr_key_check_value(&self) -> Option<[u8; 4]>;

    /// A MAC under the QR key (the QR gateway's request and answer MACs).
    ///
    /// # Errors
    /// [`CryptoError::KeyNotLoaded`] without a QR key; otherwise those of [`mac::compute`].
    fn qr_mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError>;
}

const NO_WORK_KEYS: &str = "sign in to download the work keys";

/// A [`SecurityModule`] that keeps its keys in (zeroizing) process memory.
///
/// Suitable for tests, simulators and development; production terminals should use
/// the hardware PIN pad.
pub struct SoftwareSecurityModule {
    tmk: Option<DesKey>,
    work_keys: Option<WorkKeys>,
    qr_key: Option<DesKey>,
    rng: Box<dyn RandomSource + Send>,
}

impl SoftwareSecurityModule {
    /// An empty module: no keys, OS randomness.
    #[must_use]
    pub fn new() -> Self {
        Self {
            tmk: None,
            work_keys: None,
            qr_key: None,
            rng: Box::new(OsRandom),
        }
    }

    /// A module with the TMK already loaded.
    #[must_use]
    pub fn with_master_key(tmk: DesKey) -> Self {
        Self {
            tmk: Some(tmk),
            ..Self::new()
        }
    }

    /// Replaces the random source used for ISO 9564 format 3 pad nibbles (tests use
    /// [`crate::random::DeterministicRandom`] for repeatable blocks).
    #[must_use]
    pub fn with_random_source(mut self, rng: impl RandomSource + Send + 'static) -> Self {
        self.rng = Box::new(rng);
        self
    }

    /// Whether a TMK is loaded.
    #[must_use]
    pub fn has_master_key(&self) -> bool {
        self.tmk.is_some()
    }

    fn work_keys(&self) -> Result<&WorkKeys, CryptoError> {
        self.work_keys.as_ref().ok_or(CryptoError::KeyNotLoaded {
            key: "work key set (PIK/MAK)",
            remedy: NO_WORK_KEYS,
        })
    }
}

impl Default for SoftwareSecurityModule {
    fn default() -> Self {
        Self::new()
    }
}

/// Shows which keys are present and their check values, never the keys.
impl fmt::Debug for SoftwareSecurityModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSecurityModule")
            .field("tmk", &self.tmk)
            .field("work_keys", &self.work_keys)
            .field("qr_key", &self.qr_key)
            .finish_non_exhaustive()
    }
}

impl SecurityModule for SoftwareSecurityModule {
    fn load_master_key(&mut self, tmk: DesKey) -> Result<(), CryptoError> {
        self.work_keys = None;
        self.qr_key = None;
        self.tmk = Some(tmk);
        Ok(())
    }

    fn install_work_keys(&mut self, keys: &[WrappedKey]) -> Result<(), CryptoError> {
        let tmk = self.tmk.as_ref().ok_or(CryptoError::KeyNotLoaded {
            key: "master key (TMK)",
            remedy: "have the terminal master key injected before signing in",
        })?;
        self.work_keys = Some(WorkKeys::unwrap_all(tmk, keys)?);
        Ok(())
    }

    fn has_work_keys(&self) -> bool {
        self.work_keys.is_some()
    }

    fn clear_work_keys(&mut self) {
        self.work_keys = None;
    }

    fn mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        let keys = self.work_keys()?;
        mac::compute(algorithm, &keys.mak, data, padding)
    }

    fn encrypt_pin(
        &mut self,
        format: PinBlockFormat,
        pin: &str,
        pan: &str,
    ) -> Result<[u8; 8], CryptoError> {
        let keys = self.work_keys.as_ref().ok_or(CryptoError::KeyNotLoaded {
            key: "PIN key (PIK)",
            remedy: NO_WORK_KEYS,
        })?;
        let block = pin::encrypt_pin(&keys.pik, format, pin, pan, &mut self.rng)?;
        Ok(block.0)
    }

    fn encrypt_track(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let tdk = self
            .work_keys()?
            .tdk
            .as_ref()
            .ok_or(CryptoError::KeyNotLoaded {
                key: "track data key (TDK)",
                remedy:
                    "this host did not send one; sign in with 004 mode or send tracks in the clear",
            })?;
        tdk.encrypt_ecb(data)
    }

    fn install_qr_key(&mut self, key: &WrappedKey) -> Result<(), CryptoError> {
        let tmk = self.tmk.as_ref().ok_or(CryptoError::KeyNotLoaded {
            key: "master key (TMK)",
            remedy: "have the terminal master key injected before the QR key",
        })?;
        self.qr_key = Some(key.unwrap(tmk)?);
        Ok(())
    }

    fn qr_key_check_value(&self) -> Option<[u8; 4]> {
        self.qr_key.as_ref().map(DesKey::kcv)
    }

    fn qr_mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        let key = self.qr_key.as_ref().ok_or(CryptoError::KeyNotLoaded {
            key: "QR gateway key (QRK)",
            remedy: "provision the terminal's QR key (it comes with the TMK from the acquirer)",
        })?;
        mac::compute(algorithm, key, data, padding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::DeterministicRandom;
    use crate::unwrap::WorkKeyRole;

    fn tmk() -> DesKey {
        DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923").unwrap()
    }
    fn pik() -> DesKey {
        DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap()
    }
    fn mak() -> DesKey {
        DesKey::from_hex("C24A8FB57AA20123").unwrap()
    }
    fn tdk() -> DesKey {
        DesKey::from_hex("55036372B17543ECB173730768B8D6C4").unwrap()
    }
    fn wrapped(with_tdk: bool) -> Vec<WrappedKey> {
        let mut keys = vec![
            WrappedKey::wrap(WorkKeyRole::Pin, &tmk(), &pik()).unwrap(),
            WrappedKey::wrap(WorkKeyRole::Mac, &tmk(), &mak()).unwrap(),
        ];
        if with_tdk {
            keys.push(WrappedKey::wrap(WorkKeyRole::Track, &tmk(), &tdk()).unwrap());
        }
        keys
    }

    #[test]
    fn requires_keys_in_order() {
        let mut module = SoftwareSecurityModule::new();
        assert!(!module.has_master_key());
        assert!(matches!(
            module.install_work_keys(&wrapped(false)),
            Err(CryptoError::KeyNotLoaded { .. })
        ));
        assert!(matches!(
            module.mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"x"),
            Err(CryptoError::KeyNotLoaded { .. })
        ));
        assert!(matches!(
            module.encrypt_pin(PinBlockFormat::Iso0, "1234", "5555555551234567"),
            Err(CryptoError::KeyNotLoaded { .. })
        ));
        module.load_master_key(tmk()).unwrap();
        module.install_work_keys(&wrapped(false)).unwrap();
        assert!(module.has_work_keys());
        assert!(matches!(
            module.encrypt_track(&[0; 8]),
            Err(CryptoError::KeyNotLoaded {
                key: "track data key (TDK)",
                ..
            })
        ));
    }

    #[test]
    fn operations_use_the_installed_keys() {
        let mut module = SoftwareSecurityModule::with_master_key(tmk())
            .with_random_source(DeterministicRandom::new(5));
        module.install_work_keys(&wrapped(true)).unwrap();

        let mab = b"0200 some message bytes";
        assert_eq!(
            module
                .mac(MacAlgorithm::CupEcb, MacPadding::Method1, mab)
                .unwrap(),
            mac::cup_ecb_mac(&mak(), mab)
        );
        assert_eq!(
            module
                .mac(MacAlgorithm::X919, MacPadding::Method2, mab)
                .unwrap(),
            mac::retail_mac(&mak(), mab, MacPadding::Method2).unwrap()
        );

        for format in [PinBlockFormat::Iso0, PinBlockFormat::Iso3] {
            let block = module
                .encrypt_pin(format, "123456", "6212345678901265")
                .unwrap();
            let pin = pin::decrypt_pin(
                &pik(),
                format,
                &pin::EncryptedPinBlock(block),
                "6212345678901265",
            )
            .unwrap();
            assert_eq!(pin.expose_secret(), "123456");
        }

        let track = module.encrypt_track(&[0x37; 16]).unwrap();
        assert_eq!(track, tdk().encrypt_ecb(&[0x37; 16]).unwrap());
        assert!(matches!(
            module.encrypt_track(&[0x37; 10]),
            Err(CryptoError::NotBlockAligned { .. })
        ));
    }

    #[test]
    fn failed_install_keeps_previous_keys() {
        let mut module = SoftwareSecurityModule::with_master_key(tmk());
        module.install_work_keys(&wrapped(false)).unwrap();
        let before = module
            .mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"abc")
            .unwrap();

        let mut bad = wrapped(false);
        bad[1] = WrappedKey::wrap(WorkKeyRole::Mac, &tmk(), &pik()).unwrap();
        bad[0].check_value = vec![0, 0, 0, 0];
        assert_eq!(
            module.install_work_keys(&bad).unwrap_err(),
            CryptoError::CheckValueMismatch {
                key: WorkKeyRole::Pin
            }
        );
        assert_eq!(
            module
                .mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"abc")
                .unwrap(),
            before
        );
    }

    #[test]
    fn new_master_key_discards_work_keys() {
        let mut module = SoftwareSecurityModule::with_master_key(tmk());
        module.install_work_keys(&wrapped(false)).unwrap();
        module.load_master_key(pik()).unwrap();
        assert!(!module.has_work_keys());
        module.load_master_key(tmk()).unwrap();
        module.install_work_keys(&wrapped(false)).unwrap();
        module.clear_work_keys();
        assert!(!module.has_work_keys());
    }

    #[test]
    fn debug_is_redacted() {
        let mut module = SoftwareSecurityModule::with_master_key(tmk());
        module.install_work_keys(&wrapped(true)).unwrap();
        let shown = format!("{module:?}");
        for secret in [tmk(), pik(), mak(), tdk()] {
            let hex = hex::encode_upper(secret.expose_secret());
            assert!(!shown.to_uppercase().contains(&hex[..8]), "{shown}");
        }
        assert!(shown.contains("kcv"));
    }

    #[test]
    fn is_usable_as_trait_object() {
        let mut module: Box<dyn SecurityModule> = Box::new(SoftwareSecurityModule::new());
        module.load_master_key(tmk()).unwrap();
        module.install_work_keys(&wrapped(false)).unwrap();
        assert!(module.has_work_keys());
    }
}
