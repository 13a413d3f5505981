//! Sealing of card numbers kept in the journal (needed later for voids, reversals and batch
//! upload).
//!
//! [`AeadVault`] seals with AES-256-GCM (random 96-bit nonce per seal, associated data
//! binding the purpose) under a key derived from the terminal's data key, which is kept
//! wrapped by the Android Keystore on a terminal (a software stand-in on a desktop); see
//! `unipos_crypto::at_rest`. [`SoftwareVault`] is the earlier unauthenticated TDES-CBC vault:
//! kept only so rows sealed before the upgrade still open (voids, reversals and batch upload
//! of the batch open at the upgrade need them); nothing new is sealed with it.

use std::sync::Mutex;
use unipos_crypto::at_rest::{AeadKey, SEALED_V1};
use unipos_crypto::random::{OsRandom, RandomSource};
use unipos_crypto::{CryptoError, DesKey};
use zeroize::Zeroizing;

/// Seals and opens small secrets at rest.
pub trait Vault: Send + Sync {
    /// Encrypts `plain`.
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Decrypts what [`Vault::seal`] produced.
    fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
}

/// Associated data of every card number sealed in the journal.
const PAN_PURPOSE: &[u8] = b"unipos/vault/pan/v1";

/// The vault: AES-256-GCM, `0x01 || nonce || ciphertext || tag`, associated data
/// `unipos/vault/pan/v1`. Optionally also opens rows sealed by the legacy [`SoftwareVault`].
pub struct AeadVault {
    key: AeadKey,
    rng: Mutex<OsRandom>,
    legacy: Option<SoftwareVault>,
}

impl std::fmt::Debug for AeadVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeadVault")
            .field("legacy", &self.legacy.is_some())
            .finish_non_exhaustive()
    }
}

impl AeadVault {
    /// A vault sealing under `key` (derived from the data key for this purpose).
    pub fn new(key: AeadKey) -> Self {
        AeadVault {
            key,
            rng: Mutex::new(OsRandom),
            legacy: None,
        }
    }

    /// Also opens rows sealed by the earlier TDES vault (its key file still exists).
    #[must_use]
    pub fn with_legacy(mut self, legacy: SoftwareVault) -> Self {
        self.legacy = Some(legacy);
        self
    }
}

impl Vault for AeadVault {
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.key.seal(PAN_PURPOSE, plain, &mut *rng)
    }

    fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        // The tag decides: a legacy blob whose random IV happens to start with the version
        // byte fails authentication (2^-128) and goes to the legacy path.
        let aead = if sealed.first() == Some(&SEALED_V1) {
            Some(self.key.open(PAN_PURPOSE, sealed))
        } else {
            None
        };
        match (aead, &self.legacy) {
            (Some(Ok(plain)), _) => Ok(plain),
            (_, Some(legacy)) => legacy.open(sealed),
            (Some(Err(e)), None) => Err(e),
            (None, None) => Err(CryptoError::Unauthentic {
                what:
                    "sealed card number (sealed by the earlier TDES vault, whose key file is gone)",
            }),
        }
    }
}

/// The earlier vault, kept for reading: triple-length TDES key, random IV (8 bytes) ||
/// TDES-CBC(len || data || pad). Unauthenticated; [`AeadVault`] replaces it.
pub struct SoftwareVault {
    key: DesKey,
    rng: Mutex<OsRandom>,
}

impl std::fmt::Debug for SoftwareVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareVault")
            .field("key", &self.key)
            .finish()
    }
}

impl SoftwareVault {
    /// A vault with `key` (16 or 24 bytes).
    pub fn new(key: DesKey) -> Self {
        SoftwareVault {
            key,
            rng: Mutex::new(OsRandom),
        }
    }

    /// A vault with a fresh random key (returned raw so the caller can store it).
    pub fn generate() -> Result<(SoftwareVault, Zeroizing<Vec<u8>>), CryptoError> {
        let mut raw = Zeroizing::new(vec![0u8; 24]);
        OsRandom.fill(&mut raw)?;
        Ok((SoftwareVault::new(DesKey::from_bytes(&raw)?), raw))
    }
}

impl Vault for SoftwareVault {
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut iv = [0u8; 8];
        self.rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill(&mut iv)?;
        let mut data = Zeroizing::new(Vec::with_capacity(plain.len() + 9));
        data.push(plain.len().min(255) as u8);
        data.extend_from_slice(plain);
        while data.len() % 8 != 0 {
            data.push(0);
        }
        let mut out = iv.to_vec();
        out.extend_from_slice(&self.key.encrypt_cbc(iv, &data)?);
        Ok(out)
    }

    fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bad = || CryptoError::NotBlockAligned {
            len: sealed.len(),
            block: 8,
        };
        let (iv, body) = sealed.split_first_chunk::<8>().ok_or_else(bad)?;
        let plain = self.key.decrypt_cbc(*iv, body)?;
        let (&len, rest) = plain.split_first().ok_or_else(bad)?;
        let data = rest.get(..usize::from(len)).ok_or_else(bad)?;
        Ok(Zeroizing::new(data.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unipos_crypto::at_rest::DataKey;

    fn aead() -> AeadVault {
        AeadVault::new(
            DataKey::from_bytes(&[4; 32])
                .unwrap()
                .derive("vault")
                .unwrap(),
        )
    }

    #[test]
    fn aead_seal_open() {
        let v = aead();
        let a = v.seal(b"6212345678901265").unwrap();
        let b = v.seal(b"6212345678901265").unwrap();
        assert_ne!(a, b, "random nonce");
        assert_eq!(a[0], SEALED_V1);
        assert_eq!(&v.open(&a).unwrap()[..], b"6212345678901265");
        let mut changed = a.clone();
        changed[15] ^= 0x80;
        assert!(v.open(&changed).is_err(), "authenticated");
        assert!(v.open(&a[..10]).is_err());
        assert!(!format!("{v:?}").contains("6212"));
    }

    #[test]
    fn rows_sealed_by_the_tdes_vault_still_open() {
        let (legacy, raw) = SoftwareVault::generate().unwrap();
        let mut old_rows: Vec<Vec<u8>> = (0..300)
            .map(|i| {
                legacy
                    .seal(format!("62123456789012{:02}", i % 100).as_bytes())
                    .unwrap()
            })
            .collect();
        // Include legacy blobs whose random IV starts with the AEAD version byte.
        while !old_rows.iter().any(|r| r[0] == SEALED_V1) {
            old_rows.push(legacy.seal(b"6212345678901200").unwrap());
        }
        let v = aead().with_legacy(SoftwareVault::new(DesKey::from_bytes(&raw).unwrap()));
        for (i, row) in old_rows.iter().enumerate() {
            let want = if i < 300 {
                format!("62123456789012{:02}", i % 100)
            } else {
                "6212345678901200".into()
            };
            assert_eq!(&v.open(row).unwrap()[..], want.as_bytes());
        }
        let new_row = v.seal(b"6212345678901232").unwrap();
        assert_eq!(new_row[0], SEALED_V1, "new rows are AES-GCM");
        assert_eq!(&v.open(&new_row).unwrap()[..], b"6212345678901232");
        // Without the legacy key an old row is refused with a clear error, not garbage.
        let row = old_rows.iter().find(|r| r[0] != SEALED_V1).unwrap();
        let e = aead().open(row).unwrap_err();
        assert!(e.to_string().contains("TDES"), "{e}");
    }

    #[test]
    fn seal_open() {
        let (v, _) = SoftwareVault::generate().unwrap();
        let a = v.seal(b"6212345678901265").unwrap();
        let b = v.seal(b"6212345678901265").unwrap();
        assert_ne!(a, b, "random IV");
        assert_eq!(&v.open(&a).unwrap()[..], b"6212345678901265");
        assert!(v.open(&a[..5]).is_err());
        assert!(!format!("{v:?}").contains("6212"));
    }
}
