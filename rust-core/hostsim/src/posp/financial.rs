//! Financial transactions (0100, 0200, 0220) and reversal (0400), with the host's rules.

use super::state::HostState;
use super::{card_expiry, card_number, Ctx, Out, PinInput};
use crate::config::CardStatus;
use crate::ledger::{Effect, HoldState, JournalEntry, Record, TxnKind};
use unipos_crypto::emv::{derive_icc_master_key_option_a, generate_arpc_method1};
use unipos_crypto::pan::{luhn_check, mask_pan};
use unipos_iso8583::cup::OriginalMessage;
use unipos_iso8583::tlv::{self, tags};

/// Echoed in every financial answer when the request has them.
const ECHO: [u8; 10] = [2, 3, 4, 11, 14, 25, 41, 42, 49, 60];

/// A refusal before or during the business rules: response code and why (for the log).
type Refusal = (&'static str, &'static str);

/// What a handler decided, for [`finish`] to journal and answer.
#[derive(Default)]
struct Outcome {
    code: &'static str,
    why: &'static str,
    /// Amount actually charged, credited, held or released.
    applied: u64,
    /// Field 4 of the answer when it differs from the request's (partial approval).
    answer_amount: Option<u64>,
    effects: Vec<Effect>,
    auth_code: Option<String>,
    original: Option<(u32, u32)>,
    hold: Option<u64>,
    /// Field 54 (balance inquiry).
    balance: Option<u64>,
    /// RRN to answer instead of a new one (reversals answer the original's).
    rrn: Option<String>,
}

impl Outcome {
    fn refused((code, why): Refusal) -> Self {
        Outcome {
            code,
            why,
            ..Outcome::default()
        }
    }

    fn approved(applied: u64, effects: Vec<Effect>) -> Self {
        Outcome {
            code: "00",
            why: "approved",
            applied,
            effects,
            ..Outcome::default()
        }
    }
}

/// Field 4 as a positive amount.
fn amount(ctx: &Ctx<'_>) -> Result<u64, Refusal> {
    match ctx.msg.get(4) {
        None => Err(("30", "field 4 missing")),
        Some(_) => match ctx.msg.number(4) {
            None => Err(("30", "field 4 is not numeric")),
            Some(0) => Err(("13", "zero amount")),
            Some(a) => Ok(a),
        },
    }
}

/// The card checks every card-present request goes through: known card (`14`), issuer
/// status (`41`/`43`/`62`/`54`), expiry (`54`), and the PIN (`55`, `75`) when one is sent
/// or `pin_required`.
fn check_card(ctx: &Ctx<'_>, st: &mut HostState, pin_required: bool) -> Result<String, Refusal> {
    let pan = card_number(ctx.msg).ok_or(("30", "no card number (field 2 or 35)"))?;
    if !luhn_check(&pan) {
        return Err(("14", "card number fails the Luhn check"));
    }
    let limit = ctx.rules().pin_try_limit;
    let account = st
        .ledger
        .accounts
        .get_mut(&pan)
        .ok_or(("14", "card not in the ledger"))?;
    match account.config.status {
        CardStatus::Normal => {}
        CardStatus::Lost => return Err(("41", "lost card")),
        CardStatus::Stolen => return Err(("43", "stolen card")),
        CardStatus::Frozen => return Err(("62", "frozen card")),
        CardStatus::Expired => return Err(("54", "card marked expired")),
    }
    let expiry: u32 = account.config.expiry.parse().unwrap_or(0);
    if expiry < ctx.yymm {
        return Err(("54", "expired card"));
    }
    if let Some(sent) = card_expiry(ctx.msg) {
        if sent != account.config.expiry {
            return Err(("54", "expiry date does not match the card"));
        }
    }
    match &ctx.pin {
        PinInput::Absent if pin_required => Err(("55", "PIN required")),
        PinInput::Absent => Ok(pan),
        _ if account.pin_failures >= limit => Err(("75", "PIN tries exceeded")),
        PinInput::Clear(pin) if pin.expose_secret() == account.config.pin => {
            account.pin_failures = 0;
            Ok(pan)
        }
        _ => {
            account.pin_failures += 1;
            if account.pin_failures >= limit {
                Err(("75", "wrong PIN, tries exceeded"))
            } else {
                Err(("55", "wrong PIN"))
            }
        }
    }
}

fn new_auth_code(ctx: &Ctx<'_>, st: &mut HostState) -> String {
    let n = st
        .terminals
        .get_mut(ctx.tid())
        .map_or(0, |t| t.rng.below(1_000_000));
    format!("{n:06}")
}

/// Issuer authentication data (tag 91: ARPC + ARC) for a chip request carrying 9F26.
fn issuer_auth_data(ctx: &Ctx<'_>, st: &HostState, pan: &str, code: &str) -> Option<Vec<u8>> {
    let icc = tlv::parse_all(ctx.msg.get(55)?).ok()?;
    let arqc: [u8; 8] = tlv::find(&icc, tags::APPLICATION_CRYPTOGRAM)?
        .value_bytes()?
        .try_into()
        .ok()?;
    let psn = st
        .ledger
        .accounts
        .get(pan)
        .and_then(|a| a.config.psn.clone())
        .or_else(|| ctx.msg.text(23).and_then(|s| s.get(1..)).map(str::to_owned))
        .unwrap_or_else(|| "00".into());
    let key = derive_icc_master_key_option_a(&ctx.host.imk, pan, &psn).ok()?;
    let arc: [u8; 2] = code.as_bytes().try_into().ok()?;
    let mut data = generate_arpc_method1(&key, &arqc, &arc).to_vec();
    data.extend_from_slice(&arc);
    Some(tlv::encode_all(&[tlv::Tlv::primitive(
        tags::ISSUER_AUTHENTICATION_DATA,
        data,
    )]))
}

/// Journals the request and builds its answer.
fn finish(
    ctx: &Ctx<'_>,
    st: &mut HostState,
    kind: TxnKind,
    pan: Option<String>,
    requested: u64,
    o: Outcome,
) -> Out {
    let rrn = o.rrn.clone().unwrap_or_else(|| st.next_rrn());
    let approved = o.code == "00" || o.code == "10";
    let auth_code = if approved { o.auth_code.clone() } else { None };
    let account = pan.as_ref().and_then(|p| st.ledger.accounts.get(p));
    let organisation = account.map(|a| a.config.organisation);
    let issuer = account.map(|a| a.config.issuer().to_owned());
    let masked = pan.as_deref().map(mask_pan).unwrap_or_default();
    if approved {
        log::info!(
            "POSP {} terminal {} trace {:06} card {masked}: {kind:?} {} fen, {}",
            ctx.msg.mti(),
            ctx.tid(),
            ctx.trace(),
            o.applied,
            o.code
        );
    } else {
        log::info!(
            "POSP {} terminal {} trace {:06} card {masked}: {kind:?} refused {}: {}",
            ctx.msg.mti(),
            ctx.tid(),
            ctx.trace(),
            o.code,
            o.why
        );
    }
    let entry = JournalEntry {
        seq: 0,
        terminal_id: ctx.tid().to_owned(),
        merchant_id: ctx.terminal.merchant_id.clone(),
        kind,
        mti: ctx.msg.mti().as_str().to_owned(),
        processing_code: ctx.msg.text(3).unwrap_or("").to_owned(),
        batch: ctx.f60.batch,
        trace: ctx.trace(),
        requested_amount: requested,
        amount: if approved { o.applied } else { 0 },
        response_code: o.code.to_owned(),
        rrn: rrn.clone(),
        auth_code: auth_code.clone(),
        masked_pan: masked,
        organisation,
        date: ctx.date.clone(),
        time: ctx.time.clone(),
        reversed: false,
        voided: false,
        refunded: 0,
        original: o.original,
        tc_uploaded: false,
    };
    let record = Record {
        entry,
        pan: pan.clone().unwrap_or_default(),
        effects: if approved { o.effects } else { Vec::new() },
        hold: o.hold,
    };
    st.push(record, kind != TxnKind::Reversal);

    let mut m = ctx.answer(o.code, &ECHO);
    if let Some(a) = o.answer_amount {
        let _ = m.set_number(4, a, 12);
    }
    let _ = m.set(15, &ctx.date);
    let _ = m.set(32, &ctx.rules().acquirer_id);
    let _ = m.set(37, &rrn);
    if let Some(code) = &auth_code {
        let _ = m.set(38, code);
    }
    if let Some(issuer) = issuer {
        let _ = m.set(
            44,
            format!("{issuer:<11.11}{:<11.11}", ctx.rules().acquirer_id),
        );
    }
    if let Some(balance) = o.balance {
        let _ = m.set(54, format!("1002156C{balance:012}"));
    }
    if matches!(
        kind,
        TxnKind::Sale | TxnKind::PreAuth | TxnKind::BalanceInquiry
    ) {
        if let Some(data) = pan
            .as_deref()
            .and_then(|p| issuer_auth_data(ctx, st, p, o.code))
        {
            let _ = m.set(55, data);
        }
    }
    if let Some(org) = organisation {
        let _ = m.set(63, org.code());
    }
    Out { msg: m, mac: true }
}

/// Runs `rules` and journals what they decided.
fn run(
    ctx: &Ctx<'_>,
    st: &mut HostState,
    kind: TxnKind,
    rules: impl FnOnce(
        &mut HostState,
    ) -> Result<(Option<String>, u64, Outcome), (Option<String>, u64, Refusal)>,
) -> Out {
    match rules(st) {
        Ok((pan, requested, outcome)) => finish(ctx, st, kind, pan, requested, outcome),
        Err((pan, requested, refusal)) => {
            finish(ctx, st, kind, pan, requested, Outcome::refused(refusal))
        }
    }
}

/// Balance inquiry (0200, 310000, 60.1 `01`): field 54 carries the available balance.
pub(super) fn balance_inquiry(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    run(ctx, st, TxnKind::BalanceInquiry, |st| {
        let pan = check_card(ctx, st, false).map_err(|r| (card_number(ctx.msg), 0, r))?;
        let mut o = Outcome::approved(0, Vec::new());
        o.balance = Some(st.ledger.available(&pan, ctx.now));
        Ok((Some(pan), 0, o))
    })
}

/// Sale (0200, 000000, 60.1 `22`): debits the card; partial approval `10` for cards that
/// allow it when the terminal supports it (60.6 = 1); `51` otherwise when funds are short.
pub(super) fn sale(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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

/// Field 61 as original batch + trace (+ date).
fn original(ctx: &Ctx<'_>) -> Result<OriginalMessage, Refusal> {
    let digits = ctx.msg.text(61).ok_or(("30", "field 61 missing"))?;
    OriginalMessage::parse(digits).map_err(|_| ("30", "field 61 malformed"))
}

/// Finds the original of a void in this terminal's journal by batch and trace, checking it
/// is an approved, unreversed transaction of one of `kinds` whose RRN (field 37), auth code
/// (field 38) and card match what the void quotes.
fn void_original(
    ctx: &Ctx<'_>,
    st: &HostState,
    kinds: &[TxnKind],
) -> Result<(usize, OriginalMessage), Refusal> {
    let orig = original(ctx)?;
    let idx = *st
        .by_trace
        .get(&(ctx.tid().to_owned(), orig.batch, orig.trace))
        .ok_or(("25", "original not found"))?;
    let r = st.journal.get(idx).ok_or(("25", "original not found"))?;
    let e = &r.entry;
    if !kinds.contains(&e.kind) || !e.approved() || e.reversed {
        return Err(("25", "original is not an approved transaction of that kind"));
    }
    if ctx.msg.text(37).is_some_and(|rrn| rrn != e.rrn) {
        return Err(("25", "RRN does not match the original"));
    }
    if let (Some(sent), Some(orig_auth)) = (ctx.msg.text(38), &e.auth_code) {
        if sent != orig_auth {
            return Err(("25", "auth code does not match the original"));
        }
    }
    if card_number(ctx.msg).is_some_and(|p| p != r.pan) {
        return Err(("25", "card does not match the original"));
    }
    let batch_open = st
        .terminals
        .get(ctx.tid())
        .is_some_and(|t| !t.settled.contains(&e.batch));
    if e.batch != ctx.f60.batch || !batch_open {
        return Err(("12", "original is not in the current batch"));
    }
    if e.voided {
        return Err(("12", "original already voided"));
    }
    if e.refunded > 0 {
        return Err(("12", "original already (partly) refunded"));
    }
    Ok((idx, orig))
}

/// Sale void (0200, 200000, 60.1 `23`): same terminal and batch, full amount, once.
pub(super) fn sale_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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
pub(super) fn refund(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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

/// Pre-authorisation (0100, 030000, 60.1 `10`): PIN required; holds the amount for the
/// configured validity.
pub(super) fn pre_auth(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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
pub(super) fn pre_auth_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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
pub(super) fn completion(ctx: &Ctx<'_>, st: &mut HostState, advice: bool) -> Out {
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
pub(super) fn completion_void(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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
pub(super) fn reversal(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
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
