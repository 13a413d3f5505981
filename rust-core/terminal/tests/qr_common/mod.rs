//! QR test support: a terminal with the QR gateway of an in-process host simulator over
//! loopback HTTPS (pinned CA), codes per channel and behaviour, and the reconciliation of the
//! terminal's QR orders against the gateway's ledger.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Harness};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unipos_hostsim::config::defaults;
use unipos_hostsim::qr::{OrderKind, OrderSnapshot};
use unipos_hostsim::server::RunningHost;
use unipos_qr_protocol::{Channel, TradeState};
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::{
    HostAddress, Progress, ProgressListener, QrPayRequest, QrSettings, QrState, Terminal,
    TerminalConfig,
};

/// Wall-clock answer timeout in tests: lost answers cost this much real time.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(400);

/// A payment code of `channel` whose last two digits select the gateway's behaviour
/// (`00` paid, `01` password then paid, `02` password then failure, `03` no funds,
/// `04` expired, `05` system error but paid, `06` late success, `07` reverse retries,
/// `08` system error without order, `09` never confirmed).
pub fn code(channel: Channel, suffix: &str) -> String {
    let base = match channel {
        Channel::WeChat => "1349195862139267", // 18 digits, prefix 13
        Channel::Alipay => "287634438256643",  // 17 digits, prefix 28
        Channel::UnionPay => "62257350532016152", // 19 digits, prefix 62
    };
    format!("{base}{suffix}")
}

pub fn gateway_address(host: &RunningHost) -> HostAddress {
    HostAddress::Https {
        addresses: vec![host
            .https_addr()
            .expect("the simulator's HTTPS listener")
            .to_string()],
        server_name: "localhost".into(),
        ca_pem: host.ca_pem().to_owned(),
    }
}

pub fn qr_settings() -> QrSettings {
    QrSettings {
        response_timeout: Some(RESPONSE_TIMEOUT),
        connect_timeout: Some(Duration::from_secs(2)),
        ..QrSettings::default()
    }
}

pub fn qr_config(host: &RunningHost) -> TerminalConfig {
    let mut config = common::terminal_config(host);
    config.qr_gateway = Some(gateway_address(host));
    config
}

/// A started terminal with the QR gateway configured.
pub fn start() -> Harness {
    let clock = common::clock();
    let host = common::host(&clock);
    let dir = tempfile::tempdir().unwrap();
    let holder = SimCardholder::new();
    let config = qr_config(&host);
    let (terminal, security) = common::open_terminal(config.clone(), dir.path(), &clock, &holder);
    terminal.set_qr_settings(qr_settings());
    terminal.startup().unwrap();
    Harness {
        host,
        terminal,
        holder,
        clock,
        dir,
        config,
        security,
    }
}

/// Reopens the terminal on the same database (a restart) with the QR settings.
pub fn restart(h: Harness) -> Harness {
    let h = h.restart();
    h.terminal.set_qr_settings(qr_settings());
    h
}

pub fn pay_request(request_id: &str, order_id: &str, amount: u64, code: &str) -> QrPayRequest {
    QrPayRequest {
        request_id: request_id.into(),
        order_id: order_id.into(),
        amount,
        code: code.into(),
        subject: Some("咖啡 coffee".into()),
    }
}

/// Records progress events.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Progress>>);

impl ProgressListener for Recorder {
    fn progress(&self, event: &Progress) {
        self.0.lock().unwrap().push(event.clone());
    }
}

pub fn record(terminal: &Terminal) -> Arc<Recorder> {
    let r = Arc::new(Recorder::default());
    terminal.set_progress_listener(Some(r.clone()));
    r
}

impl Recorder {
    pub fn qr_events(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|p| match p {
                Progress::Qr(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

pub fn gateway_order(host: &RunningHost, out_trade_no: &str) -> Option<OrderSnapshot> {
    host.qr().order(defaults::TERMINAL_ID, out_trade_no)
}

/// Terminal and gateway agree on every QR order: every terminal order is final; paid and
/// returned amounts are equal; a paid terminal state is a paid gateway state and the other
/// way round; the gateway has no order the terminal does not know.
pub fn reconcile(terminal: &Terminal, host: &RunningHost) {
    let ours = terminal.qr_orders().unwrap();
    let theirs = host.qr().orders(defaults::TERMINAL_ID);
    for o in &ours {
        assert!(o.state.is_final(), "terminal order not final: {o:?}");
        let g = theirs.iter().find(|g| g.out_trade_no == o.out_trade_no);
        match (o.state, g) {
            (QrState::NotSent, None) => {}
            (QrState::NotSent, Some(g)) => panic!("not sent, but the gateway has it: {g:?}"),
            // Refused before an order existed (e.g. invalid code, system error without order).
            (QrState::Failed, None) => {}
            (_, None) => panic!("the gateway does not know {o:?}"),
            (state, Some(g)) => {
                assert_eq!(o.paid_amount, g.paid_fen, "paid amount of {o:?} vs {g:?}");
                assert_eq!(
                    o.returned_amount, g.refunded_fen,
                    "returned amount of {o:?} vs {g:?}"
                );
                let gateway_paid_and_kept = g.state.is_paid() && g.net_fen() > 0;
                match state {
                    QrState::Paid => assert!(g.state.is_paid(), "{o:?} vs {g:?}"),
                    QrState::Failed | QrState::Closed => {
                        assert!(!g.state.is_paid() && g.paid_fen == 0, "{o:?} vs {g:?}");
                        assert!(g.state.is_final(), "{g:?}");
                    }
                    QrState::Reversed => {
                        assert!(!gateway_paid_and_kept, "{o:?} vs {g:?}");
                        assert!(
                            matches!(g.state, TradeState::Revoked | TradeState::Closed),
                            "{g:?}"
                        );
                    }
                    other => panic!("unexpected terminal state {other:?}"),
                }
            }
        }
    }
    for g in &theirs {
        assert!(
            ours.iter().any(|o| o.out_trade_no == g.out_trade_no),
            "the gateway has an order the terminal does not know: {g:?}"
        );
        if g.kind != OrderKind::Reserved {
            assert!(g.state.is_final() || g.paid_fen == 0, "{g:?}");
        }
    }
}
