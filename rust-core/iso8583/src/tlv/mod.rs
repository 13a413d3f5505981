//! EMV BER-TLV: the encoding of ISO 8583 field 55 (ICC data) and of the UnionPay
//! parameter and CA public key download payloads carried in field 62.
//!
//! - A [`Tag`] is 1 to 4 bytes. When the low 5 bits of the first byte are all set, more
//!   bytes follow; each later byte with bit 8 set announces one more.
//! - A length is either short (`00`–`7F`) or long: `81 xx`, `82 xx xx` or `83 xx xx xx`.
//!   The indefinite form `80` and lengths wider than 3 bytes are rejected.
//! - A tag whose first byte has bit 6 set is constructed: its value is itself a list of
//!   TLVs, which [`parse_all`] parses recursively, at most [`MAX_DEPTH`] levels deep.
//!
//! Parsing accepts non-minimal long-form lengths (for example `81 05`); encoding always
//! uses the shortest form, so parsing minimal input and encoding it again gives back the
//! same bytes. Nothing here panics on any input: every malformed input becomes a
//! [`TlvError`] that names the byte offset where the problem starts.
//!
//! The UnionPay parameter tags `DF01`–`DF21` are private-class *primitive* tags (bit 6 of
//! `DF` is clear), so parameter payloads parse as flat lists. Padding bytes between TLVs
//! (`00` or `FF`, which EMV tolerates in card responses) are not skipped: they would read
//! as tags. [`tags`] names the tags used in field 55 and in the parameter downloads.
//!
//! ```
//! # use unipos_iso8583::tlv::{encode_all, find, parse_all, tags, TlvError};
//! # fn main() -> Result<(), TlvError> {
//! // 9F26 (8 bytes) then 9F27 (1 byte), as found at the start of a field 55.
//! let field55 = [
//!     0x9F, 0x26, 0x08, 0xBB, 0xFD, 0x1B, 0xFA, 0xCF, 0x6A, 0x64, 0x29, //
//!     0x9F, 0x27, 0x01, 0x80,
//! ];
//! let list = parse_all(&field55)?;
//! assert_eq!(list.len(), 2);
//! assert_eq!(list[0].tag.to_string(), "9F26");
//! let cid = find(&list, tags::CRYPTOGRAM_INFORMATION_DATA).and_then(|t| t.value_bytes());
//! assert_eq!(cid, Some(&[0x80][..]));
//! assert_eq!(encode_all(&list), field55);
//! # Ok(())
//! # }
//! ```

mod error;
mod parse;
mod scan;
mod tag;
pub mod tags;
mod value;

pub use error::{TlvError, TlvErrorKind};
pub use parse::{encode_all, find, parse_all, TlvIter};
pub use tag::{Tag, TagClass};
pub use value::{Tlv, TlvValue};

/// The deepest nesting of constructed values [`parse_all`] accepts: a constructed TLV
/// inside 8 enclosing constructed TLVs is rejected with [`TlvErrorKind::NestingTooDeep`].
pub const MAX_DEPTH: usize = 8;

#[cfg(test)]
mod tests {
    use super::value::{length_len, push_length};
    use super::*;

    fn tag(v: u32) -> Tag {
        Tag::from_u32(v).unwrap()
    }

    fn err(offset: usize, kind: TlvErrorKind) -> TlvError {
        TlvError { offset, kind }
    }

    #[test]
    fn tag_structure() {
        assert_eq!(Tag::new(&[0x9C]).unwrap().as_bytes(), [0x9C]);
        assert_eq!(Tag::new(&[0x9F, 0x26]).unwrap().as_bytes(), [0x9F, 0x26]);
        assert_eq!(Tag::new(&[0xDF, 0x81, 0x01]).unwrap().to_u32(), 0xDF8101);
        assert_eq!(
            Tag::new(&[0xFF, 0x81, 0x82, 0x03]).unwrap().to_u32(),
            0xFF81_8203
        );
        assert_eq!(Tag::new(&[]), Err(err(0, TlvErrorKind::EmptyInput)));
        assert_eq!(Tag::new(&[0x9F]), Err(err(0, TlvErrorKind::TruncatedTag)));
        assert_eq!(
            Tag::new(&[0x9F, 0x81]),
            Err(err(0, TlvErrorKind::TruncatedTag))
        );
        assert_eq!(
            Tag::new(&[0x9F, 0x81, 0x81, 0x81]),
            Err(err(0, TlvErrorKind::TagTooLong))
        );
        assert_eq!(
            Tag::new(&[0x9F, 0x26, 0x08]),
            Err(err(2, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        assert_eq!(
            Tag::new(&[0x5A, 0x00, 0x00]),
            Err(err(1, TlvErrorKind::TrailingTagBytes { extra: 2 }))
        );
    }

    #[test]
    fn tag_from_u32() {
        assert_eq!(tag(0x9F26).as_bytes(), [0x9F, 0x26]);
        assert_eq!(tag(0).as_bytes(), [0x00]);
        assert_eq!(tag(0x70).as_bytes(), [0x70]);
        assert_eq!(
            Tag::from_u32(0x0126),
            Err(err(1, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        assert_eq!(Tag::from_u32(0x9F), Err(err(0, TlvErrorKind::TruncatedTag)));
        assert_eq!(
            Tag::from_u32(0x9F8181),
            Err(err(0, TlvErrorKind::TruncatedTag))
        );
        assert_eq!(
            Tag::from_u32(0x9F2681),
            Err(err(2, TlvErrorKind::TrailingTagBytes { extra: 1 }))
        );
        const AC: Result<Tag, TlvError> = Tag::from_u32(0x9F26);
        assert_eq!(AC, Ok(tags::APPLICATION_CRYPTOGRAM));
    }

    #[test]
    fn tag_constants_are_valid() {
        for &t in tags::ALL {
            assert_eq!(Tag::from_u32(t.to_u32()), Ok(t), "{t}");
            assert_eq!(Tag::new(t.as_bytes()), Ok(t), "{t}");
        }
    }

    #[test]
    fn tag_display_and_bits() {
        assert_eq!(tag(0x9F26).to_string(), "9F26");
        assert_eq!(format!("{:?}", tag(0xDF8101)), "DF8101");
        assert_eq!(tag(0x0A).to_string(), "0A");
        assert!(tag(0x70).is_constructed());
        assert!(tag(0x77).is_constructed());
        assert!(tag(0xBF0C).is_constructed());
        assert!(!tag(0x9F26).is_constructed());
        assert!(!tag(0xDF01).is_constructed());
        assert!(!tag(0x5F2A).is_constructed());
        assert_eq!(tag(0x30).class(), TagClass::Universal);
        assert_eq!(tag(0x5F2A).class(), TagClass::Application);
        assert_eq!(tag(0x9F26).class(), TagClass::ContextSpecific);
        assert_eq!(tag(0xDF01).class(), TagClass::Private);
    }

    #[test]
    fn length_forms_at_boundaries() {
        for (len, header) in [
            (0usize, &[0x00][..]),
            (0x7F, &[0x7F]),
            (0x80, &[0x81, 0x80]),
            (0xFF, &[0x81, 0xFF]),
            (0x100, &[0x82, 0x01, 0x00]),
            (0xFFFF, &[0x82, 0xFF, 0xFF]),
            (0x1_0000, &[0x83, 0x01, 0x00, 0x00]),
        ] {
            let tlv = Tlv::primitive(tag(0xDF02), vec![0xA5; len]);
            let bytes = tlv.encode();
            assert_eq!(bytes.get(2..2 + header.len()), Some(header), "len {len}");
            assert_eq!(bytes.len(), tlv.encoded_len());
            assert_eq!(parse_all(&bytes).unwrap(), vec![tlv]);
        }
    }

    #[test]
    fn long_lengths_encode_beyond_three_bytes() {
        let mut out = Vec::new();
        push_length(0x0100_0000, &mut out);
        assert_eq!(out, [0x84, 0x01, 0x00, 0x00, 0x00]);
        assert_eq!(length_len(0x0100_0000), 5);
    }

    #[test]
    fn non_minimal_length_is_accepted() {
        let list = parse_all(&[0x9C, 0x81, 0x01, 0x31]).unwrap();
        assert_eq!(list, vec![Tlv::primitive(tag(0x9C), [0x31])]);
        assert_eq!(encode_all(&list), [0x9C, 0x01, 0x31]);
    }

    #[test]
    fn length_errors() {
        use TlvErrorKind::*;
        let t = tag(0x9F10);
        assert_eq!(
            parse_all(&[0x9F, 0x10]),
            Err(err(2, TruncatedLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x82, 0x01]),
            Err(err(2, TruncatedLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x80, 0x00]),
            Err(err(2, IndefiniteLength { tag: t }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x84, 0, 0, 0, 1, 0]),
            Err(err(2, UnsupportedLengthForm { tag: t, byte: 0x84 }))
        );
        assert_eq!(
            parse_all(&[0x9F, 0x10, 0x83, 0xFF, 0xFF, 0xFF, 1]),
            Err(err(
                6,
                ValueExceedsInput {
                    tag: t,
                    needed: 0xFF_FFFF,
                    available: 1
                }
            ))
        );
    }

    #[test]
    fn nesting_limit() {
        let mut tlv = Tlv::primitive(tag(0x9C), [0x00]);
        for _ in 0..MAX_DEPTH {
            tlv = Tlv::constructed(tag(0x70), vec![tlv]);
        }
        let ok = tlv.encode();
        assert_eq!(parse_all(&ok).unwrap(), vec![tlv.clone()]);
        let too_deep = Tlv::constructed(tag(0x77), vec![tlv]).encode();
        // The 9th constructed tag is the innermost 70, after 8 two-byte headers.
        assert_eq!(
            parse_all(&too_deep),
            Err(err(
                2 * MAX_DEPTH,
                TlvErrorKind::NestingTooDeep {
                    tag: tag(0x70),
                    limit: MAX_DEPTH
                }
            ))
        );
    }

    #[test]
    fn iterator_stops_after_error() {
        let data = [0x9C, 0x01, 0x31, 0x9F, 0x02, 0x06, 0x00];
        let mut iter = TlvIter::new(&data);
        assert_eq!(iter.next(), Some(Ok((tag(0x9C), &[0x31][..]))));
        assert_eq!(iter.offset(), 3);
        assert_eq!(iter.remaining(), &data[3..]);
        assert_eq!(
            iter.next(),
            Some(Err(err(
                6,
                TlvErrorKind::ValueExceedsInput {
                    tag: tag(0x9F02),
                    needed: 6,
                    available: 1
                }
            )))
        );
        assert_eq!(iter.next(), None);
        assert_eq!(iter.next(), None);
    }

    #[test]
    fn debug_is_hex() {
        let tlv = Tlv::constructed(tag(0x77), vec![Tlv::primitive(tag(0x9F27), [0x80])]);
        assert_eq!(
            format!("{tlv:?}"),
            "Tlv { tag: 77, value: Constructed([Tlv { tag: 9F27, value: Primitive(80) }]) }"
        );
    }

    #[test]
    fn error_display_names_offset() {
        let e = err(
            14,
            TlvErrorKind::ValueExceedsInput {
                tag: tag(0x9F10),
                needed: 8,
                available: 3,
            },
        );
        assert_eq!(
            e.to_string(),
            "TLV error at byte 14: value of tag 9F10 needs 8 bytes but only 3 remain"
        );
    }
}
