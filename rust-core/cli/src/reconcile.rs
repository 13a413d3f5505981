//! Reconciliation of a terminal against the host simulator: the terminal journal against the
//! host journal (and batch-upload reports), and the terminal's QR orders against the QR
//! gateway's orders. An empty list of differences is a MATCH.

use crate::error::CliError;
use std::collections::BTreeMap;
use unipos_hostsim::{defaults, RunningHost};
use unipos_terminal::model::OutcomeStatus;
use unipos_terminal::model::TxnKind;
use unipos_terminal::receipt::yuan;
use unipos_terminal::{QrState, Terminal};

/// Compares every financial transaction of the terminal journal with the host journal:
/// approved on one side means approved (and not reversed) on the other, with the same amount.
/// A record the host lost counts as reconciled only if the batch upload delivered it again.
/// Then every QR order against the gateway: final, and the same paid and returned amounts.
pub fn reconcile(terminal: &Terminal, host: &RunningHost) -> Result<Vec<String>, CliError> {
    let mut differences = Vec::new();
    let entries = terminal.journal_entries(u32::MAX)?;
    let host_entries = host.journal(defaults::TERMINAL_ID);
    let mut host_by_key: BTreeMap<(u32, u32), &unipos_hostsim::JournalEntry> = BTreeMap::new();
    for e in &host_entries {
        if matches!(e.mti.as_str(), "0100" | "0200" | "0220") {
            host_by_key.insert((e.batch, e.trace), e);
        }
    }
    let uploaded = |batch: u32, trace: u32| {
        host.upload_report(defaults::TERMINAL_ID, batch)
            .is_some_and(|u| u.uploaded.iter().any(|r| r.trace == trace))
    };
    let mut terminal_keys = std::collections::BTreeSet::new();
    for o in entries.iter().filter(|o| o.trace != 0) {
        terminal_keys.insert((o.batch, o.trace));
        if o.kind == TxnKind::BalanceInquiry {
            continue;
        }
        let host_entry = host_by_key.get(&(o.batch, o.trace));
        let host_applied = host_entry
            .map(|e| e.approved() && !e.reversed)
            .unwrap_or(false);
        let terminal_applied = o.status.is_approved();
        if terminal_applied && host_entry.is_none() && uploaded(o.batch, o.trace) {
            continue; // lost by the host, delivered again by the batch upload
        }
        if host_applied != terminal_applied {
            differences.push(format!(
                "trace {:06} ({}): terminal {:?}, host {}",
                o.trace,
                o.kind.as_str(),
                o.status,
                host_entry
                    .map(|e| format!("{} reversed={}", e.response_code, e.reversed))
                    .unwrap_or_else(|| "no record".into())
            ));
        } else if let (true, Some(e)) = (terminal_applied, host_entry) {
            if e.amount != o.approved_amount {
                differences.push(format!(
                    "trace {:06}: terminal amount {} but host applied {}",
                    o.trace,
                    yuan(o.approved_amount),
                    yuan(e.amount)
                ));
            }
        }
        if o.status == OutcomeStatus::ReversalParked || o.status == OutcomeStatus::ReversalPending {
            differences.push(format!("trace {:06}: reversal still open", o.trace));
        }
    }
    for (key, e) in &host_by_key {
        if e.approved() && !e.reversed && !terminal_keys.contains(key) {
            differences.push(format!(
                "host trace {:06} batch {:06} approved but unknown to the terminal",
                key.1, key.0
            ));
        }
    }
    let ours = terminal.qr_orders()?;
    let theirs = host.qr().orders(defaults::TERMINAL_ID);
    for o in &ours {
        if !o.state.is_final() {
            differences.push(format!(
                "QR order {}: not final ({:?})",
                o.out_trade_no, o.state
            ));
        }
        match theirs.iter().find(|g| g.out_trade_no == o.out_trade_no) {
            None if matches!(o.state, QrState::NotSent | QrState::Failed) => {}
            None => differences.push(format!(
                "QR order {}: unknown to the gateway",
                o.out_trade_no
            )),
            Some(g) => {
                if g.paid_fen != o.paid_amount || g.refunded_fen != o.returned_amount {
                    differences.push(format!(
                        "QR order {}: terminal paid {} returned {}, gateway paid {} refunded {}",
                        o.out_trade_no,
                        yuan(o.paid_amount),
                        yuan(o.returned_amount),
                        yuan(g.paid_fen),
                        yuan(g.refunded_fen)
                    ));
                }
            }
        }
    }
    for g in &theirs {
        if !ours.iter().any(|o| o.out_trade_no == g.out_trade_no) {
            differences.push(format!(
                "QR order {}: unknown to the terminal",
                g.out_trade_no
            ));
        }
    }
    Ok(differences)
}
