//! Sealing of card numbers kept in the journal (needed later for voids, reversals and batch
//! upload). On Android the key lives in the platform keystore; on the desktop it is a file
//! beside the database.

use std::sync::Mutex;
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

/// A vault with a triple-length TDES key: random IV (8 bytes) || TDES-CBC(len || data || pad).
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
