//! The downloaded EMV data (issue 15 item 3): CA key checksums verified, a bad key refused, and
//! the CA keys and AIDs handed to the EMV kernel, which uses them (application selection).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::sync::Arc;
use unipos_clock::Clock;
use unipos_hostsim::server::HostSim;
use unipos_hostsim::HostSimConfig;
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::{EngineError, SaleRequest};

#[test]
fn the_kernel_gets_every_downloaded_key_and_aid_again_after_a_restart() {
    let h = start();
    let data = h.holder.kernel_data().expect("loaded at startup");
    let stored = unipos_hostsim::emv_data::ca_public_keys().len();
    assert_eq!(data.ca_keys.len(), stored);
    assert_eq!(data.aids.len(), unipos_hostsim::emv_data::AIDS.len());
    let unionpay = data.ca_key(&[0xA0, 0, 0, 3, 0x33], 0x03).unwrap();
    assert_eq!(unionpay.modulus.len(), 144);
    assert!(data
        .aid(&hex::decode("A000000333010101").unwrap())
        .is_some_and(|a| a.version == Some([0x00, 0x30])));

    // A new process: nothing downloaded again, the kernel loaded from the journal.
    let holder = SimCardholder::new();
    let h = Harness { holder, ..h };
    let h = h.restart();
    let report = h.terminal.resume().unwrap();
    assert_eq!(report.ca_keys as usize, stored);
    assert_eq!(h.holder.kernel_data().unwrap(), data);
}

#[test]
fn a_ca_key_with_a_wrong_checksum_is_refused_and_never_reaches_the_kernel() {
    let clock = clock();
    let mut config = HostSimConfig::default()
        .with_seed(9)
        .with_clock(Arc::new(clock.clone()) as Arc<dyn Clock>);
    config.host.bad_ca_key_checksums = vec!["A000000333:03".into()];
    let host = HostSim::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let holder = SimCardholder::new();
    let (terminal, _) = open_terminal(terminal_config(&host), dir.path(), &clock, &holder);
    let report = terminal.startup().unwrap();
    let all = unipos_hostsim::emv_data::ca_public_keys().len() as u32;
    assert_eq!((report.ca_keys, report.ca_keys_refused), (all - 1, 1));
    let data = holder.kernel_data().unwrap();
    assert!(data.ca_key(&[0xA0, 0, 0, 3, 0x33], 0x03).is_none());
    assert!(data.ca_key(&[0xA0, 0, 0, 3, 0x33], 0x04).is_some());
}

#[test]
fn a_chip_card_whose_application_was_not_downloaded_is_refused_before_anything_is_sent() {
    let h = start();
    let before = h.host_journal().len();
    h.holder
        .present(chip(DEBIT_IC).with_application(&[0xA0, 0, 0, 0x09, 0x99, 0x10, 0x10], 1));
    let e = h
        .terminal
        .sale(SaleRequest {
            request_id: "unknown-aid".into(),
            amount: 100,
        })
        .unwrap_err();
    let EngineError::Device(d) = &e else {
        panic!("{e:?}")
    };
    assert!(d.message.contains("A0000009991010"), "{d:?}");
    assert_eq!(h.host_journal().len(), before, "nothing reached the host");

    // The UnionPay application with its CA key: approved.
    h.holder.present(chip(DEBIT_IC));
    let o = h
        .terminal
        .sale(SaleRequest {
            request_id: "known-aid".into(),
            amount: 100,
        })
        .unwrap();
    assert_eq!(o.status, unipos_terminal::OutcomeStatus::Approved);
}
