//! Building 8583 messages from what the journal keeps: the stored non-sensitive request fields
//! plus the sealed PAN. Shared by the card, store-and-forward and settlement services.

use crate::context::Ctx;
use crate::error::EngineError;
use crate::model::TxnRecord;
use std::collections::BTreeMap;
use unipos_iso8583::{Message, Mti};

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
    for (&n, v) in fields {
        let value = if n == 55 {
            hex::decode(v).map_err(|e| EngineError::Protocol(e.to_string()))?
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

/// Trace number as field 11.
pub(crate) fn trace_field(trace: u32) -> String {
    format!("{trace:06}")
}
