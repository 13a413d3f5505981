//! The simulator's generator: SplitMix64 streams derived from one seed.
//!
//! Each consumer gets its own stream keyed by a label (a terminal id, "rrn" ...), so what one
//! terminal receives does not depend on how its requests interleave with other terminals'.
//! Same seed and same requests per terminal give the same keys, RRNs and auth codes.
//!
//! Not cryptographically secure: this is a test host, its keys protect nothing.

use std::hash::{BuildHasher, Hasher};

/// One SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A stream starting at `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A stream derived from `seed` and a label.
    pub fn derived(seed: u64, label: &str) -> Self {
        SplitMix64::new(mix(seed ^ fnv1a(label.as_bytes())))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Fills `buf`.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    /// A uniform number below `bound` (> 0), without modulo bias worth noticing here.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound.max(1))) >> 64) as u64
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A seed for an unseeded run: the standard library's per-process random hasher keys.
pub fn random_seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

/// Retrieval reference numbers: 12 digits, unique for 10^12 numbers, in an order that looks
/// random. The n-th RRN is `(a·n + b) mod 10^12` with `a` coprime to 10^12, a bijection.
#[derive(Debug, Clone)]
pub struct RrnSequence {
    a: u64,
    b: u64,
    next: u64,
}

const RRN_MODULUS: u64 = 1_000_000_000_000;

impl RrnSequence {
    /// The sequence for a seed.
    pub fn new(seed: u64) -> Self {
        let mut g = SplitMix64::derived(seed, "rrn");
        // Coprime to 2 and 5 means coprime to 10^12.
        let mut a = g.below(RRN_MODULUS) | 1;
        if a.is_multiple_of(5) {
            a += 2;
        }
        RrnSequence {
            a,
            b: g.below(RRN_MODULUS),
            next: 0,
        }
    }

    /// The next RRN.
    pub fn next_rrn(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        let v = (u128::from(self.a) * u128::from(n) + u128::from(self.b)) % u128::from(RRN_MODULUS);
        format!("{v:012}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_repeatable_and_distinct() {
        let mut a = SplitMix64::derived(1, "62969002");
        let mut b = SplitMix64::derived(1, "62969002");
        let mut c = SplitMix64::derived(1, "62969003");
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn rrns_are_unique_and_twelve_digits() {
        let mut s = RrnSequence::new(42);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let r = s.next_rrn();
            assert_eq!(r.len(), 12);
            assert!(seen.insert(r));
        }
    }
}
