//! Keys and card data at rest: AES-256-GCM sealing, the data key and its wrapper, and
//! key files written atomically.
//!
//! The layout (see `docs/operations.md`):
//!
//! * a **key wrapper** ([`KeyWrap`]) holds a key-encryption key the files never contain: on
//!   Android an AndroidKeyStore AES key (non-exportable, reached through the FFI), on a
//!   desktop or in tests [`SoftwareKeyWrapper`], a clearly labelled stand-in whose key is a
//!   file;
//! * a random 32-byte **data key** is stored only wrapped, in a data-key file
//!   ([`load_or_create_data_key`]);
//! * purpose keys are derived from it ([`DataKey::derive`]): one seals card numbers in the
//!   journal, one seals the software security module's key file;
//! * every key file is written with [`write_key_file`]: temporary file, write, fsync, rename,
//!   fsync of the folder, mode 0600.
//!
//! Sealed format ([`AeadKey::seal`]): `0x01 || nonce (12 random bytes) || ciphertext || tag
//! (16)`, with associated data naming what is sealed, so a blob sealed for one purpose does
//! not open as another.

use crate::error::CryptoError;
use crate::random::{OsRandom, RandomSource};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Version byte of [`AeadKey::seal`]'s format.
pub const SEALED_V1: u8 = 0x01;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Length of the data key and of every derived key (AES-256).
pub const KEY_LEN: usize = 32;

/// What can go wrong with keys at rest. Messages name files and purposes, never key bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AtRestError {
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A key file exists but is not in the expected format, or does not open under the key
    /// it should open under (another terminal's file, a damaged file, a lost keystore key).
    #[error("key file {path} cannot be used: {reason}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The key wrapper (the Android Keystore, or the software stand-in) refused.
    #[error("the key wrapper failed: {reason}")]
    Wrapper {
        /// Its safe explanation.
        reason: String,
    },
    /// A cryptographic operation failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl AtRestError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        AtRestError::Io {
            path: path.to_owned(),
            source,
        }
    }

    fn damaged(path: &Path, reason: impl Into<String>) -> Self {
        AtRestError::Damaged {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

// ---- AES-256-GCM -----------------------------------------------------------------------------

/// An AES-256-GCM key that seals small secrets with a fresh random nonce each time.
pub struct AeadKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AeadKey(<redacted>)")
    }
}

impl AeadKey {
    /// A key from 32 bytes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyLength`] unless `key` is 32 bytes.
    pub fn from_bytes(key: &[u8]) -> Result<Self, CryptoError> {
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| CryptoError::InvalidKeyLength {
            what: "AES-256 key",
            expected: "32",
            actual: key.len(),
        })?;
        Ok(AeadKey { cipher })
    }

    /// Seals `plain` for `purpose` (the associated data) with a nonce from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`]; [`CryptoError::Unauthentic`] if the cipher refuses
    /// (input too long).
    pub fn seal(
        &self,
        purpose: &[u8],
        plain: &[u8],
        rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let nonce_arr = aes_gcm::Nonce::try_from(&nonce[..])
            .map_err(|_| CryptoError::Unauthentic { what: "nonce" })?;
        // Room for the tag up front: a reallocation would leave plaintext in freed memory.
        let mut buffer = Zeroizing::new(Vec::with_capacity(plain.len() + TAG_LEN));
        buffer.extend_from_slice(plain);
        self.cipher
            .encrypt_in_place(&nonce_arr, purpose, &mut *buffer)
            .map_err(|_| CryptoError::Unauthentic {
                what: "data to seal",
            })?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buffer);
        Ok(out)
    }

    /// Opens what [`AeadKey::seal`] produced for the same `purpose`.
    ///
    /// # Errors
    /// [`CryptoError::Unauthentic`] if it is not in the format, was sealed under another key
    /// or for another purpose, or was changed.
    pub fn open(&self, purpose: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bad = CryptoError::Unauthentic {
            what: "sealed data",
        };
        let (version, rest) = sealed.split_first().ok_or(bad.clone())?;
        if *version != SEALED_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(bad);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = aes_gcm::Nonce::try_from(nonce).map_err(|_| bad.clone())?;
        let mut buffer = Zeroizing::new(body.to_vec());
        self.cipher
            .decrypt_in_place(&nonce, purpose, &mut *buffer)
            .map_err(|_| bad)?;
        Ok(buffer)
    }
}

// ---- the data key ----------------------------------------------------------------------------

/// The terminal's data key: 32 random bytes, kept on disk only wrapped. Purpose keys are
/// derived from it, so one wrapped key protects everything beside the database.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// A fresh random data key.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`].
    pub fn generate(rng: &mut dyn RandomSource) -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill(&mut key[..])?;
        Ok(DataKey(key))
    }

    /// A data key from its 32 bytes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyLength`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidKeyLength {
                what: "data key",
                expected: "32",
                actual: bytes.len(),
            })?;
        Ok(DataKey(Zeroizing::new(arr)))
    }

    /// The key for one purpose: HMAC-SHA256(data key, "unipos data key v1/" || purpose), i.e.
    /// HKDF-Expand with one output block, so purposes never share a key.
    ///
    /// # Errors
    /// None in practice (HMAC accepts any key length); typed for the caller's `?`.
    pub fn derive(&self, purpose: &str) -> Result<AeadKey, CryptoError> {
        let mut mac =
            <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0[..]).map_err(|_| {
                CryptoError::InvalidKeyLength {
                    what: "data key",
                    expected: "32",
                    actual: KEY_LEN,
                }
            })?;
        mac.update(b"unipos data key v1/");
        mac.update(purpose.as_bytes());
        mac.update(&[1]);
        let okm = Zeroizing::new(mac.finalize().into_bytes());
        AeadKey::from_bytes(&okm[..])
    }

    fn expose(&self) -> &[u8] {
        &self.0[..]
    }
}

/// Wraps and unwraps the data key under a key-encryption key the key files never contain.
pub trait KeyWrap: Send + Sync {
    /// Encrypts `plain` (the 32-byte data key).
    ///
    /// # Errors
    /// [`AtRestError::Wrapper`] when the wrapper refuses.
    fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, AtRestError>;

    /// Decrypts what [`KeyWrap::wrap`] produced.
    ///
    /// # Errors
    /// [`AtRestError::Wrapper`] when the wrapper refuses (wrong or lost key, damaged input).
    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError>;
}

const DATA_KEY_MAGIC: &[u8; 5] = b"UPDK\x01";

/// Reads the data-key file at `path` and unwraps the key with `wrapper`; creates it (a fresh
/// key, wrapped, written atomically and never over an existing file) when there is none.
///
/// # Errors
/// [`AtRestError::Io`], [`AtRestError::Damaged`] (not a data-key file), those of the wrapper.
/// A file that exists but does not unwrap is an error, never replaced: the card numbers sealed
/// under the old key would be lost.
pub fn load_or_create_data_key(path: &Path, wrapper: &dyn KeyWrap) -> Result<DataKey, AtRestError> {
    match std::fs::read(path) {
        Ok(raw) => read_data_key(path, &raw, wrapper),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = DataKey::generate(&mut OsRandom)?;
            let mut file = DATA_KEY_MAGIC.to_vec();
            file.extend_from_slice(&wrapper.wrap(key.expose())?);
            match write_key_file(path, &file, Overwrite::Never) {
                Ok(()) => {
                    // Read back through the wrapper: a wrapper that cannot unwrap what it
                    // wrapped must fail now, not after card numbers were sealed.
                    let again = load_existing(path, wrapper)?;
                    if again.expose() != key.expose() {
                        return Err(AtRestError::Wrapper {
                            reason: "the key wrapper does not give back what it wrapped".into(),
                        });
                    }
                    Ok(key)
                }
                // Another process created it first: use that one.
                Err(AtRestError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    load_existing(path, wrapper)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(AtRestError::io(path, e)),
    }
}

fn load_existing(path: &Path, wrapper: &dyn KeyWrap) -> Result<DataKey, AtRestError> {
    let raw = std::fs::read(path).map_err(|e| AtRestError::io(path, e))?;
    read_data_key(path, &raw, wrapper)
}

fn read_data_key(path: &Path, raw: &[u8], wrapper: &dyn KeyWrap) -> Result<DataKey, AtRestError> {
    let wrapped = raw
        .strip_prefix(&DATA_KEY_MAGIC[..])
        .ok_or_else(|| AtRestError::damaged(path, "not a unipos data-key file"))?;
    let plain = wrapper.unwrap(wrapped).map_err(|e| match e {
        AtRestError::Wrapper { reason } => AtRestError::damaged(
            path,
            format!("the key wrapper cannot unwrap it ({reason}); the terminal's keystore key is missing or the file belongs to another installation"),
        ),
        other => other,
    })?;
    DataKey::from_bytes(&plain)
        .map_err(|_| AtRestError::damaged(path, "the unwrapped key is not 32 bytes"))
}

// ---- the software stand-in -------------------------------------------------------------------

const KEK_HEADER: &str = "UNIPOS SOFTWARE KEY-ENCRYPTION KEY v1";
const KEK_LABEL: &str = "NOT a hardware keystore: the desktop/test stand-in for the Android Keystore. \
It protects the key files beside it against a copy of the database alone, not against anyone who can read this file.";
const KEK_PURPOSE: &[u8] = b"unipos/software-kek/v1";

/// **Software stand-in** for the Android Keystore (desktop CLI, tests): the key-encryption key
/// is a labelled file, created on first use with mode 0600. It protects the other key files
/// against a copy of the database alone; anyone who can read this file can unwrap them.
pub struct SoftwareKeyWrapper {
    kek: AeadKey,
}

impl std::fmt::Debug for SoftwareKeyWrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SoftwareKeyWrapper(software stand-in)")
    }
}

impl SoftwareKeyWrapper {
    /// Opens the key-encryption key file at `path`, creating it when missing.
    ///
    /// # Errors
    /// [`AtRestError::Io`]; [`AtRestError::Damaged`] when the file is not such a key file.
    pub fn open_or_create(path: &Path) -> Result<Self, AtRestError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = Zeroizing::new([0u8; KEY_LEN]);
                OsRandom.fill(&mut key[..])?;
                let text = Zeroizing::new(format!(
                    "{KEK_HEADER}\n{KEK_LABEL}\n{}\n",
                    hex::encode_upper(&key[..])
                ));
                match write_key_file(path, text.as_bytes(), Overwrite::Never) {
                    Ok(()) => text,
                    Err(AtRestError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        Zeroizing::new(
                            std::fs::read_to_string(path).map_err(|e| AtRestError::io(path, e))?,
                        )
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(AtRestError::io(path, e)),
        };
        let mut lines = text.lines();
        if lines.next() != Some(KEK_HEADER) {
            return Err(AtRestError::damaged(
                path,
                "not a unipos software key-encryption key file",
            ));
        }
        let key_hex = lines.nth(1).unwrap_or("").trim();
        let key = Zeroizing::new(
            hex::decode(key_hex)
                .map_err(|_| AtRestError::damaged(path, "the key line is not hexadecimal"))?,
        );
        let kek = AeadKey::from_bytes(&key)
            .map_err(|_| AtRestError::damaged(path, "the key is not 32 bytes"))?;
        Ok(SoftwareKeyWrapper { kek })
    }
}

impl KeyWrap for SoftwareKeyWrapper {
    fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, AtRestError> {
        Ok(self.kek.seal(KEK_PURPOSE, plain, &mut OsRandom)?)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError> {
        self.kek
            .open(KEK_PURPOSE, wrapped)
            .map_err(|_| AtRestError::Wrapper {
                reason: "the software key-encryption key does not open it".into(),
            })
    }
}

// ---- atomic key files ------------------------------------------------------------------------

/// Whether [`write_key_file`] may replace an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace it (the security module's state).
    Replace,
    /// Fail with `AlreadyExists` (a key that, once made, must never change).
    Never,
}

/// Writes a key file so that a crash leaves either the old file or the new one, never a torn
/// one: a temporary file in the same folder (mode 0600), write, fsync, then rename (or, with
/// [`Overwrite::Never`], a hard link that fails if the name exists), then fsync of the folder
/// so the new name is durable too.
///
/// # Errors
/// [`AtRestError::Io`] (`AlreadyExists` with [`Overwrite::Never`] when the file exists).
pub fn write_key_file(path: &Path, data: &[u8], overwrite: Overwrite) -> Result<(), AtRestError> {
    let io = |e| AtRestError::io(path, e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| AtRestError::damaged(path, "not a file name"))?;
    let mut suffix = [0u8; 6];
    OsRandom.fill(&mut suffix)?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", hex::encode(suffix)));
    let tmp = dir.join(tmp_name);

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        match overwrite {
            Overwrite::Replace => std::fs::rename(&tmp, path),
            Overwrite::Never => {
                let linked = std::fs::hard_link(&tmp, path);
                let _ = std::fs::remove_file(&tmp);
                linked
            }
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)?;
    sync_dir(&dir).map_err(io)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::DeterministicRandom;

    struct Refusing;
    impl KeyWrap for Refusing {
        fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, AtRestError> {
            Ok(plain.iter().map(|b| b ^ 0x5A).collect())
        }
        fn unwrap(&self, _: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError> {
            Err(AtRestError::Wrapper {
                reason: "keystore key gone".into(),
            })
        }
    }

    #[test]
    fn seal_open_binds_key_and_purpose() {
        let key = AeadKey::from_bytes(&[7; 32]).unwrap();
        let other = AeadKey::from_bytes(&[8; 32]).unwrap();
        let mut rng = DeterministicRandom::new(1);
        let a = key.seal(b"pan", b"6212345678901232", &mut rng).unwrap();
        let b = key.seal(b"pan", b"6212345678901232", &mut rng).unwrap();
        assert_ne!(a, b, "a fresh nonce per seal");
        assert_eq!(a.len(), 1 + 12 + 16 + 16);
        assert_eq!(a[0], SEALED_V1);
        assert_eq!(&key.open(b"pan", &a).unwrap()[..], b"6212345678901232");
        assert!(key.open(b"tmk", &a).is_err(), "another purpose");
        assert!(other.open(b"pan", &a).is_err(), "another key");
        let mut flipped = a.clone();
        flipped[20] ^= 1;
        assert!(key.open(b"pan", &flipped).is_err(), "changed ciphertext");
        assert!(key.open(b"pan", &a[..20]).is_err(), "truncated");
        assert!(AeadKey::from_bytes(&[0; 16]).is_err());
    }

    #[test]
    fn derived_keys_differ_per_purpose_and_repeat() {
        let dk = DataKey::from_bytes(&[3; 32]).unwrap();
        let mut rng = DeterministicRandom::new(2);
        let sealed = dk
            .derive("vault")
            .unwrap()
            .seal(b"x", b"secret", &mut rng)
            .unwrap();
        assert!(dk.derive("secmod").unwrap().open(b"x", &sealed).is_err());
        assert_eq!(
            &dk.derive("vault").unwrap().open(b"x", &sealed).unwrap()[..],
            b"secret"
        );
    }

    #[test]
    fn data_key_created_once_then_reread_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let wrapper = SoftwareKeyWrapper::open_or_create(&dir.path().join("kek")).unwrap();
        let path = dir.path().join("db.datakey");
        let first = load_or_create_data_key(&path, &wrapper).unwrap();
        let raw = std::fs::read(&path).unwrap();
        assert!(raw.starts_with(b"UPDK\x01"));
        assert!(
            !raw.windows(8)
                .any(|w| first.expose().windows(8).any(|k| k == w)),
            "wrapped, not clear"
        );
        let again = load_or_create_data_key(&path, &wrapper).unwrap();
        assert_eq!(first.expose(), again.expose());

        // A wrapper that cannot unwrap (lost keystore key): an error naming the file, and the
        // file is left as it was.
        let e = load_or_create_data_key(&path, &Refusing).unwrap_err();
        assert!(e.to_string().contains("db.datakey"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), raw);

        std::fs::write(&path, b"garbage").unwrap();
        assert!(matches!(
            load_or_create_data_key(&path, &wrapper),
            Err(AtRestError::Damaged { .. })
        ));
    }

    #[test]
    fn a_wrapper_that_cannot_give_back_what_it_wrapped_fails_at_creation() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_or_create_data_key(&dir.path().join("k"), &Refusing).unwrap_err();
        assert!(e.to_string().contains("keystore key gone"), "{e}");
    }

    #[test]
    fn software_kek_file_is_labelled_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.kek");
        let w = SoftwareKeyWrapper::open_or_create(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(KEK_HEADER));
        assert!(text.contains("NOT a hardware keystore"));
        let wrapped = w.wrap(b"k").unwrap();
        let w2 = SoftwareKeyWrapper::open_or_create(&path).unwrap();
        assert_eq!(&w2.unwrap(&wrapped).unwrap()[..], b"k");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "something else\n").unwrap();
        assert!(SoftwareKeyWrapper::open_or_create(&path).is_err());
    }

    #[test]
    fn atomic_write_replaces_or_refuses_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.key");
        write_key_file(&path, b"one", Overwrite::Never).unwrap();
        let e = write_key_file(&path, b"two", Overwrite::Never).unwrap_err();
        assert!(
            matches!(e, AtRestError::Io { ref source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists)
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_key_file(&path, b"three", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.key")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
