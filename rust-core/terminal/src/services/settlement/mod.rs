//! Settlement (0500), batch upload when the totals differ, batch close and archive, sign-out
//! (DOMAIN.md rule 4; PROTOCOL.md §1.7–1.8), and when automatic settlement is due.

mod totals;
mod upload;

pub(crate) use totals::totals;

use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::posp::LinkError;
use crate::model::{FlushReport, KindTotal, Progress, SettlementReport};
use crate::services::wire::{self, set};
use unipos_iso8583::cup::{Field60, NetworkCode, SettlementTotals};
use unipos_iso8583::Message;

/// A settlement-family message (0500, 0320, 0820) with 11, 41, 42 and 60.
fn settlement_message(
    ctx: &mut Ctx,
    mti_text: &str,
    code: u16,
    batch: u32,
) -> Result<Message, EngineError> {
    let trace = ctx.store.next_management_trace()?;
    let mut m = Message::new(wire::mti(mti_text)?);
    set(&mut m, 11, wire::trace_field(trace))?;
    set(&mut m, 41, ctx.config.terminal_id.clone())?;
    set(&mut m, 42, ctx.config.merchant_id.clone())?;
    let mut f60 = Field60::management(batch, NetworkCode::BatchSettlement);
    f60.network_code = code;
    set(&mut m, 60, f60.to_digits())?;
    Ok(m)
}

fn exchange_settlement(ctx: &mut Ctx, what: &str, m: &Message) -> Result<Message, EngineError> {
    match ctx.exchange(m) {
        Ok(answer) => {
            let code = answer.response_code().to_owned();
            if code != "00" {
                let info = crate::model::response_codes::lookup(&code);
                return Err(EngineError::Protocol(format!(
                    "{what} refused: {code} {} / {}",
                    info.zh, info.en
                )));
            }
            Ok(answer.message)
        }
        Err(LinkError::NotSent(d)) => Err(EngineError::HostUnreachable(d)),
        Err(LinkError::Local(d)) => Err(EngineError::Protocol(format!(
            "{what} could not be built ({d}); nothing was sent"
        ))),
        Err(LinkError::NoAnswer { detail, .. }) => Err(EngineError::Protocol(format!(
            "{what}: no valid answer ({detail}); settle again to resume"
        ))),
    }
}

/// Settles the current batch once the flush is done (`flushed`); resumes an interrupted batch
/// upload.
pub(crate) fn settle(
    ctx: &mut Ctx,
    flushed: &FlushReport,
) -> Result<SettlementReport, EngineError> {
    if flushed.advices_waiting > 0 {
        return Err(EngineError::Protocol(format!(
            "{} advice(s) could not be delivered; settle again when the host answers",
            flushed.advices_waiting
        )));
    }
    let batch = ctx.store.current_batch()?;
    let rows = ctx.store.batch_rows(batch)?;
    let rules = ctx.config.profile.settlement;
    let (totals, domestic, foreign, by_kind) = totals(&rows, rules.voids);
    let resuming = ctx.store.upload_in_progress()? == Some(batch);
    let mut report = SettlementReport {
        batch,
        domestic,
        foreign,
        by_kind,
        qr_by_channel: qr_lines(ctx, batch)?,
        settled_at: ctx.local().display(),
        ..SettlementReport::default()
    };
    let balanced = if resuming {
        false
    } else {
        ctx.emit(Progress::Settlement(format!("batch {batch:06}: totals")));
        let mut m = settlement_message(ctx, "0500", 201, batch)?;
        let f48 = totals
            .to_digits()
            .map_err(|e| EngineError::Protocol(e.to_string()))?;
        set(&mut m, 48, f48)?;
        set(&mut m, 49, ctx.config.profile.currency.clone())?;
        set(&mut m, 63, ctx.operator_code())?;
        let answer = exchange_settlement(ctx, "settlement", &m)?;
        let result = answer
            .text(48)
            .and_then(|d| SettlementTotals::parse(d).ok())
            .ok_or_else(|| EngineError::Protocol("settlement answer without totals".into()))?;
        result.domestic.result == 1 && result.foreign.result == 1
    };
    if !balanced {
        // Durable before the first upload message: no online transaction until finished.
        ctx.store.set_upload_in_progress(batch)?;
        report.records_uploaded = upload::batch_upload(ctx, batch, &rows)?;
        report.batch_uploaded = true;
    } else if rules.end_message_when_balanced {
        // The acquirer closes a balanced batch on the end-of-upload message too.
        upload::end_of_upload(ctx, batch, rules.upload_end_balanced, 0)?;
    }
    report.balanced = balanced;
    close_batch(ctx, batch, &report)?;
    let day = ctx.local().day_number();
    ctx.store.set_last_settled_day(day)?;
    sign_out(ctx)?;
    Ok(report)
}

/// Archives the batch (rows stay, the batch row is closed) and opens the next one.
fn close_batch(ctx: &mut Ctx, batch: u32, report: &SettlementReport) -> Result<(), EngineError> {
    let now = ctx.now();
    let json = serde_json::to_string(report).unwrap_or_default();
    let next = ctx.store.close_batch(batch, report.balanced, &json, now)?;
    log::info!("batch {batch:06} closed; batch {next:06} opened");
    Ok(())
}

/// Sign-out (0820, 60.3 002). A failure is logged: the batch is already closed (and an
/// explicit sign-out needs a new sign-in either way).
pub(crate) fn sign_out(ctx: &mut Ctx) -> Result<(), EngineError> {
    let batch = ctx.store.current_batch()?;
    let m = settlement_message(ctx, "0820", 2, batch)?;
    if let Err(e) = ctx.exchange_management(&m) {
        log::warn!("sign-out not acknowledged: {e:?}");
    }
    ctx.set_demands(crate::link::posp::HostDemands {
        sign_in: true,
        ..ctx.demands
    })?;
    Ok(())
}

/// QR lines of a batch's settlement report: per channel, payments and refunds (listed apart:
/// no card-batch upload, DOMAIN.md rule 6).
fn qr_lines(ctx: &Ctx, batch: u32) -> Result<Vec<(String, KindTotal)>, EngineError> {
    let mut lines = Vec::new();
    for t in ctx.store.qr_batch_totals(batch)? {
        let (paid_n, paid_amount) = t.paid;
        let (refund_n, refund_amount) = t.refunded;
        lines.push((
            format!("{} sale", t.channel.name_en()),
            KindTotal {
                count: paid_n,
                amount: paid_amount,
            },
        ));
        if refund_n > 0 {
            lines.push((
                format!("{} refund", t.channel.name_en()),
                KindTotal {
                    count: refund_n,
                    amount: refund_amount,
                },
            ));
        }
    }
    Ok(lines)
}

/// Automatic settlement is due when the configured local time has passed today, the batch
/// holds transactions, and no settlement ran today.
pub(crate) fn is_due(ctx: &Ctx) -> Result<bool, EngineError> {
    let Some(at) = ctx.config.auto_settlement.clone() else {
        return Ok(false);
    };
    let (h, m) = at
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
        .ok_or_else(|| EngineError::Config(format!("auto settlement time '{at}' is not HH:MM")))?;
    let local = ctx.local();
    let today = local.day_number();
    let passed = (local.hour, local.minute) >= (h, m);
    let settled_today = ctx.store.last_settled_day()? == Some(today);
    let batch = ctx.store.current_batch()?;
    let has_rows = !ctx.store.batch_rows(batch)?.is_empty();
    Ok(passed && !settled_today && has_rows)
}
