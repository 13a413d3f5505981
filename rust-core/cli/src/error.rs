//! Errors of the command line, in plain words.

use thiserror::Error;

/// Everything a CLI command can fail with.
#[derive(Debug, Error)]
pub enum CliError {
    /// An argument is malformed.
    #[error("{0}")]
    BadInput(String),
    /// What was asked for does not exist (exit status 1, like any failure).
    #[error("{0}")]
    NotFound(String),
    /// The message does not decode.
    #[error(transparent)]
    Decode(#[from] unipos_iso8583::DecodeError),
    /// The message does not encode.
    #[error(transparent)]
    Encode(#[from] unipos_iso8583::EncodeError),
    /// A cryptographic operation failed.
    #[error(transparent)]
    Crypto(#[from] unipos_crypto::CryptoError),
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] unipos_terminal::EngineError),
    /// The host simulator failed to start.
    #[error(transparent)]
    Host(#[from] unipos_hostsim::HostError),
    /// Reading standard input failed.
    #[error("cannot read standard input: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    pub fn bad(msg: impl Into<String>) -> Self {
        CliError::BadInput(msg.into())
    }
}
