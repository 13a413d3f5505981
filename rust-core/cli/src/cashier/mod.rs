//! Cashier commands on a persistent terminal database against a running host
//! (`unipos host run`): `unipos --db PATH startup | sale | void | refund | preauth ... |
//! balance | query | last | settle | journal | reprint | flush`. Amounts are typed in yuan
//! (`12.34`) and carried as fen.
//!
//! * [`commands`]: the commands as typed (clap).
//! * [`stored`]: the configuration beside the database.
//! * [`card_job`]: card commands as checked engine requests.
//! * [`output`]: what the commands print.

pub mod commands;

mod card_job;
mod output;
mod stored;

use crate::desktop;
use crate::error::CliError;
use card_job::card_job;
use commands::{CashierCommand, StartupArgs};
use output::{flush_line, with_receipts};
use std::path::Path;
use stored::{load_and_open, open_with_qr_key, save, StoredConfig};
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_hostsim::defaults;
use unipos_terminal::validate;
use unipos_terminal::JournalReader;

pub use output::describe;

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
        _ => return Ok(None),
    }))
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
