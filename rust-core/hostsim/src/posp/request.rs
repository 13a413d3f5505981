//! A received POSP frame body: split, decoded, and the card it names.

use unipos_iso8583::cup::CupHeader;
use unipos_iso8583::{cup, FrameLayout, Message, Mti, Tpdu};

/// A decoded request, borrowing the received bytes.
pub(crate) struct Request<'a> {
    pub tpdu: Tpdu,
    pub header: CupHeader,
    /// The message from the MTI on, as received (MAC and duplicate checks use it).
    pub raw: &'a [u8],
    pub msg: Message,
}

/// What a received frame turned out to be.
pub(crate) enum Parsed<'a> {
    Request(Box<Request<'a>>),
    /// The MTI is readable but the rest does not decode: answer `30`.
    FormatError {
        tpdu: Tpdu,
        header: CupHeader,
        mti: Mti,
        reason: String,
    },
    /// Not even an MTI: close the connection.
    Unreadable(String),
}

/// Splits and decodes a frame body.
pub(crate) fn parse(body: &[u8]) -> Parsed<'_> {
    let parts = match FrameLayout::UNIONPAY.split_body(body) {
        Ok(p) => p,
        Err(e) => return Parsed::Unreadable(e.to_string()),
    };
    let (Some(tpdu), Some(header)) = (parts.tpdu, CupHeader::from_bytes(parts.header)) else {
        return Parsed::Unreadable("no TPDU or header".into());
    };
    match cup::profile().unpack(parts.message) {
        Ok(msg) if !msg.mti().is_response() => Parsed::Request(Box::new(Request {
            tpdu,
            header,
            raw: parts.message,
            msg,
        })),
        Ok(msg) => Parsed::Unreadable(format!("{} is a response MTI", msg.mti())),
        Err(e) => match readable_mti(parts.message) {
            Some(mti) if !mti.is_response() => Parsed::FormatError {
                tpdu,
                header,
                mti,
                reason: e.to_string(),
            },
            _ => Parsed::Unreadable(e.to_string()),
        },
    }
}

fn readable_mti(message: &[u8]) -> Option<Mti> {
    let bytes = message.get(..2)?;
    let digits: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    Mti::new(&digits)
}

/// The card number of a request: field 2, else the part of track 2 before the separator.
pub(crate) fn card_number(msg: &Message) -> Option<String> {
    if let Some(pan) = msg.text(2) {
        return Some(pan.to_owned());
    }
    let track = msg.text(35)?;
    let pan = track.split(['D', '=']).next()?;
    (!pan.is_empty()).then(|| pan.to_owned())
}

/// Expiry YYMM of a request: field 14, else the 4 digits after the track-2 separator.
pub(crate) fn card_expiry(msg: &Message) -> Option<String> {
    if let Some(e) = msg.text(14) {
        return Some(e.to_owned());
    }
    let track = msg.text(35)?;
    let (_, rest) = track.split_once(['D', '='])?;
    rest.get(..4).map(str::to_owned)
}
