//! Card data on the wire and at rest (issue 15 items 6 and 7's 60.4), checked on the bytes the
//! host received through a loopback tap: 9F37 from the random source, field 55 filtered per
//! message to the profile's tags, track 2 encrypted under the TDK in key mode 004, and 60.4
//! describing the terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kernel::wrap_kernel;
use common::wiretap::{tapped, Tapped};
use common::*;
use unipos_clock::Clock;
use unipos_hostsim::config::KeyMode as HostKeyMode;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_hostsim::HostSimConfig;
use unipos_iso8583::cup::Field60;
use unipos_iso8583::tlv;
use unipos_iso8583::Message;
use unipos_terminal::hardware::{
    CardData, EmvCompletion, EmvIssuerResponse, EmvKernel, EmvRequest,
};
use unipos_terminal::model::EmvTerminalData;
use unipos_terminal::{DeviceError, EngineError, KeyMode, OutcomeStatus, TerminalConfig};

/// A kernel that adds card data a careless kernel might return: track 2 equivalent (57), the
/// PAN (5A) and the cardholder name (5F20).
struct LeakyKernel(Box<dyn EmvKernel>);

impl EmvKernel for LeakyKernel {
    fn load_terminal_data(&mut self, data: &EmvTerminalData) -> Result<(), DeviceError> {
        self.0.load_terminal_data(data)
    }
    fn start(&mut self, card: &CardData, request: &EmvRequest) -> Result<Vec<u8>, DeviceError> {
        let mut icc = self.0.start(card, request)?;
        for (t, v) in [
            (0x57, b"\x62\x12\x34\x56\x78\x90\x12\x65\xD3\x01".to_vec()),
            (0x5A, b"\x62\x12\x34\x56\x78\x90\x12\x65".to_vec()),
            (0x5F20, b"ZHANG/SAN".to_vec()),
        ] {
            icc.extend(tlv::encode_all(&[tlv::Tlv::primitive(
                tlv::Tag::from_u32(t).unwrap(),
                v,
            )]));
        }
        Ok(icc)
    }
    fn complete(&mut self, r: &EmvIssuerResponse) -> Result<EmvCompletion, DeviceError> {
        self.0.complete(r)
    }
}

fn rig(
    host_config: impl FnOnce(&mut HostSimConfig),
    terminal_config: impl FnOnce(&mut TerminalConfig),
    leaky: bool,
) -> (Tapped, Result<(), EngineError>) {
    tapped(host_config, terminal_config, |hw| {
        if leaky {
            wrap_kernel(hw, |inner| Box::new(LeakyKernel(inner)));
        }
    })
}

fn icc_tags(m: &Message) -> Vec<u32> {
    tlv::parse_all(m.get(55).unwrap())
        .unwrap()
        .iter()
        .map(|t| t.tag.to_u32())
        .collect()
}

fn icc_value(m: &Message, tag: u32) -> Vec<u8> {
    tlv::parse_all(m.get(55).unwrap())
        .unwrap()
        .into_iter()
        .find(|t| t.tag.to_u32() == tag)
        .and_then(|t| t.value_bytes().map(<[u8]>::to_vec))
        .unwrap()
}

#[test]
fn the_unpredictable_number_comes_from_the_random_source_not_the_clock() {
    let (r, started) = rig(|_| {}, |_| {}, false);
    started.unwrap();
    // The test clock stands still: a number derived from it would repeat.
    r.sale("un-1", chip(DEBIT_IC), 1_00).unwrap();
    r.sale("un-2", chip(DEBIT_IC), 1_00).unwrap();
    let sent = r.tap.requests("0200");
    let (a, b) = (icc_value(&sent[0], 0x9F37), icc_value(&sent[1], 0x9F37));
    assert_eq!(a.len(), 4);
    assert_ne!(a, b, "two sales at the same instant have different 9F37");
    let clock_bytes = clock().now_millis().to_be_bytes()[4..].to_vec();
    assert_ne!(a, clock_bytes);
}

#[test]
fn field_55_carries_only_the_profile_tags_on_the_wire_and_at_rest() {
    let (r, started) = rig(|_| {}, |_| {}, true);
    started.unwrap();
    r.sale("leaky-ok", chip(DEBIT_IC), 1_00).unwrap();
    let request = &r.tap.requests("0200")[0];
    let tags = icc_tags(request);
    assert!(tags.contains(&0x9F26) && tags.contains(&0x9F37));
    for card_data in [0x57, 0x5A, 0x5F20] {
        assert!(!tags.contains(&card_data), "{card_data:X} went out");
    }
    // At rest: the journal's field 55 (raw bytes in the database) holds none of it either.
    let conn = rusqlite::Connection::open(r.dir.path().join("journal.db")).unwrap();
    let stored: Vec<u8> = conn
        .query_row(
            "SELECT icc_data FROM txn WHERE request_id = 'leaky-ok'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let stored_tags: Vec<u32> = tlv::parse_all(&stored)
        .unwrap()
        .iter()
        .map(|t| t.tag.to_u32())
        .collect();
    assert!(!stored_tags.iter().any(|t| [0x57, 0x5A, 0x5F20].contains(t)));
    let request_fields: String = conn
        .query_row(
            "SELECT request_fields FROM txn WHERE request_id = 'leaky-ok'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(!request_fields.contains("5A08621234"), "{request_fields}");

    // A lost answer: the reversal's field 55 holds the reversal tags only.
    let mut lost = FaultRule::posp("0200", FaultAction::NoAnswer);
    lost.count = Some(1);
    r.host.faults().add(lost);
    r.sale("leaky-lost", chip(DEBIT_IC), 1_00).unwrap_err();
    r.terminal.flush_pending().unwrap();
    let reversal = r.tap.requests("0400").pop().expect("a reversal went out");
    let mut tags = icc_tags(&reversal);
    tags.sort_unstable();
    assert_eq!(tags, [0x95, 0x9F10, 0x9F1E, 0x9F36]);
}

#[test]
fn key_mode_004_encrypts_the_issuer_part_of_track_2_and_the_host_reads_it() {
    let (r, started) = rig(
        |h| {
            for t in &mut h.terminals {
                t.key_mode = HostKeyMode::DoubleWithTdk;
            }
        },
        |t| t.profile.key_mode = KeyMode::DoubleLengthWithTdk,
        false,
    );
    started.unwrap();
    let o = r.sale("tdk", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    assert_eq!(o.status, OutcomeStatus::Approved, "the host decrypted it");
    let sent = r.tap.requests("0200")[0].text(35).unwrap().to_owned();
    let clear = format!("{CREDIT_MAGSTRIPE}D{}2010000000000", defaults_expiry());
    assert_eq!(sent.len(), clear.len(), "same length");
    assert_ne!(sent, clear, "not in the clear");
    assert_eq!(&sent[..8], &clear[..8], "the front of the PAN stays clear");

    // Key mode 003 sends the same card's track as read.
    let (r, started) = rig(|_| {}, |_| {}, false);
    started.unwrap();
    r.sale("clear", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    assert_eq!(r.tap.requests("0200")[0].text(35).unwrap(), clear);
}

#[test]
fn a_004_sign_in_without_a_track_key_is_refused_before_any_card() {
    let (_, started) = rig(
        |h| {
            for t in &mut h.terminals {
                t.key_mode = HostKeyMode::NoTdk;
            }
        },
        |t| t.profile.key_mode = KeyMode::DoubleLengthWithTdk,
        false,
    );
    let e = started.unwrap_err();
    assert!(
        matches!(&e, EngineError::NotReady(m) if m.contains("TDK")),
        "{e}"
    );
}

#[test]
fn field_60_4_describes_the_terminal_not_the_entry() {
    let (r, started) = rig(|_| {}, |_| {}, false);
    started.unwrap();
    r.sale("swiped", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    let f60 = Field60::parse(r.tap.requests("0200")[0].text(60).unwrap()).unwrap();
    assert_eq!(
        f60.read_capability,
        Some(6),
        "a chip and contactless terminal"
    );

    let (r, started) = rig(
        |_| {},
        |t| t.card_reading = unipos_terminal::hardware::CardReading::ContactChip,
        false,
    );
    started.unwrap();
    r.sale("swiped-5", mag(CREDIT_MAGSTRIPE), 1_00).unwrap();
    let f60 = Field60::parse(r.tap.requests("0200")[0].text(60).unwrap()).unwrap();
    assert_eq!(f60.read_capability, Some(5));
}
