//! `unipos-iso8583`: a spec-driven ISO 8583 codec with the China UnionPay POS terminal
//! profile, its framing, typed views of the private fields, and EMV BER-TLV.
//!
//! The crate is pure: no I/O, no clock, no global state.
//!
//! * [`spec`]: a field's wire form as three independent choices (length unit, length prefix,
//!   data encoding with alignment and pad nibble), and whole-message specs.
//! * [`Message`]: an MTI and field values in logical form (digits, text or bytes).
//! * [`MessageSpec::pack`] / [`MessageSpec::unpack`]: the codec. Decoding never panics; errors
//!   name the field and byte offset.
//! * [`frame`]: the 2-byte length, TPDU and header around a message.
//! * [`cup`]: the UnionPay profile and its fields 48, 60, 61, 62, 63 and header.
//! * [`tlv`]: EMV BER-TLV for field 55 and the download payloads.
//!
//! ```
//! use unipos_iso8583::{cup, Message, Mti};
//!
//! let mut sale = Message::new(Mti::new("0200").unwrap());
//! sale.set(2, "6212260200024125573").unwrap();
//! sale.set(3, "000000").unwrap();
//! sale.set_number(4, 737_00, 12).unwrap();
//! sale.set(22, "021").unwrap();
//! let wire = cup::profile().pack(&sale).unwrap();
//! assert_eq!(cup::profile().unpack(&wire).unwrap(), sale);
//! ```

#![warn(missing_docs)]

mod bcd;
mod codec;
pub mod cup;
pub mod error;
pub mod frame;
mod message;
pub mod spec;
pub mod tlv;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Location};
pub use frame::{FrameLayout, FrameParts, Tpdu};
pub use message::{Message, Mti, MAX_FIELD};
pub use spec::{FieldSpec, MessageSpec};
