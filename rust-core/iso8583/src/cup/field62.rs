//! Field 62: sign-in working keys, and the TLV payloads of parameter, AID and CA-key
//! query/download messages.

use super::{view_error, ViewError};
use crate::tlv::{self, Tlv};

/// One working key as delivered at sign-in: ciphertext under the TMK and its check value.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyBlock {
    /// The key encrypted under the terminal master key (8 or 16 bytes).
    pub ciphertext: Vec<u8>,
    /// First 4 bytes of the clear key's encryption of 8 zero bytes.
    pub check_value: [u8; 4],
}

/// Only the check value is shown: even wrapped keys stay out of logs.
impl std::fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyBlock {{ len: {}, check_value: {:02X?} }}",
            self.ciphertext.len(),
            self.check_value
        )
    }
}

/// The working keys of a sign-in response (PROTOCOL.md §1.6): PIK, MAK and, in `004` mode,
/// the TDK, each `ciphertext || check value`.
///
/// Layouts accepted: 24 bytes (single-length PIK+MAK), 40 (double-length PIK+MAK, the MAK
/// block is 16 bytes with a zero second half when the MAC uses single DES), 60 (with TDK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInKeys {
    /// PIN key.
    pub pik: KeyBlock,
    /// MAC key.
    pub mak: KeyBlock,
    /// Track-data key (60.3 = 004).
    pub tdk: Option<KeyBlock>,
}

impl SignInKeys {
    /// Parses field 62 of a sign-in response.
    pub fn parse(bytes: &[u8]) -> Result<Self, ViewError> {
        let (key_len, count) = match bytes.len() {
            24 => (8, 2),
            36 => (8, 3),
            40 => (16, 2),
            60 => (16, 3),
            n => {
                return Err(view_error(
                    "62",
                    format!("sign-in keys must be 24, 36, 40 or 60 bytes, got {n}"),
                ))
            }
        };
        let block = |i: usize| -> KeyBlock {
            let at = i * (key_len + 4);
            let mut check_value = [0u8; 4];
            check_value.copy_from_slice(&bytes[at + key_len..at + key_len + 4]);
            KeyBlock {
                ciphertext: bytes[at..at + key_len].to_vec(),
                check_value,
            }
        };
        Ok(SignInKeys {
            pik: block(0),
            mak: block(1),
            tdk: (count == 3).then(|| block(2)),
        })
    }

    /// The bytes of field 62. All blocks must have the same ciphertext length (8 or 16).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ViewError> {
        let len = self.pik.ciphertext.len();
        let blocks = [Some(&self.pik), Some(&self.mak), self.tdk.as_ref()];
        let mut out = Vec::with_capacity(60);
        for b in blocks.into_iter().flatten() {
            if b.ciphertext.len() != len || !(len == 8 || len == 16) {
                return Err(view_error(
                    "62",
                    "key blocks must all be 8 or all be 16 bytes",
                ));
            }
            out.extend_from_slice(&b.ciphertext);
            out.extend_from_slice(&b.check_value);
        }
        Ok(out)
    }
}

/// A query or download payload: a status byte (`'0'` none, `'1'` data follows, other values
/// acquirer-specific) followed by BER-TLV data (PROTOCOL.md §1.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadPayload {
    /// The first byte, as sent (`b'1'` in every capture seen).
    pub status: u8,
    /// The TLVs after the status byte, in order.
    pub entries: Vec<Tlv>,
}

/// A CA public key as listed by a CA-key query: RID (9F06), index (9F22), expiry (DF05).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapkId {
    /// Registered application provider id (5 bytes).
    pub rid: Vec<u8>,
    /// Key index.
    pub index: u8,
    /// Expiry as sent (usually 8 ASCII digits YYYYMMDD).
    pub expiry: Vec<u8>,
}

impl DownloadPayload {
    /// Parses field 62 of a query/download response.
    pub fn parse(bytes: &[u8]) -> Result<Self, ViewError> {
        let (&status, rest) = bytes
            .split_first()
            .ok_or_else(|| view_error("62", "empty download payload"))?;
        let entries = tlv::parse_all(rest).map_err(|e| view_error("62", e.to_string()))?;
        Ok(DownloadPayload { status, entries })
    }

    /// The bytes of field 62.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.status];
        out.extend_from_slice(&tlv::encode_all(&self.entries));
        out
    }

    /// The AIDs (values of tag 9F06) of an AID query response, in order.
    pub fn aids(&self) -> Vec<&[u8]> {
        self.entries
            .iter()
            .filter(|t| t.tag.as_bytes() == [0x9F, 0x06])
            .filter_map(Tlv::value_bytes)
            .collect()
    }

    /// The CA keys of a CA-key query response: each 9F06 starts an entry that collects the
    /// 9F22 and DF05 after it.
    pub fn capk_ids(&self) -> Vec<CapkId> {
        let mut out: Vec<CapkId> = Vec::new();
        for t in &self.entries {
            match t.tag.as_bytes() {
                [0x9F, 0x06] => out.push(CapkId {
                    rid: t.value_bytes().unwrap_or_default().to_vec(),
                    index: 0,
                    expiry: Vec::new(),
                }),
                [0x9F, 0x22] => {
                    if let Some(last) = out.last_mut() {
                        last.index = t
                            .value_bytes()
                            .and_then(|v| v.first())
                            .copied()
                            .unwrap_or(0);
                    }
                }
                [0xDF, 0x05] => {
                    if let Some(last) = out.last_mut() {
                        last.expiry = t.value_bytes().unwrap_or_default().to_vec();
                    }
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_sign_in_keys() {
        // Field 62 of the real 0810 (PROTOCOL.md §3.2).
        let hex =
            "279be86aaeb174b80bbe2b24e80f888cebe8b6c2be7bc61956bbf2480000000000000000a2f2cabb";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let keys = SignInKeys::parse(&bytes).unwrap();
        assert_eq!(keys.pik.check_value, [0xeb, 0xe8, 0xb6, 0xc2]);
        assert_eq!(
            keys.mak.ciphertext[..8],
            [0xbe, 0x7b, 0xc6, 0x19, 0x56, 0xbb, 0xf2, 0x48]
        );
        assert_eq!(keys.mak.ciphertext[8..], [0; 8]);
        assert_eq!(keys.mak.check_value, [0xa2, 0xf2, 0xca, 0xbb]);
        assert!(keys.tdk.is_none());
        assert_eq!(keys.to_bytes().unwrap(), bytes);
        assert!(!format!("{keys:?}").contains("279B"));
        assert!(SignInKeys::parse(&bytes[..39]).is_err());
    }
}
