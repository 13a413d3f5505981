//! Financial transactions (0100, 0200, 0220) and reversal (0400), with the host's rules: the
//! shared checks and the journalled answer here, the transaction families in `sale.rs`,
//! `preauth.rs` and `reversal.rs`.

use super::state::HostState;
use super::{card_expiry, card_number, Ctx, Out, PinInput};
use crate::config::CardStatus;
use crate::ledger::{Effect, JournalEntry, Record, TxnKind};
use unipos_crypto::emv::{derive_icc_master_key_option_a, generate_arpc_method1};
use unipos_crypto::pan::{luhn_check, mask_pan};
use unipos_iso8583::cup::OriginalMessage;
use unipos_iso8583::tlv::{self, tags};

mod preauth;
mod reversal;
mod sale;

pub(super) use preauth::{completion, completion_void, pre_auth, pre_auth_void};
pub(super) use reversal::reversal;
pub(super) use sale::{balance_inquiry, refund, sale, sale_void};

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
    // Track 2, when sent, must name the same card and expiry (a track the TDK encrypted is
    // decrypted before this point).
    if let Some(track) = ctx.msg.text(35) {
        let (track_pan, rest) = track
            .split_once(['D', '='])
            .ok_or(("14", "track 2 has no separator"))?;
        if track_pan != pan {
            return Err(("14", "track 2 names another card than field 2"));
        }
        if ctx.msg.text(14).is_some_and(|e| rest.get(..4) != Some(e)) {
            return Err(("14", "track 2 expiry differs from field 14"));
        }
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
        operator: ctx.msg.text(63).map(str::to_owned),
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
