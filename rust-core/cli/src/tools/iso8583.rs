//! `unipos iso8583 decode|encode`: messages to JSON and back.
//!
//! Field values in JSON: numeric and track fields as their digits (no pad nibbles, track
//! separator `D`), text fields as text, binary fields as upper-case hex.

use super::{arg_or_stdin, parse_hex};
use crate::error::CliError;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value};
use unipos_iso8583::spec::ContentType;
use unipos_iso8583::{cup, FrameLayout, Message, MessageSpec, Mti, Tpdu};

#[derive(Subcommand)]
pub enum Iso8583Command {
    /// Decode a message given as hex and print it as JSON.
    Decode(DecodeArgs),
    /// Encode the JSON printed by `decode` back into hex.
    Encode(EncodeArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Profile {
    /// China UnionPay POS terminal profile.
    Cup,
}

impl Profile {
    fn spec(self) -> &'static MessageSpec {
        match self {
            Profile::Cup => cup::profile(),
        }
    }
}

#[derive(Args)]
pub struct DecodeArgs {
    /// Message profile.
    #[arg(long, value_enum, default_value = "cup")]
    profile: Profile,
    /// The input is a whole frame: 2-byte length, TPDU, header, then the message.
    #[arg(long)]
    frame: bool,
    /// The message as hex (`-` reads standard input).
    hex: String,
}

#[derive(Args)]
pub struct EncodeArgs {
    /// Message profile.
    #[arg(long, value_enum, default_value = "cup")]
    profile: Profile,
    /// Produce a whole frame; the JSON must then carry "tpdu" and "header".
    #[arg(long)]
    frame: bool,
    /// The JSON printed by `decode` (`-` reads standard input).
    json: String,
}

pub fn run(cmd: Iso8583Command) -> Result<String, CliError> {
    match cmd {
        Iso8583Command::Decode(args) => decode(&args),
        Iso8583Command::Encode(args) => encode(&args),
    }
}

fn decode(args: &DecodeArgs) -> Result<String, CliError> {
    let bytes = parse_hex("the message", &arg_or_stdin(&args.hex)?)?;
    let spec = args.profile.spec();
    let mut out = Map::new();
    let msg = if args.frame {
        let layout = FrameLayout::UNIONPAY;
        let parts = layout.split(&bytes)?;
        let msg = spec.unpack(parts.message).map_err(|mut e| {
            e.offset += layout.message_offset();
            e
        })?;
        out.insert("mti".into(), Value::String(msg.mti().to_string()));
        if let Some(tpdu) = parts.tpdu {
            out.insert("tpdu".into(), Value::String(tpdu.to_string()));
        }
        out.insert(
            "header".into(),
            Value::String(hex::encode_upper(parts.header)),
        );
        msg
    } else {
        let msg = spec.unpack(&bytes)?;
        out.insert("mti".into(), Value::String(msg.mti().to_string()));
        msg
    };
    out.insert("fields".into(), Value::Object(fields_to_json(spec, &msg)?));
    Ok(Value::Object(out).to_string())
}

fn fields_to_json(spec: &MessageSpec, msg: &Message) -> Result<Map<String, Value>, CliError> {
    let mut fields = Map::new();
    for (number, value) in msg.fields() {
        let binary = spec
            .field(number)
            .is_none_or(|f| f.content == ContentType::Binary);
        let text = if binary {
            hex::encode_upper(value)
        } else {
            String::from_utf8(value.to_vec()).map_err(|_| {
                CliError::bad(format!(
                    "field {number} holds non-ASCII text that JSON output cannot carry"
                ))
            })?
        };
        fields.insert(number.to_string(), Value::String(text));
    }
    Ok(fields)
}

fn encode(args: &EncodeArgs) -> Result<String, CliError> {
    let text = arg_or_stdin(&args.json)?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::bad(format!("the input is not valid JSON: {e}")))?;
    let obj = json
        .as_object()
        .ok_or_else(|| CliError::bad("the input must be a JSON object"))?;
    let spec = args.profile.spec();
    let mti_text = string_member(obj, "mti")?;
    let mti = Mti::new(mti_text)
        .ok_or_else(|| CliError::bad(format!("\"mti\" must be 4 digits, got \"{mti_text}\"")))?;
    let mut msg = Message::new(mti);
    let fields = obj
        .get("fields")
        .and_then(Value::as_object)
        .ok_or_else(|| CliError::bad("\"fields\" must be an object of field number to value"))?;
    for (key, value) in fields {
        let number: u8 = key
            .parse()
            .map_err(|_| CliError::bad(format!("field key \"{key}\" is not a field number")))?;
        let value = value
            .as_str()
            .ok_or_else(|| CliError::bad(format!("field {key} must be a string")))?;
        let field_spec = spec.field(number).ok_or_else(|| {
            CliError::bad(format!(
                "field {number} is not defined by profile '{}'",
                spec.name
            ))
        })?;
        let bytes = if field_spec.content == ContentType::Binary {
            parse_hex(&format!("field {number}"), value)?
        } else {
            value.as_bytes().to_vec()
        };
        msg.set(number, bytes)
            .map_err(|e| CliError::bad(e.to_string()))?;
    }
    let packed = spec.pack(&msg)?;
    let out = if args.frame {
        let tpdu_text = string_member(obj, "tpdu")?;
        let tpdu = Tpdu::from_hex(tpdu_text)
            .ok_or_else(|| CliError::bad("\"tpdu\" must be 10 hex digits"))?;
        let header = parse_hex("\"header\"", string_member(obj, "header")?)?;
        FrameLayout::UNIONPAY.assemble(Some(tpdu), &header, &packed)?
    } else {
        packed
    };
    Ok(hex::encode_upper(out))
}

fn string_member<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, CliError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| CliError::bad(format!("the JSON needs a string member \"{key}\"")))
}
