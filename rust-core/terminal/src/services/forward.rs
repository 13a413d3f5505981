//! Flush points: pending reversals (0400) and store-and-forward messages (completion advices,
//! TC uploads) are sent before the next online transaction, before settlement, at startup and
//! on `flush_pending`, in the order they were queued.

use super::wire::{self, rebuild, set};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::posp::LinkError;
use crate::model::{FlushReport, Progress};

/// Reversals first (they block the next transaction), then advices.
pub(crate) fn flush(ctx: &mut Ctx) -> Result<FlushReport, EngineError> {
    let mut report = FlushReport::default();
    flush_reversals(ctx, &mut report)?;
    flush_advices(ctx, &mut report)?;
    Ok(report)
}

/// Sends every pending reversal, each again and again until the host acknowledges it or the
/// retry limit parks it for manual handling (the seeds' rule: 冲正成功或超过最大冲正次数). So
/// when this returns `Ok`, no unparked reversal is left. It stops with an error only when the
/// host cannot be reached (nothing sent): the reversal stays pending and nothing else may go
/// out.
fn flush_reversals(ctx: &mut Ctx, report: &mut FlushReport) -> Result<(), EngineError> {
    for reversal in ctx.store.pending_reversals()? {
        let Some(row) = ctx.store.by_id(reversal.txn_id)? else {
            return Err(EngineError::Storage(crate::error::StorageError::corrupt(
                "read reversal",
                format!("reversal of row {} has no journal row", reversal.txn_id),
            )));
        };
        let mut m = rebuild(ctx, "0400", &row.request_fields, Some(&row))?;
        set(&mut m, 11, wire::trace_field(row.trace))?;
        set(&mut m, 39, reversal.reason.as_str())?;
        loop {
            ctx.emit(Progress::Reversing(row.trace));
            let now = ctx.now();
            let max = ctx.config.profile.reversal.retries;
            let failure = match ctx.exchange(&m) {
                Ok(answer) => {
                    let code = answer.response_code().to_owned();
                    // The host acknowledges a reversal with 00, also for an original it never
                    // saw; which other codes mean the same is the acquirer's choice (`25`,
                    // original not found, by default).
                    if ctx.config.profile.reversal_acknowledged(&code) {
                        ctx.store.reversal_done(row.id, now)?;
                        report.reversals_sent += 1;
                        log::info!("reversal of trace {:06} acknowledged", row.trace);
                        break;
                    }
                    format!("host answered {code}")
                }
                Err(LinkError::NotSent(detail)) => {
                    return Err(EngineError::ReversalPending(detail));
                }
                Err(LinkError::Local(detail)) => {
                    return Err(EngineError::Protocol(format!(
                        "the reversal of trace {:06} could not be built: {detail}",
                        row.trace
                    )));
                }
                Err(LinkError::NoAnswer { detail, .. }) => detail,
            };
            if ctx.store.reversal_failed(row.id, &failure, max, now)? {
                log::warn!(
                    "reversal of trace {:06} parked after {max} attempts ({failure}): manual \
                     handling",
                    row.trace
                );
                report.reversals_parked += 1;
                report.parked_traces.push(row.trace);
                break;
            }
        }
    }
    Ok(())
}

/// Sends queued advices. Never drops one: an unreachable host leaves it queued.
fn flush_advices(ctx: &mut Ctx, report: &mut FlushReport) -> Result<(), EngineError> {
    let entries = ctx.store.saf_pending()?;
    if entries.is_empty() {
        return Ok(());
    }
    ctx.emit(Progress::SendingAdvices);
    for entry in entries {
        let row = match entry.txn_id {
            Some(id) => ctx.store.by_id(id)?,
            None => None,
        };
        let mti = match entry.kind.as_str() {
            "advice" => "0220",
            "script" => "0620",
            _ => "0320",
        };
        let m = rebuild(ctx, mti, &entry.payload, row.as_ref())?;
        let now = ctx.now();
        match ctx.exchange(&m) {
            Ok(answer) => {
                let code = answer.response_code().to_owned();
                if code == "00" {
                    let approved = row
                        .as_ref()
                        .filter(|_| entry.kind == "advice")
                        .map(|r| (r.id, answer.message.text(37)));
                    ctx.store.saf_delivered(entry.id, approved, now)?;
                    report.advices_sent += 1;
                } else {
                    ctx.store
                        .saf_failed(entry.id, &format!("host answered {code}"), now)?;
                    report.advices_waiting += 1;
                }
            }
            Err(LinkError::NotSent(d)) | Err(LinkError::Local(d)) => {
                ctx.store.saf_failed(entry.id, &d, now)?;
                report.advices_waiting += 1;
                // The host is unreachable: the rest waits for the next flush point.
                break;
            }
            Err(LinkError::NoAnswer { detail, .. }) => {
                if entry.attempts + 1 >= ctx.config.profile.advice_retries {
                    log::warn!(
                        "advice {} still undelivered after {} attempts; kept",
                        entry.id,
                        entry.attempts + 1
                    );
                }
                ctx.store.saf_failed(entry.id, &detail, now)?;
                report.advices_waiting += 1;
            }
        }
    }
    Ok(())
}
