//! The cashier commands as typed: clap's definitions, and the simulated card of a command.

use super::secrets;
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

/// Cashier commands. Transactions need a signed-in operator (`operator sign-in`); void,
/// refund, pre-auth void, completion void, settlement, `flush --retry-parked`, QR refund and
/// void need the supervisor's password too.
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
    /// Sale void by trace number (current batch). Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
    Void {
        /// Trace number of the sale.
        trace: u32,
        #[command(flatten)]
        card: CardArgs,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Refund of a sale by reference number and date. Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
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
    /// Settle the current batch (batch upload if needed), then sign out. Needs the
    /// supervisor's password.
    #[command(after_help = secrets::HELP)]
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
    #[command(after_help = secrets::HELP)]
    Flush {
        /// First put the reversals parked for manual handling back in the queue (needs the
        /// supervisor's password).
        #[arg(long)]
        retry_parked: bool,
    },
    /// Operators: sign-in, sign-out, own password; the supervisor adds, deletes and resets.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// QR payments: pay by the customer's code, show a dynamic code, refund, void, query.
    #[command(subcommand)]
    Qr(QrCommand),
    /// 签退: sign the terminal out of the host (the next transaction signs in again).
    SignOut,
    /// 回响测试: a communication test with the POSP (round trip in ms).
    Echo,
    /// Key status: whether work keys are installed, and their check values (never a key).
    Keys,
    /// The parameters in force (read only).
    Params,
}

/// Operator commands (the supervisor is operator 00).
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Sign in as operator NUMBER (01-99) with its password (UNIPOS_PASSWORD).
    #[command(after_help = secrets::HELP)]
    SignIn {
        /// Two digits.
        number: String,
    },
    /// Sign the operator out.
    SignOut,
    /// Who is signed in, and every account.
    List,
    /// Change NUMBER's password: the current one (UNIPOS_PASSWORD), then the new one
    /// (UNIPOS_NEW_PASSWORD). The supervisor's factory password 123456 must be changed so.
    #[command(after_help = secrets::HELP)]
    Passwd {
        /// Two digits (00: the supervisor).
        number: String,
    },
    /// Add operator NUMBER: the supervisor's password, then the new operator's password
    /// (UNIPOS_NEW_PASSWORD).
    #[command(after_help = secrets::HELP)]
    Add {
        /// Two digits, 01-99.
        number: String,
    },
    /// Delete operator NUMBER (the supervisor's password).
    #[command(after_help = secrets::HELP)]
    Delete {
        /// Two digits, 01-99.
        number: String,
    },
    /// Set a new password for operator NUMBER: the supervisor's password, then the new one.
    #[command(after_help = secrets::HELP)]
    Reset {
        /// Two digits, 01-99.
        number: String,
    },
}

/// QR commands (the terminal needs the host's HTTPS address: `startup --https ADDR --ca FILE`).
#[derive(Debug, Subcommand)]
pub enum QrCommand {
    /// Pay by the customer's payment code (付款码), as the scanner read it.
    Pay {
        /// Amount in yuan.
        amount: String,
        /// The customer's payment code (digits).
        #[arg(long)]
        code: String,
        /// The business order (default: the request id).
        #[arg(long)]
        order: Option<String>,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Show a dynamic code (收款码) for the customer to scan, then wait until it is paid or
    /// closed.
    Show {
        /// Amount in yuan.
        amount: String,
        /// Write the code as a PNG to this file.
        #[arg(long)]
        png: Option<PathBuf>,
        /// The business order (default: the request id).
        #[arg(long)]
        order: Option<String>,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// 扫码退款: refund part of a paid QR payment. Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
    Refund {
        /// Amount in yuan.
        amount: String,
        /// The paid attempt: its request id, or the order number on its receipt (订单号).
        #[arg(long)]
        original: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Void a QR payment of today (full refund). Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
    Void {
        /// The paid attempt: its request id, or the order number on its receipt (订单号).
        #[arg(long)]
        original: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// 扫码订单查询: the state of a QR attempt or refund, by request id or order number.
    Query {
        /// The request id, or the order number on the receipt (订单号).
        request_id: String,
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
    /// Void a pre-authorisation. Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
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
    /// Void a completion by trace number. Needs the supervisor's password.
    #[command(after_help = secrets::HELP)]
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
