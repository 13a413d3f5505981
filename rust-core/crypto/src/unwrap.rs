//! Work keys: unwrapping the PIN, MAC and track keys that the host sends at sign-in
//! (field 62, PROTOCOL.md §1.6), encrypted under the terminal master key (TMK).
//!
//! Parsing field 62 belongs to the message codec; this module works on the pieces:
//! a [`WrappedKey`] is one key's ciphertext plus its check value.
//!
//! ```
//! use unipos_crypto::unwrap::{unwrap_and_check, wrap_key, WorkKeyRole};
//! use unipos_crypto::DesKey;
//!
//! let tmk = DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923")?;
//! let ciphertext = hex::decode("96D605EA176B7E9E").unwrap();
//! let mak = unwrap_and_check(&tmk, WorkKeyRole::Mac, &ciphertext, &[0x05, 0x47, 0xDB, 0x3E])?;
//! assert_eq!(wrap_key(&tmk, &mak)?, ciphertext);
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

use subtle::ConstantTimeEq;

use crate::error::CryptoError;
pub use crate::key_role::WorkKeyRole;
use crate::keys::{DesKey, DES_BLOCK_LEN};

/// One work key as the host sends it: ciphertext under the TMK plus check value.
///
/// The ciphertext is not secret without the TMK, so `Debug` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// What the key is for.
    pub role: WorkKeyRole,
    /// The key encrypted under the TMK (TDES-ECB), 8, 16 or 24 bytes.
    pub ciphertext: Vec<u8>,
    /// The first bytes (usually 4) of the clear key's check value.
    pub check_value: Vec<u8>,
}

impl WrappedKey {
    /// Bundles a ciphertext and its check value.
    #[must_use]
    pub fn new(role: WorkKeyRole, ciphertext: &[u8], check_value: &[u8]) -> Self {
        Self {
            role,
            ciphertext: ciphertext.to_vec(),
            check_value: check_value.to_vec(),
        }
    }

    /// Wraps `key` under `kek` with a 4-byte check value (what a host does).
    ///
    /// # Errors
    /// Those of [`wrap_key`].
    pub fn wrap(role: WorkKeyRole, kek: &DesKey, key: &DesKey) -> Result<Self, CryptoError> {
        Ok(Self {
            role,
            ciphertext: wrap_key(kek, key)?,
            check_value: key.kcv().to_vec(),
        })
    }

    /// Unwraps under `kek` and verifies the check value; see [`unwrap_and_check`].
    ///
    /// # Errors
    /// Those of [`unwrap_and_check`].
    pub fn unwrap(&self, kek: &DesKey) -> Result<DesKey, CryptoError> {
        unwrap_and_check(kek, self.role, &self.ciphertext, &self.check_value)
    }
}

/// The clear work keys a terminal holds after a successful sign-in.
///
/// `Debug` shows only each key's length and check value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkKeys {
    /// PIN key.
    pub pik: DesKey,
    /// MAC key.
    pub mak: DesKey,
    /// Track data key, present in 004 mode only.
    pub tdk: Option<DesKey>,
}

impl WorkKeys {
    /// Unwraps and checks a complete set: exactly one PIK, one MAK and at most one TDK.
    /// Nothing is returned unless every key passes (all-or-nothing).
    ///
    /// # Errors
    /// [`CryptoError::IncompleteWorkKeys`] when a PIK or MAK is missing or a role
    /// appears twice; otherwise those of [`unwrap_and_check`].
    pub fn unwrap_all(kek: &DesKey, keys: &[WrappedKey]) -> Result<Self, CryptoError> {
        let mut pik = None;
        let mut mak = None;
        let mut tdk = None;
        for wrapped in keys {
            let slot = match wrapped.role {
                WorkKeyRole::Pin => &mut pik,
                WorkKeyRole::Mac => &mut mak,
                WorkKeyRole::Track => &mut tdk,
                WorkKeyRole::Qr => {
                    return Err(CryptoError::IncompleteWorkKeys {
                        reason: "the QR key is provisioned with the terminal, not sent at sign-in",
                    })
                }
            };
            if slot.is_some() {
                return Err(CryptoError::IncompleteWorkKeys {
                    reason: "the same key role was sent twice",
                });
            }
            *slot = Some(wrapped.unwrap(kek)?);
        }
        match (pik, mak) {
            (Some(pik), Some(mak)) => Ok(Self { pik, mak, tdk }),
            (None, _) => Err(CryptoError::IncompleteWorkKeys {
                reason: "no PIN key (PIK) was sent",
            }),
            (_, None) => Err(CryptoError::IncompleteWorkKeys {
                reason: "no MAC key (MAK) was sent",
            }),
        }
    }
}

/// Decrypts a key encrypted under `kek` (ECB, TDES when `kek` is double length).
///
/// A 16-byte ciphertext whose second half is all zeros is the 003-mode encoding of a
/// single-length key (PROTOCOL.md §1.6): only the first 8 bytes are decrypted and an
/// 8-byte single-DES key is returned.
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] unless the ciphertext is 8, 16 or 24 bytes.
pub fn unwrap_key(kek: &DesKey, ciphertext: &[u8]) -> Result<DesKey, CryptoError> {
    let ciphertext = match ciphertext.len() {
        16 if ciphertext[DES_BLOCK_LEN..].iter().all(|&b| b == 0) => &ciphertext[..DES_BLOCK_LEN],
        8 | 16 | 24 => ciphertext,
        actual => {
            return Err(CryptoError::InvalidKeyLength {
                what: "encrypted key",
                expected: "8, 16 or 24",
                actual,
            })
        }
    };
    let clear = kek.decrypt_ecb(ciphertext)?;
    DesKey::from_bytes(&clear)
}

/// Decrypts a work key and verifies its check value before returning it.
///
/// `expected_check_value` is the first 1 to 8 bytes of the check value the host sent
/// (usually 4); it is compared in constant time.
///
/// # Errors
/// - [`CryptoError::InvalidCheckValueLength`] for an empty or over-long check value;
/// - [`CryptoError::InvalidWrappedKeyLength`] for a bad ciphertext length;
/// - [`CryptoError::CheckValueMismatch`] naming `role` when the check fails, which
///   means the TMK in the terminal differs from the host's or the data was damaged.
pub fn unwrap_and_check(
    kek: &DesKey,
    role: WorkKeyRole,
    ciphertext: &[u8],
    expected_check_value: &[u8],
) -> Result<DesKey, CryptoError> {
    if expected_check_value.is_empty() || expected_check_value.len() > DES_BLOCK_LEN {
        return Err(CryptoError::InvalidCheckValueLength {
            max: DES_BLOCK_LEN,
            actual: expected_check_value.len(),
        });
    }
    let key = unwrap_key(kek, ciphertext).map_err(|err| match err {
        CryptoError::InvalidKeyLength { actual, .. } => {
            CryptoError::InvalidWrappedKeyLength { key: role, actual }
        }
        other => other,
    })?;
    let actual = key.check_value(expected_check_value.len());
    if bool::from(actual.ct_eq(expected_check_value)) {
        Ok(key)
    } else {
        Err(CryptoError::CheckValueMismatch { key: role })
    }
}

/// Encrypts `key` under `kek` (ECB), the inverse of [`unwrap_key`]. The result has the
/// key's length; a host that needs the 16-byte 003-mode form of a single-length key
/// appends 8 zero bytes itself.
///
/// # Errors
/// None in practice (key lengths are whole blocks); the `Result` leaves room for
/// implementations backed by hardware.
pub fn wrap_key(kek: &DesKey, key: &DesKey) -> Result<Vec<u8>, CryptoError> {
    kek.encrypt_ecb(key.expose_secret())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmk() -> DesKey {
        DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923").unwrap()
    }

    #[test]
    fn zero_second_half_means_single_length() {
        let mut ciphertext = hex::decode("96D605EA176B7E9E").unwrap();
        ciphertext.extend_from_slice(&[0; 8]);
        let key = unwrap_key(&tmk(), &ciphertext).unwrap();
        assert_eq!(key.byte_len(), 8);
        assert_eq!(key, DesKey::from_hex("C24A8FB57AA20123").unwrap());
    }

    #[test]
    fn double_length_round_trip() {
        let key = DesKey::from_hex("55036372B17543ECB173730768B8D6C4").unwrap();
        let wrapped = WrappedKey::wrap(WorkKeyRole::Pin, &tmk(), &key).unwrap();
        assert_eq!(wrapped.ciphertext.len(), 16);
        assert_eq!(wrapped.check_value, hex::decode("D1345931").unwrap());
        assert_eq!(wrapped.unwrap(&tmk()).unwrap(), key);
    }

    #[test]
    fn bad_lengths_are_rejected() {
        for len in [0usize, 4, 12, 20, 32] {
            assert_eq!(
                unwrap_and_check(&tmk(), WorkKeyRole::Pin, &vec![1; len], &[0; 4]).unwrap_err(),
                CryptoError::InvalidWrappedKeyLength {
                    key: WorkKeyRole::Pin,
                    actual: len
                }
            );
        }
        for kcv_len in [0usize, 9] {
            assert_eq!(
                unwrap_and_check(&tmk(), WorkKeyRole::Pin, &[1; 8], &vec![0; kcv_len]).unwrap_err(),
                CryptoError::InvalidCheckValueLength {
                    max: 8,
                    actual: kcv_len
                }
            );
        }
    }

    #[test]
    fn shorter_check_values_are_accepted() {
        let ct = hex::decode("96D605EA176B7E9E").unwrap();
        assert!(unwrap_and_check(&tmk(), WorkKeyRole::Mac, &ct, &[0x05, 0x47, 0xDB]).is_ok());
        assert!(
            unwrap_and_check(&tmk(), WorkKeyRole::Mac, &ct, &[0x05, 0x47, 0xDB, 0x3F]).is_err()
        );
    }

    #[test]
    fn work_key_set_must_be_complete_and_unique() {
        let pik = DesKey::from_bytes(&[0x11; 16]).unwrap();
        let mak = DesKey::from_bytes(&[0x22; 8]).unwrap();
        let tdk = DesKey::from_bytes(&[0x33; 16]).unwrap();
        let wrap = |role, key: &DesKey| WrappedKey::wrap(role, &tmk(), key).unwrap();
        let p = wrap(WorkKeyRole::Pin, &pik);
        let m = wrap(WorkKeyRole::Mac, &mak);
        let t = wrap(WorkKeyRole::Track, &tdk);

        let keys = WorkKeys::unwrap_all(&tmk(), &[p.clone(), m.clone()]).unwrap();
        assert_eq!(
            (keys.pik, keys.mak, keys.tdk),
            (pik.clone(), mak.clone(), None)
        );
        let keys = WorkKeys::unwrap_all(&tmk(), &[t.clone(), m.clone(), p.clone()]).unwrap();
        assert_eq!(keys.tdk, Some(tdk));

        assert!(matches!(
            WorkKeys::unwrap_all(&tmk(), std::slice::from_ref(&p)),
            Err(CryptoError::IncompleteWorkKeys { .. })
        ));
        assert!(matches!(
            WorkKeys::unwrap_all(&tmk(), &[m.clone(), t]),
            Err(CryptoError::IncompleteWorkKeys { .. })
        ));
        assert!(matches!(
            WorkKeys::unwrap_all(&tmk(), &[p.clone(), m.clone(), m]),
            Err(CryptoError::IncompleteWorkKeys { .. })
        ));
    }

    #[test]
    fn mismatch_names_the_key_but_no_bytes() {
        let err = unwrap_and_check(&tmk(), WorkKeyRole::Pin, &[1; 16], &[0; 4]).unwrap_err();
        assert_eq!(
            err,
            CryptoError::CheckValueMismatch {
                key: WorkKeyRole::Pin
            }
        );
        let text = err.to_string();
        assert!(text.contains("PIN key (PIK)"));
        assert!(!text.contains("0101"));
    }

    #[test]
    fn debug_of_work_keys_is_redacted() {
        let keys = WorkKeys {
            pik: DesKey::from_hex("55036372B17543ECB173730768B8D6C4").unwrap(),
            mak: DesKey::from_hex("C24A8FB57AA20123").unwrap(),
            tdk: None,
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains("55036372"));
        assert!(!shown.contains("C24A8FB5"));
        assert!(shown.contains("D1345931"));
        assert!(shown.contains("0547DB3E"));
    }
}
