//! The POSP core: one UnionPay 8583 request in, one answer out, transport-free.
//!
//! [`PospHost::handle_frame`] is the whole pipeline for one frame and never panics, which
//! makes it the fuzzing entry point. The server uses the finer-grained steps (parse, then
//! faults, then process) so that fault rules can act between them.
//!
//! Pipeline of a request: split the frame and decode (undecodable with a readable MTI →
//! `30`, otherwise no answer); identify the terminal and merchant (`03`); for MAC'd MTIs
//! (01xx–05xx, and 06xx carrying field 64) require a session (`97`) and a good MAC (`A0`);
//! detect duplicates (`94`, or the stored answer for an exact retransmission); then the
//! transaction's own rules under the state lock. Every answer to a request whose MAC
//! verified is MAC'd, refusals included; `97`, `A0` and `03` for an unknown terminal are not.
//! Every answer to an identified terminal carries its pending processing requirement.

mod answer;
mod financial;
mod inspect;
mod management;
mod request;
mod settlement;
mod state;

pub use state::{GroupTotals, SettlementCheck, UploadMismatch, UploadReport, UploadedRecord};

use crate::config::{HostRules, HostSimConfig, TerminalConfig};
use crate::ledger::Ledger;
use crate::rng::{RrnSequence, SplitMix64};
use crate::sessions::Sessions;
use answer::{mac_of, Answer};
use state::{HostState, Seen, TerminalState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use unipos_clock::Clock;
use unipos_crypto::mac::verify_mac;
use unipos_crypto::pin::{decrypt_pin, EncryptedPinBlock, PinBlockFormat};
use unipos_crypto::{DesKey, Pin};
use unipos_iso8583::cup::{track, CupHeader, Field60, ProcessingRequirement};
use unipos_iso8583::{FrameLayout, Message, Mti, Tpdu};

pub(crate) use answer::frame_has_mac;
pub(crate) use request::{card_expiry, card_number, parse, Parsed, Request};

/// A terminal's fixed configuration with its parsed keys.
struct TerminalProfile {
    config: TerminalConfig,
    tmk: DesKey,
}

/// The acquirer host's transaction processing, shared by all connections.
pub struct PospHost {
    rules: HostRules,
    terminals: HashMap<String, TerminalProfile>,
    sessions: Arc<Sessions>,
    clock: Arc<dyn Clock>,
    seed: u64,
    imk: DesKey,
    state: Mutex<HostState>,
}

impl std::fmt::Debug for PospHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PospHost")
            .field("terminals", &self.terminals.len())
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

/// An answer ready to send, with its parts when they may be re-encoded by a fault.
pub(crate) struct Reply {
    pub frame: Vec<u8>,
    pub answer: Option<Answer>,
}

/// Result of the PIN check on field 52, decrypted before the state lock is taken.
pub(crate) enum PinInput {
    Absent,
    Clear(Pin),
    /// Field 52 did not decrypt to a format-0 block (wrong key, or garbage).
    Unreadable,
}

impl PospHost {
    /// Builds the host from a configuration (validated here), sharing `sessions` with the QR
    /// gateway.
    pub fn new(
        config: &HostSimConfig,
        sessions: Arc<Sessions>,
        seed: u64,
    ) -> Result<PospHost, crate::error::HostError> {
        config.validate()?;
        let mut terminals = HashMap::new();
        let mut terminal_states = HashMap::new();
        for t in &config.terminals {
            terminals.insert(
                t.terminal_id.clone(),
                TerminalProfile {
                    config: t.clone(),
                    tmk: t.tmk_key()?,
                },
            );
            terminal_states.insert(
                t.terminal_id.clone(),
                TerminalState {
                    batch: t.initial_batch,
                    settled: Default::default(),
                    requirement: t.processing_requirement % 10,
                    requests_since_sign_in: 0,
                    rng: SplitMix64::derived(seed, &format!("terminal/{}", t.terminal_id)),
                },
            );
        }
        Ok(PospHost {
            rules: config.host.clone(),
            terminals,
            sessions,
            clock: Arc::clone(&config.clock),
            seed,
            imk: config.host.issuer_master_key()?,
            state: Mutex::new(HostState {
                ledger: Ledger::new(&config.cards),
                journal: Vec::new(),
                by_terminal: HashMap::new(),
                by_trace: HashMap::new(),
                by_rrn: HashMap::new(),
                terminals: terminal_states,
                seen: HashMap::new(),
                uploads: HashMap::new(),
                rrn: RrnSequence::new(seed),
                next_seq: 0,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HostState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The seed behind keys, RRNs and auth codes.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The shared sessions.
    pub fn sessions(&self) -> &Arc<Sessions> {
        &self.sessions
    }

    /// Processes one whole frame (2-byte length prefix included) and returns the whole answer
    /// frame, or `None` when the input is not a message at all (the server then closes the
    /// connection). Never panics, whatever the input: this is the fuzzing entry point.
    pub fn handle_frame(&self, frame: &[u8]) -> Option<Vec<u8>> {
        let (prefix, body) = frame.split_at_checked(2)?;
        if FrameLayout::UNIONPAY.body_len(prefix) != body.len() {
            return None;
        }
        self.handle_body(body)
    }

    /// As [`PospHost::handle_frame`], for a frame body (after the length prefix).
    pub fn handle_body(&self, body: &[u8]) -> Option<Vec<u8>> {
        match parse(body) {
            // An empty frame means "withhold" (a retransmission still in flight).
            Parsed::Request(req) => Some(self.process(&req).frame).filter(|f| !f.is_empty()),
            Parsed::FormatError {
                tpdu,
                header,
                mti,
                reason,
            } => self
                .format_error(tpdu, header, mti, &reason)
                .map(|r| r.frame),
            Parsed::Unreadable(reason) => {
                log::warn!("unreadable POSP frame rejected: {reason}");
                None
            }
        }
    }

    /// The `30` answer to a message whose MTI is readable but whose fields are not.
    pub(crate) fn format_error(
        &self,
        tpdu: Tpdu,
        header: CupHeader,
        mti: Mti,
        reason: &str,
    ) -> Option<Reply> {
        log::warn!("POSP {mti} rejected with 30 (format error): {reason}");
        let mut msg = Message::new(mti.response());
        self.stamp_time(&mut msg);
        let _ = msg.set(39, "30");
        let answer = Answer {
            tpdu: tpdu.swapped(),
            header: header.with_processing_requirement(ProcessingRequirement::None),
            msg,
            mac_key: None,
            mac: self.rules.mac,
        };
        answer.encode().map(|frame| Reply {
            frame,
            answer: Some(answer),
        })
    }

    fn stamp_time(&self, msg: &mut Message) {
        let local = self.clock.local(self.rules.utc_offset_minutes);
        let _ = msg.set(12, local.hhmmss());
        let _ = msg.set(13, local.mmdd());
    }

    /// Processes a decoded request.
    pub(crate) fn process(&self, req: &Request<'_>) -> Reply {
        let msg = &req.msg;
        let mti = msg.mti();
        let class = mti.digits()[1];
        let mac_required = matches!(class, b'1'..=b'5') || (class == b'6' && msg.has(64));
        let tid = msg.text(41).unwrap_or("");
        let session = if mac_required {
            self.sessions.get(tid)
        } else {
            None
        };
        // Only a request whose MAC verified gets a MAC'd answer, refusals included: the
        // terminal takes an answer without one for a forged one, and an unverified request
        // must not make the host MAC what it echoes.
        let verified_mak = session.as_ref().and_then(|s| {
            let m = mac_of(self.rules.mac, &s.mak, req.raw)?;
            (msg.has(64) && verify_mac(&m, msg.get(64).unwrap_or_default())).then(|| s.mak.clone())
        });
        let profile = self.terminals.get(tid);
        let identified =
            profile.is_some_and(|p| msg.text(42) == Some(p.config.merchant_id.as_str()));
        let reject = |code: &str, why: &str| {
            log::info!(
                "POSP {mti} from terminal {tid:?} trace {:?} rejected with {code}: {why}",
                msg.text(11).unwrap_or("")
            );
            // A pending requirement goes to the terminal in every answer attributable to it.
            let requirement = if identified {
                self.lock().terminals.get(tid).map_or(0, |t| t.requirement)
            } else {
                0
            };
            self.simple_reply(req, code, verified_mak.clone(), requirement)
        };
        let Some(profile) = profile else {
            return reject("03", "unknown terminal");
        };
        if !identified {
            return reject("03", "merchant id does not match the terminal");
        }
        let f60 = match msg.text(60).map(Field60::parse) {
            Some(Ok(f)) => f,
            Some(Err(e)) => return reject("30", &e.to_string()),
            None => return reject("30", "field 60 missing"),
        };
        if msg.text(11).is_none() {
            return reject("30", "field 11 missing");
        }
        let mut mac_key = None;
        let mut pin = PinInput::Absent;
        let clear_track: Option<Message>;
        let mut msg = msg;
        if mac_required {
            let Some(session) = &session else {
                return reject("97", "terminal not signed in");
            };
            let Some(mak) = &verified_mak else {
                return reject("A0", "MAC verification failed");
            };
            // Key mode 004: the issuer part of track 2 arrives encrypted under the TDK.
            if let (Some(tdk), true) = (&session.tdk, msg.has(35)) {
                clear_track = decrypt_track(tdk, msg);
                match &clear_track {
                    Some(m) => msg = m,
                    None => return reject("30", "track 2 does not decrypt under the TDK"),
                }
            }
            if let Some(block) = msg.get(52) {
                pin = decrypt_pin_field(&session.pik, block, card_number(msg).as_deref());
            }
            mac_key = Some(mak.clone());
        }

        let local = self.clock.local(self.rules.utc_offset_minutes);
        let ctx = Ctx {
            host: self,
            req,
            msg,
            terminal: &profile.config,
            f60,
            now: self.clock.now_millis(),
            date: local.mmdd(),
            time: local.hhmmss(),
            yymm: (local.year.rem_euclid(100) as u32) * 100 + local.month,
            pin,
        };

        let financial = matches!(&mti.digits()[..2], b"01" | b"02");
        let trace = msg.number(11).unwrap_or(0) as u32;
        let dup_key = (tid.to_owned(), ctx.f60.batch, trace);
        // A retransmission after a new sign-in carries another MAC: compare the content only.
        let request_hash = fnv(if msg.has(64) {
            unipos_iso8583::cup::mac_block(req.raw).unwrap_or(req.raw)
        } else {
            req.raw
        });

        let mut st = self.lock();
        if financial {
            match st.seen.get(&dup_key) {
                Some(seen) if seen.request_hash == request_hash => {
                    if let Some(mut frame) = seen.answer.clone() {
                        // Answer the repeat with the stored answer, MAC'd under the keys the
                        // terminal holds now (it may have signed in again since).
                        if answer::frame_has_mac(&frame) {
                            if let Some(mak) = self.sessions.mak(tid) {
                                let at = FrameLayout::UNIONPAY.message_offset();
                                if let Some(mac) = frame
                                    .get(at..)
                                    .and_then(|m| answer::mac_of(self.rules.mac, &mak, m))
                                {
                                    let len = frame.len();
                                    if let Some(tail) = frame.get_mut(len - 8..) {
                                        tail.copy_from_slice(&mac);
                                    }
                                }
                            }
                        }
                        log::info!("POSP {mti} terminal {tid} trace {trace}: retransmission answered again");
                        return Reply {
                            frame,
                            answer: None,
                        };
                    }
                    drop(st);
                    log::info!("POSP {mti} terminal {tid} trace {trace}: retransmission while in flight, ignored");
                    return Reply {
                        frame: Vec::new(),
                        answer: None,
                    };
                }
                Some(_) => {
                    drop(st);
                    return reject("94", "trace already used in this batch by another request");
                }
                None => {
                    st.seen.insert(
                        dup_key.clone(),
                        Seen {
                            request_hash,
                            answer: None,
                        },
                    );
                }
            }
        }
        if mac_required {
            if let Some(t) = st.terminals.get_mut(tid) {
                t.requests_since_sign_in = t.requests_since_sign_in.saturating_add(1);
                if profile
                    .config
                    .sign_in_every
                    .is_some_and(|n| t.requests_since_sign_in >= n)
                {
                    t.requirement = ProcessingRequirement::SignIn.digit();
                }
            }
        }
        let mut out = self.dispatch(&ctx, &mut st);
        let requirement = st.terminals.get(tid).map_or(0, |t| t.requirement);
        drop(st);

        if out.mac && mac_key.is_none() {
            // Only MAC'd requests get MAC'd answers; the terminal has no key otherwise.
            out.mac = false;
        }
        let answer = Answer {
            tpdu: req.tpdu.swapped(),
            header: req
                .header
                .with_processing_requirement(ProcessingRequirement::from_digit(requirement)),
            msg: out.msg,
            mac_key: if out.mac { mac_key } else { None },
            mac: self.rules.mac,
        };
        let frame = match answer.encode() {
            Some(f) => f,
            None => {
                log::error!("POSP {mti} terminal {tid}: answer does not encode; answering 96");
                return self.simple_reply(req, "96", None, requirement);
            }
        };
        if financial {
            if let Some(seen) = self.lock().seen.get_mut(&dup_key) {
                if seen.request_hash == request_hash {
                    seen.answer = Some(frame.clone());
                }
            }
        }
        Reply {
            frame,
            answer: Some(answer),
        }
    }

    /// An answer with only the echoed identification fields and a response code.
    fn simple_reply(
        &self,
        req: &Request<'_>,
        code: &str,
        mac_key: Option<DesKey>,
        requirement: u8,
    ) -> Reply {
        let mut msg = Message::new(req.msg.mti().response());
        for f in [2u8, 3, 4, 11, 25, 41, 42, 49, 60] {
            if let Some(v) = req.msg.get(f) {
                let _ = msg.set(f, v);
            }
        }
        self.stamp_time(&mut msg);
        let _ = msg.set(39, code);
        let answer = Answer {
            tpdu: req.tpdu.swapped(),
            header: req
                .header
                .with_processing_requirement(ProcessingRequirement::from_digit(requirement)),
            msg,
            mac_key,
            mac: self.rules.mac,
        };
        let frame = answer.encode().unwrap_or_default();
        Reply {
            frame,
            answer: Some(answer),
        }
    }

    /// The answer to a request a fault rule answers with a given code, without processing.
    pub(crate) fn forced_reply(&self, req: &Request<'_>, code: &str) -> Reply {
        let msg = &req.msg;
        let class = msg.mti().digits()[1];
        let tid = msg.text(41).unwrap_or("");
        let key = if matches!(class, b'1'..=b'6') && msg.has(64) {
            self.sessions.mak(tid)
        } else {
            None
        };
        let requirement = self.lock().terminals.get(tid).map_or(0, |t| t.requirement);
        self.simple_reply(req, code, key, requirement)
    }

    fn dispatch(&self, ctx: &Ctx<'_>, st: &mut HostState) -> Out {
        let mti = ctx.msg.mti();
        let code = ctx.f60.network_code;
        let pcode = ctx.msg.text(3).unwrap_or("");
        let t = ctx.f60.txn_type;
        match mti.as_str() {
            "0800" => match code {
                1 | 3 | 4 => management::sign_in(ctx, st),
                360 => management::parameter_download(ctx, st),
                370 => management::capk_download(ctx, st),
                371 | 381 => management::download_end(ctx, st),
                380 => management::aid_download(ctx, st),
                _ => ctx.refuse("12", "unknown 0800 network code"),
            },
            "0820" => match code {
                2 => management::sign_out(ctx, st),
                301 | 362 => management::echo(ctx, st),
                372 => management::capk_query(ctx, st),
                382 => management::aid_query(ctx, st),
                _ => ctx.refuse("12", "unknown 0820 network code"),
            },
            "0200" => match (pcode, t) {
                ("310000", 1) => financial::balance_inquiry(ctx, st),
                ("000000", 22) => financial::sale(ctx, st),
                ("200000", 23) => financial::sale_void(ctx, st),
                ("000000", 20) => financial::completion(ctx, st, false),
                ("200000", 21) => financial::completion_void(ctx, st),
                _ => ctx.refuse("12", "unknown 0200 transaction"),
            },
            "0220" => match (pcode, t) {
                ("200000", 25) => financial::refund(ctx, st),
                ("000000", 24) => financial::completion(ctx, st, true),
                _ => ctx.refuse("12", "unknown 0220 transaction"),
            },
            "0100" => match (pcode, t) {
                ("030000", 10) => financial::pre_auth(ctx, st),
                ("200000", 11) => financial::pre_auth_void(ctx, st),
                _ => ctx.refuse("12", "unknown 0100 transaction"),
            },
            "0400" => financial::reversal(ctx, st),
            "0500" => settlement::settle(ctx, st),
            "0320" => settlement::batch_upload(ctx, st),
            "0620" => settlement::script_result(ctx, st),
            _ => ctx.refuse("12", "unsupported message type"),
        }
    }
}

/// Everything a transaction handler needs about the request.
pub(crate) struct Ctx<'a> {
    pub host: &'a PospHost,
    #[allow(dead_code)]
    pub req: &'a Request<'a>,
    pub msg: &'a Message,
    pub terminal: &'a TerminalConfig,
    pub f60: Field60,
    pub now: i64,
    pub date: String,
    pub time: String,
    /// Current YYMM as a number (expiry checks).
    pub yymm: u32,
    pub pin: PinInput,
}

/// A handler's answer.
pub(crate) struct Out {
    pub msg: Message,
    /// Whether the answer carries field 64 (when the request did).
    pub mac: bool,
}

impl Ctx<'_> {
    pub fn tid(&self) -> &str {
        &self.terminal.terminal_id
    }

    pub fn trace(&self) -> u32 {
        self.msg.number(11).unwrap_or(0) as u32
    }

    /// An answer echoing `fields` of the request, with times and a response code.
    pub fn answer(&self, code: &str, fields: &[u8]) -> Message {
        let mut m = Message::new(self.msg.mti().response());
        for &f in fields {
            if let Some(v) = self.msg.get(f) {
                let _ = m.set(f, v);
            }
        }
        let _ = m.set(12, &self.time);
        let _ = m.set(13, &self.date);
        let _ = m.set(39, code);
        m
    }

    /// A refusal with the standard echo, logged.
    pub fn refuse(&self, code: &str, why: &str) -> Out {
        log::info!(
            "POSP {} terminal {} trace {:06} refused with {code}: {why}",
            self.msg.mti(),
            self.tid(),
            self.trace()
        );
        Out {
            msg: self.answer(code, &[2, 3, 4, 11, 14, 25, 41, 42, 49, 60]),
            mac: true,
        }
    }

    pub fn rules(&self) -> &HostRules {
        &self.host.rules
    }
}

/// The request with track 2 decrypted (sign-in mode 004), or `None` if it cannot be.
fn decrypt_track(tdk: &DesKey, msg: &Message) -> Option<Message> {
    let mut packed = Vec::with_capacity(20);
    let digits = track::pack_text(msg.text(35)?, &mut packed).ok()?;
    let at = track::encrypted_block(packed.len())?;
    let block: [u8; 8] = packed.get(at.clone())?.try_into().ok()?;
    packed[at].copy_from_slice(&tdk.decrypt_block(block));
    let mut clear = msg.clone();
    clear.set(35, track::text(&packed, digits)).ok()?;
    Some(clear)
}

fn decrypt_pin_field(pik: &DesKey, block: &[u8], pan: Option<&str>) -> PinInput {
    let (Ok(block), Some(pan)) = (<[u8; 8]>::try_from(block), pan) else {
        return PinInput::Unreadable;
    };
    match decrypt_pin(pik, PinBlockFormat::Iso0, &EncryptedPinBlock(block), pan) {
        Ok(pin) => PinInput::Clear(pin),
        Err(_) => PinInput::Unreadable,
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}
