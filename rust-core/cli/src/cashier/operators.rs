//! `operator ...`: sign-in and sign-out, one's own password, and the supervisor's management of
//! operators. Numbers and new passwords are checked before anything is opened; passwords come
//! from [`secrets`], never the command line. None of these talks to the host.

use super::commands::OperatorCommand;
use super::secrets::{self, NEW_PASSWORD_VAR, PASSWORD_VAR};
use super::stored::load_and_open;
use crate::error::CliError;
use std::path::Path;
use unipos_terminal::validate;
use unipos_terminal::{GuardedAction, OperatorInfo, OperatorRole, SUPERVISOR};
use zeroize::Zeroizing;

fn role_of(number: &str) -> OperatorRole {
    if number == SUPERVISOR {
        OperatorRole::Supervisor
    } else {
        OperatorRole::Operator
    }
}

fn line(o: &OperatorInfo) -> String {
    let mut s = format!(
        "{} {}",
        o.number,
        match o.role {
            OperatorRole::Supervisor => "supervisor (主管)",
            OperatorRole::Operator => "operator (操作员)",
        }
    );
    if o.signed_in {
        s.push_str(" | signed in");
    }
    if o.must_change_password {
        s.push_str(" | must change the password");
    }
    if o.locked_until.is_some() {
        s.push_str(" | LOCKED after wrong passwords");
    }
    s
}

/// A new password read and checked against the rules of `number`'s role.
fn new_password(field: &str, number: &str) -> Result<Zeroizing<String>, CliError> {
    let pw = secrets::read(NEW_PASSWORD_VAR, "new password (新密码)")?;
    validate::password(field, role_of(number), &pw)?;
    Ok(pw)
}

/// Runs one `operator` command on `db`.
pub(crate) fn run(db: &Path, cmd: &OperatorCommand) -> Result<String, CliError> {
    // Inputs first: the number, then the passwords (new ones checked), then the terminal.
    let number = match cmd {
        OperatorCommand::SignIn { number }
        | OperatorCommand::Passwd { number }
        | OperatorCommand::Add { number }
        | OperatorCommand::Delete { number }
        | OperatorCommand::Reset { number } => {
            validate::operator_number("NUMBER", number)?;
            Some(number.as_str())
        }
        OperatorCommand::SignOut | OperatorCommand::List => None,
    };
    let number = number.unwrap_or_default();
    match cmd {
        OperatorCommand::SignIn { .. } => {
            let pw = secrets::read(PASSWORD_VAR, "operator password (操作员密码)")?;
            let (_, t) = load_and_open(db)?;
            let o = t.terminal.desk().sign_in(number, &pw)?;
            Ok(format!("operator {} signed in", o.number))
        }
        OperatorCommand::SignOut => {
            let (_, t) = load_and_open(db)?;
            t.terminal.desk().sign_out_operator()?;
            Ok("operator signed out".into())
        }
        OperatorCommand::List => {
            let (_, t) = load_and_open(db)?;
            let desk = t.terminal.desk();
            let all = desk.operators()?;
            Ok(all.iter().map(line).collect::<Vec<_>>().join("\n"))
        }
        OperatorCommand::Passwd { .. } => {
            let current = secrets::read(PASSWORD_VAR, "current password (原密码)")?;
            let new = new_password("UNIPOS_NEW_PASSWORD", number)?;
            let (_, t) = load_and_open(db)?;
            t.terminal.desk().change_password(number, &current, &new)?;
            Ok(format!("password of {number} changed"))
        }
        OperatorCommand::Add { .. } | OperatorCommand::Reset { .. } => {
            let supervisor = secrets::supervisor()?;
            let new = new_password("UNIPOS_NEW_PASSWORD", number)?;
            let (_, t) = load_and_open(db)?;
            let desk = t.terminal.desk();
            let grant =
                desk.authorize_supervisor(&supervisor, GuardedAction::OperatorManagement)?;
            if matches!(cmd, OperatorCommand::Add { .. }) {
                desk.add_operator(&grant.token, number, &new)?;
                Ok(format!("operator {number} added"))
            } else {
                desk.reset_password(&grant.token, number, &new)?;
                Ok(format!("password of {number} reset"))
            }
        }
        OperatorCommand::Delete { .. } => {
            let supervisor = secrets::supervisor()?;
            let (_, t) = load_and_open(db)?;
            let desk = t.terminal.desk();
            let grant =
                desk.authorize_supervisor(&supervisor, GuardedAction::OperatorManagement)?;
            desk.delete_operator(&grant.token, number)?;
            Ok(format!("operator {number} deleted"))
        }
    }
}
