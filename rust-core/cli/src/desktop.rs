//! The desktop terminal: the engine with simulated hardware and the software security module.
//!
//! Keys at rest, beside the database (`docs/operations.md`):
//! * `<db>.kek`: the **software stand-in** for the Android Keystore, a labelled key file. It
//!   protects the files below against a copy of the database alone, not against anyone who
//!   can read this file;
//! * `<db>.datakey`: the data key, wrapped under `<db>.kek`;
//! * `<db>.secmod`: the software security module's TMK and work keys (AES-256-GCM);
//! * card numbers in the journal: AES-256-GCM under a key derived from the data key;
//! * `<db>.key`: the earlier clear TDES vault key, only read (if present) so rows sealed
//!   before the upgrade still open.

use crate::error::CliError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use unipos_clock::Clock;
use unipos_crypto::at_rest::{load_or_create_data_key, AtRestError, DataKey, SoftwareKeyWrapper};
use unipos_crypto::persistent_module::PersistentSecurityModule;
use unipos_crypto::DesKey;
use unipos_terminal::hardware::sim::SimCardholder;
use unipos_terminal::vault::{AeadVault, SoftwareVault};
use unipos_terminal::{AcquirerProfile, Dependencies, SecurityHandle, Terminal, TerminalConfig};

/// A terminal and its simulated customer/printer.
pub struct DesktopTerminal {
    pub terminal: Terminal,
    pub holder: SimCardholder,
}

fn beside(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

fn at_rest(e: AtRestError) -> CliError {
    CliError::bad(e.to_string())
}

/// The data key of `db`, wrapped by the software key-encryption key beside it.
fn data_key(db: &Path) -> Result<DataKey, CliError> {
    let wrapper = SoftwareKeyWrapper::open_or_create(&beside(db, ".kek")).map_err(at_rest)?;
    load_or_create_data_key(&beside(db, ".datakey"), &wrapper).map_err(at_rest)
}

/// The vault; with the earlier TDES key file (if any) so older rows still open.
fn vault(db: &Path, data_key: &DataKey) -> Result<AeadVault, CliError> {
    let vault = AeadVault::new(data_key.derive("vault")?);
    let legacy = beside(db, ".key");
    match std::fs::read(&legacy) {
        Ok(raw) => {
            let raw = zeroize::Zeroizing::new(raw);
            Ok(vault.with_legacy(SoftwareVault::new(DesKey::from_bytes(&raw)?)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vault),
        Err(e) => Err(CliError::bad(format!(
            "cannot read {}: {e}",
            legacy.display()
        ))),
    }
}

/// Opens the terminal on `db` with simulated hardware. `tmk_hex` injects a TMK into the
/// software security module (it is then kept, encrypted, in `<db>.secmod`; the same TMK again
/// changes nothing); `None` uses the stored one.
pub fn open(
    config: TerminalConfig,
    db: &Path,
    tmk_hex: Option<&str>,
    clock: Arc<dyn Clock>,
) -> Result<DesktopTerminal, CliError> {
    let data_key = data_key(db)?;
    let mut module =
        PersistentSecurityModule::open(&beside(db, ".secmod"), data_key.derive("secmod")?)
            .map_err(at_rest)?;
    if let Some(hex) = tmk_hex {
        module.inject_master_key(DesKey::from_hex(hex)?)?;
    }
    if !module.has_master_key() {
        return Err(CliError::bad(format!(
            "no terminal master key for {}: run `unipos --db {} startup --posp ADDR [--tmk HEX]` first",
            db.display(),
            db.display()
        )));
    }
    let security: SecurityHandle = Arc::new(Mutex::new(module));
    let holder = SimCardholder::new();
    let deps = Dependencies {
        security: security.clone(),
        hardware: holder.hardware(security),
        vault: Arc::new(vault(db, &data_key)?),
        clock,
        random: Box::new(unipos_crypto::random::OsRandom),
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
        return Err(CliError::bad("amount: must be above zero"));
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
        // Every refusal names the field, as the cashier's other input errors do.
        assert!(parse_yuan("0.00")
            .unwrap_err()
            .to_string()
            .starts_with("amount: "));
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
