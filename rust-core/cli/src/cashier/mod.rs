//! Cashier commands on a persistent terminal database against a running host
//! (`unipos host run`): `unipos --db PATH startup | operator ... | sale | void | refund |
//! preauth ... | balance | qr pay | qr show | qr refund | qr void | qr query | query | last |
//! settle | journal | reprint | flush | sign-out | echo | keys | params`. Amounts are typed in
//! yuan (`12.34`) and carried as fen.
//!
//! The engine's cashier desk decides: transactions need a signed-in operator (kept in the
//! database between commands); void, refund, pre-auth void, completion void, settlement, QR
//! refund and void and the retry of parked reversals need the supervisor's password, read as
//! [`secrets`] says (never from the command line).
//!
//! * [`commands`]: the commands as typed (clap).
//! * [`stored`]: the configuration beside the database.
//! * [`card_job`], [`qr_job`]: card and QR commands as checked engine requests.
//! * [`operators`]: the operator commands.
//! * [`output`]: what the commands print.

pub mod commands;
pub mod secrets;

mod card_job;
mod operators;
mod output;
mod qr_job;
mod stored;

use crate::desktop::{self, DesktopTerminal};
use crate::error::CliError;
use card_job::card_job;
use card_job::CardJob;
use commands::{CashierCommand, QrCommand, StartupArgs};
use output::{flush_line, with_receipts};
use qr_job::qr_job;
use qr_job::QrJob;
use std::path::Path;
use stored::{load_and_open, open_with_qr_key, save, StoredConfig};
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_hostsim::defaults;
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::validate;
use unipos_terminal::{GuardedAction, JournalReader, StartupReport, Terminal};
use zeroize::Zeroizing;

pub use output::describe;
pub use qr_job::{describe_qr, describe_refund};

/// The QR key of `startup`: as given (`CIPHER:KCV`), or the simulator's test key under the
/// given TMK. Checked here, before anything is opened.
fn qr_key(a: &StartupArgs) -> Result<WrappedKey, CliError> {
    let bad = |why: &str| CliError::bad(format!("--qr-key: {why}"));
    match &a.qr_key {
        Some(text) => {
            let (ct, kcv) = text
                .split_once(':')
                .ok_or_else(|| bad("give CIPHERTEXT:CHECKVALUE in hex"))?;
            let ct = hex::decode(ct).map_err(|_| bad("the ciphertext is not hex"))?;
            let kcv = hex::decode(kcv).map_err(|_| bad("the check value is not hex"))?;
            if ![8, 16, 24].contains(&ct.len()) || kcv.is_empty() || kcv.len() > 8 {
                return Err(bad(
                    "a ciphertext of 16, 32 or 48 hex digits and a check value",
                ));
            }
            Ok(WrappedKey::new(WorkKeyRole::Qr, &ct, &kcv))
        }
        None => {
            let host = unipos_hostsim::config::TerminalConfig {
                tmk: a.tmk.clone(),
                ..unipos_hostsim::config::TerminalConfig::new(&a.terminal_id, &a.merchant_id)
            };
            host.wrapped_qr_key()
                .map_err(|e| CliError::bad(format!("--tmk: {e}")))
        }
    }
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
    let qr_key = qr_key(a)?;
    let t = open_with_qr_key(db, &stored, Some(&a.tmk), Some(qr_key))?;
    let report = t.terminal.startup()?;
    save(db, &stored)?;
    Ok(format!(
        "ready: batch {:06}, {} parameter(s), {} CA key(s){}, {} AID(s); {}",
        report.batch,
        report.parameters,
        report.ca_keys,
        if report.ca_keys_refused > 0 {
            format!(
                " ({} refused: wrong checksum, call the acquirer)",
                report.ca_keys_refused
            )
        } else {
            String::new()
        },
        report.aids,
        flush_line(&report.flushed)
    ))
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
        CashierCommand::Qr(QrCommand::Query { request_id }) => {
            match qr_job::query(&open()?, request_id)? {
                Some(text) => text,
                None => {
                    return Err(CliError::NotFound(format!(
                        "no QR attempt or refund with id {request_id}"
                    )))
                }
            }
        }
        _ => return Ok(None),
    }))
}

/// The supervisor's password, read before anything is opened, when `action` needs it.
fn supervisor_for(action: Option<GuardedAction>) -> Result<Option<Zeroizing<String>>, CliError> {
    action.map(|_| secrets::supervisor()).transpose()
}

/// The grant for `action` (empty when none is needed: the desk then asks for none).
fn grant(
    t: &Terminal,
    action: Option<GuardedAction>,
    password: Option<&Zeroizing<String>>,
) -> Result<String, CliError> {
    match (action, password) {
        (Some(a), Some(pw)) => Ok(t.desk().authorize_supervisor(pw, a)?.token),
        _ => Ok(String::new()),
    }
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
    if let CashierCommand::Operator(op) = &cmd {
        return operators::run(db, op);
    }
    let job = card_job(&cmd)?;
    if let Some((job, _)) = &job {
        job.validate()?;
    }
    let qr = match &cmd {
        CashierCommand::Qr(q) => qr_job(q)?,
        _ => None,
    };
    if let CashierCommand::Reprint { trace: Some(trace) } = &cmd {
        validate::trace(*trace)?;
    }
    let guarded = match (&job, &qr, &cmd) {
        (Some((j, _)), _, _) => j.guarded(),
        (_, Some(q), _) => q.guarded(),
        (_, _, CashierCommand::Settle) => Some(GuardedAction::Settlement),
        (_, _, CashierCommand::Flush { retry_parked: true }) => Some(GuardedAction::ReversalRetry),
        _ => None,
    };
    let supervisor = supervisor_for(guarded)?;
    let (_, t) = load_and_open(db)?;
    let resumed = t.terminal.resume()?;
    opened(&t, resumed, cmd, job, qr, guarded, supervisor)
}

/// The command `cmd` on the opened, resumed terminal `t`.
fn opened(
    t: &DesktopTerminal,
    resumed: StartupReport,
    cmd: CashierCommand,
    job: Option<(CardJob, SimCard)>,
    qr: Option<QrJob>,
    guarded: Option<GuardedAction>,
    supervisor: Option<Zeroizing<String>>,
) -> Result<String, CliError> {
    let term = &t.terminal;
    let desk = term.desk();
    // The resume sent what was pending first, and may have parked a reversal at its retry
    // limit: the cashier is told, under the command's own answer (flush has its own line).
    let parked = match cmd {
        CashierCommand::Flush { .. } => None,
        _ => resumed.flushed.parked_notice(),
    };
    let told = |out: String| match &parked {
        Some(n) => format!("{out}\n  NOTE: {n}"),
        None => out,
    };
    if let Some((job, card)) = job {
        let grant = grant(term, guarded, supervisor.as_ref())?;
        t.holder.present(card);
        let outcome = job.run(term, &grant)?;
        return Ok(with_receipts(t, told(describe(&outcome))));
    }
    if let Some(qr) = qr {
        let grant = grant(term, guarded, supervisor.as_ref())?;
        let out = qr.run(term, &grant)?;
        return Ok(with_receipts(t, told(out)));
    }
    match cmd {
        CashierCommand::Settle => {
            let grant = grant(term, guarded, supervisor.as_ref())?;
            let report = desk.settle(&grant)?;
            desk.print_settlement(report.batch)?;
            let result = if report.balanced {
                "balanced".to_owned()
            } else {
                format!(
                    "not balanced, {} record(s) uploaded",
                    report.records_uploaded
                )
            };
            Ok(with_receipts(
                t,
                told(format!("batch {:06} settled: {result}", report.batch)),
            ))
        }
        CashierCommand::Reprint { trace } => {
            desk.reprint(trace)?;
            Ok(with_receipts(t, told("reprinted".into())))
        }
        CashierCommand::Flush { retry_parked } => {
            // What the resume before this command already sent counts too.
            let mut done = resumed.flushed;
            if retry_parked {
                let grant = grant(term, guarded, supervisor.as_ref())?;
                let requeued = desk.retry_parked_reversals(&grant)?;
                log::info!("{requeued} parked reversal(s) put back in the queue");
            }
            done.add(&term.flush_pending()?);
            let mut line = flush_line(&done);
            // Parked earlier and still waiting: a cashier running flush must not read "0 parked"
            // as "nothing is wrong".
            let waiting = term.parked_reversals()?.len();
            if waiting > 0 {
                line.push_str(&format!(
                    "\n  {waiting} parked reversal(s) wait for manual handling (unipos journal lists them): \
                     call the acquirer, then `unipos flush --retry-parked` with the supervisor's password"
                ));
            }
            Ok(line)
        }
        CashierCommand::SignOut => {
            desk.sign_out_terminal()?;
            Ok(told(
                "signed out of the host; the next transaction signs in again".into(),
            ))
        }
        CashierCommand::Echo => {
            let echo = desk.echo_test()?;
            Ok(told(format!(
                "echo answered {} in {} ms",
                echo.response_code, echo.round_trip_ms
            )))
        }
        CashierCommand::Keys => {
            let k = desk.key_status()?;
            let mut s = format!(
                "work keys {}",
                if k.work_keys_installed {
                    "installed"
                } else {
                    "NOT installed: sign in"
                }
            );
            for c in &k.keys {
                s.push_str(&format!("\n  {} check value {}", c.role, c.check_value));
            }
            Ok(told(s))
        }
        CashierCommand::Params => Ok(told(
            desk.parameters()?
                .iter()
                .map(|p| format!("{:<22} {}", p.name, p.value))
                .collect::<Vec<_>>()
                .join("\n"),
        )),
        _ => Err(CliError::bad("this command needs no terminal")),
    }
}
