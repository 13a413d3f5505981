//! Batch upload (0320) when the totals do not balance: every settled record, magstripe records
//! up to 8 to a message, chip records one by one with field 55; resumed after a crash from the
//! last acknowledged record (PROTOCOL.md §1.8).

use super::totals::{is_domestic, settled_rows};
use super::{exchange_settlement, settlement_message};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::model::{Progress, TxnRecord};
use crate::services::wire::{icc_for, set};
use unipos_iso8583::cup::{BatchRecord, BatchRecords, OriginalMessage};
use unipos_iso8583::Message;
use unipos_profile::IccMessage;

/// Uploads every settled record of the batch, resuming after the last acknowledged one.
pub(super) fn batch_upload(
    ctx: &mut Ctx,
    batch: u32,
    rows: &[TxnRecord],
) -> Result<u32, EngineError> {
    let records: Vec<&TxnRecord> = settled_rows(rows, ctx.config.profile.settlement.voids);
    let mut next = ctx.store.upload_next(batch)?;
    let total = records.len();
    while next < total {
        ctx.emit(Progress::BatchUpload {
            record: u32::try_from(next + 1).unwrap_or(u32::MAX),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        });
        let Some(first) = records.get(next) else {
            break;
        };
        let chip = first
            .entry_mode
            .as_deref()
            .is_some_and(|e| e.starts_with("05") || e.starts_with("07"));
        let (m, sent) = if chip {
            (upload_ic(ctx, batch, first)?, 1)
        } else {
            // Up to 8 consecutive magstripe records per message.
            let group: Vec<&TxnRecord> = records[next..]
                .iter()
                .take(BatchRecords::MAX)
                .take_while(|r| {
                    !r.entry_mode
                        .as_deref()
                        .is_some_and(|e| e.starts_with("05") || e.starts_with("07"))
                })
                .copied()
                .collect();
            let n = group.len();
            (upload_magstripe(ctx, batch, &group)?, n)
        };
        exchange_settlement(ctx, "batch upload", &m)?;
        next += sent;
        ctx.store.set_upload_next(batch, next)?;
        crate::crash::point("batch_upload_progress");
    }
    let end_code = ctx.config.profile.settlement.upload_end_unbalanced;
    end_of_upload(ctx, batch, end_code, total)?;
    Ok(total as u32)
}

/// The end-of-batch-upload message (60.3 `end_code`), announcing `records` records.
pub(super) fn end_of_upload(
    ctx: &mut Ctx,
    batch: u32,
    end_code: u16,
    records: usize,
) -> Result<(), EngineError> {
    let mut end = settlement_message(ctx, "0320", end_code, batch)?;
    set(&mut end, 48, format!("{:04}", records.min(9999)))?;
    exchange_settlement(ctx, "end of batch upload", &end)?;
    Ok(())
}

fn upload_magstripe(
    ctx: &mut Ctx,
    batch: u32,
    group: &[&TxnRecord],
) -> Result<Message, EngineError> {
    let mut records = Vec::with_capacity(group.len());
    for r in group {
        let pan = match &r.pan_sealed {
            Some(s) => String::from_utf8_lossy(&ctx.vault.open(s)?).into_owned(),
            None => String::new(),
        };
        records.push(BatchRecord {
            organisation: if is_domestic(r) { 0 } else { 1 },
            trace: r.trace,
            pan,
            amount: r.effective_amount(),
        });
    }
    let digits = BatchRecords { records }
        .to_digits()
        .map_err(|e| EngineError::Protocol(e.to_string()))?;
    let mut m = settlement_message(ctx, "0320", 201, batch)?;
    set(&mut m, 48, digits)?;
    Ok(m)
}

fn upload_ic(ctx: &mut Ctx, batch: u32, r: &TxnRecord) -> Result<Message, EngineError> {
    let mut m = settlement_message(ctx, "0320", 203, batch)?;
    if let Some(s) = &r.pan_sealed {
        set(&mut m, 2, &ctx.vault.open(s)?[..])?;
    }
    if let Some(v) = r.request_fields.get(&3) {
        set(&mut m, 3, v)?;
    }
    set(&mut m, 4, format!("{:012}", r.effective_amount()))?;
    if let Some(v) = &r.entry_mode {
        set(&mut m, 22, v)?;
    }
    if let Some(v) = &r.psn {
        set(&mut m, 23, v)?;
    }
    if let Some(icc) = &r.icc_data {
        set(
            &mut m,
            55,
            icc_for(&ctx.config.profile, IccMessage::Request, icc)?,
        )?;
    }
    set(
        &mut m,
        61,
        OriginalMessage {
            batch: r.batch,
            trace: r.trace,
            date: None,
            extra: String::new(),
        }
        .to_digits(),
    )?;
    Ok(m)
}
