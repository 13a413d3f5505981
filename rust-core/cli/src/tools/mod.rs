//! Protocol tools: stateless commands over the codec and the cryptography crate.

pub mod crypto;
pub mod iso8583;

use crate::error::CliError;
use std::io::Read;

/// Reads an argument that may be `-` for standard input; whitespace is dropped.
pub fn arg_or_stdin(arg: &str) -> Result<String, CliError> {
    let raw = if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        arg.to_owned()
    };
    Ok(raw)
}

/// Decodes hex (any case, whitespace ignored), naming `what` in the error.
pub fn parse_hex(what: &str, text: &str) -> Result<Vec<u8>, CliError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(CliError::bad(format!("{what} is empty")));
    }
    hex::decode(&compact).map_err(|e| match e {
        hex::FromHexError::OddLength => CliError::bad(format!(
            "{what} has an odd number of hex digits ({})",
            compact.len()
        )),
        hex::FromHexError::InvalidHexCharacter { c, index } => CliError::bad(format!(
            "{what} has a non-hex character '{c}' at position {index}"
        )),
        other => CliError::bad(format!("{what} is not valid hex: {other}")),
    })
}
