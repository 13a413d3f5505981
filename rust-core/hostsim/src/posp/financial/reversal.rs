//! Reversal (0400): undo what the original did, acknowledged either way.

use super::super::card_number;
use super::super::state::HostState;
use super::super::{Ctx, Out};
use super::{finish, Outcome};
use crate::ledger::{Effect, HoldState, TxnKind};

/// Undoes effects, last first.
fn undo(st: &mut HostState, effects: &[Effect]) {
    for e in effects.iter().rev() {
        match e {
            Effect::Debit { pan, amount } => st.ledger.credit(pan, *amount),
            Effect::Credit { pan, amount } => st.ledger.debit(pan, *amount),
            Effect::HoldPlaced { hold } => st.ledger.set_hold_state(*hold, HoldState::Reversed),
            Effect::HoldReleased { hold } | Effect::HoldCompleted { hold } => {
                st.ledger.set_hold_state(*hold, HoldState::Active)
            }
            Effect::HoldRestored { hold } => st.ledger.set_hold_state(*hold, HoldState::Completed),
            Effect::Voided { record } => {
                if let Some(r) = st.journal.get_mut(*record) {
                    r.entry.voided = false;
                }
            }
            Effect::Refunded { record, amount } => {
                if let Some(r) = st.journal.get_mut(*record) {
                    r.entry.refunded = r.entry.refunded.saturating_sub(*amount);
                }
            }
        }
    }
}

/// Reversal (0400): undoes exactly what the original applied, once; acknowledges `00`
/// whether or not the original was ever seen (reversals are idempotent).
pub(crate) fn reversal(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    let key = (ctx.tid().to_owned(), ctx.f60.batch, ctx.trace());
    let found = st.by_trace.get(&key).copied().filter(|&idx| {
        st.journal.get(idx).is_some_and(|r| {
            let e = &r.entry;
            ctx.msg.text(3) == Some(e.processing_code.as_str())
                && ctx.msg.number(4).unwrap_or(0) == e.requested_amount
                && ctx.f60.txn_type == e.kind.type_code()
        })
    });
    let mut o = Outcome::approved(0, Vec::new());
    let mut pan = card_number(ctx.msg);
    match found {
        None => {
            o.why = "original never seen: acknowledged";
        }
        Some(idx) => {
            let (reversed, approved, dependent, effects, applied, rrn, orig_pan) =
                match st.journal.get(idx) {
                    Some(r) => {
                        let hold_moved = r.entry.kind == TxnKind::PreAuth
                            && r.hold
                                .and_then(|h| st.ledger.holds.get(&h))
                                .is_some_and(|h| h.state != HoldState::Active);
                        (
                            r.entry.reversed,
                            r.entry.approved(),
                            r.entry.voided || r.entry.refunded > 0 || hold_moved,
                            r.effects.clone(),
                            r.entry.amount,
                            r.entry.rrn.clone(),
                            r.pan.clone(),
                        )
                    }
                    None => (
                        true,
                        false,
                        false,
                        Vec::new(),
                        0,
                        String::new(),
                        String::new(),
                    ),
                };
            o.rrn = Some(rrn);
            o.original = Some((ctx.f60.batch, ctx.trace()));
            if !orig_pan.is_empty() {
                pan = Some(orig_pan);
            }
            if reversed {
                o.why = "already reversed: acknowledged";
            } else if dependent {
                // A later void, refund or completion built on it: undoing it alone would
                // corrupt the ledger. Acknowledge and leave it for manual handling.
                log::warn!(
                    "reversal of terminal {} trace {:06}: original has later voids, refunds or completions; not undone",
                    ctx.tid(),
                    ctx.trace()
                );
                o.why = "original has dependants: acknowledged, not undone";
            } else {
                undo(st, &effects);
                if let Some(r) = st.journal.get_mut(idx) {
                    r.entry.reversed = true;
                }
                o.applied = if approved { applied } else { 0 };
                o.why = "reversed";
            }
        }
    }
    let requested = ctx.msg.number(4).unwrap_or(0);
    finish(ctx, st, TxnKind::Reversal, pan, requested, o)
}
