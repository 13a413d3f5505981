//! A card reader that hands over what a broken reader or a tampered card could: card numbers
//! with a wrong check digit or letters, expiry dates that are no dates, track 2 of another card or
//! without its separator, card sequence numbers of the wrong length. For every such read:
//! - the terminal never panics, and no error or message carries the card number or the track;
//! - what its own rules refuse (card number, expiry, track 2, card sequence number) is refused
//!   naming the field, and nothing goes to the host;
//! - what they accept goes to the host and gets its answer;
//! - afterwards a sale with a good card is approved and nothing is left open.
//!
//! `PROPTEST_CASES` sets the number of reads (default 32).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::wiretap::tapped;
use common::*;
use proptest::prelude::*;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use unipos_crypto::Pan;
use unipos_terminal::hardware::{
    CancelToken, CardData, CardPrompt, CardRead, CardReader, EntryMode,
};
use unipos_terminal::{DeviceError, EngineError, OutcomeStatus, SaleRequest};
use zeroize::Zeroizing;

/// What the reader hands over next (a test card when nothing is queued).
#[derive(Debug, Clone)]
struct Read {
    pan: String,
    expiry: Option<String>,
    track2: Option<String>,
    psn: Option<String>,
}

impl Read {
    fn good() -> Read {
        Read {
            pan: CREDIT_MAGSTRIPE.into(),
            expiry: Some(EXPIRY.into()),
            track2: Some(format!("{CREDIT_MAGSTRIPE}D{EXPIRY}2010000000000")),
            psn: None,
        }
    }

    /// The field the terminal's rules refuse first, if any (the order the engine checks in).
    fn refused_field(&self) -> Option<&'static str> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let pan_ok = (13..=19).contains(&self.pan.len())
            && digits(&self.pan)
            && unipos_crypto::pan::luhn_check(&self.pan);
        if !pan_ok {
            return Some("card number");
        }
        if let Some(e) = &self.expiry {
            let month = e.get(2..).and_then(|m| m.parse::<u32>().ok());
            if !(e.len() == 4 && digits(e) && matches!(month, Some(1..=12))) {
                return Some("expiry");
            }
        }
        if let Some(t) = &self.track2 {
            let whole = t.len();
            let t = t.strip_suffix('F').unwrap_or(t);
            let parts: Vec<&str> = t.split(['D', '=']).collect();
            let ok = whole <= 37
                && parts.len() == 2
                && parts[0] == self.pan
                && parts[1].len() >= 7
                && digits(parts[1]);
            if !ok {
                return Some("track 2");
            }
        }
        if let Some(p) = &self.psn {
            if !(p.len() == 3 && digits(p)) {
                return Some("card sequence number");
            }
        }
        None
    }
}

#[derive(Clone, Default)]
struct Queue(Arc<Mutex<VecDeque<Read>>>);

struct ScriptedReader(Queue);

impl CardReader for ScriptedReader {
    fn read_card(&mut self, _: &CardPrompt, _: &CancelToken) -> Result<CardRead, DeviceError> {
        let read = self
            .0
             .0
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(Read::good);
        // A number the reader cannot even hold as one is the reader's fault, as with a device.
        let pan = Pan::new(&read.pan).map_err(|_| {
            unipos_terminal::hardware::device_error("card reader", "the card number cannot be read")
        })?;
        Ok(CardRead::Card(CardData {
            entry: EntryMode::Magstripe,
            pan,
            expiry: read.expiry,
            track2: read.track2.map(Zeroizing::new),
            psn: read.psn,
        }))
    }
}

fn read() -> impl Strategy<Value = Read> {
    let good = CREDIT_MAGSTRIPE.to_owned();
    let pans = prop_oneof![
        3 => Just(good.clone()),
        1 => Just("6212345678901233".to_owned()), // check digit wrong
        1 => Just("62123456789".to_owned()),       // too short
        1 => "[0-9]{12,20}",
        1 => "[0-9A-F]{16}",
    ];
    let expiries = prop_oneof![
        3 => Just(Some(EXPIRY.to_owned())),
        1 => Just(None),
        1 => proptest::sample::select(&["1399", "13AB", "3000", "301", "30121", ""][..])
            .prop_map(|e| Some(e.to_owned())),
    ];
    let psns = prop_oneof![
        3 => Just(None),
        1 => Just(Some("001".to_owned())),
        1 => "[0-9A-Z]{0,5}".prop_map(Some),
    ];
    (pans, expiries, 0u8..8, "[0-9]{0,30}", psns).prop_map(
        move |(pan, expiry, shape, tail, psn)| {
            let exp = expiry.clone().unwrap_or_else(|| EXPIRY.to_owned());
            let track2 = match shape {
                0..=2 => Some(format!("{pan}D{exp}201{}", &tail[..tail.len().min(10)])),
                3 => None,
                4 => Some(format!("{pan}={exp}2010000F")), // a chip's pad nibble
                5 => Some(format!("6212345678901265D{exp}2010000000000")), // another card
                6 => Some(format!("{pan}D{tail}")),
                _ => Some(format!("{pan}{exp}2010000000000")), // no separator
            };
            Read {
                pan,
                expiry,
                track2,
                psn,
            }
        },
    )
}

#[test]
fn a_card_reader_that_hands_over_nonsense_never_breaks_the_terminal() {
    let queue = Queue::default();
    let reader_queue = queue.clone();
    let (t, started) = tapped(
        |_| {},
        |_| {},
        move |hw| {
            hw.card_reader = Box::new(ScriptedReader(reader_queue));
        },
    );
    started.unwrap();
    let mut runner = runner(32);
    let reads = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&read(), |r| {
            let n = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let sent_before = t.tap.requests("0200").len();
            queue.0.lock().unwrap().push_back(r.clone());
            let result = t.terminal.sale(SaleRequest {
                request_id: format!("read-{n}"),
                amount: 100,
            });
            let sent = t.tap.requests("0200").len() - sent_before;
            let text = match &result {
                Ok(o) => format!("{} {}", o.message, o.notice.clone().unwrap_or_default()),
                Err(e) => e.to_string(),
            };
            assert!(
                !text.contains(&r.pan) || r.pan.len() < 12,
                "shows the number: {text}"
            );
            if let Some(track) = &r.track2 {
                assert!(
                    track.len() < 12 || !text.contains(track.as_str()),
                    "shows the track: {text}"
                );
            }
            match r.refused_field() {
                Some(field) => {
                    assert_eq!(sent, 0, "{r:?} was sent");
                    let Err(e) = &result else {
                        panic!("{r:?}: accepted: {result:?}");
                    };
                    let named = matches!(e, EngineError::InvalidRequest(m) if m.starts_with(field))
                        // A number that is not even digits never leaves the reader.
                        || (field == "card number" && matches!(e, EngineError::Device(_)));
                    assert!(named, "{r:?}: {e}");
                }
                None => {
                    assert_eq!(sent, 1, "{r:?} was not sent: {result:?}");
                    assert!(result.is_ok(), "{r:?}: {result:?}");
                }
            }
            Ok(())
        })
        .unwrap();

    // A good card after all of them: approved, and nothing open.
    let after = t
        .terminal
        .sale(SaleRequest {
            request_id: "after".into(),
            amount: 100,
        })
        .unwrap();
    assert_eq!(after.status, OutcomeStatus::Approved, "{after:?}");
    t.terminal.flush_pending().unwrap();
    assert!(t.terminal.parked_reversals().unwrap().is_empty());
}
