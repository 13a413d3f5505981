//! Balance inquiry, sale, sale void and refund.

use super::super::card_number;
use super::super::state::HostState;
use super::super::{Ctx, Out};
use super::{amount, check_card, new_auth_code, original, run, void_original, Outcome, Refusal};
use crate::ledger::{Effect, TxnKind};

/// Balance inquiry (0200, 310000, 60.1 `01`): field 54 carries the available balance.
pub(crate) fn balance_inquiry(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::BalanceInquiry, |st| {
        let pan = check_card(ctx, st, false).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let mut o = Outcome::approved(0, Vec::new());
        o.balance = Some(st.ledger.available(&pan, ctx.now));
        Ok((Some(pan), 0, o))
    })
}

/// Sale (0200, 000000, 60.1 `22`): debits the card; partial approval `10` for cards that
/// allow it when the terminal supports it (60.6 = 1); `51` otherwise when funds are short.
pub(crate) fn sale(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::Sale, |st| {
        let requested = amount(ctx).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let pan = check_card(ctx, st, false).map_err(|r| (card_number(ctx.msg), requested, r))?;
        let available = st.ledger.available(&pan, ctx.now);
        let partial_ok = ctx.f60.partial_flag == Some(1)
            && st
                .ledger
                .accounts
                .get(&pan)
                .is_some_and(|a| a.config.partial_approval);
        let charged = if requested <= available {
            requested
        } else if partial_ok && available > 0 {
            available
        } else {
            return Err((Some(pan), requested, ("51", "insufficient funds")));
        };
        st.ledger.debit(&pan, charged);
        let mut o = Outcome::approved(
            charged,
            vec![Effect::Debit {
                pan: pan.clone(),
                amount: charged,
            }],
        );
        if charged < requested {
            o.code = "10";
            o.why = "partial approval";
            o.answer_amount = Some(charged);
        }
        o.auth_code = Some(new_auth_code(ctx, st));
        Ok((Some(pan), requested, o))
    })
}

/// Sale void (0200, 200000, 60.1 `23`): same terminal and batch, full amount, once.
pub(crate) fn sale_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::SaleVoid, |st| {
        let pan = card_number(ctx.msg);
        let requested = amount(ctx).map_err(|r| (pan.clone(), 0, r))?;
        let (idx, orig) =
            void_original(ctx, st, &[TxnKind::Sale]).map_err(|r| (pan.clone(), requested, r))?;
        let (orig_pan, orig_amount) = match st.journal.get(idx) {
            Some(r) => (r.pan.clone(), r.entry.amount),
            None => return Err((pan, requested, ("25", "original not found"))),
        };
        if requested != orig_amount {
            return Err((
                Some(orig_pan),
                requested,
                ("64", "amount differs from the original"),
            ));
        }
        if pan.is_some() {
            check_card(ctx, st, false).map_err(|r| (Some(orig_pan.clone()), requested, r))?;
        }
        st.ledger.credit(&orig_pan, orig_amount);
        if let Some(r) = st.journal.get_mut(idx) {
            r.entry.voided = true;
        }
        let mut o = Outcome::approved(
            orig_amount,
            vec![
                Effect::Credit {
                    pan: orig_pan.clone(),
                    amount: orig_amount,
                },
                Effect::Voided { record: idx },
            ],
        );
        o.original = Some((orig.batch, orig.trace));
        o.auth_code = Some(new_auth_code(ctx, st));
        Ok((Some(orig_pan), requested, o))
    })
}

/// Refund (0220, 200000, 60.1 `25`): any batch, found by RRN (field 37) and date (61.3);
/// partial and repeated, never more than the original in total (`61`).
pub(crate) fn refund(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::Refund, |st| {
        let pan = card_number(ctx.msg);
        let requested = amount(ctx).map_err(|r| (pan.clone(), 0, r))?;
        let fail = |r: Refusal| (pan.clone(), requested, r);
        let orig = original(ctx).map_err(fail)?;
        let rrn = ctx.msg.text(37).ok_or(fail(("30", "field 37 missing")))?;
        let idx = *st
            .by_rrn
            .get(rrn)
            .ok_or(fail(("25", "original not found")))?;
        let r = st
            .journal
            .get(idx)
            .ok_or(fail(("25", "original not found")))?;
        let e = &r.entry;
        let refundable = matches!(
            e.kind,
            TxnKind::Sale | TxnKind::Completion | TxnKind::CompletionAdvice
        );
        if !refundable || !e.approved() || e.reversed || e.merchant_id != ctx.terminal.merchant_id {
            return Err(fail(("25", "original not found")));
        }
        if orig.date.as_deref().is_some_and(|d| d != e.date) {
            return Err(fail(("25", "original date does not match")));
        }
        if pan.as_ref().is_some_and(|p| *p != r.pan) {
            return Err(fail(("25", "card does not match the original")));
        }
        if e.voided {
            return Err(fail(("12", "original was voided")));
        }
        if e.refunded + requested > e.amount {
            return Err(fail(("61", "refunds would exceed the original amount")));
        }
        let (orig_pan, orig_key) = (r.pan.clone(), (e.batch, e.trace));
        if pan.is_some() {
            check_card(ctx, st, false).map_err(|r| (Some(orig_pan.clone()), requested, r))?;
        }
        st.ledger.credit(&orig_pan, requested);
        if let Some(r) = st.journal.get_mut(idx) {
            r.entry.refunded += requested;
        }
        let mut o = Outcome::approved(
            requested,
            vec![
                Effect::Credit {
                    pan: orig_pan.clone(),
                    amount: requested,
                },
                Effect::Refunded {
                    record: idx,
                    amount: requested,
                },
            ],
        );
        o.original = Some(orig_key);
        o.auth_code = Some(new_auth_code(ctx, st));
        Ok((Some(orig_pan), requested, o))
    })
}
