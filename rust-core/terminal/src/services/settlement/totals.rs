//! Field 48 totals of a batch (PROTOCOL.md §1.7) and the per-kind lines of the report.

use crate::model::{KindTotal, SettlementSide, TotalsView, TxnRecord, TxnState};
use unipos_iso8583::cup::{CardTotals, SettlementTotals};
use unipos_profile::VoidCounting;

pub(super) fn is_domestic(row: &TxnRecord) -> bool {
    matches!(row.card_org.as_deref(), None | Some("CUP") | Some(""))
}

/// The rows of a batch that count for settlement (and are uploaded). Under
/// [`VoidCounting::Net`] a void and the transaction it voided both leave the totals.
pub(super) fn settled_rows(rows: &[TxnRecord], voids: VoidCounting) -> Vec<&TxnRecord> {
    rows.iter()
        .filter(|r| {
            matches!(r.state, TxnState::Approved | TxnState::AdvicePending)
                && r.kind.settlement_side().is_some()
                && (voids == VoidCounting::Gross || !(r.voided || r.kind.is_void()))
        })
        .collect()
}

/// Field 48 totals and the per-kind report of a batch.
pub(crate) fn totals(
    rows: &[TxnRecord],
    voids: VoidCounting,
) -> (
    SettlementTotals,
    TotalsView,
    TotalsView,
    Vec<(String, KindTotal)>,
) {
    let mut dom = TotalsView::default();
    let mut foreign = TotalsView::default();
    let mut by_kind: Vec<(String, KindTotal)> = Vec::new();
    for r in settled_rows(rows, voids) {
        let amount = r.effective_amount();
        let group = if is_domestic(r) {
            &mut dom
        } else {
            &mut foreign
        };
        let side = match r.kind.settlement_side() {
            Some(SettlementSide::Debit) => &mut group.debit,
            _ => &mut group.credit,
        };
        side.count += 1;
        side.amount += amount;
        let name = r.kind.as_str().to_owned();
        match by_kind.iter_mut().find(|(k, _)| *k == name) {
            Some((_, t)) => {
                t.count += 1;
                t.amount += amount;
            }
            None => by_kind.push((name, KindTotal { count: 1, amount })),
        }
    }
    // The format carries 3-digit counts: a larger batch saturates and so cannot balance,
    // which sends it through batch upload, where every record is reconciled one by one.
    let card = |v: &TotalsView| CardTotals {
        debit_amount: v.debit.amount,
        debit_count: v.debit.count.min(999),
        credit_amount: v.credit.amount,
        credit_count: v.credit.count.min(999),
        result: 0,
    };
    (
        SettlementTotals {
            domestic: card(&dom),
            foreign: card(&foreign),
        },
        dom,
        foreign,
        by_kind,
    )
}
