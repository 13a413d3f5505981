//! Length-prefixed frames: a big-endian length of `prefix_len` bytes, then that many bytes.

use std::io::{self, Read, Write};
use thiserror::Error;

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

/// Writes `body` behind a `prefix_len`-byte big-endian length, in one write.
pub fn write_frame(w: &mut impl Write, prefix_len: usize, body: &[u8]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(prefix_len + body.len());
    let len = (body.len() as u64).to_be_bytes();
    buf.extend_from_slice(&len[8usize.saturating_sub(prefix_len)..]);
    buf.extend_from_slice(body);
    w.write_all(&buf)?;
    w.flush()
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
