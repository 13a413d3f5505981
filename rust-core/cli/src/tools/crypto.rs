//! `unipos crypto mac|pinblock|kcv|unwrap`: the payment cryptography as commands.
//!
//! These print secrets the operator typed in (that is their purpose), so they are tools for a
//! developer's desk and test keys, never for production key material.

use super::parse_hex;
use crate::error::CliError;
use clap::{Args, Subcommand, ValueEnum};
use unipos_crypto::mac::{self, MacAlgorithm, MacPadding};
use unipos_crypto::pin::{encode_pin_block, encrypt_pin_block, PinBlockFormat};
use unipos_crypto::random::OsRandom;
use unipos_crypto::DesKey;

#[derive(Subcommand)]
pub enum CryptoCommand {
    /// Compute a MAC over data.
    Mac(MacArgs),
    /// Build an ISO 9564 PIN block, clear or encrypted under a PIN key.
    Pinblock(PinblockArgs),
    /// Print a key check value (encryption of 8 zero bytes, first N bytes).
    Kcv(KcvArgs),
    /// Decrypt data with TDES-ECB under a key-encryption key (e.g. a work key under the TMK).
    Unwrap(UnwrapArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MacAlg {
    /// UnionPay POS "ECB" MAC; prints the 8 characters field 64 carries.
    #[value(name = "cup-ecb")]
    CupEcb,
    /// ANSI X9.9 (DES CBC-MAC).
    #[value(name = "x9.9")]
    X99,
    /// ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3).
    #[value(name = "x9.19")]
    X919,
}

#[derive(Args)]
pub struct MacArgs {
    /// Algorithm.
    #[arg(long, value_enum)]
    alg: MacAlg,
    /// ISO 9797-1 padding method (1 = zeros, 2 = 0x80 then zeros); cup-ecb always uses 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pad: u8,
    /// MAC key as hex (8 or 16 bytes).
    #[arg(long)]
    key: String,
    /// Data as hex.
    #[arg(long)]
    data: String,
}

#[derive(Args)]
pub struct PinblockArgs {
    /// ISO 9564 format.
    #[arg(long, value_parser = ["0", "3"])]
    format: String,
    /// The PIN (4 to 12 digits).
    #[arg(long)]
    pin: String,
    /// The card number.
    #[arg(long)]
    pan: String,
    /// PIN key as hex: print the block encrypted under it.
    #[arg(long)]
    key: Option<String>,
}

#[derive(Args)]
pub struct KcvArgs {
    /// Key as hex (8, 16 or 24 bytes).
    #[arg(long)]
    key: String,
    /// Bytes of check value to print.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=8))]
    len: u8,
}

#[derive(Args)]
pub struct UnwrapArgs {
    /// Key-encryption key as hex (8, 16 or 24 bytes).
    #[arg(long)]
    kek: String,
    /// Ciphertext as hex (a multiple of 8 bytes).
    #[arg(long)]
    data: String,
}

pub fn run(cmd: CryptoCommand) -> Result<String, CliError> {
    match cmd {
        CryptoCommand::Mac(a) => mac_command(&a),
        CryptoCommand::Pinblock(a) => pinblock(&a),
        CryptoCommand::Kcv(a) => {
            let key = DesKey::from_hex(&a.key)?;
            Ok(hex::encode_upper(key.check_value(usize::from(a.len))))
        }
        CryptoCommand::Unwrap(a) => {
            let kek = DesKey::from_hex(&a.kek)?;
            let data = parse_hex("--data", &a.data)?;
            Ok(hex::encode_upper(kek.decrypt_ecb(&data)?.as_slice()))
        }
    }
}

fn mac_command(a: &MacArgs) -> Result<String, CliError> {
    let key = DesKey::from_hex(&a.key)?;
    let data = parse_hex("--data", &a.data)?;
    let padding = if a.pad == 2 {
        MacPadding::Method2
    } else {
        MacPadding::Method1
    };
    let algorithm = match a.alg {
        MacAlg::CupEcb => MacAlgorithm::CupEcb,
        MacAlg::X99 => MacAlgorithm::X99,
        MacAlg::X919 => MacAlgorithm::X919,
    };
    let value = mac::compute(algorithm, &key, &data, padding)?;
    Ok(match a.alg {
        // Field 64 carries these 8 bytes as ASCII hex characters.
        MacAlg::CupEcb => String::from_utf8_lossy(&value).into_owned(),
        MacAlg::X99 | MacAlg::X919 => hex::encode_upper(value),
    })
}

fn pinblock(a: &PinblockArgs) -> Result<String, CliError> {
    let format = if a.format == "3" {
        PinBlockFormat::Iso3
    } else {
        PinBlockFormat::Iso0
    };
    let clear = encode_pin_block(format, &a.pin, &a.pan, &mut OsRandom)?;
    Ok(match &a.key {
        Some(k) => {
            let key = DesKey::from_hex(k)?;
            hex::encode_upper(encrypt_pin_block(&key, &clear).as_bytes())
        }
        None => hex::encode_upper(clear.expose_secret()),
    })
}
