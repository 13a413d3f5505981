//! The cashier commands as typed: clap's definitions, and the simulated card of a command.

use crate::error::CliError;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use unipos_hostsim::defaults;
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::validate;

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
    pub(crate) card: String,
    /// How the card is read.
    #[arg(long, value_enum, default_value = "swipe")]
    pub(crate) entry: Entry,
    /// The PIN the customer types (empty: no PIN).
    #[arg(long, default_value = defaults::PIN)]
    pub(crate) pin: String,
    /// Expiry YYMM.
    #[arg(long, default_value = unipos_hostsim::test_cards::EXPIRY)]
    pub(crate) expiry: String,
}

impl CardArgs {
    /// The simulated card, its number, expiry and PIN checked first (the engine checks what a
    /// reader hands over again before sending).
    pub(crate) fn card(&self) -> Result<SimCard, CliError> {
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
    pub(crate) posp: Option<String>,
    /// Host HTTPS address (POSP over HTTPS and the QR gateway).
    #[arg(long)]
    pub(crate) https: Option<String>,
    /// The host's CA certificate to pin (PEM file written by `unipos host run`).
    #[arg(long)]
    pub(crate) ca: Option<PathBuf>,
    /// Terminal id.
    #[arg(long, default_value = defaults::TERMINAL_ID)]
    pub(crate) terminal_id: String,
    /// Merchant id.
    #[arg(long, default_value = defaults::MERCHANT_ID)]
    pub(crate) merchant_id: String,
    /// Terminal master key to inject into the software security module (test hosts only; a
    /// real terminal's TMK is in its PIN pad). Kept encrypted in `<db>.secmod`, never in the
    /// configuration file. Default: the host simulator's test TMK.
    #[arg(long, default_value = defaults::TMK_HEX)]
    pub(crate) tmk: String,
    /// The terminal's QR gateway key as the acquirer provisions it: `CIPHERTEXT:CHECKVALUE`
    /// in hex (the key encrypted under the TMK, and its 4-byte check value). Installed into
    /// the security module once; QR needs no sign-in. Default: the host simulator's test QR
    /// key under the TMK above.
    #[arg(long, value_name = "CIPHER:KCV")]
    pub(crate) qr_key: Option<String>,
    /// Acquirer profile (JSON; docs/protocol-profile.md), kept for later commands.
    #[arg(long)]
    pub(crate) profile: Option<PathBuf>,
}
