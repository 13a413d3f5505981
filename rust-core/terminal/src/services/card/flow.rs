//! One card transaction: card and PIN, persist-and-send, then the answer recorded atomically
//! (ARCHITECTURE.md decision 2). Rules are checked before this runs (`rules.rs`).

use super::rules::{emv_type, message_shape};
use super::CardDone;
use crate::context::Ctx;
use crate::error::{EngineError, RuleViolation};
use crate::hardware::{CardData, CardPrompt, CardRead, EmvIssuerResponse, EmvRequest, PinEntry};
use crate::link::posp::{Answer, LinkError, NoAnswerReason};
use crate::model::response_codes;
use crate::model::{
    AnswerFields, Begun, NewTxn, OriginalEffect, Outcome, Progress, TxnKind, TxnRecord, TxnState,
};
use crate::services::wire::{icc_for, rebuild, set};
use std::collections::BTreeMap;
use unipos_iso8583::cup::{Field60, OriginalMessage};
use unipos_iso8583::{Message, Mti};
use unipos_profile::IccMessage;

/// How a transaction treats the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PinPolicy {
    /// The cardholder must enter a PIN.
    Required,
    /// Asked; the cardholder may bypass (no PIN on the card).
    Optional,
    /// Not asked.
    None,
}

/// Everything that distinguishes one card transaction from another.
pub(super) struct TxnPlan {
    pub request_id: String,
    /// What the request asks for (stored with the id).
    pub fingerprint: String,
    pub kind: TxnKind,
    pub amount: u64,
    pub original: Option<TxnRecord>,
    pub pin: PinPolicy,
    /// Extra request fields (37, 38, 61) as logical values.
    pub extra: Vec<(u8, String)>,
    pub effect: OriginalEffect,
    pub title: &'static str,
}

fn recorded(ctx: &Ctx, id: i64) -> Result<TxnRecord, EngineError> {
    ctx.store
        .by_id(id)?
        .ok_or_else(|| EngineError::Protocol("journal row vanished".into()))
}

fn read_card(ctx: &mut Ctx, amount: Option<u64>, title: &str) -> Result<CardData, EngineError> {
    ctx.cancel.reset();
    ctx.emit(Progress::WaitingForCard);
    let prompt = CardPrompt {
        amount,
        title: title.into(),
        allow_contactless: true,
    };
    match ctx.hardware.card_reader.read_card(&prompt, &ctx.cancel)? {
        CardRead::Card(card) => Ok(card),
        CardRead::Cancelled => Err(EngineError::Cancelled),
    }
}

fn read_pin(
    ctx: &mut Ctx,
    card: &CardData,
    amount: Option<u64>,
    policy: PinPolicy,
) -> Result<Option<[u8; 8]>, EngineError> {
    if policy == PinPolicy::None {
        return Ok(None);
    }
    ctx.emit(Progress::WaitingForPin);
    match ctx.hardware.pin_pad.read_pin(&card.pan, amount)? {
        PinEntry::Block(b) => Ok(Some(b)),
        PinEntry::Bypassed if policy == PinPolicy::Required => {
            Err(RuleViolation::PinRequired.into())
        }
        PinEntry::Bypassed => Ok(None),
        PinEntry::Cancelled => Err(EngineError::Cancelled),
    }
}

/// The card presented must be the original's card.
fn check_same_card(ctx: &Ctx, card: &CardData, original: &TxnRecord) -> Result<(), EngineError> {
    if let Some(sealed) = &original.pan_sealed {
        let pan = ctx.vault.open(sealed)?;
        if pan.as_slice() != card.pan.expose().as_bytes() {
            return Err(RuleViolation::CardMismatch.into());
        }
    }
    Ok(())
}

pub(super) fn run(ctx: &mut Ctx, plan: TxnPlan) -> Result<CardDone, EngineError> {
    let (mti, processing, condition, txn_type) = message_shape(plan.kind);
    let show_amount = (plan.kind != TxnKind::BalanceInquiry).then_some(plan.amount);
    let card = read_card(ctx, show_amount, plan.title)?;
    // What the reader handed over is input too: a misread number or expiry is refused here,
    // never sent.
    crate::validate::card_number(card.pan.expose())?;
    if let Some(expiry) = &card.expiry {
        crate::validate::expiry(expiry)?;
    }
    if let Some(track) = &card.track2 {
        crate::validate::track2(track, card.pan.expose())?;
    }
    if let Some(psn) = &card.psn {
        crate::validate::card_sequence_number(psn)?;
    }
    if let Some(original) = &plan.original {
        check_same_card(ctx, &card, original)?;
    }
    let pin = read_pin(ctx, &card, show_amount, plan.pin)?;
    let local = ctx.local();
    let batch = ctx.store.current_batch()?;
    let icc = if card.entry.is_chip() {
        let unpredictable = ctx.unpredictable_number()?;
        let request = EmvRequest {
            amount: plan.amount,
            txn_type: emv_type(plan.kind),
            date: local.yymmdd(),
            time: local.hhmmss(),
            unpredictable_number: unpredictable,
        };
        let raw = ctx.hardware.emv.start(&card, &request)?;
        // Only the tags the profile allows go out or into the journal.
        Some(icc_for(&ctx.config.profile, IccMessage::Request, &raw)?)
    } else {
        None
    };

    // Request fields that may be stored (for a reversal or an advice): no PAN, track or PIN.
    let mut stored: BTreeMap<u8, String> = BTreeMap::new();
    stored.insert(3, processing.into());
    if plan.kind != TxnKind::BalanceInquiry {
        stored.insert(4, format!("{:012}", plan.amount));
    }
    stored.insert(22, card.entry.field22(pin.is_some()).into());
    if let Some(psn) = &card.psn {
        stored.insert(23, psn.clone());
    }
    stored.insert(25, condition.into());
    stored.insert(41, ctx.config.terminal_id.clone());
    stored.insert(42, ctx.config.merchant_id.clone());
    stored.insert(49, ctx.config.profile.currency.clone());
    // Who did it: the signed-in operator (kept with the row for reversals and reprints).
    stored.insert(63, ctx.operator_code());
    for (n, v) in &plan.extra {
        stored.insert(*n, v.clone());
    }
    let partial = u8::from(ctx.config.profile.partial_approval);
    let reading = ctx.config.card_reading.field60_4();
    let f60 = Field60::financial(txn_type, batch, reading, 0, partial);
    stored.insert(60, f60.to_digits());
    if let Some(icc) = &icc {
        stored.insert(55, hex::encode_upper(icc));
    }

    // Track 2 as sent (encrypted under the TDK in key mode 004) is made before the journal
    // row: a security module that cannot encrypt stops the request before it counts as sent.
    let wire_track2 = card
        .track2
        .as_deref()
        .map(|t| super::track::for_wire(ctx, t))
        .transpose()?;
    let new = NewTxn {
        scope: ctx.caller.scope.clone(),
        request_id: plan.request_id.clone(),
        fingerprint: plan.fingerprint.clone(),
        kind: plan.kind,
        amount: plan.amount,
        pan_masked: Some(card.pan.masked()),
        pan_sealed: Some(ctx.vault.seal(card.pan.expose().as_bytes())?),
        expiry: card.expiry.clone(),
        entry_mode: Some(card.entry.field22(pin.is_some()).into()),
        psn: card.psn.clone(),
        icc_data: icc.clone(),
        domestic: true,
        original_id: plan.original.as_ref().map(|o| o.id),
        local_date: local.mmdd(),
        local_time: local.hhmmss(),
        request_fields: stored.clone(),
        now: ctx.now(),
        order_no: ctx.merchant_fields.order_no.clone(),
        receipt_remark: ctx.merchant_fields.receipt_remark.clone(),
    };
    let row = match ctx.store.begin(&new)? {
        Begun::New(row) => row,
        Begun::Existing(row) => return Ok(CardDone::Stored(Box::new(Outcome::from_record(&row)))),
    };
    crate::crash::point("after_journal_commit");

    // An advice is sent exactly as it will be retransmitted (store-and-forward): from the
    // stored fields, without track or PIN data, so a retransmission is byte-identical.
    if plan.kind == TxnKind::CompletionAdvice {
        drop(card);
        let mut m = rebuild(ctx, mti, &row.request_fields, Some(&row))?;
        set(&mut m, 11, format!("{:06}", row.trace))?;
        ctx.emit(Progress::Sending(row.trace));
        let result = ctx.exchange(&m);
        return finish(ctx, plan, row, result, false);
    }

    // The wire message: stored fields plus card data that is never stored.
    let mut m = Message::new(Mti::new(mti).ok_or_else(|| EngineError::Protocol(mti.into()))?);
    for (&n, v) in &stored {
        if n == 55 {
            set(&mut m, 55, icc.as_deref().unwrap_or_default())?;
        } else {
            set(&mut m, n, v)?;
        }
    }
    set(&mut m, 2, card.pan.expose())?;
    set(&mut m, 11, format!("{:06}", row.trace))?;
    if let Some(expiry) = &card.expiry {
        set(&mut m, 14, expiry)?;
    }
    if let Some(track2) = &wire_track2 {
        set(&mut m, 35, track2.as_bytes())?;
    }
    if let Some(block) = pin {
        set(&mut m, 26, "12")?;
        set(&mut m, 52, block)?;
        set(&mut m, 53, "2600000000000000")?;
    }
    drop(card);

    ctx.emit(Progress::Sending(row.trace));
    let result = ctx.exchange(&m);
    finish(ctx, plan, row, result, icc.is_some())
}

/// An approval must be about the amount sent (field 4): the same amount, or for a partial
/// approval (`10`) more than nothing and less than that. An answer that contradicts its
/// request is a host error or an answer to something else: it is handled like an unusable
/// answer (reversed with `06`), never booked. Declines and requests without an amount (a
/// balance inquiry) are not checked; an approval that leaves field 4 out is for the amount sent.
fn answer_amount_fits(sent: Option<u64>, answer: Answer) -> Result<Answer, LinkError> {
    let code = answer.response_code();
    let Some(sent) = sent.filter(|_| response_codes::is_approval(code)) else {
        return Ok(answer);
    };
    let answered = answer.message.number(4);
    let fits = match (code, answered) {
        ("10", Some(part)) => part > 0 && part < sent,
        ("10", None) => false,
        (_, Some(amount)) => amount == sent,
        (_, None) => true,
    };
    if fits {
        return Ok(answer);
    }
    let named = answered.map_or_else(|| "no amount".to_owned(), crate::receipt::yuan);
    Err(LinkError::NoAnswer {
        reason: NoAnswerReason::Other,
        detail: format!(
            "the host's approval ({code}) is for {named}, the request for {}: it does not fit",
            crate::receipt::yuan(sent)
        ),
    })
}

fn finish(
    ctx: &mut Ctx,
    plan: TxnPlan,
    row: TxnRecord,
    result: Result<Answer, LinkError>,
    chip: bool,
) -> Result<CardDone, EngineError> {
    crate::crash::point("after_receive");
    let now = ctx.now();
    let sent_amount = row.request_fields.get(&4).and_then(|a| a.parse().ok());
    let result = result.and_then(|answer| answer_amount_fits(sent_amount, answer));
    let answer = match result {
        Ok(a) => a,
        Err(LinkError::NotSent(detail)) => {
            if plan.kind == TxnKind::CompletionAdvice {
                return queue_advice(ctx, &plan, &row);
            }
            ctx.store.mark_not_sent(row.id, now)?;
            return Err(EngineError::HostUnreachable(detail));
        }
        // The terminal could not build or MAC its own message: nothing left; a local fault,
        // never reported as the network's.
        Err(LinkError::Local(detail)) => {
            ctx.store.mark_not_sent(row.id, now)?;
            return Err(EngineError::Protocol(format!(
                "the request could not be built ({detail}); nothing was sent"
            )));
        }
        Err(LinkError::NoAnswer { reason, detail }) => {
            if plan.kind == TxnKind::CompletionAdvice {
                return queue_advice(ctx, &plan, &row);
            }
            ctx.store.mark_unknown(row.id, reason.code(), now)?;
            log::warn!(
                "trace {:06}: no valid answer ({detail}); reversal queued",
                row.trace
            );
            return Err(EngineError::NoAnswer {
                detail,
                trace: row.trace,
            });
        }
    };
    let msg = &answer.message;
    let code = answer.response_code().to_owned();
    let approved = response_codes::is_approval(&code);
    // Partial approval: the amount the host names (checked above: more than nothing, less than
    // asked) is what counts.
    let approved_amount = approved.then(|| match msg.number(4) {
        Some(answered) if code == "10" => answered,
        _ => plan.amount,
    });
    let fields = AnswerFields {
        response_code: code.clone(),
        approved_amount,
        rrn: msg.text(37).map(str::to_owned),
        auth_code: msg.text(38).map(str::to_owned),
        settlement_date: msg.text(15).map(str::to_owned),
        card_org: msg.text(63).and_then(|t| t.get(..3)).map(str::to_owned),
        balance: msg.text(54).map(str::to_owned),
    };

    // A chip card gets the last word on an approval (second GENERATE AC).
    if approved && chip {
        let completion = ctx.hardware.emv.complete(&EmvIssuerResponse {
            approved: true,
            response_code: code.clone(),
            icc_data: msg.get(55).map(<[u8]>::to_vec),
        });
        // The TC goes out filtered like any field 55; a TC that is not TLV is the kernel
        // failing, handled as the card refusing (reversed).
        let completion = completion.and_then(|mut c| {
            if let Some(tc) = c.tc_data.take() {
                let filtered = icc_for(&ctx.config.profile, IccMessage::TcUpload, &tc)
                    .map_err(|e| crate::hardware::device_error("EMV kernel", e.to_string()))?;
                c.tc_data = Some(filtered);
            }
            Ok(c)
        });
        match completion {
            Ok(c) if c.card_approved => {
                if let Some(tc) = c.tc_data {
                    let mut payload = row.request_fields.clone();
                    payload.insert(11, format!("{:06}", row.trace));
                    payload.insert(55, hex::encode_upper(tc));
                    payload.insert(
                        61,
                        OriginalMessage {
                            batch: row.batch,
                            trace: row.trace,
                            date: None,
                            extra: String::new(),
                        }
                        .to_digits(),
                    );
                    if let Some(f60) = payload.get(&60).and_then(|d| Field60::parse(d).ok()) {
                        let mut tc60 = f60;
                        tc60.network_code = 203;
                        payload.insert(60, tc60.to_digits());
                    }
                    ctx.store
                        .saf_enqueue(Some(row.id), "tc", &payload, ctx.now())?;
                }
            }
            other => {
                // Approved by the host, refused by the card: reverse with reason 96.
                if let Err(e) = &other {
                    log::warn!("EMV completion failed: {e}");
                }
                let reason = ctx.config.profile.reversal.card_refused_reason.clone();
                ctx.store.mark_unknown(row.id, &reason, now)?;
                return Err(EngineError::NoAnswer {
                    detail: "the card refused the host's approval".into(),
                    trace: row.trace,
                });
            }
        }
    } else if chip {
        let _ = ctx.hardware.emv.complete(&EmvIssuerResponse {
            approved: false,
            response_code: code.clone(),
            icc_data: msg.get(55).map(<[u8]>::to_vec),
        });
    }

    let effect = if approved {
        let effect = match plan.effect {
            OriginalEffect::Refunded(_) => {
                OriginalEffect::Refunded(approved_amount.unwrap_or(plan.amount))
            }
            other => other,
        };
        (plan.original.as_ref().map(|o| o.id), effect)
    } else {
        (None, OriginalEffect::None)
    };
    let state = if approved {
        TxnState::Approved
    } else {
        TxnState::Declined
    };
    ctx.store.complete(row.id, state, &fields, effect, now)?;
    let done = recorded(ctx, row.id)?;
    Ok(CardDone::Recorded {
        row: Box::new(done),
        print: approved,
    })
}

/// A completion advice that could not be delivered: approved locally, queued.
fn queue_advice(ctx: &mut Ctx, plan: &TxnPlan, row: &TxnRecord) -> Result<CardDone, EngineError> {
    let mut payload = row.request_fields.clone();
    payload.insert(11, format!("{:06}", row.trace));
    ctx.store
        .saf_enqueue(Some(row.id), "advice", &payload, ctx.now())?;
    let fields = AnswerFields {
        response_code: "00".into(),
        approved_amount: Some(plan.amount),
        auth_code: plan.original.as_ref().and_then(|o| o.auth_code.clone()),
        ..AnswerFields::default()
    };
    let now = ctx.now();
    ctx.store.complete(
        row.id,
        TxnState::AdvicePending,
        &fields,
        (
            plan.original.as_ref().map(|o| o.id),
            OriginalEffect::Completed,
        ),
        now,
    )?;
    Ok(CardDone::Recorded {
        row: Box::new(recorded(ctx, row.id)?),
        print: false,
    })
}
