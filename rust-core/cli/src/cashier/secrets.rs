//! Passwords for the operator and supervisor commands: never on the command line (it would sit
//! in the shell history and in `ps`). Each comes from its environment variable, else from the
//! terminal without echo, else (standard input not a terminal) from the next line of standard
//! input, in the order the command's help names them.

use crate::error::CliError;
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

/// The signed-in operator's own password (operator sign-in, password change).
pub const PASSWORD_VAR: &str = "UNIPOS_PASSWORD";
/// The supervisor's password (void, refund, pre-auth void, completion void, settlement, retry of
/// parked reversals, QR refund and void, operator management).
pub const SUPERVISOR_VAR: &str = "UNIPOS_SUPERVISOR_PASSWORD";
/// A new password (password change, adding an operator, resetting a password).
pub const NEW_PASSWORD_VAR: &str = "UNIPOS_NEW_PASSWORD";

/// The help text every command that needs a password shows.
pub const HELP: &str = "Passwords are never given on the command line: each is read from its \
environment variable (UNIPOS_PASSWORD: the operator's own; UNIPOS_SUPERVISOR_PASSWORD: the \
supervisor's; UNIPOS_NEW_PASSWORD: a new one), else typed at the terminal without echo, else \
read one per line from standard input in that order.";

/// One secret: `var`, else the terminal (no echo), else a line of standard input.
pub fn read(var: &str, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if let Some(v) = std::env::var_os(var) {
        return v
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| CliError::bad(format!("{var}: not valid text")));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(format!("{prompt}: "))
            .map(Zeroizing::new)
            .map_err(CliError::from);
    }
    let mut line = Zeroizing::new(String::new());
    let n = stdin.lock().read_line(&mut line)?;
    if n == 0 {
        return Err(CliError::bad(format!(
            "{prompt}: set {var} or type it (standard input is empty)"
        )));
    }
    let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    Ok(trimmed)
}

/// The supervisor's password.
pub fn supervisor() -> Result<Zeroizing<String>, CliError> {
    read(SUPERVISOR_VAR, "supervisor password (主管密码)")
}
