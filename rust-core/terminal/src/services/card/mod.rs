//! Card transactions: rules first (nothing is read or sent when one is broken), then card and
//! PIN, then persist-and-send, then the answer recorded atomically.
//!
//! Each entry point takes the engine's pre-step ([`Online`]) and runs it only once the request
//! is known to be new and valid, just before the card is read.

mod flow;
mod rules;
mod track;

use self::flow::{PinPolicy, TxnPlan};
use crate::context::Ctx;
use crate::error::{EngineError, RuleViolation};
use crate::model::Fingerprint;
use crate::model::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, OriginalEffect, Outcome,
    PreAuthRequest, PreAuthVoidRequest, RefundRequest, SaleRequest, TxnKind, TxnRecord, TxnState,
    VoidRequest,
};
use crate::services::idempotency::{known_as, Known};
use crate::services::Online;
use crate::validate::Validate;
use unipos_iso8583::cup::OriginalMessage;

/// What a card request came to.
#[derive(Debug)]
pub(crate) enum CardDone {
    /// The request id was known: its stored outcome; nothing was read or sent.
    Stored(Box<Outcome>),
    /// Recorded now; `print` when the host approved (the slips are due).
    Recorded {
        /// The journal row as it stands.
        row: Box<TxnRecord>,
        /// Print the merchant and customer copies.
        print: bool,
    },
}

/// The stored outcome of a known request id (the same request asked again), or `None` for a
/// new one; a request id used for another request is a conflict.
fn stored(ctx: &Ctx, request_id: &str, fingerprint: &str) -> Result<Option<Outcome>, EngineError> {
    match known_as(&ctx.store, &ctx.caller.scope, request_id, fingerprint)? {
        None => Ok(None),
        Some(Known::Card(row)) => Ok(Some(crate::services::outcomes::described(
            &ctx.store, &row,
        )?)),
        // Fingerprints carry the kind: a QR row with a card fingerprint cannot match.
        Some(_) => Err(EngineError::RequestIdConflict {
            request_id: request_id.to_owned(),
            used_for: "a QR request".into(),
        }),
    }
}

/// Each entry point: inputs first, then the request id (a repeat answers the stored outcome),
/// then the business rules, then the engine's pre-step, then the card.
pub(crate) fn balance_inquiry(
    ctx: &mut Ctx,
    req: BalanceRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::BalanceInquiry,
            amount: 0,
            original: None,
            pin: PinPolicy::Required,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "余额查询 Balance",
        },
    )
}

pub(crate) fn sale(
    ctx: &mut Ctx,
    req: SaleRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::Sale,
            amount: req.amount,
            original: None,
            pin: PinPolicy::Optional,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "消费 Sale",
        },
    )
}

pub(crate) fn void(
    ctx: &mut Ctx,
    req: VoidRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    let original = rules::original_in_batch(ctx, req.trace, TxnKind::Sale)?;
    if original.refunded_amount > 0 {
        return Err(RuleViolation::WrongOriginal(
            "the sale was already partly refunded; refund the rest instead".into(),
        )
        .into());
    }
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::SaleVoid,
            amount: original.effective_amount(),
            extra: rules::original_fields(&original),
            original: Some(original),
            pin: PinPolicy::None,
            effect: OriginalEffect::Voided,
            title: "消费撤销 Void",
        },
    )
}

pub(crate) fn refund(
    ctx: &mut Ctx,
    req: RefundRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    let original = ctx
        .store
        .by_rrn(ctx.caller.original_scope(), &req.rrn, &req.date)?
        .ok_or_else(|| {
            RuleViolation::OriginalNotFound(format!(
                "no sale with reference {} on {}",
                req.rrn, req.date
            ))
        })?;
    if !matches!(original.kind, TxnKind::Sale | TxnKind::Completion)
        || original.state != TxnState::Approved
    {
        return Err(RuleViolation::WrongOriginal(
            "only an approved sale or completion can be refunded".into(),
        )
        .into());
    }
    if original.voided {
        return Err(RuleViolation::AlreadyVoided.into());
    }
    let remaining = original
        .effective_amount()
        .saturating_sub(original.refunded_amount);
    if req.amount > remaining {
        return Err(RuleViolation::RefundExceedsOriginal {
            requested: req.amount,
            remaining,
        }
        .into());
    }
    online(ctx)?;
    let extra = vec![
        (37, req.rrn.clone()),
        (
            61,
            OriginalMessage {
                batch: 0,
                trace: 0,
                date: Some(req.date.clone()),
                extra: String::new(),
            }
            .to_digits(),
        ),
    ];
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::Refund,
            amount: req.amount,
            original: Some(original),
            pin: PinPolicy::None,
            extra,
            effect: OriginalEffect::Refunded(req.amount),
            title: "退货 Refund",
        },
    )
}

pub(crate) fn preauth(
    ctx: &mut Ctx,
    req: PreAuthRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::PreAuth,
            amount: req.amount,
            original: None,
            pin: PinPolicy::Required,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "预授权 Pre-auth",
        },
    )
}

pub(crate) fn preauth_void(
    ctx: &mut Ctx,
    req: PreAuthVoidRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    let preauth = rules::live_preauth(ctx, &req.auth_code, &req.date)?;
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::PreAuthVoid,
            amount: preauth.effective_amount(),
            extra: rules::preauth_reference(&preauth),
            original: Some(preauth),
            pin: PinPolicy::None,
            effect: OriginalEffect::Voided,
            title: "预授权撤销 Pre-auth void",
        },
    )
}

pub(crate) fn completion(
    ctx: &mut Ctx,
    req: CompletionRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    let preauth = rules::live_preauth(ctx, &req.auth_code, &req.date)?;
    let limit = preauth.effective_amount().saturating_mul(115) / 100;
    if req.amount > limit {
        return Err(RuleViolation::CompletionOverLimit {
            requested: req.amount,
            limit,
        }
        .into());
    }
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: if req.advice {
                TxnKind::CompletionAdvice
            } else {
                TxnKind::Completion
            },
            amount: req.amount,
            extra: rules::preauth_reference(&preauth),
            original: Some(preauth),
            pin: PinPolicy::None,
            effect: OriginalEffect::Completed,
            title: "预授权完成 Completion",
        },
    )
}

pub(crate) fn completion_void(
    ctx: &mut Ctx,
    req: CompletionVoidRequest,
    online: Online<'_>,
) -> Result<CardDone, EngineError> {
    req.validate()?;
    let fingerprint = req.fingerprint();
    if let Some(done) = stored(ctx, &req.request_id, &fingerprint)? {
        return Ok(CardDone::Stored(Box::new(done)));
    }
    let completion = rules::original_in_batch(ctx, req.trace, TxnKind::Completion)?;
    let preauth_id = completion.original_id.ok_or_else(|| {
        RuleViolation::WrongOriginal("the completion has no pre-authorisation".into())
    })?;
    online(ctx)?;
    flow::run(
        ctx,
        TxnPlan {
            request_id: req.request_id,
            fingerprint,
            kind: TxnKind::CompletionVoid,
            amount: completion.effective_amount(),
            extra: rules::original_fields(&completion),
            original: Some(completion),
            pin: PinPolicy::None,
            effect: OriginalEffect::CompletionVoided { preauth_id },
            title: "预授权完成撤销 Completion void",
        },
    )
}
