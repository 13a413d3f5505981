//! `unipos demo`: the main job on a desktop. The host simulator runs in-process on loopback,
//! a fresh terminal database is opened, and a cashier's whole day runs with progress output
//! and printed receipts, ending with a reconciliation of the terminal journal against the
//! host ledger that prints MATCH (or exits non-zero).

use crate::cashier::describe;
use crate::desktop::{self, DesktopTerminal};
use crate::error::CliError;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unipos_clock::{Clock, ManualClock, SystemClock, CHINA_OFFSET_MINUTES};
use unipos_hostsim::faults::{FaultAction, FaultRule};
use unipos_hostsim::test_cards as cards;
use unipos_hostsim::{defaults, HostSim, HostSimConfig, RunningHost};
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::model::Outcome;
use unipos_terminal::receipt::yuan;
use unipos_terminal::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EngineError, HostAddress,
    PreAuthRequest, PreAuthVoidRequest, Progress, ProgressListener, QrDynamicRequest, QrPayRequest,
    QrRefundRequest, RefundRequest, SaleRequest, TerminalConfig, VoidRequest,
};

/// Options of the demo.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the terminal database, receipts and logs in this directory (created if needed).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Do not print receipts (progress and the reconciliation only).
    #[arg(long)]
    quiet_receipts: bool,
    /// Acquirer profile (JSON; docs/protocol-profile.md) for both the terminal and the
    /// built-in host (default: UnionPay).
    #[arg(long)]
    profile: Option<PathBuf>,
}

/// Writes log records to a file (the `--keep` directory), so they can be inspected and
/// scanned for sensitive data.
struct FileLog(Mutex<std::fs::File>);

impl log::Log for FileLog {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record<'_>) {
        if let Ok(mut f) = self.0.lock() {
            let _ = writeln!(f, "{} {} {}", r.level(), r.target(), r.args());
        }
    }
    fn flush(&self) {
        if let Ok(mut f) = self.0.lock() {
            let _ = f.flush();
        }
    }
}

struct Printer {
    quiet_receipts: bool,
    step: usize,
    /// Receipts already shown.
    seen: usize,
    out: Option<std::fs::File>,
}

impl Printer {
    fn line(&mut self, text: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
        if let Some(f) = &mut self.out {
            let _ = writeln!(f, "{text}");
        }
    }

    fn step(&mut self, title: &str) {
        self.step += 1;
        self.line(&format!("\n[{:02}] {title}", self.step));
    }

    fn receipts(&mut self, t: &DesktopTerminal) {
        let printed = t.holder.printed();
        for receipt in printed.iter().skip(self.seen) {
            if !self.quiet_receipts {
                self.line("");
                for l in receipt {
                    self.line(&format!("    | {l}"));
                }
            } else if let Some(f) = &mut self.out {
                for l in receipt {
                    let _ = writeln!(f, "    | {l}");
                }
            }
        }
        self.seen = printed.len();
    }
}

struct StdoutProgress;

impl ProgressListener for StdoutProgress {
    fn progress(&self, event: &Progress) {
        let text = match event {
            Progress::Startup(s) => format!("startup: {s}"),
            Progress::WaitingForCard => "waiting for the card".into(),
            Progress::WaitingForPin => "waiting for the PIN".into(),
            Progress::Sending(t) => format!("sending trace {t:06}"),
            Progress::Reversing(t) => format!("reversing trace {t:06}"),
            Progress::SendingAdvices => "sending advices".into(),
            Progress::Printing => "printing".into(),
            Progress::Settlement(s) => format!("settlement: {s}"),
            Progress::BatchUpload { record, total } => {
                format!("settlement: batch upload {record}/{total}")
            }
            Progress::Qr(s) => format!("QR: {s}"),
        };
        let _ = writeln!(std::io::stdout().lock(), "      .. {text}");
    }
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<String, CliError> {
    // Input first: a bad profile is reported before anything is created.
    let profile = match &args.profile {
        Some(path) => crate::desktop::read_profile(path)?,
        None => unipos_terminal::AcquirerProfile::default(),
    };
    let tmp;
    let dir: PathBuf = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            if d.join("journal.db").exists() {
                return Err(CliError::bad(format!(
                    "{} already holds a demo database; give an empty directory",
                    d.display()
                )));
            }
            d.clone()
        }
        None => {
            tmp = std::env::temp_dir().join(format!("unipos-demo-{}", std::process::id()));
            std::fs::create_dir_all(&tmp)?;
            tmp
        }
    };
    let log_file = std::fs::File::create(dir.join("demo.log"))?;
    // Leaked on purpose: the logger lives as long as the process.
    let _ = log::set_logger(Box::leak(Box::new(FileLog(Mutex::new(log_file)))));
    log::set_max_level(log::LevelFilter::Debug);

    let mut p = Printer {
        quiet_receipts: args.quiet_receipts,
        step: 0,
        seen: 0,
        out: std::fs::File::create(dir.join("receipts.txt")).ok(),
    };
    let result = day(&dir, &mut p, &profile);
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        p.line(&format!(
            "\ndatabase, receipts and logs kept in {}",
            dir.display()
        ));
    }
    result
}

fn today_at_nine() -> ManualClock {
    let now = unipos_clock::LocalTime::from_millis(SystemClock.now_millis(), CHINA_OFFSET_MINUTES);
    ManualClock::at_local(now.year, now.month, now.day, 9, 0, 0, CHINA_OFFSET_MINUTES)
}

fn card_mag(pan: &str) -> SimCard {
    SimCard::magstripe(pan, cards::EXPIRY, Some(defaults::PIN))
}

fn card_chip(pan: &str) -> SimCard {
    SimCard::chip(pan, cards::EXPIRY, Some(defaults::PIN))
}

fn show(p: &mut Printer, r: &Result<Outcome, EngineError>) {
    match r {
        Ok(o) => p.line(&format!("    {}", describe(o).replace('\n', "\n    "))),
        Err(e) => p.line(&format!("    not done: {e}")),
    }
}

fn day(
    dir: &Path,
    p: &mut Printer,
    profile: &unipos_terminal::AcquirerProfile,
) -> Result<String, CliError> {
    let clock = today_at_nine();
    let mut host_config = HostSimConfig::default()
        .with_seed(20_261_121)
        .with_clock(Arc::new(clock.clone()) as Arc<dyn Clock>)
        .with_profile(profile)?;
    // The demo injects a lost answer: its host manages a 2 s answer timeout (parameter DF04),
    // not the usual minute.
    host_config.host.response_timeout_secs = 2;
    let host = HostSim::start(host_config)?;
    p.line(&format!(
        "host simulator: POSP {} (TCP), HTTPS {}",
        host.posp_addr(),
        host.https_addr().map(|a| a.to_string()).unwrap_or_default()
    ));
    let mut config = TerminalConfig::new(
        defaults::TERMINAL_ID,
        defaults::MERCHANT_ID,
        HostAddress::tcp(host.posp_addr()),
    );
    config.merchant_name = defaults::MERCHANT_NAME.into();
    config.profile = profile.clone();
    config.qr_key = host.posp().wrapped_qr_key(defaults::TERMINAL_ID);
    if let Some(addr) = host.https_addr() {
        config.qr_gateway = Some(HostAddress::Https {
            addresses: vec![addr.to_string()],
            server_name: "127.0.0.1".into(),
            ca_pem: host.ca_pem().to_owned(),
        });
    }
    let t = desktop::open(
        config,
        &dir.join("journal.db"),
        Some(defaults::TMK_HEX),
        Arc::new(clock.clone()),
    )?;
    t.terminal
        .set_progress_listener(Some(Arc::new(StdoutProgress)));
    let term = &t.terminal;

    p.step("Startup: sign-in, parameters, CA public keys, AIDs");
    let report = term.startup()?;
    p.line(&format!(
        "    ready: batch {:06}, {} parameter(s), {} CA key(s), {} AID(s)",
        report.batch, report.parameters, report.ca_keys, report.aids
    ));

    let sale = |p: &mut Printer, id: &str, amount: u64, card: SimCard, title: &str| {
        p.step(title);
        t.holder.present(card);
        let r = term.sale(SaleRequest {
            request_id: id.into(),
            amount,
        });
        show(p, &r);
        p.receipts(&t);
        r
    };
    clock.advance(Duration::from_secs(600));
    let s1 = sale(
        p,
        "sale-001",
        12_800,
        card_mag(cards::CREDIT_MAGSTRIPE),
        "Sale 128.00, magstripe",
    )?;
    clock.advance(Duration::from_secs(900));
    let s2 = sale(
        p,
        "sale-002",
        5_680,
        card_chip(cards::DEBIT_IC),
        "Sale 56.80, contact chip",
    )?;
    clock.advance(Duration::from_secs(300));
    let s3 = sale(
        p,
        "sale-003",
        2_350,
        card_chip(cards::CONTACTLESS).contactless(),
        "Sale 23.50, contactless",
    )?;

    p.step("Void of the contactless sale (same batch, full amount)");
    t.holder
        .present(card_chip(cards::CONTACTLESS).contactless());
    let r = term.void(VoidRequest {
        request_id: "void-001".into(),
        trace: s3.trace,
    });
    show(p, &r);
    p.receipts(&t);

    for (i, amount) in [2_000u64, 3_000].iter().enumerate() {
        p.step(&format!(
            "Partial refund {} of the chip sale",
            yuan(*amount)
        ));
        t.holder.present(card_chip(cards::DEBIT_IC));
        let r = term.refund(RefundRequest {
            request_id: format!("refund-{:03}", i + 1),
            amount: *amount,
            rrn: s2.rrn.clone().unwrap_or_default(),
            date: s2.date.clone(),
        });
        show(p, &r);
        p.receipts(&t);
    }
    p.step("Refund beyond what is left: refused before anything is sent");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let r = term.refund(RefundRequest {
        request_id: "refund-003".into(),
        amount: 1_000,
        rrn: s2.rrn.clone().unwrap_or_default(),
        date: s2.date.clone(),
    });
    show(p, &r);

    p.step("Balance inquiry");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let r = term.balance_inquiry(BalanceRequest {
        request_id: "balance-001".into(),
    });
    show(p, &r);

    clock.advance(Duration::from_secs(1800));
    let available = host.card(cards::PARTIAL).map(|c| c.available).unwrap_or(0);
    sale(
        p,
        "sale-004",
        available + 1_500,
        card_mag(cards::PARTIAL),
        "Sale beyond the card's funds: partial approval",
    )?;
    sale(
        p,
        "sale-005",
        50_000_000,
        card_mag(cards::LOW_BALANCE),
        "Sale on a low-balance card: declined",
    )?;
    sale(
        p,
        "sale-006",
        1_200,
        card_mag(cards::FOREIGN_VISA),
        "Sale 12.00, foreign card",
    )?;

    p.step("Pre-authorisation 300.00 (hotel check-in)");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let pa = term.preauth(PreAuthRequest {
        request_id: "preauth-001".into(),
        amount: 30_000,
    })?;
    show(p, &Ok(pa.clone()));
    p.receipts(&t);
    let auth = pa.auth_code.clone().unwrap_or_default();
    p.step("Completion 345.00 (the 115% limit)");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let c1 = term.completion(CompletionRequest {
        request_id: "completion-001".into(),
        amount: 34_500,
        auth_code: auth.clone(),
        date: pa.date.clone(),
        advice: false,
    })?;
    show(p, &Ok(c1.clone()));
    p.receipts(&t);
    p.step("Completion void: the pre-authorisation is restored");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let r = term.completion_void(CompletionVoidRequest {
        request_id: "completion-void-001".into(),
        trace: c1.trace,
    });
    show(p, &r);
    p.receipts(&t);
    p.step("Completion 280.00 again, as an advice (store-and-forward)");
    t.holder.present(card_chip(cards::DEBIT_IC));
    let r = term.completion(CompletionRequest {
        request_id: "completion-002".into(),
        amount: 28_000,
        auth_code: auth,
        date: pa.date.clone(),
        advice: true,
    });
    show(p, &r);
    p.receipts(&t);
    p.step("A second pre-authorisation 100.00, then its void");
    t.holder.present(card_mag(cards::CREDIT_MAGSTRIPE));
    let pa2 = term.preauth(PreAuthRequest {
        request_id: "preauth-002".into(),
        amount: 10_000,
    })?;
    show(p, &Ok(pa2.clone()));
    t.holder.present(card_mag(cards::CREDIT_MAGSTRIPE));
    let r = term.preauth_void(PreAuthVoidRequest {
        request_id: "preauth-void-001".into(),
        auth_code: pa2.auth_code.unwrap_or_default(),
        date: pa2.date,
    });
    show(p, &r);
    p.receipts(&t);

    p.step("Lost answer: the host charges, the answer never arrives");
    let mut lost = FaultRule::posp("0200", FaultAction::NoAnswer);
    lost.count = Some(1);
    host.faults().add(lost);
    t.holder.present(card_mag(cards::CREDIT_MAGSTRIPE));
    let r = term.sale(SaleRequest {
        request_id: "sale-007".into(),
        amount: 6_600,
    });
    show(p, &r);
    clock.advance(Duration::from_secs(120));
    sale(
        p,
        "sale-008",
        1_800,
        card_mag(cards::CREDIT_MAGSTRIPE),
        "Next sale: the reversal of the lost one goes first",
    )?;
    if let Ok(Some(o)) = term.query("sale-007") {
        p.line(&format!("    the lost sale is now: {:?}", o.status));
    }

    let _ = &s1;
    qr_section(p, &t, &host, dir)?;

    p.step("Reprint of the last receipt (the printer jammed)");
    term.reprint(None)?;
    p.receipts(&t);
    host.faults()
        .add(FaultRule::posp("0200", FaultAction::LoseRecord).once());
    sale(
        p,
        "sale-009",
        4_200,
        card_mag(cards::CREDIT_MAGSTRIPE),
        "Sale whose record the host loses (a lost write on the host side)",
    )?;

    clock.set_millis(
        clock
            .now_millis()
            .max(today_at_nine().now_millis() + 12 * 3600 * 1000),
    );
    p.step("Settlement");
    let batch = term.current_batch()?;
    let report = term.settle()?;
    p.line(&format!(
        "    batch {:06}: {}",
        report.batch,
        if report.balanced {
            "balanced".to_owned()
        } else {
            format!(
                "not balanced: batch upload of {} record(s) done",
                report.records_uploaded
            )
        }
    ));
    term.print_settlement(batch)?;
    p.receipts(&t);

    p.step("Reconciliation: terminal journal against the host ledger");
    let differences = crate::reconcile::reconcile(&t.terminal, &host)?;
    host.shutdown();
    if differences.is_empty() {
        p.line("    MATCH");
        Ok("MATCH".into())
    } else {
        for d in &differences {
            p.line(&format!("    DIFFERENCE: {d}"));
        }
        Err(CliError::bad(format!(
            "reconciliation found {} difference(s)",
            differences.len()
        )))
    }
}

/// QR payments of the day: the customer's payment code on all three channels (one still
/// entering the password, one that never completes and is reversed at the deadline), a
/// merchant-presented "three codes in one" dynamic code, and a partial QR refund.
fn qr_section(
    p: &mut Printer,
    t: &DesktopTerminal,
    host: &RunningHost,
    dir: &Path,
) -> Result<(), CliError> {
    let term = &t.terminal;
    // The gateway behaves by the code's last two digits (docs/qr-gateway.md).
    let scans: [(&str, &str, u64, &str); 4] = [
        (
            "qr-001",
            "134919586213926700",
            3_200,
            "WeChat Pay code, paid at once",
        ),
        (
            "qr-002",
            "28763443825664301",
            4_500,
            "Alipay code, the customer is still entering the password",
        ),
        (
            "qr-003",
            "6225735053201615200",
            1_999,
            "UnionPay QR code, paid at once",
        ),
        (
            "qr-004",
            "134919586213926708",
            888,
            "WeChat Pay code, no answer ever: reversed at the deadline",
        ),
    ];
    for (id, code, amount, title) in scans {
        p.step(&format!("QR: {title}"));
        let r = term.qr_pay(QrPayRequest {
            request_id: id.into(),
            order_id: format!("order-{id}"),
            amount,
            code: code.into(),
            subject: Some("unipos demo".into()),
        });
        match r {
            Ok(o) => p.line(&format!(
                "    {id} {:?} {} {} | order {} | {}",
                o.status,
                o.channel.map(|c| c.name_en()).unwrap_or("-"),
                yuan(o.amount),
                o.out_trade_no,
                o.message
            )),
            Err(e) => p.line(&format!("    not done: {e}")),
        }
        p.receipts(t);
    }

    p.step("QR: merchant-presented dynamic code (three codes in one)");
    let code = term.qr_dynamic_create(QrDynamicRequest {
        request_id: "qr-005".into(),
        order_id: "order-qr-005".into(),
        amount: 6_600,
        subject: Some("unipos demo".into()),
    })?;
    let png = dir.join("dynamic-code.png");
    std::fs::write(&png, &code.image.png)?;
    p.line(&format!(
        "    show {} ({}x{} modules, PNG in {})",
        code.code_url,
        code.image.width,
        code.image.width,
        png.display()
    ));
    host.qr()
        .simulate_customer_pays(&code.code_url)
        .map_err(|e| CliError::bad(format!("the simulated customer could not pay: {e}")))?;
    let paid = term.qr_dynamic_wait("qr-005")?;
    p.line(&format!(
        "    qr-005 {:?} {} {} | {}",
        paid.status,
        paid.channel.map(|c| c.name_en()).unwrap_or("-"),
        yuan(paid.paid_amount),
        paid.message
    ));
    p.receipts(t);

    p.step("QR: partial refund 10.00 of the WeChat payment");
    let r = term.qr_refund(QrRefundRequest {
        request_id: "qr-refund-001".into(),
        original_request_id: "qr-001".into(),
        amount: 1_000,
        reason: Some("returned goods".into()),
    })?;
    p.line(&format!(
        "    qr-refund-001 {:?} {}",
        r.status,
        yuan(r.amount)
    ));
    Ok(())
}
