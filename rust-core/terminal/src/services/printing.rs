//! Printing after an approval, reprints and settlement reports. A printer failure never undoes
//! a payment: it is reported in the outcome and the receipt can be reprinted.

use crate::context::Ctx;
use crate::error::EngineError;
use crate::model::{
    CopyKind, OriginalRef, Outcome, Progress, QrInfo, QrOutcome, QrStatus, Receipt,
    SettlementReport, TxnKind, TxnRecord,
};
use crate::receipt::{render, render_settlement};

fn receipt_for(
    ctx: &Ctx,
    row: &TxnRecord,
    copy: CopyKind,
    reprint: bool,
) -> Result<Receipt, EngineError> {
    let original = match row.original_id {
        Some(id) => ctx.store.by_id(id)?.map(|o| OriginalRef {
            trace: Some(o.trace),
            rrn: o.rrn.clone(),
            auth_code: o.auth_code.clone(),
            date: Some(o.local_date.clone()),
        }),
        None => None,
    };
    let mut merchant = ctx.merchant_info();
    // The operator who did it, not whoever reprints it.
    if let Some(op) = row.request_fields.get(&63) {
        merchant.operator.clone_from(op);
    }
    Ok(Receipt {
        merchant,
        outcome: Outcome::from_record(row),
        original,
        qr: None,
        copy,
        reprint,
        printed_at: ctx.local().display(),
        merchant_order_no: row.order_no.clone(),
        remark: row.receipt_remark.clone(),
    })
}

/// The copies the request being served asked for (its print mode), in printing order.
fn copies(ctx: &Ctx) -> Vec<CopyKind> {
    let (merchant, customer) = ctx.merchant_fields.print_mode.copies();
    let mut out = Vec::new();
    if merchant {
        out.push(CopyKind::Merchant);
    }
    if customer {
        out.push(CopyKind::Customer);
    }
    out
}

/// Prints the copies the print mode asks for (the merchant and customer copies by default;
/// none when the merchant app prints its own); returns a notice if the printer failed.
pub(crate) fn print_slips(ctx: &mut Ctx, row: &TxnRecord) -> Option<String> {
    let copies = copies(ctx);
    if row.kind == TxnKind::BalanceInquiry || copies.is_empty() {
        return None;
    }
    ctx.emit(Progress::Printing);
    for copy in copies {
        let lines = match receipt_for(ctx, row, copy, false) {
            Ok(r) => render(&r, &ctx.config.receipts),
            Err(e) => return Some(format!("receipt not printed: {e}")),
        };
        if let Err(e) = ctx.hardware.printer.print(&lines) {
            log::warn!("printer failed after trace {:06}: {e}", row.trace);
            return Some(format!(
                "交易成功，打印失败，请重打印 / Approved, but the receipt did not print ({e}): reprint it"
            ));
        }
    }
    None
}

/// Prints the slips of a paid QR payment (channel and order number instead of a card);
/// returns a notice if the printer failed. Only payments just completed are printed.
pub(crate) fn print_qr_slips(ctx: &mut Ctx, o: &QrOutcome) -> Option<String> {
    let copies = copies(ctx);
    if o.status != QrStatus::Paid || copies.is_empty() {
        return None;
    }
    ctx.emit(Progress::Printing);
    let channel = o
        .channel
        .map(|c| format!("{}/{}", c.name_zh(), c.name_en()))
        .unwrap_or_default();
    let order_no = ctx.merchant_fields.order_no.clone();
    let remark = ctx.merchant_fields.receipt_remark.clone();
    for copy in copies {
        let r = Receipt {
            merchant: ctx.merchant_info(),
            outcome: o.to_outcome(),
            original: None,
            qr: Some(QrInfo {
                channel: channel.clone(),
                order_no: o.out_trade_no.clone(),
                channel_txn_id: o.channel_trade_no.clone(),
            }),
            copy,
            reprint: false,
            printed_at: ctx.local().display(),
            merchant_order_no: order_no.clone(),
            remark: remark.clone(),
        };
        let lines = render(&r, &ctx.config.receipts);
        if let Err(e) = ctx.hardware.printer.print(&lines) {
            log::warn!("printer failed after QR order {}: {e}", o.out_trade_no);
            return Some(format!(
                "支付成功，打印失败，请重打印 / Paid, but the receipt did not print ({e})"
            ));
        }
    }
    None
}

/// Which transaction a reprint is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReprintOf {
    /// The caller's last transaction (the terminal's last for a caller granted `query`).
    Last,
    /// A trace number of the current batch.
    Trace(u32),
    /// The caller's own request id.
    RequestId(String),
}

/// Reprints the merchant copy of a transaction the caller may read: its own, or any for the
/// cashier and callers granted `query`. Returns the printed lines.
pub(crate) fn reprint(ctx: &mut Ctx, of: ReprintOf) -> Result<Vec<String>, EngineError> {
    let scope = ctx.caller.read_scope().map(str::to_owned);
    let row = match &of {
        ReprintOf::Trace(t) => {
            let batch = ctx.store.current_batch()?;
            ctx.store.by_trace(scope.as_deref(), batch, *t)?
        }
        ReprintOf::RequestId(id) => ctx.store.by_request_id(&ctx.caller.scope, id)?,
        ReprintOf::Last => ctx.store.last(scope.as_deref())?,
    }
    .ok_or_else(|| {
        crate::error::RuleViolation::OriginalNotFound(match of {
            ReprintOf::Last => "no card transaction of this caller to reprint".to_owned(),
            ReprintOf::Trace(t) => format!("no transaction with trace {t:06} of this caller"),
            ReprintOf::RequestId(id) => format!("no card transaction with request id {id}"),
        })
    })?;
    let r = receipt_for(ctx, &row, CopyKind::Merchant, true)?;
    let lines = render(&r, &ctx.config.receipts);
    ctx.emit(Progress::Printing);
    ctx.hardware.printer.print(&lines)?;
    Ok(lines)
}

/// Prints the report of a closed batch. Returns the printed lines.
pub(crate) fn print_settlement(
    ctx: &mut Ctx,
    report: &SettlementReport,
) -> Result<Vec<String>, EngineError> {
    let lines = render_settlement(report, &ctx.merchant_info(), &ctx.config.receipts);
    ctx.hardware.printer.print(&lines)?;
    Ok(lines)
}
