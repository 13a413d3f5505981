//! A full scenario with every log record captured (terminal and host simulator): no full
//! card number, track data, PIN or key material may appear in a log line, an error message,
//! an outcome or a receipt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::sync::Mutex;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_terminal::{PreAuthRequest, RefundRequest, SaleRequest, VoidRequest};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        LINES.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

static LOGGER: Capture = Capture;

#[test]
fn nothing_sensitive_anywhere() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let h = start();
    let mut texts: Vec<String> = Vec::new();
    let s = {
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        h.terminal
            .sale(SaleRequest {
                request_id: "s".into(),
                amount: 1_000,
            })
            .unwrap()
    };
    texts.push(format!("{s:?}"));
    h.holder.present(chip(DEBIT_IC));
    texts.push(format!(
        "{:?}",
        h.terminal.preauth(PreAuthRequest {
            request_id: "p".into(),
            amount: 500
        })
    ));
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    texts.push(format!(
        "{:?}",
        h.terminal.void(VoidRequest {
            request_id: "v".into(),
            trace: s.trace
        })
    ));
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    texts.push(format!(
        "{:?}",
        h.terminal.refund(RefundRequest {
            request_id: "r".into(),
            amount: 1,
            rrn: s.rrn.clone().unwrap(),
            date: s.date.clone()
        })
    ));
    for action in [
        FaultAction::NoAnswer,
        FaultAction::BadMac,
        FaultAction::Garble,
    ] {
        let mut rule = FaultRule::posp("0200", action);
        rule.count = Some(1);
        h.host.faults().add(rule);
        h.holder.present(mag(CREDIT_MAGSTRIPE));
        let r = h.terminal.sale(SaleRequest {
            request_id: format!("f{}", texts.len()),
            amount: 10,
        });
        texts.push(format!("{r:?}"));
        if let Err(e) = r {
            texts.push(e.to_string());
        }
    }
    texts.push(format!("{:?}", h.terminal.flush_pending()));
    texts.push(format!("{:?}", h.terminal.settle()));
    texts.push(format!("{:?}", h.terminal.journal_entries(100)));
    for receipt in h.holder.printed() {
        texts.extend(receipt);
    }
    texts.extend(LINES.lock().unwrap().iter().cloned());
    assert!(texts.len() > 20);

    let tmk = unipos_hostsim::defaults::TMK_HEX;
    let forbidden: Vec<String> = vec![
        CREDIT_MAGSTRIPE.into(),
        DEBIT_IC.into(),
        // Track 2 fragments: PAN followed by the separator.
        format!("{CREDIT_MAGSTRIPE}D"),
        format!("{CREDIT_MAGSTRIPE}="),
        tmk.into(),
        tmk.to_lowercase(),
        unipos_hostsim::defaults::PIN.into(),
    ];
    for text in &texts {
        for f in &forbidden {
            assert!(!text.contains(f.as_str()), "sensitive value in: {text}");
        }
    }
}
