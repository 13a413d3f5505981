//! Framing around a message: `| 2-byte length | TPDU (5) | header (6) | message |`.
//!
//! All three parts are configurable per acquirer ([`FrameLayout`]); the UnionPay layout is
//! the default. The codec stays pure: reading from a socket is the transport's job, which uses
//! [`FrameLayout::length_prefix_len`] and [`FrameLayout::body_len`] to know how much to read.

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Location};

/// The Transport Protocol Data Unit: `60`, destination address (2 bytes), source address
/// (2 bytes). Hosts answer with the addresses swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tpdu(pub [u8; 5]);

impl Tpdu {
    /// The UnionPay default `6000030000` (destination 0003, source 0000). Acquirers assign
    /// the destination; configure it per acquirer.
    pub const DEFAULT: Tpdu = Tpdu([0x60, 0x00, 0x03, 0x00, 0x00]);

    /// Parses 10 hex digits.
    pub fn from_hex(hex: &str) -> Option<Tpdu> {
        let mut bytes = [0u8; 5];
        decode_hex_into(hex, &mut bytes)?;
        Some(Tpdu(bytes))
    }

    /// The TPDU of the reply: destination and source swapped.
    pub fn swapped(&self) -> Tpdu {
        let b = self.0;
        Tpdu([b[0], b[3], b[4], b[1], b[2]])
    }

    /// Destination address.
    pub fn destination(&self) -> [u8; 2] {
        [self.0[1], self.0[2]]
    }

    /// Source address.
    pub fn source(&self) -> [u8; 2] {
        [self.0[3], self.0[4]]
    }
}

impl std::fmt::Display for Tpdu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

pub(crate) fn decode_hex_into(hex: &str, out: &mut [u8]) -> Option<()> {
    let bytes = hex.as_bytes();
    if bytes.len() != out.len() * 2 {
        return None;
    }
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let s = std::str::from_utf8(pair).ok()?;
        *slot = u8::from_str_radix(s, 16).ok()?;
    }
    Some(())
}

/// The shape of the frame around a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    /// Bytes of the big-endian length prefix (0 = none, 2 = UnionPay, 4 = some hosts).
    pub length_prefix: usize,
    /// Whether a 5-byte TPDU follows the length.
    pub tpdu: bool,
    /// Bytes of the application header after the TPDU (6 for UnionPay, 0 for none).
    pub header_len: usize,
}

impl Default for FrameLayout {
    fn default() -> Self {
        FrameLayout::UNIONPAY
    }
}

/// The parts of a received frame, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameParts<'a> {
    /// The TPDU, if the layout has one.
    pub tpdu: Option<Tpdu>,
    /// The header bytes (empty if the layout has none).
    pub header: &'a [u8],
    /// The ISO 8583 message, MTI onwards.
    pub message: &'a [u8],
}

impl FrameLayout {
    /// UnionPay: 2-byte length, TPDU, 6-byte header.
    pub const UNIONPAY: FrameLayout = FrameLayout {
        length_prefix: 2,
        tpdu: true,
        header_len: 6,
    };

    /// Bytes of the length prefix.
    pub fn length_prefix_len(&self) -> usize {
        self.length_prefix
    }

    /// The body length announced by a length prefix (`prefix.len()` must equal
    /// [`Self::length_prefix_len`]).
    pub fn body_len(&self, prefix: &[u8]) -> usize {
        prefix
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
    }

    /// The largest body the length prefix can describe.
    pub fn max_body_len(&self) -> usize {
        match self.length_prefix {
            0 => usize::MAX,
            n if n >= std::mem::size_of::<usize>() => usize::MAX,
            n => (1usize << (8 * n)) - 1,
        }
    }

    /// Builds a whole frame around `message`.
    pub fn assemble(
        &self,
        tpdu: Option<Tpdu>,
        header: &[u8],
        message: &[u8],
    ) -> Result<Vec<u8>, EncodeError> {
        let fail = |kind| EncodeError {
            field: 0,
            name: "",
            kind,
        };
        if header.len() != self.header_len {
            return Err(fail(EncodeErrorKind::WrongFrameElement {
                element: "header",
                expected: self.header_len,
                actual: header.len(),
            }));
        }
        if tpdu.is_some() != self.tpdu {
            return Err(fail(EncodeErrorKind::WrongFrameElement {
                element: "TPDU",
                expected: if self.tpdu { 5 } else { 0 },
                actual: if tpdu.is_some() { 5 } else { 0 },
            }));
        }
        let body = tpdu.map_or(0, |_| 5) + header.len() + message.len();
        if body > self.max_body_len() {
            return Err(fail(EncodeErrorKind::FrameTooLong {
                length: body,
                max: self.max_body_len(),
            }));
        }
        let mut out = Vec::with_capacity(self.length_prefix + body);
        let len_bytes = (body as u64).to_be_bytes();
        out.extend_from_slice(&len_bytes[8 - self.length_prefix.min(8)..]);
        if let Some(t) = tpdu {
            out.extend_from_slice(&t.0);
        }
        out.extend_from_slice(header);
        out.extend_from_slice(message);
        Ok(out)
    }

    /// Splits a whole frame (length prefix included) into its parts, checking the length.
    pub fn split<'a>(&self, frame: &'a [u8]) -> Result<FrameParts<'a>, DecodeError> {
        let prefix = frame.get(..self.length_prefix).ok_or(DecodeError::new(
            Location::Frame,
            0,
            DecodeErrorKind::Truncated {
                needed: self.length_prefix,
                available: frame.len(),
            },
        ))?;
        let declared = self.body_len(prefix);
        let body = &frame[self.length_prefix..];
        if self.length_prefix > 0 && declared != body.len() {
            return Err(DecodeError::new(
                Location::Frame,
                0,
                DecodeErrorKind::FrameLengthMismatch {
                    declared,
                    actual: body.len(),
                },
            ));
        }
        self.split_body(body)
    }

    /// Offset of the MTI within a whole frame (length prefix included).
    pub fn message_offset(&self) -> usize {
        self.length_prefix + if self.tpdu { 5 } else { 0 } + self.header_len
    }

    /// Splits a frame body (after the length prefix) into TPDU, header and message.
    pub fn split_body<'a>(&self, body: &'a [u8]) -> Result<FrameParts<'a>, DecodeError> {
        let head = if self.tpdu { 5 } else { 0 } + self.header_len;
        if body.len() < head {
            return Err(DecodeError::new(
                Location::Frame,
                0,
                DecodeErrorKind::Truncated {
                    needed: head,
                    available: body.len(),
                },
            ));
        }
        let (tpdu, rest) = if self.tpdu {
            let mut t = [0u8; 5];
            t.copy_from_slice(&body[..5]);
            (Some(Tpdu(t)), &body[5..])
        } else {
            (None, body)
        };
        let (header, message) = rest.split_at(self.header_len);
        Ok(FrameParts {
            tpdu,
            header,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpdu_swap() {
        let t = Tpdu::from_hex("6000030002").unwrap();
        assert_eq!(t.swapped().to_string(), "6000020003");
        assert!(Tpdu::from_hex("60000300").is_none());
        assert!(Tpdu::from_hex("60000300ZZ").is_none());
    }

    #[test]
    fn assemble_and_split() {
        let layout = FrameLayout::UNIONPAY;
        let header = [0x60, 0x31, 0x00, 0x31, 0x00, 0x01];
        let frame = layout
            .assemble(Some(Tpdu::DEFAULT), &header, &[0x08, 0x00])
            .unwrap();
        assert_eq!(&frame[..2], &[0x00, 13]);
        let parts = layout.split(&frame).unwrap();
        assert_eq!(parts.tpdu, Some(Tpdu::DEFAULT));
        assert_eq!(parts.header, &header);
        assert_eq!(parts.message, &[0x08, 0x00]);
    }

    #[test]
    fn split_rejects_bad_lengths() {
        let layout = FrameLayout::UNIONPAY;
        assert!(layout.split(&[0x00]).is_err());
        assert!(layout.split(&[0x00, 0x05, 1, 2]).is_err());
        assert!(layout.split(&[0x00, 0x02, 1, 2]).is_err()); // shorter than TPDU+header
        assert!(layout.assemble(None, &[0; 6], &[]).is_err());
        assert!(layout.assemble(Some(Tpdu::DEFAULT), &[0; 5], &[]).is_err());
    }
}
