//! Settlement (0500), batch upload and TC upload (0320), script result notification (0620).

use super::state::{
    counts_in_totals, GroupTotals, HostState, SettlementCheck, UploadMismatch, UploadedRecord,
};
use super::{card_number, Ctx, Out};
use crate::config::CardOrganisation;
use unipos_crypto::pan::mask_pan;
use unipos_iso8583::cup::{BatchRecords, CardTotals, OriginalMessage, SettlementTotals};

fn group(t: &CardTotals) -> GroupTotals {
    GroupTotals {
        debit_amount: t.debit_amount,
        debit_count: t.debit_count,
        credit_amount: t.credit_amount,
        credit_count: t.credit_count,
    }
}

/// Closes a terminal's batch: voids into it are refused from now on and the next sign-in
/// gets the next batch number.
fn close_batch(ctx: &Ctx<'_>, st: &mut HostState, batch: u32) {
    if let Some(t) = st.terminals.get_mut(ctx.tid()) {
        t.settled.insert(batch);
        if t.batch <= batch {
            t.batch = (batch + 1) % 1_000_000;
        }
        let next = t.batch;
        if let Some(mut s) = ctx.host.sessions.get(ctx.tid()) {
            s.batch = next;
            ctx.host.sessions.insert(ctx.tid(), s);
        }
    }
    // Duplicate detection is per batch: forget the closed batch's requests.
    let tid = ctx.tid();
    st.seen.retain(|(t, b, _), _| !(t == tid && *b == batch));
    st.report(tid, batch).closed = true;
    log::info!("terminal {} batch {batch:06} closed", ctx.tid());
}

/// Settlement (0500, 60.3 `201`): recomputes the batch totals from the host journal
/// (debit = sales + completions, credit = voids + refunds + completion voids, domestic and
/// foreign by card organisation) and answers field 48 with result `1` (balanced) or `2` per
/// group. A balanced batch is closed; an unbalanced one after its batch upload.
pub(super) fn settle(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    let Some(totals) = ctx
        .msg
        .text(48)
        .and_then(|d| SettlementTotals::parse(d).ok())
    else {
        return ctx.refuse("30", "field 48 is not settlement totals");
    };
    let batch = ctx.f60.batch;
    let rules = ctx.rules();
    let (domestic, foreign) = st.batch_totals(ctx.tid(), batch, rules.voids);
    let check = SettlementCheck {
        terminal: (group(&totals.domestic), group(&totals.foreign)),
        host: (domestic, foreign),
        domestic_balanced: group(&totals.domestic) == domestic,
        foreign_balanced: group(&totals.foreign) == foreign,
    };
    let balanced = check.domestic_balanced && check.foreign_balanced;
    let mut answer_totals = totals;
    answer_totals.domestic.result = if check.domestic_balanced { 1 } else { 2 };
    answer_totals.foreign.result = if check.foreign_balanced { 1 } else { 2 };
    log::info!(
        "terminal {} settlement of batch {batch:06}: domestic {}, foreign {}",
        ctx.tid(),
        if check.domestic_balanced {
            "balanced"
        } else {
            "NOT balanced"
        },
        if check.foreign_balanced {
            "balanced"
        } else {
            "NOT balanced"
        },
    );
    st.report(ctx.tid(), batch).settlement = Some(check);
    if balanced && !rules.end_message_when_balanced {
        close_batch(ctx, st, batch);
    }
    let rrn = st.next_rrn();
    let mut m = ctx.answer("00", &[11, 41, 42, 49, 60, 63]);
    let _ = m.set(15, &ctx.date);
    let _ = m.set(37, rrn);
    if let Ok(digits) = answer_totals.to_digits() {
        let _ = m.set(48, digits);
    }
    Out { msg: m, mac: true }
}

/// Compares one uploaded record with the host journal and files it in the batch's report.
fn file_record(
    ctx: &Ctx<'_>,
    st: &mut HostState,
    batch: u32,
    trace: u32,
    pan: Option<&str>,
    amount: u64,
    organisation: Option<u8>,
) {
    let mut found_mismatches = Vec::new();
    match st
        .by_trace
        .get(&(ctx.tid().to_owned(), batch, trace))
        .and_then(|&i| st.journal.get_mut(i))
    {
        None => found_mismatches.push(UploadMismatch::NotOnHost { trace }),
        Some(r) => {
            r.entry.tc_uploaded |= organisation.is_none();
            let e = &r.entry;
            if !e.approved() || e.reversed {
                found_mismatches.push(UploadMismatch::NotApprovedOnHost {
                    trace,
                    host_status: if e.reversed {
                        "reversed".into()
                    } else {
                        e.response_code.clone()
                    },
                });
            } else if e.amount != amount {
                found_mismatches.push(UploadMismatch::AmountDiffers {
                    trace,
                    host: e.amount,
                    terminal: amount,
                });
            }
            if pan.is_some_and(|p| p != r.pan) {
                found_mismatches.push(UploadMismatch::CardDiffers { trace });
            }
            if let (Some(code), Some(org)) = (organisation, e.organisation) {
                if (code == 0) != CardOrganisation::is_domestic(org) {
                    found_mismatches.push(UploadMismatch::OrganisationDiffers { trace });
                }
            }
        }
    }
    let report = st.report(ctx.tid(), batch);
    // A record sent again (the upload was interrupted and resumed) replaces the first copy:
    // it is one record, counted once.
    let ic = organisation.is_none();
    if report
        .uploaded
        .iter()
        .any(|u| u.trace == trace && u.ic == ic)
    {
        report
            .uploaded
            .retain(|u| !(u.trace == trace && u.ic == ic));
        report.mismatches.retain(|m| m.trace() != Some(trace));
    }
    report.uploaded.push(UploadedRecord {
        trace,
        masked_pan: pan.map(mask_pan).unwrap_or_default(),
        amount,
        organisation,
        ic: organisation.is_none(),
    });
    report.mismatches.extend(found_mismatches);
}

/// 0320: magstripe batch upload (`201`), IC batch upload or TC upload (`203`), end of batch
/// upload (`202`/`206`/`207`).
pub(super) fn batch_upload(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    let batch = ctx.f60.batch;
    match ctx.f60.network_code {
        201 => {
            let Some(records) = ctx.msg.text(48).and_then(|d| BatchRecords::parse(d).ok()) else {
                return ctx.refuse("30", "field 48 is not batch-upload records");
            };
            for r in &records.records {
                file_record(
                    ctx,
                    st,
                    batch,
                    r.trace,
                    Some(&r.pan),
                    r.amount,
                    Some(r.organisation),
                );
            }
        }
        203 => {
            let Some(orig) = ctx
                .msg
                .text(61)
                .and_then(|d| OriginalMessage::parse(d).ok())
            else {
                return ctx.refuse("30", "field 61 missing or malformed");
            };
            let amount = ctx.msg.number(4).unwrap_or(0);
            let pan = card_number(ctx.msg);
            if ctx.f60.txn_type == 0 {
                file_record(
                    ctx,
                    st,
                    orig.batch,
                    orig.trace,
                    pan.as_deref(),
                    amount,
                    None,
                );
            } else {
                // TC upload: record the certificate against the original; always `00`.
                match st
                    .by_trace
                    .get(&(ctx.tid().to_owned(), orig.batch, orig.trace))
                    .and_then(|&i| st.journal.get_mut(i))
                {
                    Some(r) => r.entry.tc_uploaded = true,
                    None => log::warn!(
                        "TC upload from terminal {} for unknown trace {:06}",
                        ctx.tid(),
                        orig.trace
                    ),
                }
            }
        }
        202 | 206 | 207 => {
            let declared = ctx.msg.number(48).unwrap_or(0) as u32;
            let (host_entries, report_uploaded): (Vec<(u32, u64)>, Vec<u32>) = {
                let uploaded: Vec<u32> = st
                    .uploads
                    .get(&(ctx.tid().to_owned(), batch))
                    .map(|r| r.uploaded.iter().map(|u| u.trace).collect())
                    .unwrap_or_default();
                let host: Vec<(u32, u64)> = st
                    .entries(ctx.tid())
                    .into_iter()
                    .filter(|e| e.batch == batch && counts_in_totals(e, ctx.rules().voids))
                    .map(|e| (e.trace, e.amount))
                    .collect();
                (host, uploaded)
            };
            let unbalanced = ctx.f60.network_code != 207;
            let report = st.report(ctx.tid(), batch);
            report.declared_total = Some(declared);
            report.finished = true;
            let received = report.uploaded.len() as u32;
            if declared != received {
                report
                    .mismatches
                    .push(UploadMismatch::CountDiffers { declared, received });
            }
            if unbalanced {
                for (trace, amount) in host_entries {
                    if !report_uploaded.contains(&trace) {
                        report
                            .mismatches
                            .push(UploadMismatch::NotUploaded { trace, amount });
                    }
                }
            }
            log::info!(
                "terminal {} batch {batch:06} upload finished: {received} record(s), {} mismatch(es)",
                ctx.tid(),
                report.mismatches.len()
            );
            close_batch(ctx, st, batch);
        }
        _ => return ctx.refuse("12", "unknown 0320 network code"),
    }
    Out {
        msg: ctx.answer("00", &[2, 3, 4, 11, 41, 42, 48, 49, 60, 61]),
        mac: true,
    }
}

/// Script result notification (0620, 60.3 `951`): acknowledged and logged.
pub(super) fn script_result(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    if ctx.f60.network_code != 951 {
        return ctx.refuse("12", "unknown 0620 network code");
    }
    log::info!(
        "script result from terminal {} for trace {}",
        ctx.tid(),
        ctx.msg.text(61).unwrap_or("?")
    );
    Out {
        msg: ctx.answer("00", &[2, 11, 41, 42, 60, 61]),
        mac: true,
    }
}
