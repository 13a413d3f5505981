//! Length-prefixed frames: a big-endian length of `prefix_len` bytes, then that many bytes.

use std::io::{self, Read, Write};
use thiserror::Error;

/// A body the length prefix cannot express: it is refused, never sent with a cut-off length
/// (a wrapped prefix would make the host read a different message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a body of {len} bytes cannot be framed behind a {prefix_len}-byte length prefix")]
pub struct FrameTooLong {
    /// Body length.
    pub len: usize,
    /// Prefix length in bytes.
    pub prefix_len: usize,
}

/// Why a frame could not be written.
#[derive(Debug, Error)]
pub enum FrameWriteError {
    /// The body does not fit the prefix (nothing was written).
    #[error(transparent)]
    TooLong(#[from] FrameTooLong),
    /// The write failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl From<FrameWriteError> for io::Error {
    fn from(e: FrameWriteError) -> Self {
        match e {
            FrameWriteError::TooLong(t) => io::Error::new(io::ErrorKind::InvalidInput, t),
            FrameWriteError::Io(e) => e,
        }
    }
}

/// Why a frame could not be read.
#[derive(Debug, Error)]
pub enum FrameReadError {
    /// The peer closed the connection before the first byte of a frame (a normal end).
    #[error("the connection was closed")]
    Closed,
    /// The peer closed the connection in the middle of a frame.
    #[error("the connection was closed after {got} of {expected} bytes")]
    Truncated {
        /// Bytes received.
        got: usize,
        /// Bytes announced.
        expected: usize,
    },
    /// The announced length is above the limit.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// Announced length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Any other I/O failure (timeouts included: `WouldBlock`/`TimedOut`).
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The largest body a `prefix_len`-byte prefix can announce (`None`: prefix length unsupported).
pub fn max_body_len(prefix_len: usize) -> Option<u64> {
    match prefix_len {
        1..=7 => Some((1u64 << (8 * prefix_len)) - 1),
        8 => Some(u64::MAX),
        _ => None,
    }
}

/// `body` behind its `prefix_len`-byte big-endian length, or [`FrameTooLong`].
pub fn encode_frame(prefix_len: usize, body: &[u8]) -> Result<Vec<u8>, FrameTooLong> {
    let too_long = FrameTooLong {
        len: body.len(),
        prefix_len,
    };
    let len = u64::try_from(body.len()).map_err(|_| too_long)?;
    if max_body_len(prefix_len).is_none_or(|max| len > max) {
        return Err(too_long);
    }
    let mut buf = Vec::with_capacity(prefix_len + body.len());
    buf.extend_from_slice(&len.to_be_bytes()[8 - prefix_len..]);
    buf.extend_from_slice(body);
    Ok(buf)
}

/// Writes `body` behind a `prefix_len`-byte big-endian length, in one write; a body the prefix
/// cannot express is refused before anything is written.
pub fn write_frame(
    w: &mut impl Write,
    prefix_len: usize,
    body: &[u8],
) -> Result<(), FrameWriteError> {
    let buf = encode_frame(prefix_len, body)?;
    w.write_all(&buf)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame and returns its body (without the length prefix).
pub fn read_frame(
    r: &mut impl Read,
    prefix_len: usize,
    max_body: usize,
) -> Result<Vec<u8>, FrameReadError> {
    let mut prefix = [0u8; 8];
    let prefix = prefix
        .get_mut(..prefix_len.min(8))
        .ok_or(FrameReadError::TooLong { len: 0, max: 0 })?;
    let got = read_full(r, prefix)?;
    if got == 0 {
        return Err(FrameReadError::Closed);
    }
    if got < prefix.len() {
        return Err(FrameReadError::Truncated {
            got,
            expected: prefix.len(),
        });
    }
    let len = prefix
        .iter()
        .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
    if len > max_body {
        return Err(FrameReadError::TooLong { len, max: max_body });
    }
    let mut body = vec![0u8; len];
    let got = read_full(r, &mut body)?;
    if got < len {
        return Err(FrameReadError::Truncated { got, expected: len });
    }
    Ok(body)
}

/// Reads until `buf` is full or EOF; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut wire = Vec::new();
        write_frame(&mut wire, 2, b"hello").unwrap();
        assert_eq!(wire, b"\x00\x05hello");
        let body = read_frame(&mut wire.as_slice(), 2, 100).unwrap();
        assert_eq!(body, b"hello");
    }

    #[test]
    fn a_body_the_prefix_cannot_express_is_refused() {
        let mut wire = Vec::new();
        assert_eq!(encode_frame(1, &[0u8; 255]).unwrap().len(), 256);
        let err = write_frame(&mut wire, 1, &[0u8; 256]).unwrap_err();
        assert!(matches!(
            err,
            FrameWriteError::TooLong(FrameTooLong {
                len: 256,
                prefix_len: 1
            })
        ));
        assert!(wire.is_empty(), "nothing may be written");
        assert_eq!(
            encode_frame(2, &vec![0u8; 65_535]).unwrap()[..2],
            [0xFF, 0xFF]
        );
        assert!(encode_frame(2, &vec![0u8; 65_536]).is_err());
        assert!(encode_frame(0, b"").is_err());
        assert!(encode_frame(9, b"x").is_err());
    }

    #[test]
    fn errors() {
        assert!(matches!(
            read_frame(&mut &b""[..], 2, 100),
            Err(FrameReadError::Closed)
        ));
        assert!(matches!(
            read_frame(&mut &b"\x00"[..], 2, 100),
            Err(FrameReadError::Truncated { .. })
        ));
        assert!(matches!(
            read_frame(&mut &b"\x00\x05he"[..], 2, 100),
            Err(FrameReadError::Truncated {
                got: 2,
                expected: 5
            })
        ));
        assert!(matches!(
            read_frame(&mut &b"\xFF\xFF"[..], 2, 100),
            Err(FrameReadError::TooLong { .. })
        ));
    }
}
