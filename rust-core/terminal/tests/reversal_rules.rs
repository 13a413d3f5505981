//! The acquirer's reversal settings (issue 15 item 7), checked on the 0400s the host received
//! through a loopback tap: the reason of the reversal of an approval the card refused (96 by
//! default, 06 where the acquirer says so), and which answers to a 0400 count as acknowledged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kernel::wrap_kernel;
use common::wiretap::{tapped, Tapped};
use common::*;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_terminal::hardware::{
    CardData, EmvCompletion, EmvIssuerResponse, EmvKernel, EmvRequest,
};
use unipos_terminal::model::EmvTerminalData;
use unipos_terminal::{DeviceError, EngineError, OutcomeStatus, TerminalConfig};

/// The simulated kernel, except that the card refuses every approval (second GENERATE AC
/// gives an AAC).
struct RefusingCard(Box<dyn EmvKernel>);

impl EmvKernel for RefusingCard {
    fn load_terminal_data(&mut self, data: &EmvTerminalData) -> Result<(), DeviceError> {
        self.0.load_terminal_data(data)
    }
    fn start(&mut self, card: &CardData, request: &EmvRequest) -> Result<Vec<u8>, DeviceError> {
        self.0.start(card, request)
    }
    fn complete(&mut self, r: &EmvIssuerResponse) -> Result<EmvCompletion, DeviceError> {
        self.0.complete(r).map(|_| EmvCompletion {
            card_approved: false,
            tc_data: None,
            script_results: None,
        })
    }
}

fn rig(profile: impl FnOnce(&mut TerminalConfig), refusing: bool) -> Tapped {
    let (r, started) = tapped(
        |_| {},
        profile,
        |hw| {
            if refusing {
                wrap_kernel(hw, |inner| Box::new(RefusingCard(inner)));
            }
        },
    );
    started.unwrap();
    r
}

fn reasons(r: &Tapped) -> Vec<String> {
    r.tap
        .requests("0400")
        .iter()
        .map(|m| m.text(39).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_reversal_of_an_approval_the_card_refused_carries_the_acquirers_reason() {
    for (setting, expected) in [(None, "96"), (Some("06"), "06")] {
        let r = rig(
            |c| {
                if let Some(reason) = setting {
                    c.profile.reversal.card_refused_reason = reason.into();
                }
            },
            true,
        );
        let err = r.sale("refused-by-card", chip(DEBIT_IC), 2_50).unwrap_err();
        assert!(matches!(err, EngineError::NoAnswer { .. }), "{err}");
        let flushed = r.terminal.flush_pending().unwrap();
        assert_eq!(flushed.reversals_sent, 1, "{flushed:?}");
        assert_eq!(reasons(&r), [expected], "profile setting {setting:?}");
        let at_host = r
            .host
            .journal(unipos_hostsim::config::defaults::TERMINAL_ID);
        assert!(
            at_host.iter().any(|e| e.mti == "0200" && e.reversed),
            "the host's approval was undone"
        );
    }
}

#[test]
fn which_answers_to_a_reversal_count_as_acknowledged_is_the_acquirers() {
    // The first 0400 is answered 25 (original not found) without being applied.
    for (acknowledged, sent) in [(None, 1), (Some(vec!["00".to_owned()]), 2)] {
        let r = rig(
            |c| {
                if let Some(codes) = acknowledged.clone() {
                    c.profile.reversal.acknowledged_codes = codes;
                }
            },
            false,
        );
        let mut lost = FaultRule::posp("0200", FaultAction::NoAnswer);
        lost.count = Some(1);
        let mut not_found = FaultRule::posp("0400", FaultAction::RespondWith { code: "25".into() });
        not_found.count = Some(1);
        r.host.faults().add(lost);
        r.host.faults().add(not_found);
        let err = r.sale("lost", mag(CREDIT_MAGSTRIPE), 2_50).unwrap_err();
        assert!(matches!(err, EngineError::NoAnswer { .. }), "{err}");
        let flushed = r.terminal.flush_pending().unwrap();
        assert_eq!(flushed.reversals_sent, 1, "{flushed:?}");
        // By default 25 ends it; an acquirer that counts only 00 has it sent again.
        assert_eq!(
            r.tap.requests("0400").len(),
            sent,
            "acknowledged {acknowledged:?}"
        );
        assert_eq!(
            r.terminal.query("lost").unwrap().unwrap().status,
            OutcomeStatus::Reversed
        );
    }
}
