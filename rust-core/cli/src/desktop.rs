//! The desktop terminal: the engine with simulated hardware, a software security module and
//! a vault key kept beside the database (on a real terminal: the PIN pad and the keystore).

use crate::error::CliError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use unipos_clock::Clock;
use unipos_crypto::security_module::SoftwareSecurityModule;
use unipos_crypto::DesKey;
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::vault::SoftwareVault;
use unipos_terminal::{AcquirerProfile, Dependencies, SecurityHandle, Terminal, TerminalConfig};

/// A terminal and its simulated customer/printer.
pub struct DesktopTerminal {
    pub terminal: Terminal,
    pub holder: SimCardholder,
}

/// The vault key file of a database: created on first use, readable by the owner only.
fn vault_key(db: &Path) -> Result<DesKey, CliError> {
    let path = PathBuf::from(format!("{}.key", db.display()));
    let raw = match std::fs::read(&path) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (_, raw) = SoftwareVault::generate()?;
            write_private(&path, &raw)?;
            raw.to_vec()
        }
        Err(e) => {
            return Err(CliError::bad(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    Ok(DesKey::from_bytes(&raw)?)
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| CliError::bad(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(data)?;
    f.sync_all()?;
    Ok(())
}

/// Opens the terminal on `db` with simulated hardware.
pub fn open(
    config: TerminalConfig,
    db: &Path,
    tmk_hex: &str,
    clock: Arc<dyn Clock>,
) -> Result<DesktopTerminal, CliError> {
    let tmk = DesKey::from_hex(tmk_hex)?;
    let security: SecurityHandle =
        Arc::new(Mutex::new(SoftwareSecurityModule::with_master_key(tmk)));
    let holder = SimCardholder::new();
    let deps = Dependencies {
        security: security.clone(),
        hardware: holder.hardware(security),
        vault: Arc::new(SoftwareVault::new(vault_key(db)?)),
        clock,
    };
    let terminal = Terminal::open(config, db, deps)?;
    Ok(DesktopTerminal { terminal, holder })
}

/// Reads an acquirer profile file (JSON, `docs/protocol-profile.md`); the error names the file
/// and the bad field.
pub fn read_profile(path: &Path) -> Result<AcquirerProfile, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::bad(format!("--profile {}: {e}", path.display())))?;
    AcquirerProfile::from_json(&text)
        .map_err(|e| CliError::bad(format!("--profile {}: {e}", path.display())))
}

/// Parses an amount typed as yuan with at most two decimals (`12.34`, `5`, `0.5`) into fen.
/// Money never goes through a float.
pub fn parse_yuan(text: &str) -> Result<u64, CliError> {
    let bad = || {
        CliError::bad(format!(
            "amount: '{text}' is not an amount in yuan such as 12.34"
        ))
    };
    let (whole, frac) = match text.split_once('.') {
        Some((_, "")) => return Err(bad()),
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() || whole.len() > 10 || frac.len() > 2 {
        return Err(bad());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    let fen = whole * 100 + frac;
    if fen == 0 {
        return Err(CliError::bad("the amount must be above zero"));
    }
    Ok(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_to_fen() {
        assert_eq!(parse_yuan("12.34").unwrap(), 1234);
        assert_eq!(parse_yuan("12.3").unwrap(), 1230);
        assert_eq!(parse_yuan("7").unwrap(), 700);
        assert_eq!(parse_yuan("0.01").unwrap(), 1);
        for bad in [
            "",
            "1.234",
            "-1",
            "1e3",
            "abc",
            "0",
            "0.00",
            ".5",
            "1.",
            "12345678901",
        ] {
            assert!(parse_yuan(bad).is_err(), "{bad}");
        }
    }
}
