//! Card transactions: rules first (nothing is sent when one is broken), then card and PIN,
//! then persist-and-send, then the answer recorded atomically.

use super::{Engine, Progress};
use crate::error::{EngineError, RuleViolation};
use crate::hardware::{CardData, CardPrompt, CardRead, EmvIssuerResponse, EmvRequest, PinEntry};
use crate::host_link::{LinkError, NoAnswerReason};
use crate::journal::{AnswerFields, Begun, NewTxn, OriginalEffect, TxnKind, TxnRecord, TxnState};
use crate::outcome::Outcome;
use crate::response_codes;
use std::collections::BTreeMap;
use unipos_iso8583::cup::{Field60, OriginalMessage, TransactionType};
use unipos_iso8583::tlv;
use unipos_iso8583::{Message, Mti};

/// Balance inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRequest {
    /// Idempotency key.
    pub request_id: String,
}

/// Sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    /// Idempotency key (the caller's order id).
    pub request_id: String,
    /// Amount in fen.
    pub amount: u64,
}

/// Sale void: the sale's trace number in the current batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace number of the sale.
    pub trace: u32,
}

/// Refund of a sale (or completion) found by reference number and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to refund, fen.
    pub amount: u64,
    /// Reference number (field 37) of the original.
    pub rrn: String,
    /// Date MMDD of the original.
    pub date: String,
}

/// Pre-authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreAuthRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to hold, fen.
    pub amount: u64,
}

/// Pre-authorisation void, by auth code and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreAuthVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub date: String,
}

/// Pre-authorisation completion, by auth code and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to charge, fen (at most 115% of the pre-auth).
    pub amount: u64,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub date: String,
    /// Send as an advice (0220, store-and-forward) instead of a request (0200).
    pub advice: bool,
}

/// Completion void: the completion's trace number in the current batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace number of the completion.
    pub trace: u32,
}

/// How a transaction treats the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinPolicy {
    /// The cardholder must enter a PIN.
    Required,
    /// Asked; the cardholder may bypass (no PIN on the card).
    Optional,
    /// Not asked.
    None,
}

/// Everything that distinguishes one card transaction from another.
struct TxnPlan {
    request_id: String,
    kind: TxnKind,
    amount: u64,
    original: Option<TxnRecord>,
    pin: PinPolicy,
    /// Extra request fields (37, 38, 61) as logical values.
    extra: Vec<(u8, String)>,
    effect: OriginalEffect,
    title: &'static str,
}

/// MTI, processing code, condition code and 60.1 per kind (PROTOCOL.md §1.5).
fn message_shape(kind: TxnKind) -> (&'static str, &'static str, &'static str, TransactionType) {
    match kind {
        TxnKind::BalanceInquiry => ("0200", "310000", "00", TransactionType::BalanceInquiry),
        TxnKind::Sale => ("0200", "000000", "00", TransactionType::Sale),
        TxnKind::SaleVoid => ("0200", "200000", "00", TransactionType::SaleVoid),
        TxnKind::Refund => ("0220", "200000", "00", TransactionType::Refund),
        TxnKind::PreAuth => ("0100", "030000", "06", TransactionType::PreAuth),
        TxnKind::PreAuthVoid => ("0100", "200000", "06", TransactionType::PreAuthVoid),
        TxnKind::Completion => ("0200", "000000", "06", TransactionType::Completion),
        TxnKind::CompletionAdvice => ("0220", "000000", "06", TransactionType::CompletionAdvice),
        TxnKind::CompletionVoid => ("0200", "200000", "06", TransactionType::CompletionVoid),
    }
}

/// EMV 9C transaction type.
fn emv_type(kind: TxnKind) -> u8 {
    match kind {
        TxnKind::BalanceInquiry => 0x31,
        TxnKind::PreAuth => 0x03,
        TxnKind::SaleVoid | TxnKind::Refund | TxnKind::PreAuthVoid | TxnKind::CompletionVoid => {
            0x20
        }
        _ => 0x00,
    }
}

fn check_amount(amount: u64) -> Result<(), EngineError> {
    if amount == 0 {
        return Err(EngineError::InvalidRequest(
            "the amount must be above zero".into(),
        ));
    }
    if amount > 999_999_999_999 {
        return Err(EngineError::InvalidRequest(
            "the amount exceeds 12 digits of fen".into(),
        ));
    }
    Ok(())
}

fn check_request_id(id: &str) -> Result<(), EngineError> {
    if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
        return Err(EngineError::InvalidRequest(
            "the request id must be 1 to 64 printable characters".into(),
        ));
    }
    Ok(())
}

fn check_mmdd(date: &str) -> Result<(), EngineError> {
    let ok = date.len() == 4
        && date.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            date.get(..2).and_then(|m| m.parse::<u32>().ok()),
            Some(1..=12)
        )
        && matches!(
            date.get(2..).and_then(|d| d.parse::<u32>().ok()),
            Some(1..=31)
        );
    if ok {
        Ok(())
    } else {
        Err(EngineError::InvalidRequest(format!(
            "the date must be MMDD, got '{date}'"
        )))
    }
}

/// Field 55 kept in the journal: without tags that could carry the PAN or track data.
fn sanitise_icc(icc: &[u8]) -> Option<Vec<u8>> {
    let list = tlv::parse_all(icc).ok()?;
    let kept: Vec<_> = list
        .into_iter()
        .filter(|t| !matches!(t.tag.to_u32(), 0x57 | 0x5A | 0x9F6B | 0x56))
        .collect();
    Some(tlv::encode_all(&kept))
}

impl Engine {
    fn set(m: &mut Message, n: u8, v: impl AsRef<[u8]>) -> Result<(), EngineError> {
        m.set(n, v)
            .map(|_| ())
            .map_err(|e| EngineError::Protocol(e.to_string()))
    }

    /// Common entry: idempotency, readiness, settlement lock, pending reversals.
    fn prepare(&mut self, request_id: &str) -> Result<Option<Outcome>, EngineError> {
        check_request_id(request_id)?;
        if let Some(existing) = self.journal.by_request_id(request_id)? {
            return Ok(Some(Outcome::from_record(&existing)));
        }
        self.ensure_keys()?;
        if let Some(batch) = self.journal.setting("upload_in_progress")? {
            if !batch.is_empty() {
                return Err(EngineError::BatchUploadInProgress(
                    batch.parse().unwrap_or(0),
                ));
            }
        }
        // Reversals go before the next transaction (DOMAIN.md rule 2).
        self.flush()?;
        Ok(None)
    }

    fn read_card(&mut self, amount: Option<u64>, title: &str) -> Result<CardData, EngineError> {
        self.cancel.reset();
        self.emit(Progress::WaitingForCard);
        let prompt = CardPrompt {
            amount,
            title: title.into(),
            allow_contactless: true,
        };
        match self.hardware.card_reader.read_card(&prompt, &self.cancel)? {
            CardRead::Card(card) => Ok(card),
            CardRead::Cancelled => Err(EngineError::Cancelled),
        }
    }

    fn read_pin(
        &mut self,
        card: &CardData,
        amount: Option<u64>,
        policy: PinPolicy,
    ) -> Result<Option<[u8; 8]>, EngineError> {
        if policy == PinPolicy::None {
            return Ok(None);
        }
        self.emit(Progress::WaitingForPin);
        match self.hardware.pin_pad.read_pin(&card.pan, amount)? {
            PinEntry::Block(b) => Ok(Some(b)),
            PinEntry::Bypassed if policy == PinPolicy::Required => {
                Err(RuleViolation::PinRequired.into())
            }
            PinEntry::Bypassed => Ok(None),
            PinEntry::Cancelled => Err(EngineError::Cancelled),
        }
    }

    /// The card presented must be the original's card.
    fn check_same_card(&self, card: &CardData, original: &TxnRecord) -> Result<(), EngineError> {
        if let Some(sealed) = &original.pan_sealed {
            let pan = self.vault.open(sealed)?;
            if pan.as_slice() != card.pan.expose().as_bytes() {
                return Err(RuleViolation::CardMismatch.into());
            }
        }
        Ok(())
    }

    fn run(&mut self, plan: TxnPlan) -> Result<Outcome, EngineError> {
        let (mti, processing, condition, txn_type) = message_shape(plan.kind);
        let show_amount = (plan.kind != TxnKind::BalanceInquiry).then_some(plan.amount);
        let card = self.read_card(show_amount, plan.title)?;
        if let Some(original) = &plan.original {
            self.check_same_card(&card, original)?;
        }
        let pin = self.read_pin(&card, show_amount, plan.pin)?;
        let local = self.local();
        let batch = self.journal.current_batch()?;
        let icc = if card.entry.is_chip() {
            let mut unpredictable = [0u8; 4];
            let now = self.now().to_be_bytes();
            unpredictable.copy_from_slice(&now[4..]);
            let request = EmvRequest {
                amount: plan.amount,
                txn_type: emv_type(plan.kind),
                date: local.yymmdd(),
                time: local.hhmmss(),
                unpredictable_number: unpredictable,
            };
            Some(self.hardware.emv.start(&card, &request)?)
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
        stored.insert(41, self.config.terminal_id.clone());
        stored.insert(42, self.config.merchant_id.clone());
        stored.insert(49, self.config.profile.currency.clone());
        for (n, v) in &plan.extra {
            stored.insert(*n, v.clone());
        }
        let partial = u8::from(self.config.profile.partial_approval);
        let f60 = Field60::financial(txn_type, batch, card.entry.read_capability(), 0, partial);
        stored.insert(60, f60.to_digits());
        if let Some(icc) = &icc {
            stored.insert(55, hex::encode_upper(icc));
        }

        let new = NewTxn {
            request_id: plan.request_id.clone(),
            kind: plan.kind,
            amount: plan.amount,
            pan_masked: Some(card.pan.masked()),
            pan_sealed: Some(self.vault.seal(card.pan.expose().as_bytes())?),
            expiry: card.expiry.clone(),
            entry_mode: Some(card.entry.field22(pin.is_some()).into()),
            psn: card.psn.clone(),
            icc_data: icc.as_deref().and_then(sanitise_icc),
            domestic: true,
            original_id: plan.original.as_ref().map(|o| o.id),
            local_date: local.mmdd(),
            local_time: local.hhmmss(),
            request_fields: stored.clone(),
            now: self.now(),
        };
        let row = match self.journal.begin(&new)? {
            Begun::New(row) => row,
            Begun::Existing(row) => return Ok(Outcome::from_record(&row)),
        };
        crate::crash::point("after_journal_commit");

        // An advice is sent exactly as it will be retransmitted (store-and-forward): from the
        // stored fields, without track or PIN data, so a retransmission is byte-identical.
        if plan.kind == TxnKind::CompletionAdvice {
            drop(card);
            let mut m = self.rebuild(mti, &row.request_fields, Some(&row))?;
            Self::set(&mut m, 11, format!("{:06}", row.trace))?;
            self.emit(Progress::Sending(row.trace));
            let result = self.link.exchange(&self.security, &m, true);
            return self.finish(plan, row, result, false);
        }

        // The wire message: stored fields plus card data that is never stored.
        let mut m = Message::new(Mti::new(mti).ok_or_else(|| EngineError::Protocol(mti.into()))?);
        for (&n, v) in &stored {
            if n == 55 {
                Self::set(&mut m, 55, icc.as_deref().unwrap_or_default())?;
            } else {
                Self::set(&mut m, n, v)?;
            }
        }
        Self::set(&mut m, 2, card.pan.expose())?;
        Self::set(&mut m, 11, format!("{:06}", row.trace))?;
        if let Some(expiry) = &card.expiry {
            Self::set(&mut m, 14, expiry)?;
        }
        if let Some(track2) = &card.track2 {
            Self::set(&mut m, 35, track2.as_bytes())?;
        }
        if let Some(block) = pin {
            Self::set(&mut m, 26, "12")?;
            Self::set(&mut m, 52, block)?;
            Self::set(&mut m, 53, "2600000000000000")?;
        }
        drop(card);

        self.emit(Progress::Sending(row.trace));
        let result = self.link.exchange(&self.security, &m, true);
        self.finish(plan, row, result, icc.is_some())
    }

    fn finish(
        &mut self,
        plan: TxnPlan,
        row: TxnRecord,
        result: Result<crate::host_link::Answer, LinkError>,
        chip: bool,
    ) -> Result<Outcome, EngineError> {
        crate::crash::point("after_receive");
        let now = self.now();
        let answer = match result {
            Ok(a) => a,
            Err(LinkError::NotSent(detail)) | Err(LinkError::Local(detail)) => {
                if plan.kind == TxnKind::CompletionAdvice {
                    return self.queue_advice(&plan, &row);
                }
                self.journal.mark_not_sent(row.id, now)?;
                return Err(EngineError::HostUnreachable(detail));
            }
            Err(LinkError::NoAnswer { reason, detail }) => {
                if reason == NoAnswerReason::BadMac {
                    self.sign_in_due = true;
                }
                if plan.kind == TxnKind::CompletionAdvice {
                    return self.queue_advice(&plan, &row);
                }
                self.journal.mark_unknown(row.id, reason.code(), now)?;
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
        self.note_requirement(&answer);
        let msg = &answer.message;
        let code = answer.response_code().to_owned();
        let approved = response_codes::is_approval(&code);
        let approved_amount = if approved {
            let requested = plan.amount;
            let answered = msg.number(4).unwrap_or(requested);
            // Partial approval: the approved amount is what counts. Never more than asked.
            Some(if code == "10" {
                answered.min(requested)
            } else {
                requested
            })
        } else {
            None
        };
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
            let completion = self.hardware.emv.complete(&EmvIssuerResponse {
                approved: true,
                response_code: code.clone(),
                icc_data: msg.get(55).map(<[u8]>::to_vec),
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
                        self.saf_enqueue(Some(row.id), "tc", &payload)?;
                    }
                }
                other => {
                    // Approved by the host, refused by the card: reverse with reason 96.
                    if let Err(e) = &other {
                        log::warn!("EMV completion failed: {e}");
                    }
                    self.journal.mark_unknown(row.id, "96", now)?;
                    return Err(EngineError::NoAnswer {
                        detail: "the card refused the host's approval".into(),
                        trace: row.trace,
                    });
                }
            }
        } else if chip {
            let _ = self.hardware.emv.complete(&EmvIssuerResponse {
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
        self.journal.complete(row.id, state, &fields, effect, now)?;
        let done = self
            .journal
            .by_id(row.id)?
            .ok_or_else(|| EngineError::Protocol("journal row vanished".into()))?;
        let mut outcome = Outcome::from_record(&done);
        if approved {
            outcome.notice = self.print_slips(&done);
        }
        Ok(outcome)
    }

    /// A completion advice that could not be delivered: approved locally, queued.
    fn queue_advice(&mut self, plan: &TxnPlan, row: &TxnRecord) -> Result<Outcome, EngineError> {
        let mut payload = row.request_fields.clone();
        payload.insert(11, format!("{:06}", row.trace));
        self.saf_enqueue(Some(row.id), "advice", &payload)?;
        let fields = AnswerFields {
            response_code: "00".into(),
            approved_amount: Some(plan.amount),
            auth_code: plan.original.as_ref().and_then(|o| o.auth_code.clone()),
            ..AnswerFields::default()
        };
        let now = self.now();
        self.journal.complete(
            row.id,
            TxnState::AdvicePending,
            &fields,
            (
                plan.original.as_ref().map(|o| o.id),
                OriginalEffect::Completed,
            ),
            now,
        )?;
        let done = self
            .journal
            .by_id(row.id)?
            .ok_or_else(|| EngineError::Protocol("journal row vanished".into()))?;
        Ok(Outcome::from_record(&done))
    }

    pub(crate) fn balance_inquiry(&mut self, req: BalanceRequest) -> Result<Outcome, EngineError> {
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::BalanceInquiry,
            amount: 0,
            original: None,
            pin: PinPolicy::Required,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "余额查询 Balance",
        })
    }

    pub(crate) fn sale(&mut self, req: SaleRequest) -> Result<Outcome, EngineError> {
        check_amount(req.amount)?;
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::Sale,
            amount: req.amount,
            original: None,
            pin: PinPolicy::Optional,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "消费 Sale",
        })
    }

    /// The original of a void: in the current batch, of the right kind, approved, not voided.
    fn original_in_batch(&self, trace: u32, kind: TxnKind) -> Result<TxnRecord, EngineError> {
        let batch = self.journal.current_batch()?;
        let original = self
            .journal
            .by_trace(batch, trace)?
            .ok_or(RuleViolation::OriginalNotInBatch(trace))?;
        if original.kind != kind {
            return Err(RuleViolation::WrongOriginal(format!(
                "trace {trace:06} is a {}, not a {}",
                original.kind.as_str(),
                kind.as_str()
            ))
            .into());
        }
        if original.state != TxnState::Approved {
            return Err(
                RuleViolation::WrongOriginal(format!("trace {trace:06} was not approved")).into(),
            );
        }
        if original.voided {
            return Err(RuleViolation::AlreadyVoided.into());
        }
        Ok(original)
    }

    fn original_fields(original: &TxnRecord) -> Vec<(u8, String)> {
        let mut extra = vec![(
            61,
            OriginalMessage {
                batch: original.batch,
                trace: original.trace,
                date: None,
                extra: String::new(),
            }
            .to_digits(),
        )];
        if let Some(rrn) = &original.rrn {
            extra.push((37, rrn.clone()));
        }
        if let Some(auth) = &original.auth_code {
            extra.push((38, auth.clone()));
        }
        extra
    }

    pub(crate) fn void(&mut self, req: VoidRequest) -> Result<Outcome, EngineError> {
        check_request_id(&req.request_id)?;
        if let Some(done) = self.journal.by_request_id(&req.request_id)? {
            return Ok(Outcome::from_record(&done));
        }
        let original = self.original_in_batch(req.trace, TxnKind::Sale)?;
        if original.refunded_amount > 0 {
            return Err(RuleViolation::WrongOriginal(
                "the sale was already partly refunded; refund the rest instead".into(),
            )
            .into());
        }
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::SaleVoid,
            amount: original.effective_amount(),
            extra: Self::original_fields(&original),
            original: Some(original),
            pin: PinPolicy::None,
            effect: OriginalEffect::Voided,
            title: "消费撤销 Void",
        })
    }

    pub(crate) fn refund(&mut self, req: RefundRequest) -> Result<Outcome, EngineError> {
        check_request_id(&req.request_id)?;
        check_amount(req.amount)?;
        check_mmdd(&req.date)?;
        if let Some(done) = self.journal.by_request_id(&req.request_id)? {
            return Ok(Outcome::from_record(&done));
        }
        let original = self.journal.by_rrn(&req.rrn, &req.date)?.ok_or_else(|| {
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
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
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
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::Refund,
            amount: req.amount,
            original: Some(original),
            pin: PinPolicy::None,
            extra,
            effect: OriginalEffect::Refunded(req.amount),
            title: "退货 Refund",
        })
    }

    pub(crate) fn preauth(&mut self, req: PreAuthRequest) -> Result<Outcome, EngineError> {
        check_amount(req.amount)?;
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::PreAuth,
            amount: req.amount,
            original: None,
            pin: PinPolicy::Required,
            extra: vec![],
            effect: OriginalEffect::None,
            title: "预授权 Pre-auth",
        })
    }

    /// A live pre-authorisation by auth code and date.
    fn live_preauth(&self, auth_code: &str, date: &str) -> Result<TxnRecord, EngineError> {
        check_mmdd(date)?;
        let preauth = self
            .journal
            .preauth_by_auth_code(auth_code, date)?
            .ok_or_else(|| {
                RuleViolation::OriginalNotFound(format!(
                    "no pre-authorisation with auth code {auth_code} on {date}"
                ))
            })?;
        if preauth.voided {
            return Err(RuleViolation::AlreadyVoided.into());
        }
        if preauth.completed {
            return Err(RuleViolation::AlreadyCompleted.into());
        }
        const THIRTY_DAYS_MS: i64 = 30 * 24 * 3600 * 1000;
        if self.now() - preauth.created_at > THIRTY_DAYS_MS {
            return Err(RuleViolation::PreAuthExpired.into());
        }
        Ok(preauth)
    }

    fn preauth_reference(preauth: &TxnRecord) -> Vec<(u8, String)> {
        let mut extra = vec![(
            61,
            OriginalMessage {
                batch: 0,
                trace: 0,
                date: Some(preauth.local_date.clone()),
                extra: String::new(),
            }
            .to_digits(),
        )];
        if let Some(auth) = &preauth.auth_code {
            extra.push((38, auth.clone()));
        }
        extra
    }

    pub(crate) fn preauth_void(&mut self, req: PreAuthVoidRequest) -> Result<Outcome, EngineError> {
        check_request_id(&req.request_id)?;
        if let Some(done) = self.journal.by_request_id(&req.request_id)? {
            return Ok(Outcome::from_record(&done));
        }
        let preauth = self.live_preauth(&req.auth_code, &req.date)?;
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::PreAuthVoid,
            amount: preauth.effective_amount(),
            extra: Self::preauth_reference(&preauth),
            original: Some(preauth),
            pin: PinPolicy::None,
            effect: OriginalEffect::Voided,
            title: "预授权撤销 Pre-auth void",
        })
    }

    pub(crate) fn completion(&mut self, req: CompletionRequest) -> Result<Outcome, EngineError> {
        check_request_id(&req.request_id)?;
        check_amount(req.amount)?;
        if let Some(done) = self.journal.by_request_id(&req.request_id)? {
            return Ok(Outcome::from_record(&done));
        }
        let preauth = self.live_preauth(&req.auth_code, &req.date)?;
        let limit = preauth.effective_amount().saturating_mul(115) / 100;
        if req.amount > limit {
            return Err(RuleViolation::CompletionOverLimit {
                requested: req.amount,
                limit,
            }
            .into());
        }
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: if req.advice {
                TxnKind::CompletionAdvice
            } else {
                TxnKind::Completion
            },
            amount: req.amount,
            extra: Self::preauth_reference(&preauth),
            original: Some(preauth),
            pin: PinPolicy::None,
            effect: OriginalEffect::Completed,
            title: "预授权完成 Completion",
        })
    }

    pub(crate) fn completion_void(
        &mut self,
        req: CompletionVoidRequest,
    ) -> Result<Outcome, EngineError> {
        check_request_id(&req.request_id)?;
        if let Some(done) = self.journal.by_request_id(&req.request_id)? {
            return Ok(Outcome::from_record(&done));
        }
        let completion = self.original_in_batch(req.trace, TxnKind::Completion)?;
        let preauth_id = completion.original_id.ok_or_else(|| {
            RuleViolation::WrongOriginal("the completion has no pre-authorisation".into())
        })?;
        if let Some(done) = self.prepare(&req.request_id)? {
            return Ok(done);
        }
        self.run(TxnPlan {
            request_id: req.request_id,
            kind: TxnKind::CompletionVoid,
            amount: completion.effective_amount(),
            extra: Self::original_fields(&completion),
            original: Some(completion),
            pin: PinPolicy::None,
            effect: OriginalEffect::CompletionVoided { preauth_id },
            title: "预授权完成撤销 Completion void",
        })
    }
}
