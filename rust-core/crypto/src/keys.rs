//! Secret keys: [`DesKey`] (single DES, 2-key and 3-key TDES) and [`Sm4Key`].
//!
//! Both types keep their bytes in memory that is wiped when the value is dropped,
//! never show them through `Debug` (which prints the length and the key check value
//! instead) and have no `Display`. The raw bytes are reachable only through the
//! deliberately loud [`DesKey::expose_secret`] / [`Sm4Key::expose_secret`].
//!
//! DES parity bits are ignored, as the DES algorithm itself ignores them: POS hosts
//! routinely distribute keys without odd parity.

use core::fmt;

use sm4::cipher::array::Array;
use sm4::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use sm4::Sm4;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::dea::{Dea, Halves, TripleDea};
use crate::error::CryptoError;
use crate::util::decode_hex_secret;

/// The DES block size in bytes.
pub const DES_BLOCK_LEN: usize = 8;
/// The SM4 block size in bytes.
pub const SM4_BLOCK_LEN: usize = 16;

/// How many independent 8-byte DES keys a [`DesKey`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DesKeyKind {
    /// 8 bytes: single DES.
    Single,
    /// 16 bytes `K1|K2`: 2-key TDES, `E(K1) D(K2) E(K1)`.
    Double,
    /// 24 bytes `K1|K2|K3`: 3-key TDES, `E(K1) D(K2) E(K3)`.
    Triple,
}

impl DesKeyKind {
    /// The key length in bytes (8, 16 or 24).
    #[must_use]
    pub const fn byte_len(self) -> usize {
        match self {
            Self::Single => 8,
            Self::Double => 16,
            Self::Triple => 24,
        }
    }
}

#[derive(Clone, Zeroize)]
enum DesKeyBytes {
    Single([u8; 8]),
    Double([u8; 16]),
    Triple([u8; 24]),
}

/// A single-DES or Triple-DES key (8, 16 or 24 bytes).
///
/// A 16-byte key `K1|K2` is 2-key TDES (`E(K1) D(K2) E(K1)`); with `K1 = K2` it
/// gives exactly the single-DES result, which many POS hosts rely on.
///
/// ```
/// use unipos_crypto::DesKey;
///
/// let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210")?;
/// assert_eq!(key.kcv(), [0x08, 0xD7, 0xB4, 0xFB]);
/// // Debug never shows the key itself.
/// assert_eq!(format!("{key:?}"), r#"DesKey { len: 16, kcv: "08D7B4FB" }"#);
/// # Ok::<(), unipos_crypto::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct DesKey {
    bytes: Zeroizing<DesKeyBytes>,
    // Expanded once when the key is made: a MAC or a PIN block then costs the rounds
    // only, not a key schedule per block (issue 15 item 10; docs/performance.md §1).
    cipher: DesCipher,
}

/// The expanded cipher of one [`DesKey`]. Its round keys are wiped on drop.
#[derive(Clone)]
pub(crate) enum DesCipher {
    Single(Dea),
    /// 2-key TDES. Its two halves serve as single DES too: the retail MAC (X9.19) runs
    /// its chain under the left half and finishes with both.
    Double(TripleDea),
    Triple(TripleDea),
}

impl DesCipher {
    pub(crate) fn encrypt(&self, block: &mut [u8; 8]) {
        match self {
            Self::Single(c) => c.encrypt(block),
            Self::Double(c) | Self::Triple(c) => c.encrypt(block),
        }
    }

    pub(crate) fn decrypt(&self, block: &mut [u8; 8]) {
        match self {
            Self::Single(c) => c.decrypt(block),
            Self::Double(c) | Self::Triple(c) => c.decrypt(block),
        }
    }

    pub(crate) fn encrypt_halves(&self, block: Halves) -> Halves {
        match self {
            Self::Single(c) => c.encrypt_halves(block),
            Self::Double(c) | Self::Triple(c) => c.encrypt_halves(block),
        }
    }

    fn expand(bytes: &DesKeyBytes) -> Self {
        let part = |k: &[u8], at: usize| {
            let mut h = Zeroizing::new([0u8; 8]);
            h.copy_from_slice(&k[at..at + 8]);
            Dea::new(&h)
        };
        match bytes {
            DesKeyBytes::Single(k) => Self::Single(Dea::new(k)),
            DesKeyBytes::Double(k) => Self::Double(TripleDea::new(part(k, 0), part(k, 8), None)),
            DesKeyBytes::Triple(k) => {
                Self::Triple(TripleDea::new(part(k, 0), part(k, 8), Some(part(k, 16))))
            }
        }
    }
}

impl DesKey {
    /// Builds a key from 8, 16 or 24 raw bytes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyLength`] for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let material = if let Ok(k) = <[u8; 8]>::try_from(bytes) {
            DesKeyBytes::Single(k)
        } else if let Ok(k) = <[u8; 16]>::try_from(bytes) {
            DesKeyBytes::Double(k)
        } else if let Ok(k) = <[u8; 24]>::try_from(bytes) {
            DesKeyBytes::Triple(k)
        } else {
            return Err(CryptoError::InvalidKeyLength {
                what: "DES key",
                expected: "8, 16 or 24",
                actual: bytes.len(),
            });
        };
        let cipher = DesCipher::expand(&material);
        Ok(Self {
            bytes: Zeroizing::new(material),
            cipher,
        })
    }

    /// Builds a key from 16, 32 or 48 hexadecimal characters (either case).
    ///
    /// # Errors
    /// [`CryptoError::InvalidHex`] or [`CryptoError::InvalidKeyLength`].
    pub fn from_hex(hex: &str) -> Result<Self, CryptoError> {
        let bytes = decode_hex_secret(hex, "DES key")?;
        Self::from_bytes(&bytes)
    }

    /// Whether this is a single-, double- or triple-length key.
    #[must_use]
    pub fn kind(&self) -> DesKeyKind {
        match *self.bytes {
            DesKeyBytes::Single(_) => DesKeyKind::Single,
            DesKeyBytes::Double(_) => DesKeyKind::Double,
            DesKeyBytes::Triple(_) => DesKeyKind::Triple,
        }
    }

    /// The key length in bytes (8, 16 or 24).
    #[must_use]
    pub fn byte_len(&self) -> usize {
        self.kind().byte_len()
    }

    /// The raw key bytes.
    ///
    /// Only for handing the key to a component that needs it in the clear (a
    /// hardware module's injection API, a key-wrapping step). Never log the result.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        match &*self.bytes {
            DesKeyBytes::Single(k) => k,
            DesKeyBytes::Double(k) => k,
            DesKeyBytes::Triple(k) => k,
        }
    }

    pub(crate) fn cipher(&self) -> &DesCipher {
        &self.cipher
    }

    /// Encrypts one 8-byte block (ECB).
    #[must_use]
    pub fn encrypt_block(&self, mut block: [u8; 8]) -> [u8; 8] {
        self.cipher().encrypt(&mut block);
        block
    }

    /// Decrypts one 8-byte block (ECB).
    #[must_use]
    pub fn decrypt_block(&self, mut block: [u8; 8]) -> [u8; 8] {
        self.cipher().decrypt(&mut block);
        block
    }

    /// Encrypts `data` in ECB mode. No padding is added.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 8.
    pub fn encrypt_ecb(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = aligned_copy(data, DES_BLOCK_LEN)?;
        let cipher = self.cipher();
        for_each_block(&mut out, |b| cipher.encrypt(b));
        Ok(out)
    }

    /// Decrypts `data` in ECB mode. The result is wiped when dropped, since it is
    /// often key material or a PIN block.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 8.
    pub fn decrypt_ecb(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut out = Zeroizing::new(aligned_copy(data, DES_BLOCK_LEN)?);
        let cipher = self.cipher();
        for_each_block(&mut out, |b| cipher.decrypt(b));
        Ok(out)
    }

    /// Encrypts `data` in CBC mode starting from `iv` (POS specs mostly use a zero IV).
    /// No padding is added.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 8.
    pub fn encrypt_cbc(&self, iv: [u8; 8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = aligned_copy(data, DES_BLOCK_LEN)?;
        let cipher = self.cipher();
        let mut chain = iv;
        for_each_block(&mut out, |b| {
            crate::util::xor_into(b, &chain);
            cipher.encrypt(b);
            chain = *b;
        });
        Ok(out)
    }

    /// Decrypts CBC-mode `data` that was encrypted starting from `iv`.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 8.
    pub fn decrypt_cbc(&self, iv: [u8; 8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut out = Zeroizing::new(aligned_copy(data, DES_BLOCK_LEN)?);
        let cipher = self.cipher();
        let mut chain = iv;
        for_each_block(&mut out, |b| {
            let ciphertext = *b;
            cipher.decrypt(b);
            crate::util::xor_into(b, &chain);
            chain = ciphertext;
        });
        Ok(out)
    }

    /// The full key check value block: eight zero bytes encrypted under this key.
    #[must_use]
    pub fn check_value_block(&self) -> [u8; 8] {
        self.encrypt_block([0u8; 8])
    }

    /// The first `len` bytes (at most 8) of the key check value.
    #[must_use]
    pub fn check_value(&self, len: usize) -> Vec<u8> {
        let block = self.check_value_block();
        block[..len.min(DES_BLOCK_LEN)].to_vec()
    }

    /// The 4-byte key check value, as carried in the sign-in response field 62.
    #[must_use]
    pub fn kcv(&self) -> [u8; 4] {
        let [a, b, c, d, ..] = self.check_value_block();
        [a, b, c, d]
    }
}

impl fmt::Debug for DesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesKey")
            .field("len", &self.byte_len())
            .field("kcv", &hex::encode_upper(self.kcv()))
            .finish()
    }
}

/// Compares in constant time, so equality checks do not leak key bytes through timing.
impl PartialEq for DesKey {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret().ct_eq(other.expose_secret()).into()
    }
}

impl Eq for DesKey {}

/// A 16-byte SM4 key (GB/T 32907), for terminals on the Chinese national algorithms.
///
/// ```
/// use unipos_crypto::Sm4Key;
///
/// let key = Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210")?;
/// let ct = key.encrypt_block([0u8; 16]);
/// assert_eq!(key.decrypt_block(ct), [0u8; 16]);
/// assert!(!format!("{key:?}").contains("0123456789"));
/// # Ok::<(), unipos_crypto::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct Sm4Key {
    bytes: Zeroizing<[u8; 16]>,
    // Expanded once, as for DesKey; the `sm4` crate wipes its round keys on drop.
    cipher: Sm4,
}

impl Sm4Key {
    /// Builds a key from exactly 16 raw bytes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyLength`] for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let key = <[u8; 16]>::try_from(bytes).map_err(|_| CryptoError::InvalidKeyLength {
            what: "SM4 key",
            expected: "16",
            actual: bytes.len(),
        })?;
        let cipher = Sm4::new((&key).into());
        Ok(Self {
            bytes: Zeroizing::new(key),
            cipher,
        })
    }

    /// Builds a key from 32 hexadecimal characters (either case).
    ///
    /// # Errors
    /// [`CryptoError::InvalidHex`] or [`CryptoError::InvalidKeyLength`].
    pub fn from_hex(hex: &str) -> Result<Self, CryptoError> {
        let bytes = decode_hex_secret(hex, "SM4 key")?;
        Self::from_bytes(&bytes)
    }

    /// The raw key bytes; see [`DesKey::expose_secret`] for when this is acceptable.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 16] {
        &self.bytes
    }

    fn cipher(&self) -> &Sm4 {
        &self.cipher
    }

    /// Encrypts one 16-byte block (ECB).
    #[must_use]
    pub fn encrypt_block(&self, mut block: [u8; 16]) -> [u8; 16] {
        self.cipher()
            .encrypt_block(Array::cast_from_core_mut(&mut block));
        block
    }

    /// Decrypts one 16-byte block (ECB).
    #[must_use]
    pub fn decrypt_block(&self, mut block: [u8; 16]) -> [u8; 16] {
        self.cipher()
            .decrypt_block(Array::cast_from_core_mut(&mut block));
        block
    }

    /// Encrypts `data` in ECB mode. No padding is added.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 16.
    pub fn encrypt_ecb(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = aligned_copy(data, SM4_BLOCK_LEN)?;
        let cipher = self.cipher();
        for_each_block(&mut out, |b: &mut [u8; 16]| {
            cipher.encrypt_block(Array::cast_from_core_mut(b));
        });
        Ok(out)
    }

    /// Decrypts `data` in ECB mode; the result is wiped when dropped.
    ///
    /// # Errors
    /// [`CryptoError::NotBlockAligned`] unless `data.len()` is a multiple of 16.
    pub fn decrypt_ecb(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut out = Zeroizing::new(aligned_copy(data, SM4_BLOCK_LEN)?);
        let cipher = self.cipher();
        for_each_block(&mut out, |b: &mut [u8; 16]| {
            cipher.decrypt_block(Array::cast_from_core_mut(b));
        });
        Ok(out)
    }

    /// The full key check value block: sixteen zero bytes encrypted under this key.
    #[must_use]
    pub fn check_value_block(&self) -> [u8; 16] {
        self.encrypt_block([0u8; 16])
    }

    /// The first `len` bytes (at most 16) of the key check value.
    #[must_use]
    pub fn check_value(&self, len: usize) -> Vec<u8> {
        let block = self.check_value_block();
        block[..len.min(SM4_BLOCK_LEN)].to_vec()
    }

    /// The 4-byte key check value.
    #[must_use]
    pub fn kcv(&self) -> [u8; 4] {
        let [a, b, c, d, ..] = self.check_value_block();
        [a, b, c, d]
    }
}

impl fmt::Debug for Sm4Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sm4Key")
            .field("len", &SM4_BLOCK_LEN)
            .field("kcv", &hex::encode_upper(self.kcv()))
            .finish()
    }
}

/// Compares in constant time.
impl PartialEq for Sm4Key {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&*other.bytes).into()
    }
}

impl Eq for Sm4Key {}

/// Copies `data` after checking that it is a whole number of `block`-byte blocks.
fn aligned_copy(data: &[u8], block: usize) -> Result<Vec<u8>, CryptoError> {
    if data.len().is_multiple_of(block) {
        Ok(data.to_vec())
    } else {
        Err(CryptoError::NotBlockAligned {
            len: data.len(),
            block,
        })
    }
}

/// Runs `f` on each complete `N`-byte block of `data`, in order.
fn for_each_block<const N: usize>(data: &mut [u8], mut f: impl FnMut(&mut [u8; N])) {
    for chunk in data.chunks_exact_mut(N) {
        if let Ok(block) = <&mut [u8; N]>::try_from(chunk) {
            f(block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_lengths() {
        for len in [0usize, 7, 9, 15, 17, 23, 25, 32] {
            let err = DesKey::from_bytes(&vec![0x11; len]).unwrap_err();
            assert_eq!(
                err,
                CryptoError::InvalidKeyLength {
                    what: "DES key",
                    expected: "8, 16 or 24",
                    actual: len
                }
            );
        }
        assert!(Sm4Key::from_bytes(&[0u8; 8]).is_err());
    }

    #[test]
    fn kind_follows_length() {
        assert_eq!(
            DesKey::from_bytes(&[1; 8]).unwrap().kind(),
            DesKeyKind::Single
        );
        assert_eq!(
            DesKey::from_bytes(&[1; 16]).unwrap().kind(),
            DesKeyKind::Double
        );
        assert_eq!(DesKey::from_bytes(&[1; 24]).unwrap().byte_len(), 24);
    }

    #[test]
    fn double_key_with_equal_halves_is_single_des() {
        let single = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        let double = DesKey::from_hex("C24A8FB57AA20123C24A8FB57AA20123").unwrap();
        let triple = DesKey::from_hex("C24A8FB57AA20123C24A8FB57AA20123C24A8FB57AA20123").unwrap();
        let block = *b"12345678";
        assert_eq!(single.encrypt_block(block), double.encrypt_block(block));
        assert_eq!(single.encrypt_block(block), triple.encrypt_block(block));
    }

    #[test]
    fn ecb_rejects_partial_blocks() {
        let key = DesKey::from_bytes(&[1; 16]).unwrap();
        assert_eq!(
            key.encrypt_ecb(&[0; 12]).unwrap_err(),
            CryptoError::NotBlockAligned { len: 12, block: 8 }
        );
        assert!(key.decrypt_ecb(&[0; 7]).is_err());
        let sm4 = Sm4Key::from_bytes(&[1; 16]).unwrap();
        assert!(sm4.encrypt_ecb(&[0; 8]).is_err());
        assert!(key.encrypt_ecb(&[]).unwrap().is_empty());
    }

    #[test]
    fn cbc_round_trip_and_chaining() {
        let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let data = [0x55u8; 24];
        let ct = key.encrypt_cbc([0; 8], &data).unwrap();
        // Identical plaintext blocks must give different ciphertext blocks in CBC.
        assert_ne!(ct[..8], ct[8..16]);
        assert_eq!(&key.decrypt_cbc([0; 8], &ct).unwrap()[..], &data[..]);
        // The first CBC block with a zero IV equals the ECB block.
        assert_eq!(ct[..8], key.encrypt_ecb(&data[..8]).unwrap()[..]);
    }

    #[test]
    fn check_value_lengths() {
        let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        assert_eq!(key.check_value(3), vec![0x08, 0xD7, 0xB4]);
        assert_eq!(key.check_value(100).len(), 8);
        assert!(key.check_value(0).is_empty());
    }

    #[test]
    fn debug_is_redacted() {
        let key = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(!shown.contains("0123456789"));
        assert!(!shown.to_lowercase().contains("0123456789abcdef"));
        assert!(!shown.contains("[1, 35"));
        assert_eq!(format!("{key:?}"), r#"DesKey { len: 16, kcv: "08D7B4FB" }"#);

        let sm4 = Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let shown = format!("{sm4:?}");
        assert!(shown.starts_with("Sm4Key { len: 16, kcv: "));
        assert!(!shown.contains("0123456789"));
    }

    #[test]
    fn equality_compares_bytes() {
        let a = DesKey::from_bytes(&[1; 16]).unwrap();
        let b = DesKey::from_bytes(&[1; 16]).unwrap();
        let c = DesKey::from_bytes(&[1; 8]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn hex_accepts_lower_case() {
        let upper = DesKey::from_hex("0123456789ABCDEF").unwrap();
        let lower = DesKey::from_hex("0123456789abcdef").unwrap();
        assert_eq!(upper, lower);
        assert!(matches!(
            DesKey::from_hex("0123456789ABCDE"),
            Err(CryptoError::InvalidHex { .. })
        ));
    }
}
