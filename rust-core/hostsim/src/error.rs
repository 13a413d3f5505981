//! Errors of the simulator's set-up (run-time request errors become response codes instead).

use thiserror::Error;

/// Why the simulator could not start or be configured.
#[derive(Debug, Error)]
pub enum HostError {
    /// The configuration is inconsistent (bad key, duplicate terminal, bad address ...).
    #[error("configuration: {0}")]
    Config(String),
    /// The configuration file could not be read or parsed.
    #[error("configuration file {path}: {reason}")]
    ConfigFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A listener could not be bound, or another socket operation failed.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// The TLS certificate authority could not be generated.
    #[error("TLS: {0}")]
    Tls(String),
}
