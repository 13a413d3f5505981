//! Which EMV tags field 55 may carry in each message. What the kernel returns is filtered to
//! these lists before it is sent or stored, so a kernel that adds track-equivalent data (57),
//! the PAN (5A) or the cardholder name never puts them on the wire or at rest.

use serde::{Deserialize, Serialize};

/// Tags that never go into field 55 whatever a profile says: card data the terminal must not
/// send or keep (track 1 and 2 equivalents, PAN, cardholder name, track 1/2 discretionary).
pub const NEVER_ALLOWED: [u32; 7] = [0x56, 0x57, 0x5A, 0x5F20, 0x9F0B, 0x9F1F, 0x9F6B];

/// The allowed tags per message, as hex tag names (`"9F26"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IccTags {
    /// The online request (0100, 0200) and the batch-upload record of a chip transaction.
    pub request: Vec<String>,
    /// A reversal (0400) of a chip transaction.
    pub reversal: Vec<String>,
    /// The TC upload after the card accepted an approval (0320).
    pub tc_upload: Vec<String>,
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

impl Default for IccTags {
    /// The UnionPay lists: the request as in the public captures (PROTOCOL.md field 55) plus
    /// CVM results (9F34) and the card product id (9F63); the reversal's TVR, IFD serial,
    /// issuer application data, ATC and script results.
    fn default() -> Self {
        let request = tags(&[
            "9F26", "9F27", "9F10", "9F37", "9F36", "95", "9A", "9C", "9F02", "5F2A", "82", "9F1A",
            "9F03", "9F33", "9F34", "9F35", "9F1E", "84", "9F09", "9F41", "9F63",
        ]);
        IccTags {
            tc_upload: request.clone(),
            request,
            reversal: tags(&["95", "9F1E", "9F10", "9F36", "DF31"]),
        }
    }
}

/// The message a field 55 is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IccMessage {
    /// Online request, batch-upload record.
    Request,
    /// Reversal.
    Reversal,
    /// TC upload.
    TcUpload,
}

/// A tag name as its number, when it is a well-formed one- to three-byte BER tag.
pub fn tag_number(name: &str) -> Option<u32> {
    if !(2..=6).contains(&name.len()) || !name.len().is_multiple_of(2) {
        return None;
    }
    u32::from_str_radix(name, 16).ok()
}

impl IccTags {
    /// Whether field 55 of `message` may carry tag `tag` (never one of [`NEVER_ALLOWED`]).
    pub fn allows(&self, message: IccMessage, tag: u32) -> bool {
        let list = match message {
            IccMessage::Request => &self.request,
            IccMessage::Reversal => &self.reversal,
            IccMessage::TcUpload => &self.tc_upload,
        };
        !NEVER_ALLOWED.contains(&tag) && list.iter().any(|t| tag_number(t) == Some(tag))
    }

    /// Checks every list: well-formed tags, none of [`NEVER_ALLOWED`]. The error names the
    /// list and the entry (`icc.request[3]`).
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        for (name, list) in [
            ("request", &self.request),
            ("reversal", &self.reversal),
            ("tc_upload", &self.tc_upload),
        ] {
            for (i, t) in list.iter().enumerate() {
                let at = || format!("icc.{name}[{i}]");
                let n =
                    tag_number(t).ok_or_else(|| (at(), format!("'{t}' is not a hex EMV tag")))?;
                if NEVER_ALLOWED.contains(&n) {
                    return Err((at(), format!("{t} is card data that never leaves the card")));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_hold_no_card_data_and_parse() {
        let d = IccTags::default();
        assert!(d.validate().is_ok());
        assert_eq!(tag_number("9F26"), Some(0x9F26));
        assert_eq!(tag_number("95"), Some(0x95));
        assert_eq!(tag_number("9F2"), None);
        assert_eq!(tag_number("ZZ"), None);
        let bad = IccTags {
            reversal: tags(&["95", "57"]),
            ..IccTags::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "icc.reversal[1]");
        assert!(d.allows(IccMessage::Request, 0x9F26));
        assert!(!d.allows(IccMessage::Reversal, 0x9F26));
        assert!(d.allows(IccMessage::Reversal, 0xDF31));
        // Even a list that names it cannot let card data through.
        let named = IccTags {
            request: tags(&["57"]),
            ..IccTags::default()
        };
        assert!(!named.allows(IccMessage::Request, 0x57));
    }
}
