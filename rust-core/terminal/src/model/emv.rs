//! The EMV data a terminal downloads (CA public keys, AID parameters) in the form its EMV
//! kernel takes them, parsed from the download TLVs and checked: a CA key whose checksum
//! (DF03) does not match is refused, never handed to the kernel.

use unipos_crypto::emv::ca_key_checksum;
use unipos_iso8583::tlv::{self, Tlv};

/// A certification authority public key (CA-key download, 60.3 `370`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPublicKey {
    /// Registered application provider id (9F06, 5 bytes).
    pub rid: Vec<u8>,
    /// Key index (9F22).
    pub index: u8,
    /// Expiry as sent (DF05, usually ASCII `YYYYMMDD`).
    pub expiry: Vec<u8>,
    /// Hash algorithm indicator (DF06; `01` = SHA-1).
    pub hash_algorithm: u8,
    /// Public key algorithm indicator (DF07; `01` = RSA).
    pub key_algorithm: u8,
    /// Modulus (DF02).
    pub modulus: Vec<u8>,
    /// Exponent (DF04).
    pub exponent: Vec<u8>,
    /// The checksum (DF03), verified.
    pub checksum: [u8; 20],
}

/// The parameters of one application (AID download, 60.3 `380`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidParameters {
    /// The AID (9F06).
    pub aid: Vec<u8>,
    /// Application version number (9F08), when sent.
    pub version: Option<[u8; 2]>,
    /// Every parameter TLV as downloaded (9F06 first), for kernels that take them whole
    /// (TACs DF11-DF13, floor limit 9F1B, DDOL DF14, contactless limits DF19-DF21 ...).
    pub tlvs: Vec<u8>,
}

/// What the EMV kernel is given after each download and at each process start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmvTerminalData {
    /// The CA public keys, each verified.
    pub ca_keys: Vec<CaPublicKey>,
    /// The applications the terminal supports.
    pub aids: Vec<AidParameters>,
}

impl EmvTerminalData {
    /// The parameters of `aid`, if the terminal supports it.
    pub fn aid(&self, aid: &[u8]) -> Option<&AidParameters> {
        self.aids.iter().find(|a| a.aid == aid)
    }

    /// The CA key `rid`/`index`, if downloaded.
    pub fn ca_key(&self, rid: &[u8], index: u8) -> Option<&CaPublicKey> {
        self.ca_keys
            .iter()
            .find(|k| k.rid == rid && k.index == index)
    }
}

fn value(entries: &[Tlv], tag: [u8; 2]) -> Option<&[u8]> {
    entries
        .iter()
        .find(|t| t.tag.as_bytes() == tag)
        .and_then(Tlv::value_bytes)
}

/// Reads and verifies a downloaded CA key. The error says which part is wrong.
pub fn ca_public_key(entries: &[Tlv]) -> Result<CaPublicKey, String> {
    let need = |tag: [u8; 2], name: &str| {
        value(entries, tag).ok_or_else(|| format!("{name} ({}) missing", hex::encode_upper(tag)))
    };
    let rid = need([0x9F, 0x06], "RID")?;
    let index = match need([0x9F, 0x22], "key index")? {
        [i] => *i,
        _ => return Err("key index (9F22) is not one byte".into()),
    };
    let modulus = need([0xDF, 0x02], "modulus")?;
    let exponent = need([0xDF, 0x04], "exponent")?;
    let sent: [u8; 20] = need([0xDF, 0x03], "checksum")?
        .try_into()
        .map_err(|_| "checksum (DF03) is not 20 bytes".to_owned())?;
    let hash_algorithm = value(entries, [0xDF, 0x06])
        .and_then(|v| v.first())
        .copied()
        .unwrap_or(0x01);
    if hash_algorithm != 0x01 {
        return Err(format!(
            "hash algorithm {hash_algorithm:02X} is not SHA-1 (01)"
        ));
    }
    if rid.len() != 5 || modulus.is_empty() || exponent.is_empty() {
        return Err("RID, modulus or exponent has a wrong length".into());
    }
    if ca_key_checksum(rid, index, modulus, exponent) != sent {
        return Err("checksum (DF03) does not match the key".into());
    }
    Ok(CaPublicKey {
        rid: rid.to_vec(),
        index,
        expiry: value(entries, [0xDF, 0x05]).unwrap_or_default().to_vec(),
        hash_algorithm,
        key_algorithm: value(entries, [0xDF, 0x07])
            .and_then(|v| v.first())
            .copied()
            .unwrap_or(0x01),
        modulus: modulus.to_vec(),
        exponent: exponent.to_vec(),
        checksum: sent,
    })
}

/// Reads downloaded AID parameters.
pub fn aid_parameters(entries: &[Tlv]) -> Result<AidParameters, String> {
    let aid = value(entries, [0x9F, 0x06]).ok_or("AID (9F06) missing")?;
    if !(5..=16).contains(&aid.len()) {
        return Err(format!("AID (9F06) of {} bytes", aid.len()));
    }
    Ok(AidParameters {
        aid: aid.to_vec(),
        version: value(entries, [0x9F, 0x08]).and_then(|v| v.try_into().ok()),
        tlvs: tlv::encode_all(entries),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unipos_iso8583::tlv::Tag;

    fn t(tag: u32, v: &[u8]) -> Tlv {
        Tlv::primitive(Tag::from_u32(tag).unwrap(), v.to_vec())
    }

    fn key(checksum: [u8; 20]) -> Vec<Tlv> {
        vec![
            t(0x9F06, &[0xA0, 0, 0, 3, 0x33]),
            t(0x9F22, &[3]),
            t(0xDF05, b"20301231"),
            t(0xDF06, &[1]),
            t(0xDF07, &[1]),
            t(0xDF02, &[0xC5; 144]),
            t(0xDF04, &[3]),
            t(0xDF03, &checksum),
        ]
    }

    #[test]
    fn a_ca_key_is_accepted_only_with_its_checksum() {
        let good = ca_key_checksum(&[0xA0, 0, 0, 3, 0x33], 3, &[0xC5; 144], &[3]);
        let k = ca_public_key(&key(good)).unwrap();
        assert_eq!((k.index, k.modulus.len()), (3, 144));
        let mut bad = good;
        bad[19] ^= 1;
        let e = ca_public_key(&key(bad)).unwrap_err();
        assert!(e.contains("DF03"), "{e}");
        let mut missing = key(good);
        missing.retain(|t| t.tag.as_bytes() != [0xDF, 0x02]);
        assert!(ca_public_key(&missing).unwrap_err().contains("modulus"));
    }

    #[test]
    fn aid_parameters_keep_every_tlv() {
        let entries = vec![
            t(0x9F06, &[0xA0, 0, 0, 3, 0x33, 1, 1, 1]),
            t(0x9F08, &[0, 0x30]),
        ];
        let a = aid_parameters(&entries).unwrap();
        assert_eq!(a.version, Some([0, 0x30]));
        assert_eq!(a.tlvs, tlv::encode_all(&entries));
        assert!(aid_parameters(&[t(0x9F08, &[0, 0x30])]).is_err());
    }
}
