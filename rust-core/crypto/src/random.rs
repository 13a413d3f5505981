//! Sources of random bytes, injectable so that tests and simulators are repeatable.
//!
//! Only ISO 9564 format 3 PIN blocks need randomness here (their pad nibbles).
//! Production code uses [`OsRandom`]; tests use [`DeterministicRandom`].

use crate::error::CryptoError;

/// Something that fills buffers with random bytes.
pub trait RandomSource {
    /// Overwrites all of `buf` with random bytes.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`] when no randomness could be obtained.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError>;
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        (**self).fill(buf)
    }
}

impl<R: RandomSource + ?Sized> RandomSource for Box<R> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        (**self).fill(buf)
    }
}

/// The operating system's cryptographically secure generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::fill(buf).map_err(|_| CryptoError::RandomSourceFailed)
    }
}

/// A seeded, repeatable generator (SplitMix64) for tests and simulators.
///
/// **Not secure**: anyone who knows the seed knows every byte. Never use it to build
/// PIN blocks that leave the device.
///
/// ```
/// use unipos_crypto::random::{DeterministicRandom, RandomSource};
///
/// let mut a = DeterministicRandom::new(7);
/// let mut b = DeterministicRandom::new(7);
/// let (mut x, mut y) = ([0u8; 5], [0u8; 5]);
/// a.fill(&mut x)?;
/// b.fill(&mut y)?;
/// assert_eq!(x, y);
/// # Ok::<(), unipos_crypto::CryptoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DeterministicRandom {
    state: u64,
}

impl DeterministicRandom {
    /// A generator whose output depends only on `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Default for DeterministicRandom {
    fn default() -> Self {
        Self::new(0)
    }
}

impl RandomSource for DeterministicRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_depends_on_seed() {
        let mut a = DeterministicRandom::new(1);
        let mut b = DeterministicRandom::new(2);
        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_ne!(x, y);
        assert_ne!(x, [0u8; 16]);
    }

    #[test]
    fn os_random_fills() {
        let mut buf = [0u8; 32];
        OsRandom.fill(&mut buf).unwrap();
        // 2^-256 chance of a false failure.
        assert_ne!(buf, [0u8; 32]);
    }

    #[test]
    fn works_through_references_and_boxes() {
        let mut rng = DeterministicRandom::new(3);
        let by_ref: &mut dyn RandomSource = &mut rng;
        let mut buf = [0u8; 3];
        by_ref.fill(&mut buf).unwrap();
        let mut boxed: Box<dyn RandomSource> = Box::new(DeterministicRandom::new(3));
        let mut again = [0u8; 3];
        boxed.fill(&mut again).unwrap();
        assert_eq!(buf, again);
    }
}
