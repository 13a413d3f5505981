//! Building 8583 messages from what the journal keeps: the stored non-sensitive request fields
//! plus the sealed PAN. Shared by the card, store-and-forward and settlement services.

use crate::context::Ctx;
use crate::error::{EngineError, StorageError};
use crate::model::TxnRecord;
use std::collections::BTreeMap;
use unipos_iso8583::tlv;
use unipos_iso8583::{Message, Mti};
use unipos_profile::{AcquirerProfile, IccMessage};

/// The MTI of a literal (a protocol error if it is not one).
pub(crate) fn mti(s: &str) -> Result<Mti, EngineError> {
    Mti::new(s).ok_or_else(|| EngineError::Protocol(format!("bad MTI {s}")))
}

/// Sets field `n`; a value the codec refuses is a local message-building error.
pub(crate) fn set(m: &mut Message, n: u8, v: impl AsRef<[u8]>) -> Result<(), EngineError> {
    m.set(n, v)
        .map(|_| ())
        .map_err(|e| EngineError::Protocol(e.to_string()))
}

/// Rebuilds a message from stored non-sensitive fields plus the sealed PAN and the expiry of
/// `row` (reversals, advices, retransmissions).
pub(crate) fn rebuild(
    ctx: &Ctx,
    mti_text: &str,
    fields: &BTreeMap<u8, String>,
    row: Option<&TxnRecord>,
) -> Result<Message, EngineError> {
    let mut m = Message::new(mti(mti_text)?);
    // What field 55 may carry depends on the message it goes in.
    let icc_message = match mti_text {
        "0400" | "0420" => IccMessage::Reversal,
        "0320" => IccMessage::TcUpload,
        _ => IccMessage::Request,
    };
    for (&n, v) in fields {
        let value = if n == 55 {
            let stored = hex::decode(v)
                .map_err(|e| StorageError::corrupt("read stored field 55", e.to_string()))?;
            icc_for(&ctx.config.profile, icc_message, &stored)?
        } else {
            v.as_bytes().to_vec()
        };
        set(&mut m, n, value)?;
    }
    if let Some(row) = row {
        if let Some(sealed) = &row.pan_sealed {
            let pan = ctx.vault.open(sealed)?;
            set(&mut m, 2, &pan[..])?;
        }
        if let Some(expiry) = &row.expiry {
            set(&mut m, 14, expiry)?;
        }
    }
    Ok(m)
}

/// Field 55 for `message`: the kernel's TLVs filtered to the tags the acquirer profile allows
/// there (card data such as track-equivalent data or the PAN never passes). Data that is not
/// BER-TLV is refused, never sent as it came.
pub(crate) fn icc_for(
    profile: &AcquirerProfile,
    message: IccMessage,
    icc: &[u8],
) -> Result<Vec<u8>, EngineError> {
    let list = tlv::parse_all(icc).map_err(|e| {
        EngineError::Device(crate::hardware::device_error(
            "EMV kernel",
            format!("field 55 is not BER-TLV: {e}"),
        ))
    })?;
    let (kept, dropped): (Vec<_>, Vec<_>) = list
        .into_iter()
        .partition(|t| profile.icc.allows(message, t.tag.to_u32()));
    if !dropped.is_empty() {
        let names: Vec<String> = dropped.iter().map(|t| t.tag.to_string()).collect();
        log::debug!(
            "field 55 of {message:?}: tags left out: {}",
            names.join(" ")
        );
    }
    Ok(tlv::encode_all(&kept))
}

/// Trace number as field 11.
pub(crate) fn trace_field(trace: u32) -> String {
    format!("{trace:06}")
}
