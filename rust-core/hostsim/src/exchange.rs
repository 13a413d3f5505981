//! One POSP request through the fault rules, shared by the TCP listener ([`crate::server`])
//! and the HTTPS one ([`crate::http_server`]), and the state both listeners stop on.

use crate::faults::{FaultAction, FaultTarget, Faults};
use crate::posp::{frame_has_mac, parse, Parsed, PospHost};
use crate::qr::Gateway;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use unipos_iso8583::FrameLayout;

#[derive(Default)]
pub(crate) struct Shared {
    pub stop: AtomicBool,
    pub next_conn: AtomicU64,
    pub next_worker: AtomicU64,
    /// POSP workers waiting in `accept` ([`crate::posp_listener`]).
    pub accepting: AtomicUsize,
    pub conns: Mutex<HashMap<u64, TcpStream>>,
    pub workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

pub(crate) struct ServerCtx {
    pub posp: Arc<PospHost>,
    pub faults: Faults,
    pub gateway: Arc<Gateway>,
    pub shared: Arc<Shared>,
    pub idle: Duration,
    pub max_frame: usize,
    pub tls: Arc<ServerConfig>,
}

/// What to do on the connection after one POSP request.
pub(crate) enum Delivery {
    /// Write these frames (none = withhold the answer and keep reading), after a delay.
    Frames { frames: Vec<Vec<u8>>, delay_ms: u64 },
    /// Close the connection.
    Close,
    /// HTTP only: answer with this status and no body.
    Status(u16),
}

/// Processes one POSP frame body through the fault rules (TCP and HTTPS alike).
pub(crate) fn posp_exchange(ctx: &ServerCtx, body: &[u8]) -> Delivery {
    let send = |frames: Vec<Vec<u8>>, delay_ms| Delivery::Frames {
        frames: frames.into_iter().filter(|f| !f.is_empty()).collect(),
        delay_ms,
    };
    let req = match parse(body) {
        Parsed::Request(req) => req,
        Parsed::FormatError {
            tpdu,
            header,
            mti,
            reason,
        } => {
            return match ctx.posp.format_error(tpdu, header, mti, &reason) {
                Some(r) => send(vec![r.frame], 0),
                None => Delivery::Close,
            }
        }
        Parsed::Unreadable(reason) => {
            log::warn!("unreadable POSP frame, closing the connection: {reason}");
            return Delivery::Close;
        }
    };
    let mti = req.msg.mti();
    let action = ctx.faults.check(&FaultTarget::Posp {
        terminal_id: req.msg.text(41),
        mti: mti.as_str(),
        processing_code: req.msg.text(3),
    });
    let Some(action) = action else {
        return send(vec![ctx.posp.process(&req).frame], 0);
    };
    log::info!(
        "fault {action:?} fires on POSP {mti} terminal {:?} trace {:?}",
        req.msg.text(41).unwrap_or(""),
        req.msg.text(11).unwrap_or("")
    );
    match action {
        FaultAction::DropRequest => send(Vec::new(), 0),
        FaultAction::NoAnswer => {
            let _ = ctx.posp.process(&req);
            send(Vec::new(), 0)
        }
        FaultAction::Delay { ms } => send(vec![ctx.posp.process(&req).frame], ms),
        FaultAction::CloseConnection => Delivery::Close,
        FaultAction::Garble => {
            let mut frame = ctx.posp.process(&req).frame;
            // Keep the length prefix, TPDU, header and MTI; scramble the rest.
            let start = FrameLayout::UNIONPAY.message_offset() + 2;
            for b in frame.iter_mut().skip(start) {
                *b ^= 0x5A;
            }
            send(vec![frame], 0)
        }
        FaultAction::BadMac => {
            let mut frame = ctx.posp.process(&req).frame;
            if frame_has_mac(&frame) {
                if let Some(last) = frame.last_mut() {
                    *last ^= 0x01;
                }
            }
            send(vec![frame], 0)
        }
        FaultAction::RespondWith { code } => {
            send(vec![ctx.posp.forced_reply(&req, &code).frame], 0)
        }
        FaultAction::Duplicate => {
            let frame = ctx.posp.process(&req).frame;
            send(vec![frame.clone(), frame], 0)
        }
        FaultAction::StaleTrace => {
            let reply = ctx.posp.process(&req);
            let frame = reply
                .answer
                .and_then(|mut a| {
                    let trace = a.msg.number(11)?;
                    let stale = (trace + 999_999) % 1_000_000;
                    a.msg.set_number(11, stale, 6).ok()?;
                    a.encode()
                })
                .unwrap_or(reply.frame);
            send(vec![frame], 0)
        }
        FaultAction::LoseRecord => {
            let reply = ctx.posp.process(&req);
            let batch = req
                .msg
                .text(60)
                .and_then(|d| unipos_iso8583::cup::Field60::parse(d).ok())
                .map(|f| f.batch);
            let trace = req.msg.number(11).map(|t| t as u32);
            if let (Some(tid), Some(batch), Some(trace)) = (req.msg.text(41), batch, trace) {
                ctx.posp.lose_record(tid, batch, trace);
            }
            send(vec![reply.frame], 0)
        }
        FaultAction::HttpStatus { status } => Delivery::Status(status),
        // QR only: the rule matcher never returns it for POSP requests.
        FaultAction::RewriteJson { .. } => send(vec![ctx.posp.process(&req).frame], 0),
        FaultAction::Rewrite { fields } => {
            let reply = ctx.posp.process(&req);
            let Some(mut answer) = reply.answer else {
                // A format-error reply has no parts to edit: it goes out as it is.
                return send(vec![reply.frame], 0);
            };
            let edited = fields
                .iter()
                .try_for_each(|edit| edit.apply(&mut answer.msg))
                .and_then(|()| {
                    answer
                        .encode()
                        .ok_or_else(|| "the edited answer does not pack".to_owned())
                });
            match edited {
                Ok(frame) => send(vec![frame], 0),
                Err(why) => {
                    // Only a rule added from code without `validate` gets here.
                    log::warn!("rewrite fault not carried out, closing the connection: {why}");
                    Delivery::Close
                }
            }
        }
    }
}

/// Sleeps `ms`, waking early when the host stops.
pub(crate) fn pause(shared: &Shared, ms: u64) {
    let mut left = ms;
    while left > 0 && !shared.stopping() {
        let step = left.min(20);
        std::thread::sleep(Duration::from_millis(step));
        left -= step;
    }
}
