//! Cashier commands on a persistent terminal database against a running host
//! (`unipos host run`): `unipos --db PATH startup | sale | qr | void | refund | preauth ... |
//! query | last | settle | journal`. Amounts are typed in yuan (`12.34`) and carried as fen.

use crate::desktop::{self, parse_yuan, DesktopTerminal};
use crate::error::CliError;
use clap::{Args, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unipos_clock::SystemClock;
use unipos_hostsim::defaults;
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::model::Outcome;
use unipos_terminal::receipt::yuan;
use unipos_terminal::validate::{self, Validate};
use unipos_terminal::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EngineError, FlushReport,
    HostAddress, JournalReader, PreAuthRequest, PreAuthVoidRequest, RefundRequest, SaleRequest,
    Terminal, TerminalConfig, VoidRequest,
};

/// Where the terminal's host is, stored beside the database by `startup`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredConfig {
    terminal_id: String,
    merchant_id: String,
    merchant_name: String,
    /// `tcp` address of the POSP.
    posp: Option<String>,
    /// HTTPS address of the host (POSP `/posp` and the QR gateway).
    https: Option<String>,
    /// Pinned CA certificate file for HTTPS.
    ca: Option<PathBuf>,
    /// Read only, from files written before the TMK moved into the security module's
    /// encrypted key file: injected there once, then the file is rewritten without it.
    #[serde(rename = "tmk_hex", default, skip_serializing)]
    legacy_tmk_hex: Option<String>,
    /// The acquirer profile given at startup (`None`: UnionPay defaults).
    #[serde(default)]
    profile: Option<unipos_terminal::AcquirerProfile>,
}

/// How a simulated card is presented.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Entry {
    /// Magnetic stripe.
    Swipe,
    /// Contact chip.
    Insert,
    /// Contactless.
    Tap,
}

/// The simulated card.
#[derive(Debug, Args)]
pub struct CardArgs {
    /// Card number (a test card of the host simulator).
    #[arg(long, default_value = unipos_hostsim::test_cards::CREDIT_MAGSTRIPE)]
    card: String,
    /// How the card is read.
    #[arg(long, value_enum, default_value = "swipe")]
    entry: Entry,
    /// The PIN the customer types (empty: no PIN).
    #[arg(long, default_value = defaults::PIN)]
    pin: String,
    /// Expiry YYMM.
    #[arg(long, default_value = unipos_hostsim::test_cards::EXPIRY)]
    expiry: String,
}

impl CardArgs {
    /// The simulated card, its number, expiry and PIN checked first (the engine checks what a
    /// reader hands over again before sending).
    fn card(&self) -> Result<SimCard, CliError> {
        validate::card_number(&self.card)?;
        validate::expiry(&self.expiry)?;
        let pin_ok =
            (4..=12).contains(&self.pin.len()) && self.pin.bytes().all(|b| b.is_ascii_digit());
        if !self.pin.is_empty() && !pin_ok {
            return Err(CliError::bad(
                "--pin: must be 4 to 12 digits, or empty for no PIN",
            ));
        }
        let pin = (!self.pin.is_empty()).then_some(self.pin.as_str());
        let card = match self.entry {
            Entry::Swipe => SimCard::magstripe(&self.card, &self.expiry, pin),
            Entry::Insert | Entry::Tap => SimCard::chip(&self.card, &self.expiry, pin),
        };
        Ok(match self.entry {
            Entry::Tap => card.contactless(),
            _ => card,
        })
    }
}

/// Cashier commands.
#[derive(Debug, Subcommand)]
pub enum CashierCommand {
    /// Sign in and download parameters, CA keys and AIDs (stores the host address).
    Startup(StartupArgs),
    /// Sale.
    Sale {
        /// Amount in yuan, e.g. 12.34.
        amount: String,
        #[command(flatten)]
        card: CardArgs,
        /// Idempotency key (default: generated).
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Sale void by trace number (current batch).
    Void {
        /// Trace number of the sale.
        trace: u32,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Refund of a sale by reference number and date.
    Refund {
        /// Amount in yuan.
        amount: String,
        /// Reference number of the sale.
        #[arg(long)]
        rrn: String,
        /// Date of the sale, MMDD.
        #[arg(long)]
        date: String,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Pre-authorisation family.
    #[command(subcommand)]
    Preauth(PreauthCommand),
    /// Balance inquiry.
    Balance {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// The outcome of a request id.
    Query {
        /// The request id.
        request_id: String,
    },
    /// The outcome of the last request.
    Last,
    /// Settle the current batch (batch upload if needed), then sign out.
    Settle,
    /// List the journal (newest first).
    Journal {
        /// How many entries.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Reprint the last receipt, or a trace's.
    Reprint {
        /// Trace number (default: the last transaction).
        trace: Option<u32>,
    },
    /// Send pending reversals and advices now.
    Flush {
        /// First put the reversals parked for manual handling back in the queue.
        #[arg(long)]
        retry_parked: bool,
    },
}

/// The pre-authorisation commands.
#[derive(Debug, Subcommand)]
pub enum PreauthCommand {
    /// Pre-authorise an amount (needs the PIN).
    Auth {
        /// Amount in yuan.
        amount: String,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Void a pre-authorisation.
    Void {
        /// Authorisation code.
        #[arg(long)]
        auth: String,
        /// Date MMDD.
        #[arg(long)]
        date: String,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Complete a pre-authorisation (up to 115%).
    Complete {
        /// Amount in yuan.
        amount: String,
        /// Authorisation code.
        #[arg(long)]
        auth: String,
        /// Date MMDD.
        #[arg(long)]
        date: String,
        /// Send as an advice (store-and-forward).
        #[arg(long)]
        advice: bool,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Void a completion by trace number.
    CompleteVoid {
        /// Trace number of the completion.
        trace: u32,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
}

/// Where the host is.
#[derive(Debug, Args)]
pub struct StartupArgs {
    /// POSP address over TCP (as printed by `unipos host run`).
    #[arg(long)]
    posp: Option<String>,
    /// Host HTTPS address (POSP over HTTPS and the QR gateway).
    #[arg(long)]
    https: Option<String>,
    /// The host's CA certificate to pin (PEM file written by `unipos host run`).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Terminal id.
    #[arg(long, default_value = defaults::TERMINAL_ID)]
    terminal_id: String,
    /// Merchant id.
    #[arg(long, default_value = defaults::MERCHANT_ID)]
    merchant_id: String,
    /// Terminal master key to inject into the software security module (test hosts only; a
    /// real terminal's TMK is in its PIN pad). Kept encrypted in `<db>.secmod`, never in the
    /// configuration file. Default: the host simulator's test TMK.
    #[arg(long, default_value = defaults::TMK_HEX)]
    tmk: String,
    /// Acquirer profile (JSON; docs/protocol-profile.md), kept for later commands.
    #[arg(long)]
    profile: Option<PathBuf>,
}

fn sidecar(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.json", db.display()))
}

fn config_of(stored: &StoredConfig) -> Result<TerminalConfig, CliError> {
    let parse = |a: &str| {
        a.parse::<std::net::SocketAddr>()
            .map_err(|_| CliError::bad(format!("'{a}' is not a host:port address")))
    };
    let https = match (&stored.https, &stored.ca) {
        (Some(addr), Some(ca)) => {
            let ca_pem = std::fs::read_to_string(ca).map_err(|e| {
                CliError::bad(format!("cannot read the CA file {}: {e}", ca.display()))
            })?;
            Some(HostAddress::Https {
                addresses: vec![parse(addr)?.to_string()],
                server_name: "127.0.0.1".into(),
                ca_pem,
            })
        }
        (Some(_), None) => return Err(CliError::bad("--https needs --ca (the host's CA to pin)")),
        _ => None,
    };
    let posp = match (&stored.posp, &https) {
        (Some(addr), _) => HostAddress::tcp(parse(addr)?),
        (None, Some(h)) => h.clone(),
        (None, None) => {
            return Err(CliError::bad(
                "give the host with --posp ADDR or --https ADDR --ca FILE",
            ))
        }
    };
    let mut config = TerminalConfig::new(&stored.terminal_id, &stored.merchant_id, posp);
    config.merchant_name = stored.merchant_name.clone();
    config.qr_gateway = https;
    if let Some(p) = &stored.profile {
        config.profile = p.clone();
    }
    Ok(config)
}

fn open(db: &Path, stored: &StoredConfig, tmk: Option<&str>) -> Result<DesktopTerminal, CliError> {
    desktop::open(config_of(stored)?, db, tmk, Arc::new(SystemClock))
}

fn save(db: &Path, stored: &StoredConfig) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(stored).map_err(|e| CliError::bad(e.to_string()))?;
    std::fs::write(sidecar(db), json)?;
    Ok(())
}

/// The stored configuration; one written by an earlier version with the TMK in it has the
/// TMK moved into the security module's encrypted key file and is rewritten without it.
fn load_and_open(db: &Path) -> Result<(StoredConfig, DesktopTerminal), CliError> {
    let mut stored = load(db)?;
    let legacy = stored.legacy_tmk_hex.take();
    let t = open(db, &stored, legacy.as_deref())?;
    if legacy.is_some() {
        save(db, &stored)?;
    }
    Ok((stored, t))
}

fn load(db: &Path) -> Result<StoredConfig, CliError> {
    let path = sidecar(db);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        CliError::bad(format!(
            "no terminal at {}: run `unipos --db {} startup --posp ADDR` first",
            db.display(),
            db.display()
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::bad(format!("{} is damaged: {e}", path.display())))
}

fn request_id(given: &Option<String>) -> String {
    given.clone().unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        format!("cli-{now}")
    })
}

/// One line describing an outcome.
pub fn describe(o: &Outcome) -> String {
    let mut s = format!(
        "{:<18} {:<16} {:?} {} | amount {} approved {} | trace {:06} batch {:06}",
        o.request_id,
        o.kind.as_str(),
        o.status,
        o.response_code.as_deref().unwrap_or("--"),
        yuan(o.amount),
        yuan(o.approved_amount),
        o.trace,
        o.batch
    );
    if let Some(rrn) = &o.rrn {
        s.push_str(&format!(" | ref {rrn}"));
    }
    if let Some(a) = &o.auth_code {
        s.push_str(&format!(" auth {a}"));
    }
    if let Some(p) = &o.masked_pan {
        s.push_str(&format!(" | card {p}"));
    }
    if o.remaining_amount > 0 {
        s.push_str(&format!(" | STILL TO COLLECT {}", yuan(o.remaining_amount)));
    }
    if let Some(b) = o.balance {
        s.push_str(&format!(
            " | balance {}{}",
            if b < 0 { "-" } else { "" },
            yuan(b.unsigned_abs())
        ));
    }
    s.push_str(&format!("\n  {}", o.message));
    if let Some(n) = &o.notice {
        s.push_str(&format!("\n  NOTE: {n}"));
    }
    s
}

fn with_receipts(t: &DesktopTerminal, mut out: String) -> String {
    for receipt in t.holder.printed() {
        out.push_str("\n\n");
        out.push_str(&receipt.join("\n"));
    }
    out
}

/// `startup`: signs in, downloads, and stores the host address beside the database.
fn startup(db: &Path, a: &StartupArgs) -> Result<String, CliError> {
    let stored = StoredConfig {
        terminal_id: a.terminal_id.clone(),
        merchant_id: a.merchant_id.clone(),
        merchant_name: defaults::MERCHANT_NAME.into(),
        posp: a.posp.clone(),
        https: a.https.clone(),
        ca: a.ca.clone(),
        legacy_tmk_hex: None,
        profile: a
            .profile
            .as_deref()
            .map(desktop::read_profile)
            .transpose()?,
    };
    let t = open(db, &stored, Some(&a.tmk))?;
    let report = t.terminal.startup()?;
    save(db, &stored)?;
    Ok(format!(
        "ready: batch {:06}, {} parameter(s), {} CA key(s), {} AID(s); {}",
        report.batch,
        report.parameters,
        report.ca_keys,
        report.aids,
        flush_line(&report.flushed)
    ))
}

/// A card transaction, built and checked before anything is opened or sent.
enum CardJob {
    Sale(SaleRequest),
    Void(VoidRequest),
    Refund(RefundRequest),
    Balance(BalanceRequest),
    PreAuth(PreAuthRequest),
    PreAuthVoid(PreAuthVoidRequest),
    Completion(CompletionRequest),
    CompletionVoid(CompletionVoidRequest),
}

impl CardJob {
    fn validate(&self) -> Result<(), CliError> {
        Ok(match self {
            CardJob::Sale(r) => r.validate(),
            CardJob::Void(r) => r.validate(),
            CardJob::Refund(r) => r.validate(),
            CardJob::Balance(r) => r.validate(),
            CardJob::PreAuth(r) => r.validate(),
            CardJob::PreAuthVoid(r) => r.validate(),
            CardJob::Completion(r) => r.validate(),
            CardJob::CompletionVoid(r) => r.validate(),
        }?)
    }

    fn run(self, t: &Terminal) -> Result<Outcome, EngineError> {
        match self {
            CardJob::Sale(r) => t.sale(r),
            CardJob::Void(r) => t.void(r),
            CardJob::Refund(r) => t.refund(r),
            CardJob::Balance(r) => t.balance_inquiry(r),
            CardJob::PreAuth(r) => t.preauth(r),
            CardJob::PreAuthVoid(r) => t.preauth_void(r),
            CardJob::Completion(r) => t.completion(r),
            CardJob::CompletionVoid(r) => t.completion_void(r),
        }
    }
}

/// The card job of a command, or `None` for the other commands.
fn card_job(cmd: &CashierCommand) -> Result<Option<(CardJob, SimCard)>, CliError> {
    let id = |given: &Option<String>| request_id(given);
    Ok(Some(match cmd {
        CashierCommand::Sale {
            amount,
            card,
            request_id,
        } => (
            CardJob::Sale(SaleRequest {
                request_id: id(request_id),
                amount: parse_yuan(amount)?,
            }),
            card.card()?,
        ),
        CashierCommand::Void {
            trace,
            card,
            request_id,
        } => (
            CardJob::Void(VoidRequest {
                request_id: id(request_id),
                trace: *trace,
            }),
            card.card()?,
        ),
        CashierCommand::Refund {
            amount,
            rrn,
            date,
            card,
            request_id,
        } => (
            CardJob::Refund(RefundRequest {
                request_id: id(request_id),
                amount: parse_yuan(amount)?,
                rrn: rrn.clone(),
                date: date.clone(),
            }),
            card.card()?,
        ),
        CashierCommand::Balance { card, request_id } => (
            CardJob::Balance(BalanceRequest {
                request_id: id(request_id),
            }),
            card.card()?,
        ),
        CashierCommand::Preauth(p) => match p {
            PreauthCommand::Auth {
                amount,
                card,
                request_id,
            } => (
                CardJob::PreAuth(PreAuthRequest {
                    request_id: id(request_id),
                    amount: parse_yuan(amount)?,
                }),
                card.card()?,
            ),
            PreauthCommand::Void {
                auth,
                date,
                card,
                request_id,
            } => (
                CardJob::PreAuthVoid(PreAuthVoidRequest {
                    request_id: id(request_id),
                    auth_code: auth.clone(),
                    date: date.clone(),
                }),
                card.card()?,
            ),
            PreauthCommand::Complete {
                amount,
                auth,
                date,
                advice,
                card,
                request_id,
            } => (
                CardJob::Completion(CompletionRequest {
                    request_id: id(request_id),
                    amount: parse_yuan(amount)?,
                    auth_code: auth.clone(),
                    date: date.clone(),
                    advice: *advice,
                }),
                card.card()?,
            ),
            PreauthCommand::CompleteVoid {
                trace,
                card,
                request_id,
            } => (
                CardJob::CompletionVoid(CompletionVoidRequest {
                    request_id: id(request_id),
                    trace: *trace,
                }),
                card.card()?,
            ),
        },
        _ => return Ok(None),
    }))
}

/// Query, last and journal: a read-only view that never takes the terminal's lock and never
/// changes anything (an in-flight request reads as in progress).
fn read_only(db: &Path, cmd: &CashierCommand) -> Result<Option<String>, CliError> {
    let open = || {
        if !db.exists() {
            return Err(CliError::bad(format!(
                "no terminal at {}: run `unipos --db {} startup --posp ADDR` first",
                db.display(),
                db.display()
            )));
        }
        Ok(JournalReader::open(db)?)
    };
    Ok(Some(match cmd {
        CashierCommand::Query { request_id } => match open()?.query(request_id)? {
            Some(o) => describe(&o),
            None => {
                return Err(CliError::NotFound(format!(
                    "no request with id {request_id}"
                )))
            }
        },
        CashierCommand::Last => match open()?.query_last()? {
            Some(o) => describe(&o),
            None => "the journal is empty".into(),
        },
        CashierCommand::Journal { limit } => open()?
            .journal_entries(*limit)?
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return Ok(None),
    }))
}

fn flush_line(r: &FlushReport) -> String {
    let mut s = format!(
        "{} reversal(s) sent, {} parked, {} advice(s) sent, {} waiting",
        r.reversals_sent, r.reversals_parked, r.advices_sent, r.advices_waiting
    );
    if let Some(n) = r.parked_notice() {
        s.push_str(&format!("\n  NOTE: {n}"));
    }
    s
}

/// Runs one cashier command on the database `db`. Every input is checked before the terminal
/// is opened or the host contacted.
pub fn run(db: &Path, cmd: CashierCommand) -> Result<String, CliError> {
    if let CashierCommand::Startup(a) = &cmd {
        return startup(db, a);
    }
    if let Some(out) = read_only(db, &cmd)? {
        return Ok(out);
    }
    let job = card_job(&cmd)?;
    if let Some((job, _)) = &job {
        job.validate()?;
    }
    let (_, t) = load_and_open(db)?;
    let resumed = t.terminal.resume()?;
    let term = &t.terminal;
    if let Some((job, card)) = job {
        t.holder.present(card);
        let outcome = job.run(term)?;
        return Ok(with_receipts(&t, describe(&outcome)));
    }
    match cmd {
        CashierCommand::Settle => {
            let report = term.settle()?;
            term.print_settlement(report.batch)?;
            let result = if report.balanced {
                "balanced".to_owned()
            } else {
                format!(
                    "not balanced, {} record(s) uploaded",
                    report.records_uploaded
                )
            };
            Ok(with_receipts(
                &t,
                format!("batch {:06} settled: {result}", report.batch),
            ))
        }
        CashierCommand::Reprint { trace } => {
            if let Some(trace) = trace {
                validate::trace(trace)?;
            }
            term.reprint(trace)?;
            Ok(with_receipts(&t, "reprinted".into()))
        }
        CashierCommand::Flush { retry_parked } => {
            // What the resume before this command already sent counts too.
            let mut done = resumed.flushed;
            if retry_parked {
                let requeued = term.retry_parked_reversals()?;
                log::info!("{requeued} parked reversal(s) put back in the queue");
            }
            done.add(&term.flush_pending()?);
            Ok(flush_line(&done))
        }
        _ => Err(CliError::bad("this command needs no terminal")),
    }
}
