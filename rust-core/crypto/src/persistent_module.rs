//! [`PersistentSecurityModule`]: the software security module (desktop, emulator, tests) with
//! its TMK and work keys kept in an encrypted key file, so a restarted process (or the next
//! CLI command) has the keys without the TMK being given again, and the TMK is never stored
//! in clear anywhere.
//!
//! Key file: `"UPSM" 0x01` then [`AeadKey::seal`] (purpose `unipos/secmod/v1`) of
//! `tmk_len u8 || tmk || n u8 || n × (role u8 || ct_len u8 || ciphertext || kcv_len u8 || kcv)`.
//! The work keys are stored as the host sent them (encrypted under the TMK, with their check
//! values) and unwrapped again on load, so the clear PIK/MAK/TDK never reach the file even
//! inside the seal. Every change is written with [`write_key_file`] (atomic, fsync, 0600).

use crate::at_rest::{write_key_file, AeadKey, AtRestError, Overwrite};
use crate::error::CryptoError;
use crate::keys::DesKey;
use crate::mac::{MacAlgorithm, MacPadding};
use crate::pin::PinBlockFormat;
use crate::random::OsRandom;
use crate::security_module::{SecurityModule, SoftwareSecurityModule};
use crate::unwrap::{WorkKeyRole, WrappedKey};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const MAGIC: &[u8; 5] = b"UPSM\x01";
const PURPOSE: &[u8] = b"unipos/secmod/v1";

/// The software security module, persisted. See the module documentation.
pub struct PersistentSecurityModule {
    inner: SoftwareSecurityModule,
    tmk: Option<DesKey>,
    work_keys: Option<Vec<WrappedKey>>,
    qr_key: Option<WrappedKey>,
    path: PathBuf,
    key: AeadKey,
}

impl std::fmt::Debug for PersistentSecurityModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersistentSecurityModule")
            .field("path", &self.path)
            .field("tmk", &self.tmk)
            .field("work_keys", &self.work_keys.is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    tmk: Option<DesKey>,
    work_keys: Option<Vec<WrappedKey>>,
    qr_key: Option<WrappedKey>,
}

impl PersistentSecurityModule {
    /// Opens the key file at `path` sealed under `key` (derived from the data key), or starts
    /// empty when there is none (nothing is written until a key is loaded).
    ///
    /// # Errors
    /// [`AtRestError::Io`]; [`AtRestError::Damaged`] when the file is not such a file or does
    /// not open under `key`.
    pub fn open(path: &Path, key: AeadKey) -> Result<Self, AtRestError> {
        let mut module = PersistentSecurityModule {
            inner: SoftwareSecurityModule::new(),
            tmk: None,
            work_keys: None,
            qr_key: None,
            path: path.to_owned(),
            key,
        };
        module.load()?;
        Ok(module)
    }

    /// Re-reads the key file (another process may have signed in meanwhile) and installs
    /// what it holds. A missing file means no keys.
    ///
    /// # Errors
    /// As [`PersistentSecurityModule::open`]. On error the keys in memory are unchanged.
    pub fn load(&mut self) -> Result<(), AtRestError> {
        let state = match std::fs::read(&self.path) {
            Ok(raw) => self.decode(&raw)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => {
                return Err(AtRestError::Io {
                    path: self.path.clone(),
                    source: e,
                })
            }
        };
        let mut inner = SoftwareSecurityModule::new();
        if let Some(tmk) = &state.tmk {
            inner.load_master_key(tmk.clone())?;
            if let Some(qr) = &state.qr_key {
                inner.install_qr_key(qr)?;
            }
            if let Some(keys) = &state.work_keys {
                // Keys that no longer unwrap (file from another TMK) are dropped: the engine
                // signs in again.
                if inner.install_work_keys(keys).is_err() {
                    return self.install(
                        inner,
                        State {
                            work_keys: None,
                            ..state
                        },
                    );
                }
            }
        }
        self.install(inner, state)
    }

    fn install(&mut self, inner: SoftwareSecurityModule, state: State) -> Result<(), AtRestError> {
        self.inner = inner;
        self.tmk = state.tmk;
        self.work_keys = state.work_keys;
        self.qr_key = state.qr_key;
        Ok(())
    }

    /// Writes the keys in memory to the key file (atomically).
    ///
    /// # Errors
    /// [`AtRestError::Io`], [`AtRestError::Crypto`].
    pub fn save(&self) -> Result<(), AtRestError> {
        let file = self.encode(&State {
            tmk: self.tmk.clone(),
            work_keys: self.work_keys.clone(),
            qr_key: self.qr_key.clone(),
        })?;
        write_key_file(&self.path, &file, Overwrite::Replace)
    }

    /// Whether a TMK is loaded.
    #[must_use]
    pub fn has_master_key(&self) -> bool {
        self.tmk.is_some()
    }

    /// The key file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads `tmk` unless the same TMK is already loaded (then the work keys stay): the
    /// emulator build and `unipos startup` may give the test TMK on every start.
    /// Returns whether anything changed.
    ///
    /// # Errors
    /// [`CryptoError::KeyStorageFailed`] when the key file cannot be written (nothing changed).
    pub fn inject_master_key(&mut self, tmk: DesKey) -> Result<bool, CryptoError> {
        if self.tmk.as_ref() == Some(&tmk) {
            return Ok(false);
        }
        self.load_master_key(tmk)?;
        Ok(true)
    }

    /// Applies `change` to a copy of the state, saves it, then makes it current: memory and
    /// file never disagree, and a failed save changes nothing.
    fn commit(&mut self, state: State, inner: SoftwareSecurityModule) -> Result<(), CryptoError> {
        let file = self.encode(&state).map_err(storage)?;
        write_key_file(&self.path, &file, Overwrite::Replace).map_err(storage)?;
        self.inner = inner;
        self.tmk = state.tmk;
        self.work_keys = state.work_keys;
        self.qr_key = state.qr_key;
        Ok(())
    }

    fn encode(&self, state: &State) -> Result<Vec<u8>, AtRestError> {
        let mut plain = Zeroizing::new(Vec::with_capacity(128));
        match &state.tmk {
            Some(tmk) => {
                plain.push(len_u8(tmk.expose_secret().len())?);
                plain.extend_from_slice(tmk.expose_secret());
            }
            None => plain.push(0),
        }
        let keys = state.work_keys.as_deref().unwrap_or(&[]);
        plain.push(len_u8(keys.len())?);
        for k in keys {
            push_wrapped(&mut plain, k)?;
        }
        // Files written before the QR key end here; they read as "no QR key".
        if let Some(qr) = &state.qr_key {
            plain.push(1);
            push_wrapped(&mut plain, qr)?;
        }
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&self.key.seal(PURPOSE, &plain, &mut OsRandom)?);
        Ok(out)
    }

    fn decode(&self, raw: &[u8]) -> Result<State, AtRestError> {
        let damaged = |reason: &str| AtRestError::Damaged {
            path: self.path.clone(),
            reason: reason.to_owned(),
        };
        let sealed = raw
            .strip_prefix(&MAGIC[..])
            .ok_or_else(|| damaged("not a unipos security module key file"))?;
        let plain = self
            .key
            .open(PURPOSE, sealed)
            .map_err(|_| damaged("it does not open under this terminal's data key"))?;
        let mut r = Reader(&plain[..]);
        let bad = || damaged("its contents are malformed");
        let tmk_len = r.byte().ok_or_else(bad)?;
        let tmk = match tmk_len {
            0 => None,
            n => Some(DesKey::from_bytes(r.take(n).ok_or_else(bad)?).map_err(|_| bad())?),
        };
        let n = r.byte().ok_or_else(bad)?;
        let mut keys = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            keys.push(r.wrapped().ok_or_else(bad)?);
        }
        let qr_key = match r.byte() {
            None => None,
            Some(1) => Some(
                r.wrapped()
                    .filter(|k| k.role == WorkKeyRole::Qr)
                    .ok_or_else(bad)?,
            ),
            Some(_) => return Err(bad()),
        };
        Ok(State {
            tmk,
            work_keys: (!keys.is_empty()).then_some(keys),
            qr_key,
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
    fn take(&mut self, n: u8) -> Option<&'a [u8]> {
        let n = usize::from(n);
        let taken = self.0.get(..n)?;
        self.0 = self.0.get(n..)?;
        Some(taken)
    }
    fn wrapped(&mut self) -> Option<WrappedKey> {
        let role = match self.byte()? {
            1 => WorkKeyRole::Pin,
            2 => WorkKeyRole::Mac,
            3 => WorkKeyRole::Track,
            4 => WorkKeyRole::Qr,
            _ => return None,
        };
        let ct_len = self.byte()?;
        let ct = self.take(ct_len)?;
        let kcv_len = self.byte()?;
        let kcv = self.take(kcv_len)?;
        Some(WrappedKey::new(role, ct, kcv))
    }
}

fn push_wrapped(out: &mut Vec<u8>, k: &WrappedKey) -> Result<(), AtRestError> {
    out.push(match k.role {
        WorkKeyRole::Pin => 1,
        WorkKeyRole::Mac => 2,
        WorkKeyRole::Track => 3,
        WorkKeyRole::Qr => 4,
    });
    out.push(len_u8(k.ciphertext.len())?);
    out.extend_from_slice(&k.ciphertext);
    out.push(len_u8(k.check_value.len())?);
    out.extend_from_slice(&k.check_value);
    Ok(())
}

fn len_u8(n: usize) -> Result<u8, AtRestError> {
    u8::try_from(n).map_err(|_| {
        AtRestError::Crypto(CryptoError::KeyStorageFailed {
            reason: "a key is longer than 255 bytes".into(),
        })
    })
}

fn storage(e: AtRestError) -> CryptoError {
    CryptoError::KeyStorageFailed {
        reason: e.to_string(),
    }
}

impl SecurityModule for PersistentSecurityModule {
    fn load_master_key(&mut self, tmk: DesKey) -> Result<(), CryptoError> {
        // A new TMK: the work keys and the QR key wrapped under the old one are gone.
        let inner = SoftwareSecurityModule::with_master_key(tmk.clone());
        let state = State {
            tmk: Some(tmk),
            ..State::default()
        };
        self.commit(state, inner)
    }

    fn install_work_keys(&mut self, keys: &[WrappedKey]) -> Result<(), CryptoError> {
        let tmk = self.tmk.clone().ok_or(CryptoError::KeyNotLoaded {
            key: "master key (TMK)",
            remedy: "have the terminal master key injected before signing in",
        })?;
        // Unwrap and check in a fresh module first: all or nothing, as the trait requires.
        let mut next = SoftwareSecurityModule::with_master_key(tmk.clone());
        if let Some(qr) = &self.qr_key {
            next.install_qr_key(qr)?;
        }
        next.install_work_keys(keys)?;
        let state = State {
            tmk: Some(tmk),
            work_keys: Some(keys.to_vec()),
            qr_key: self.qr_key.clone(),
        };
        self.commit(state, next)
    }

    fn has_work_keys(&self) -> bool {
        self.inner.has_work_keys()
    }

    fn clear_work_keys(&mut self) {
        self.inner.clear_work_keys();
        self.work_keys = None;
        // Best effort: if this write fails the file keeps keys the host no longer wants; the
        // engine signs in at every open anyway, and a MAC failure forces a new sign-in.
        let _ = self.save();
    }

    fn mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        self.inner.mac(algorithm, padding, data)
    }

    fn encrypt_pin(
        &mut self,
        format: PinBlockFormat,
        pin: &str,
        pan: &str,
    ) -> Result<[u8; 8], CryptoError> {
        self.inner.encrypt_pin(format, pin, pan)
    }

    fn encrypt_track(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.inner.encrypt_track(data)
    }

    fn install_qr_key(&mut self, key: &WrappedKey) -> Result<(), CryptoError> {
        let tmk = self.tmk.clone().ok_or(CryptoError::KeyNotLoaded {
            key: "master key (TMK)",
            remedy: "have the terminal master key injected before the QR key",
        })?;
        let mut next = SoftwareSecurityModule::with_master_key(tmk.clone());
        next.install_qr_key(key)?;
        if let Some(keys) = &self.work_keys {
            next.install_work_keys(keys)?;
        }
        let state = State {
            tmk: Some(tmk),
            work_keys: self.work_keys.clone(),
            qr_key: Some(key.clone()),
        };
        self.commit(state, next)
    }

    fn qr_key_check_value(&self) -> Option<[u8; 4]> {
        self.inner.qr_key_check_value()
    }

    fn qr_mac(
        &self,
        algorithm: MacAlgorithm,
        padding: MacPadding,
        data: &[u8],
    ) -> Result<[u8; 8], CryptoError> {
        self.inner.qr_mac(algorithm, padding, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::at_rest::DataKey;

    fn tmk() -> DesKey {
        DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923").unwrap()
    }
    fn wrapped() -> Vec<WrappedKey> {
        let pik = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let mak = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        let tdk = DesKey::from_hex("55036372B17543ECB173730768B8D6C4").unwrap();
        vec![
            WrappedKey::wrap(WorkKeyRole::Pin, &tmk(), &pik).unwrap(),
            WrappedKey::wrap(WorkKeyRole::Mac, &tmk(), &mak).unwrap(),
            WrappedKey::wrap(WorkKeyRole::Track, &tmk(), &tdk).unwrap(),
        ]
    }
    fn key() -> AeadKey {
        DataKey::from_bytes(&[9; 32])
            .unwrap()
            .derive("secmod")
            .unwrap()
    }

    fn qr_key() -> WrappedKey {
        let qrk = DesKey::from_hex("3B9D6F0E42A1C8577E05D2B4196AF38C").unwrap();
        WrappedKey::wrap(WorkKeyRole::Qr, &tmk(), &qrk).unwrap()
    }

    #[test]
    fn the_qr_key_outlives_sign_ins_and_restarts_but_not_a_new_tmk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        assert_eq!(m.qr_key_check_value(), None);
        assert!(m
            .qr_mac(MacAlgorithm::X919, MacPadding::Method1, b"x")
            .is_err());
        m.install_qr_key(&qr_key()).unwrap();
        let mac = m
            .qr_mac(MacAlgorithm::X919, MacPadding::Method1, b"x")
            .unwrap();
        // Sign-in and sign-out leave it.
        m.install_work_keys(&wrapped()).unwrap();
        m.clear_work_keys();
        let again = PersistentSecurityModule::open(&path, key()).unwrap();
        assert_eq!(
            again.qr_key_check_value().map(Vec::from),
            Some(qr_key().check_value)
        );
        assert_eq!(
            again
                .qr_mac(MacAlgorithm::X919, MacPadding::Method1, b"x")
                .unwrap(),
            mac
        );
        // A key with a wrong check value changes nothing.
        let mut m = again;
        let mut bad = qr_key();
        bad.check_value[0] ^= 1;
        assert!(m.install_qr_key(&bad).is_err());
        assert!(m.qr_key_check_value().is_some());
        // Another TMK: gone.
        m.inject_master_key(DesKey::from_hex("0123456789ABCDEF0123456789ABCDEF").unwrap())
            .unwrap();
        assert_eq!(m.qr_key_check_value(), None);
    }

    #[test]
    fn a_key_file_without_a_qr_key_opens_with_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        m.install_work_keys(&wrapped()).unwrap();
        // No QR key section: the layout files had before the QR key existed.
        let old = PersistentSecurityModule::open(&path, key()).unwrap();
        assert!(old.has_work_keys() && old.qr_key_check_value().is_none());
    }

    #[test]
    fn keys_survive_a_restart_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        assert!(!m.has_master_key());
        assert!(!path.exists(), "nothing written before a key is loaded");
        assert!(m.inject_master_key(tmk()).unwrap());
        m.install_work_keys(&wrapped()).unwrap();
        let mac = m
            .mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"abc")
            .unwrap();

        let raw = std::fs::read(&path).unwrap();
        assert!(raw.starts_with(b"UPSM\x01"));
        let tmk_bytes = tmk().expose_secret().to_vec();
        assert!(
            !raw.windows(8).any(|w| w == &tmk_bytes[..8]),
            "TMK not in clear"
        );
        for k in wrapped() {
            assert!(
                !raw.windows(8).any(|w| w == &k.ciphertext[..8]),
                "not even the wrapped keys in clear"
            );
        }

        let again = PersistentSecurityModule::open(&path, key()).unwrap();
        assert!(again.has_master_key() && again.has_work_keys());
        assert_eq!(
            again
                .mac(MacAlgorithm::CupEcb, MacPadding::Method1, b"abc")
                .unwrap(),
            mac
        );
        assert!(again.encrypt_track(&[0; 8]).is_ok(), "the TDK too");
    }

    #[test]
    fn same_tmk_is_a_no_op_another_discards_work_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        m.install_work_keys(&wrapped()).unwrap();
        assert!(!m.inject_master_key(tmk()).unwrap());
        assert!(m.has_work_keys());
        let other = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        assert!(m.inject_master_key(other).unwrap());
        assert!(!m.has_work_keys());
        assert!(!PersistentSecurityModule::open(&path, key())
            .unwrap()
            .has_work_keys());
    }

    #[test]
    fn cleared_work_keys_stay_cleared_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        m.install_work_keys(&wrapped()).unwrap();
        m.clear_work_keys();
        let again = PersistentSecurityModule::open(&path, key()).unwrap();
        assert!(again.has_master_key());
        assert!(!again.has_work_keys());
    }

    #[test]
    fn a_failed_install_or_save_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        m.install_work_keys(&wrapped()).unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut bad = wrapped();
        bad[0].check_value = vec![0; 4];
        assert!(m.install_work_keys(&bad).is_err());
        assert!(m.has_work_keys());
        assert_eq!(std::fs::read(&path).unwrap(), before);

        // The folder disappears: the save fails and memory keeps the old keys.
        let mut gone = PersistentSecurityModule::open(&path, key()).unwrap();
        gone.path = dir.path().join("missing-dir").join("db.secmod");
        let e = gone.load_master_key(DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
        assert!(
            matches!(e, Err(CryptoError::KeyStorageFailed { .. })),
            "{e:?}"
        );
        assert!(gone.has_work_keys());
        assert_eq!(gone.tmk, Some(tmk()));
    }

    #[test]
    fn another_terminals_file_or_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.secmod");
        let mut m = PersistentSecurityModule::open(&path, key()).unwrap();
        m.inject_master_key(tmk()).unwrap();
        let other = DataKey::from_bytes(&[1; 32])
            .unwrap()
            .derive("secmod")
            .unwrap();
        assert!(matches!(
            PersistentSecurityModule::open(&path, other),
            Err(AtRestError::Damaged { .. })
        ));
        std::fs::write(&path, b"UPSM\x01garbage").unwrap();
        assert!(PersistentSecurityModule::open(&path, key()).is_err());
        assert!(!format!("{m:?}").contains("70F2A84C"));
    }
}
