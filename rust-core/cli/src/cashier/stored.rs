//! The terminal's configuration kept beside its database (`<db>.json`, written by `startup`):
//! where the host is and the acquirer profile; never a key.

use crate::desktop::{self, DesktopTerminal};
use crate::error::CliError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unipos_clock::SystemClock;
use unipos_crypto::unwrap::WrappedKey;
use unipos_terminal::{HostAddress, TerminalConfig};

/// Where the terminal's host is, stored beside the database by `startup`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredConfig {
    pub(crate) terminal_id: String,
    pub(crate) merchant_id: String,
    pub(crate) merchant_name: String,
    /// `tcp` address of the POSP.
    pub(crate) posp: Option<String>,
    /// HTTPS address of the host (POSP `/posp` and the QR gateway).
    pub(crate) https: Option<String>,
    /// Pinned CA certificate file for HTTPS.
    pub(crate) ca: Option<PathBuf>,
    /// Read only, from files written before the TMK moved into the security module's
    /// encrypted key file: injected there once, then the file is rewritten without it.
    #[serde(rename = "tmk_hex", default, skip_serializing)]
    pub(crate) legacy_tmk_hex: Option<String>,
    /// The acquirer profile given at startup (`None`: UnionPay defaults).
    #[serde(default)]
    pub(crate) profile: Option<unipos_terminal::AcquirerProfile>,
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

pub(crate) fn open(
    db: &Path,
    stored: &StoredConfig,
    tmk: Option<&str>,
) -> Result<DesktopTerminal, CliError> {
    open_with_qr_key(db, stored, tmk, None)
}

/// As [`open`], installing the QR key `qr_key` when the security module lacks it.
pub(crate) fn open_with_qr_key(
    db: &Path,
    stored: &StoredConfig,
    tmk: Option<&str>,
    qr_key: Option<WrappedKey>,
) -> Result<DesktopTerminal, CliError> {
    let mut config = config_of(stored)?;
    config.qr_key = qr_key;
    desktop::open(config, db, tmk, Arc::new(SystemClock))
}

pub(crate) fn save(db: &Path, stored: &StoredConfig) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(stored).map_err(|e| CliError::bad(e.to_string()))?;
    std::fs::write(sidecar(db), json)?;
    Ok(())
}

/// The stored configuration; one written by an earlier version with the TMK in it has the
/// TMK moved into the security module's encrypted key file and is rewritten without it.
pub(crate) fn load_and_open(db: &Path) -> Result<(StoredConfig, DesktopTerminal), CliError> {
    let mut stored = load(db)?;
    let legacy = stored.legacy_tmk_hex.take();
    let t = open(db, &stored, legacy.as_deref())?;
    if legacy.is_some() {
        save(db, &stored)?;
    }
    Ok((stored, t))
}

pub(crate) fn load(db: &Path) -> Result<StoredConfig, CliError> {
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
