//! The DES block cipher (FIPS 46-3), table-driven with cache-line-sized tables.
//!
//! Why our own and not the `des` crate (issue 15 item 10, docs/performance.md §2c): a MAC
//! chain of 29 blocks cannot run blocks in parallel, so it costs what one block costs, and
//! the crate computes the P permutation of every round bit by bit. Here P is folded into
//! lookups: each S-box's 4-bit output indexes a table of its 16 P-permuted words.
//!
//! Why the tables have this shape: combined S-and-P tables (64 words, 256 bytes, four cache
//! lines) are faster still, but which line a lookup touches gives two bits of its index,
//! bits of the round key, to another app watching the cache. Here every table is 64 bytes
//! and aligned to 64 (an S-box of 64 bytes, its P-spread of 16 words), so each lookup stays
//! in one line whatever the index. The `des` crate keeps its S-boxes unaligned, where a
//! table may straddle two lines.
//!
//! The tables below are the standard's and everything else is derived from them when
//! compiled; the tests check each step against a plain reading of the standard and the
//! whole cipher against the `des` crate and published answers.
//!
//! Bits are numbered as in the standard: bit 1 is the most significant.

use zeroize::Zeroize;

/// The initial permutation IP.
#[cfg(test)]
const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6,
    64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61,
    53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/// The expansion E of the 32-bit half to 48 bits.
#[cfg(test)]
const E: [u8; 48] = [
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18,
    19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];

/// The permutation P of the S-box outputs.
const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19,
    13, 30, 6, 22, 11, 4, 25,
];

/// Permuted choice 1: the 56 key bits that matter, as C (28) then D (28).
const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
    52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29,
    21, 13, 5, 28, 20, 12, 4,
];

/// Permuted choice 2: the 48-bit round key from C and D.
const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
    31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/// The left rotations of C and D before each round.
const ROTATIONS: [u32; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/// The S-boxes as printed in the standard: `[box][row][column]`.
#[rustfmt::skip]
const S_BOXES: [[[u8; 16]; 4]; 8] = [
    [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7],
        [0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8],
        [4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0],
        [15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
    ],
    [
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10],
        [3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5],
        [0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15],
        [13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
    ],
    [
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8],
        [13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1],
        [13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7],
        [1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
    ],
    [
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15],
        [13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9],
        [10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4],
        [3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
    ],
    [
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9],
        [14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6],
        [4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14],
        [11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
    ],
    [
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11],
        [10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8],
        [9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6],
        [4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
    ],
    [
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1],
        [13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6],
        [1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2],
        [6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
    ],
    [
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7],
        [1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2],
        [7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8],
        [2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ],
];

/// A 4-bit S-box output. As an enum its range is known to the compiler, so indexing a
/// 16-entry table with it needs no bounds check and no mask in the round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
#[rustfmt::skip]
enum Nibble {
    N0, N1, N2, N3, N4, N5, N6, N7, N8, N9, N10, N11, N12, N13, N14, N15,
}

impl Nibble {
    #[rustfmt::skip]
    const ALL: [Self; 16] = [
        Self::N0, Self::N1, Self::N2, Self::N3, Self::N4, Self::N5, Self::N6, Self::N7,
        Self::N8, Self::N9, Self::N10, Self::N11, Self::N12, Self::N13, Self::N14, Self::N15,
    ];
}

/// One S-box indexed by its six input bits in order (the row is the outer two).
#[repr(C, align(64))]
struct SBoxLine([Nibble; 64]);

/// The P permutation of each 4-bit output of one S-box, in its place among the 32.
#[repr(C, align(64))]
struct SpreadLine([u32; 16]);

static S_LINES: [SBoxLine; 8] = s_lines();
static SPREAD_LINES: [SpreadLine; 8] = spread_lines();

const fn s_lines() -> [SBoxLine; 8] {
    let mut lines = [const { SBoxLine([Nibble::N0; 64]) }; 8];
    let mut b = 0;
    while b < 8 {
        let mut six = 0;
        while six < 64 {
            let row = ((six >> 4) & 0b10) | (six & 1);
            let column = (six >> 1) & 0xF;
            lines[b].0[six] = Nibble::ALL[S_BOXES[b][row][column] as usize];
            six += 1;
        }
        b += 1;
    }
    lines
}

const fn spread_lines() -> [SpreadLine; 8] {
    let mut lines = [const { SpreadLine([0; 16]) }; 8];
    let mut b = 0;
    while b < 8 {
        let mut value = 0;
        while value < 16 {
            lines[b].0[value] = permute_p((value as u32) << (28 - 4 * b));
            value += 1;
        }
        b += 1;
    }
    lines
}

/// P read straight from the standard: output bit `j` is input bit `P[j]`.
const fn permute_p(input: u32) -> u32 {
    let mut out = 0;
    let mut j = 0;
    while j < 32 {
        out = (out << 1) | ((input >> (32 - P[j] as u32)) & 1);
        j += 1;
    }
    out
}

/// The bits of `input` (`width` bits wide) chosen by `table`, in the table's order.
#[inline(always)]
fn select_bits<const N: usize>(input: u64, width: u32, table: &[u8; N]) -> u64 {
    // Each bit goes straight to its place, so the bits do not wait for one another.
    let mut out = 0;
    for (j, &bit) in table.iter().enumerate() {
        out |= ((input >> (width - u32::from(bit))) & 1) << (N - 1 - j);
    }
    out
}

/// An 8×8 bit-matrix transpose (rows are bytes, the most significant first).
fn transpose(mut x: u64) -> u64 {
    let mut t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

/// The four bytes of `half` into the odd bytes of a word (counting from the most
/// significant, the first is 0).
fn spread_bytes(half: u32) -> u64 {
    let mut x = u64::from(half);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
}

/// The odd bytes of `x` (counting from the most significant, the first is 0).
#[allow(clippy::cast_possible_truncation)] // the last mask leaves 32 bits
fn odd_bytes(x: u64) -> u32 {
    let mut x = x & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0xFFFF_FFFF) as u32
}

/// A block between IP and IP⁻¹, as its halves L and R.
///
/// DES operations that follow one another (the passes of a TDES, the blocks of a CBC-MAC)
/// stay in this form: IP⁻¹ then IP cancel, and IP is linear, so a chain XORs the next
/// block's IP in, which does not wait for the chain. Only the end of the chain pays IP⁻¹.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Halves {
    left: u32,
    right: u32,
}

impl Halves {
    /// IP of `block`. IP takes the columns of the block (an 8×8 matrix of bits, a byte a
    /// row) from the bottom up; the odd columns become L, the even R.
    pub(crate) fn of(block: &[u8; 8]) -> Self {
        // Read little-endian: the rows bottom up.
        let columns = transpose(u64::from_le_bytes(*block));
        Self {
            left: odd_bytes(columns),
            right: odd_bytes(columns >> 8),
        }
    }

    /// IP⁻¹: the block these halves are IP of.
    pub(crate) fn block(self) -> [u8; 8] {
        let columns = spread_bytes(self.left) | (spread_bytes(self.right) << 8);
        transpose(columns).to_le_bytes()
    }

    /// The halves of the XOR of two blocks.
    #[must_use]
    pub(crate) fn xor(self, other: Self) -> Self {
        Self {
            left: self.left ^ other.left,
            right: self.right ^ other.right,
        }
    }
}

/// A round key as the S-box inputs' key bits, laid out where [`feistel`] needs them: S-boxes
/// 1, 3, 5, 7 in the bytes of the first word, 8, 2, 4, 6 in the second.
type RoundKey = [u32; 2];

/// Lays out a 48-bit round key for [`feistel`].
fn round_key(k: u64) -> RoundKey {
    // The six key bits of S-box `b` (0-based) are bits 6b+1..6b+6 of the 48.
    #[allow(clippy::cast_possible_truncation)] // masked to 6 bits
    let six = |b: u32| ((k >> (42 - 6 * b)) & 0x3F) as u32;
    [
        (six(0) << 24) | (six(2) << 16) | (six(4) << 8) | six(6),
        (six(7) << 24) | (six(1) << 16) | (six(3) << 8) | six(5),
    ]
}

/// The round function f(R, K).
#[inline(always)]
fn feistel(right: u32, key: &RoundKey) -> u32 {
    // E's eight 6-bit groups are windows of R: R rotated by 3 holds those of S-boxes 1, 3,
    // 5 and 7 at the bottom of each byte, R rotated by 7 those of 8, 2, 4 and 6.
    let odd = right.rotate_right(3) ^ key[0];
    let even = right.rotate_right(7) ^ key[1];
    let lookup = |b: usize, six: u32| {
        let s = S_LINES[b].0[(six & 0x3F) as usize];
        SPREAD_LINES[b].0[s as usize]
    };
    // The eight words have no bit in common (P is a permutation), so `|`, `+` and `^` give
    // the same sum. Mixing them keeps the compiler from making one long chain of the tree,
    // and the round waits for its slowest lookup only.
    let odd_sum =
        (lookup(0, odd >> 24) | lookup(2, odd >> 16)) + (lookup(4, odd >> 8) | lookup(6, odd));
    let even_sum =
        (lookup(7, even >> 24) | lookup(1, even >> 16)) + (lookup(3, even >> 8) | lookup(5, even));
    odd_sum | even_sum
}

/// One expanded DES key. Its round keys are wiped when it is dropped.
#[derive(Clone)]
pub(crate) struct Dea {
    /// The 16 round keys, in pairs.
    keys: [[RoundKey; 2]; 8],
}

impl Dea {
    /// Expands an 8-byte key. Parity bits are ignored, as the standard says.
    pub(crate) fn new(key: &[u8; 8]) -> Self {
        let cd = select_bits(u64::from_be_bytes(*key), 64, &PC1);
        let (mut c, mut d) = (cd >> 28, cd & 0x0FFF_FFFF);
        let mut keys = [[[0u32; 2]; 2]; 8];
        for (round, rotation) in ROTATIONS.iter().enumerate() {
            c = ((c << rotation) | (c >> (28 - rotation))) & 0x0FFF_FFFF;
            d = ((d << rotation) | (d >> (28 - rotation))) & 0x0FFF_FFFF;
            keys[round / 2][round % 2] = round_key(select_bits((c << 28) | d, 56, &PC2));
        }
        Self { keys }
    }

    /// Encrypts IP of a block to IP of its cipher text.
    pub(crate) fn encrypt_halves(&self, block: Halves) -> Halves {
        let (mut left, mut right) = (block.left, block.right);
        for [first, second] in &self.keys {
            left ^= feistel(right, first);
            right ^= feistel(left, second);
        }
        // The standard's last round does not swap: IP⁻¹ takes R16 first.
        Halves {
            left: right,
            right: left,
        }
    }

    /// Decrypts IP of a block to IP of its plain text: the rounds with the keys backwards.
    pub(crate) fn decrypt_halves(&self, block: Halves) -> Halves {
        let (mut left, mut right) = (block.left, block.right);
        for [first, second] in self.keys.iter().rev() {
            left ^= feistel(right, second);
            right ^= feistel(left, first);
        }
        Halves {
            left: right,
            right: left,
        }
    }

    pub(crate) fn encrypt(&self, block: &mut [u8; 8]) {
        *block = self.encrypt_halves(Halves::of(block)).block();
    }

    pub(crate) fn decrypt(&self, block: &mut [u8; 8]) {
        *block = self.decrypt_halves(Halves::of(block)).block();
    }
}

impl Drop for Dea {
    fn drop(&mut self) {
        self.keys.zeroize();
    }
}

/// Triple DES, encrypt-decrypt-encrypt under K1, K2, K3 (K3 = K1 for a 2-key TDES), as
/// 48 rounds between one IP and one IP⁻¹.
#[derive(Clone)]
pub(crate) struct TripleDea {
    first: Dea,
    second: Dea,
    third: Option<Dea>,
}

impl TripleDea {
    /// `third` is `None` for a 2-key TDES, which ends with K1 again.
    pub(crate) fn new(first: Dea, second: Dea, third: Option<Dea>) -> Self {
        Self {
            first,
            second,
            third,
        }
    }

    /// K1, the first key; a 2-key TDES's left half.
    pub(crate) fn first(&self) -> &Dea {
        &self.first
    }

    /// K2, the middle key; a 2-key TDES's right half.
    pub(crate) fn second(&self) -> &Dea {
        &self.second
    }

    fn third(&self) -> &Dea {
        self.third.as_ref().unwrap_or(&self.first)
    }

    pub(crate) fn encrypt_halves(&self, block: Halves) -> Halves {
        let block = self.first.encrypt_halves(block);
        let block = self.second.decrypt_halves(block);
        self.third().encrypt_halves(block)
    }

    pub(crate) fn decrypt_halves(&self, block: Halves) -> Halves {
        let block = self.third().decrypt_halves(block);
        let block = self.second.encrypt_halves(block);
        self.first.decrypt_halves(block)
    }

    pub(crate) fn encrypt(&self, block: &mut [u8; 8]) {
        *block = self.encrypt_halves(Halves::of(block)).block();
    }

    pub(crate) fn decrypt(&self, block: &mut [u8; 8]) {
        *block = self.decrypt_halves(Halves::of(block)).block();
    }
}

#[cfg(test)]
mod tests;
