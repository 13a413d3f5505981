//! What a cashier command prints: one line per outcome, the receipts the printer produced,
//! and what a flush did.

use crate::desktop::DesktopTerminal;
use unipos_terminal::model::Outcome;
use unipos_terminal::receipt::yuan;
use unipos_terminal::FlushReport;

/// One line describing an outcome.
pub fn describe(o: &Outcome) -> String {
    let mut s = format!(
        "{:<18} {:<16} {:?} {} | amount {} approved {} | trace {:06} batch {:06}",
        o.request_id,
        o.kind.as_str(),
        o.status,
        o.response_code.as_deref().unwrap_or("--"),
        yuan(o.amount),
        yuan(o.approved_amount),
        o.trace,
        o.batch
    );
    if let Some(rrn) = &o.rrn {
        s.push_str(&format!(" | ref {rrn}"));
    }
    if let Some(a) = &o.auth_code {
        s.push_str(&format!(" auth {a}"));
    }
    if let Some(p) = &o.masked_pan {
        s.push_str(&format!(" | card {p}"));
    }
    if o.remaining_amount > 0 {
        s.push_str(&format!(" | STILL TO COLLECT {}", yuan(o.remaining_amount)));
    }
    if let Some(b) = o.balance {
        s.push_str(&format!(
            " | balance {}{}",
            if b < 0 { "-" } else { "" },
            yuan(b.unsigned_abs())
        ));
    }
    s.push_str(&format!("\n  {}", o.message));
    if let Some(n) = &o.notice {
        s.push_str(&format!("\n  NOTE: {n}"));
    }
    s
}

pub(crate) fn with_receipts(t: &DesktopTerminal, mut out: String) -> String {
    for receipt in t.holder.printed() {
        out.push_str("\n\n");
        out.push_str(&receipt.join("\n"));
    }
    out
}

pub(crate) fn flush_line(r: &FlushReport) -> String {
    let mut s = format!(
        "{} reversal(s) sent, {} parked, {} advice(s) sent, {} waiting",
        r.reversals_sent, r.reversals_parked, r.advices_sent, r.advices_waiting
    );
    if let Some(n) = r.parked_notice() {
        s.push_str(&format!("\n  NOTE: {n}"));
    }
    s
}
