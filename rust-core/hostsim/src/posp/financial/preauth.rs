//! The pre-authorisation family: hold, release, completion (request or advice) and its void.

use super::super::card_number;
use super::super::state::HostState;
use super::super::{Ctx, Out};
use super::{amount, check_card, new_auth_code, original, run, void_original, Outcome, Refusal};
use crate::ledger::{Effect, HoldState, TxnKind};

/// Pre-authorisation (0100, 030000, 60.1 `10`): PIN required; holds the amount for the
/// configured validity.
pub(crate) fn pre_auth(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::PreAuth, |st| {
        let requested = amount(ctx).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let pan = check_card(ctx, st, true).map_err(|r| (card_number(ctx.msg), requested, r))?;
        if requested > st.ledger.available(&pan, ctx.now) {
            return Err((Some(pan), requested, ("51", "insufficient funds")));
        }
        // Completions find the hold by card + auth code + date: keep auth codes unique
        // among the card's holds of the day.
        let mut auth = new_auth_code(ctx, st);
        while st.ledger.find_hold(&pan, &auth, &ctx.date).is_some() {
            auth = new_auth_code(ctx, st);
        }
        let rrn = st.next_rrn();
        let validity = i64::from(ctx.rules().preauth_validity_days) * 86_400_000;
        let hold = st.ledger.place_hold(
            &pan,
            requested,
            &auth,
            &ctx.date,
            &rrn,
            ctx.tid(),
            ctx.now,
            validity,
        );
        let mut o = Outcome::approved(requested, vec![Effect::HoldPlaced { hold }]);
        o.auth_code = Some(auth);
        o.hold = Some(hold);
        o.rrn = Some(rrn);
        Ok((Some(pan), requested, o))
    })
}

/// The live hold a pre-auth void or completion refers to (card + field 38 + 61.3).
fn referenced_hold(ctx: &Ctx<'_>, st: &HostState, pan: &str) -> Result<u64, Refusal> {
    let auth = ctx.msg.text(38).ok_or(("30", "field 38 missing"))?;
    let orig = original(ctx)?;
    let date = orig.date.ok_or(("30", "field 61 has no original date"))?;
    if let Some(id) = st.ledger.find_live_hold(pan, auth, &date, ctx.now) {
        return Ok(id);
    }
    match st
        .ledger
        .find_hold(pan, auth, &date)
        .and_then(|id| st.ledger.holds.get(&id))
    {
        Some(h) if h.state == HoldState::Completed => {
            Err(("12", "pre-authorisation already completed"))
        }
        Some(h) if h.state != HoldState::Active => {
            Err(("12", "pre-authorisation no longer active"))
        }
        Some(_) => Err(("25", "pre-authorisation lapsed")),
        None => Err(("25", "pre-authorisation not found")),
    }
}

/// Pre-auth void (0100, 200000, 60.1 `11`): releases a live hold of the same amount.
pub(crate) fn pre_auth_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::PreAuthVoid, |st| {
        let requested = amount(ctx).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let pan = check_card(ctx, st, false).map_err(|r| (card_number(ctx.msg), requested, r))?;
        let fail = |r: Refusal| (Some(pan.clone()), requested, r);
        let hold = referenced_hold(ctx, st, &pan).map_err(fail)?;
        let held = st.ledger.holds.get(&hold).map_or(0, |h| h.amount);
        if held != requested {
            return Err(fail(("64", "amount differs from the pre-authorisation")));
        }
        st.ledger.set_hold_state(hold, HoldState::Released);
        let mut o = Outcome::approved(requested, vec![Effect::HoldReleased { hold }]);
        o.hold = Some(hold);
        o.auth_code = Some(new_auth_code(ctx, st));
        Ok((Some(pan), requested, o))
    })
}

/// Completion (0200, 60.1 `20`) and completion advice (0220, 60.1 `24`): charges a live
/// hold, up to the configured tolerance above it (`61`), and releases the hold.
pub(crate) fn completion(ctx: &Ctx<'_>, st: &mut HostState, advice: bool) -> Out {
    let kind = if advice {
        TxnKind::CompletionAdvice
    } else {
        TxnKind::Completion
    };
    run(ctx, st, kind, |st| {
        let requested = amount(ctx).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let pan = check_card(ctx, st, false).map_err(|r| (card_number(ctx.msg), requested, r))?;
        let fail = |r: Refusal| (Some(pan.clone()), requested, r);
        let hold = referenced_hold(ctx, st, &pan).map_err(fail)?;
        let held = st.ledger.holds.get(&hold).map_or(0, |h| h.amount);
        let ceiling =
            u128::from(held) * u128::from(100 + ctx.rules().completion_tolerance_percent) / 100;
        if u128::from(requested) > ceiling {
            return Err(fail((
                "61",
                "completion exceeds the pre-authorisation tolerance",
            )));
        }
        // The hold's own funds are available to its completion.
        let extra = requested.saturating_sub(held);
        if extra > st.ledger.available(&pan, ctx.now) {
            return Err(fail((
                "51",
                "insufficient funds for the amount above the hold",
            )));
        }
        st.ledger.set_hold_state(hold, HoldState::Completed);
        st.ledger.debit(&pan, requested);
        let mut o = Outcome::approved(
            requested,
            vec![
                Effect::HoldCompleted { hold },
                Effect::Debit {
                    pan: pan.clone(),
                    amount: requested,
                },
            ],
        );
        o.hold = Some(hold);
        o.auth_code = ctx
            .msg
            .text(38)
            .map(str::to_owned)
            .or_else(|| Some(new_auth_code(ctx, st)));
        Ok((Some(pan), requested, o))
    })
}

/// Completion void (0200, 200000, 60.1 `21`): refunds the completion in full and restores
/// the pre-authorisation so it can be completed again.
pub(crate) fn completion_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::CompletionVoid, |st| {
        let pan = card_number(ctx.msg);
        let requested = amount(ctx).map_err(|r| (pan.clone(), 0, r))?;
        let (idx, orig) = void_original(ctx, st, &[TxnKind::Completion, TxnKind::CompletionAdvice])
            .map_err(|r| (pan.clone(), requested, r))?;
        let Some((orig_pan, orig_amount, hold)) = st
            .journal
            .get(idx)
            .map(|r| (r.pan.clone(), r.entry.amount, r.hold))
        else {
            return Err((pan, requested, ("25", "original not found")));
        };
        if requested != orig_amount {
            return Err((
                Some(orig_pan),
                requested,
                ("64", "amount differs from the completion"),
            ));
        }
        st.ledger.credit(&orig_pan, orig_amount);
        let mut effects = vec![Effect::Credit {
            pan: orig_pan.clone(),
            amount: orig_amount,
        }];
        if let Some(hold) = hold {
            st.ledger.set_hold_state(hold, HoldState::Active);
            effects.push(Effect::HoldRestored { hold });
        }
        if let Some(r) = st.journal.get_mut(idx) {
            r.entry.voided = true;
        }
        effects.push(Effect::Voided { record: idx });
        let mut o = Outcome::approved(orig_amount, effects);
        o.original = Some((orig.batch, orig.trace));
        o.hold = hold;
        o.auth_code = Some(new_auth_code(ctx, st));
        Ok((Some(orig_pan), requested, o))
    })
}
