//! Host-managed parameters and the host's demands (issue 15 item 3, and item 7's "sign in only
//! when it is due"): what the host downloads takes effect, and what it asks for survives the
//! process that heard it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::sync::Arc;
use std::time::{Duration, Instant};
use unipos_clock::Clock;
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_hostsim::server::HostSim;
use unipos_hostsim::HostSimConfig;
use unipos_iso8583::cup::ProcessingRequirement;
use unipos_terminal::{EngineError, OutcomeStatus, SaleRequest};

fn sale(h: &Harness, id: &str, amount: u64) -> Result<unipos_terminal::Outcome, EngineError> {
    h.holder.present(mag(CREDIT_MAGSTRIPE));
    h.terminal.sale(SaleRequest {
        request_id: id.into(),
        amount,
    })
}

/// The host downloads a 1 s answer timeout and 2 reversal attempts; the terminal's own profile
/// says 30 s and 3. The host's values are the ones in force.
#[test]
fn the_downloaded_timeout_and_reversal_retries_take_effect() {
    let clock = clock();
    let mut config = HostSimConfig::default()
        .with_seed(5)
        .with_clock(Arc::new(clock.clone()) as Arc<dyn Clock>);
    config.host.response_timeout_secs = 1;
    config.host.reversal_retries = 2;
    let host = HostSim::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let holder = unipos_terminal::hardware::sim::SimCardholder::new();
    let mut tc = terminal_config(&host);
    tc.profile.timeouts.response_ms = 30_000;
    tc.profile.reversal.retries = 3;
    let (terminal, security) = open_terminal(tc.clone(), dir.path(), &clock, &holder);
    terminal.startup().unwrap();
    let h = Harness {
        host,
        terminal,
        holder,
        clock,
        dir,
        config: tc,
        security,
    };
    let mut lost = FaultRule::posp("0200", FaultAction::NoAnswer);
    lost.count = Some(1);
    h.host.faults().add(lost);
    let dropped = h
        .host
        .faults()
        .add(FaultRule::posp("0400", FaultAction::DropRequest));
    let started = Instant::now();
    assert!(matches!(
        sale(&h, "lost", 500).unwrap_err(),
        EngineError::NoAnswer { .. }
    ));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?}: the profile's 30 s, not the host's 1 s",
        started.elapsed()
    );
    let next = sale(&h, "next", 100).unwrap();
    assert_eq!(next.status, OutcomeStatus::Approved);
    assert_eq!(
        h.terminal.parked_reversals().unwrap().len(),
        1,
        "parked at the host's limit"
    );
    assert_eq!(
        h.host.faults().fired(dropped),
        Some(2),
        "two attempts, not three"
    );
}

/// The host asks for new parameters in an answer; the process ends before it acts on it (a
/// CLI command ends after one transaction). The next process does the download first.
#[test]
fn a_download_demand_survives_the_process_that_heard_it() {
    let h = start();
    h.host.set_processing_requirement(
        unipos_hostsim::config::defaults::TERMINAL_ID,
        ProcessingRequirement::DownloadParameters,
    );
    assert_eq!(
        sale(&h, "asked", 100).unwrap().status,
        OutcomeStatus::Approved
    );
    let Harness {
        host,
        terminal,
        holder,
        clock,
        dir,
        config,
        security,
    } = h;
    drop(terminal); // the process ends here
                    // Counts the management messages (sign-in and downloads are 0800s).
    let downloads = host
        .faults()
        .add(FaultRule::posp("0800", FaultAction::Delay { ms: 0 }));
    let (terminal, _) = open_terminal_with(
        config.clone(),
        dir.path(),
        &clock,
        &holder,
        security.clone(),
    )
    .unwrap();
    let report = terminal.resume().unwrap();
    assert!(!report.signed_in, "same day, keys kept: no sign-in");
    assert!(
        host.faults().fired(downloads).unwrap_or(0) > 0,
        "the demanded download ran before anything else"
    );
    let after = host.faults().fired(downloads).unwrap_or(0);
    drop(terminal);
    let (terminal, _) = open_terminal_with(config, dir.path(), &clock, &holder, security).unwrap();
    let report = terminal.resume().unwrap();
    assert!(!report.signed_in);
    assert_eq!(
        host.faults().fired(downloads).unwrap_or(0),
        after,
        "done once: the demand was cleared"
    );
}

/// A terminal signs in when the day changes, the host asks or the keys are gone, not at every
/// start.
#[test]
fn sign_in_only_when_due_across_restarts() {
    let h = start();
    let Harness {
        host,
        terminal,
        holder,
        clock,
        dir,
        config,
        security,
    } = h;
    drop(terminal);
    let reopen = |security| {
        open_terminal_with(config.clone(), dir.path(), &clock, &holder, security)
            .unwrap()
            .0
    };
    let t = reopen(security.clone());
    assert!(!t.resume().unwrap().signed_in, "same day, keys kept");
    drop(t);
    clock.advance(Duration::from_secs(24 * 3600));
    let t = reopen(security.clone());
    assert!(t.resume().unwrap().signed_in, "a new day");
    drop(t);
    let t = reopen(security.clone());
    assert!(!t.resume().unwrap().signed_in, "signed in today already");
    drop(t);
    host.set_processing_requirement(
        unipos_hostsim::config::defaults::TERMINAL_ID,
        ProcessingRequirement::SignIn,
    );
    let t = reopen(security.clone());
    t.resume().unwrap();
    holder.present(mag(CREDIT_MAGSTRIPE));
    t.sale(SaleRequest {
        request_id: "asks".into(),
        amount: 100,
    })
    .unwrap();
    host.set_processing_requirement(
        unipos_hostsim::config::defaults::TERMINAL_ID,
        ProcessingRequirement::None,
    );
    drop(t);
    let t = reopen(security);
    assert!(
        t.resume().unwrap().signed_in,
        "the host asked, in another process"
    );
    drop(t);
    // Keys gone (a new security module): sign in.
    let (t, _) = try_open_terminal(config.clone(), dir.path(), &clock, &holder).unwrap();
    assert!(t.resume().unwrap().signed_in, "no keys");
}
