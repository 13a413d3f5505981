//! The China UnionPay POS terminal field table (PROTOCOL.md §1.3).

use crate::spec::{
    Align, BitmapEncoding, ContentType::*, FieldSpec as F, Length::*, MessageSpec, MtiEncoding,
};

const fn table() -> [Option<F>; 129] {
    let mut t: [Option<F>; 129] = [None; 129];
    t[2] = Some(F::var_digits("PAN", Numeric, LlVar { max: 19 }));
    t[3] = Some(F::numeric("processing code", 6));
    t[4] = Some(F::numeric("amount", 12));
    t[5] = Some(F::numeric("settlement amount", 12));
    t[6] = Some(F::numeric("cardholder billing amount", 12));
    t[7] = Some(F::numeric("transmission date and time", 10));
    t[8] = Some(F::numeric("cardholder billing fee", 8));
    t[9] = Some(F::numeric("settlement conversion rate", 8));
    t[10] = Some(F::numeric("billing conversion rate", 8));
    t[11] = Some(F::numeric("trace number", 6));
    t[12] = Some(F::numeric("local time", 6));
    t[13] = Some(F::numeric("local date", 4));
    t[14] = Some(F::numeric("expiry date", 4));
    t[15] = Some(F::numeric("settlement date", 4));
    t[16] = Some(F::numeric("conversion date", 4));
    t[17] = Some(F::numeric("capture date", 4));
    t[18] = Some(F::numeric("merchant type", 4));
    t[19] = Some(F::numeric("acquiring country code", 3));
    t[20] = Some(F::numeric("PAN country code", 3));
    t[21] = Some(F::numeric("forwarding country code", 3));
    // Field 22 is left aligned in the UnionPay profile: "021" travels as 02 10.
    t[22] = Some(F::numeric("POS entry mode", 3).aligned(Align::Left, 0));
    t[23] = Some(F::numeric("card sequence number", 3));
    t[24] = Some(F::numeric("network international id", 3));
    t[25] = Some(F::numeric("POS condition code", 2));
    t[26] = Some(F::numeric("PIN capture code", 2));
    t[27] = Some(F::numeric("authorization response length", 1));
    t[28] = Some(F::text("transaction fee", AlphanumericSpecial, 9));
    t[29] = Some(F::text("settlement fee", AlphanumericSpecial, 9));
    t[30] = Some(F::text(
        "transaction processing fee",
        AlphanumericSpecial,
        9,
    ));
    t[31] = Some(F::text("settlement processing fee", AlphanumericSpecial, 9));
    t[32] = Some(F::var_digits(
        "acquiring institution",
        Numeric,
        LlVar { max: 11 },
    ));
    t[33] = Some(F::var_digits(
        "forwarding institution",
        Numeric,
        LlVar { max: 11 },
    ));
    t[34] = Some(F::var_text(
        "extended PAN",
        AlphanumericSpecial,
        LlVar { max: 28 },
    ));
    t[35] = Some(F::var_digits("track 2", Track, LlVar { max: 37 }));
    t[36] = Some(F::var_digits("track 3", Track, LllVar { max: 104 }));
    t[37] = Some(F::text("reference number", Alphanumeric, 12));
    t[38] = Some(F::text("authorization code", Alphanumeric, 6));
    t[39] = Some(F::text("response code", Alphanumeric, 2));
    t[40] = Some(F::text("service restriction code", Alphanumeric, 3));
    t[41] = Some(F::text("terminal id", AlphanumericSpecial, 8));
    t[42] = Some(F::text("merchant id", AlphanumericSpecial, 15));
    t[43] = Some(F::text("card acceptor name", AlphanumericSpecial, 40));
    t[44] = Some(F::var_text(
        "additional response data",
        Alphanumeric,
        LlVar { max: 25 },
    ));
    t[45] = Some(F::var_text(
        "track 1",
        AlphanumericSpecial,
        LlVar { max: 76 },
    ));
    t[46] = Some(F::var_text(
        "additional data ISO",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[47] = Some(F::var_text(
        "additional data national",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    // Acquirer-variant: settlement totals and batch-upload records, BCD digits (§1.7, §1.8).
    t[48] = Some(F::var_digits(
        "additional data private",
        Numeric,
        LllVar { max: 999 },
    ));
    t[49] = Some(F::text("currency code", Alphanumeric, 3));
    t[50] = Some(F::text("settlement currency code", Alphanumeric, 3));
    t[51] = Some(F::text("billing currency code", Alphanumeric, 3));
    t[52] = Some(F::binary("PIN block", 8));
    t[53] = Some(F::numeric("security control", 16));
    t[54] = Some(F::var_text(
        "balance",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[55] = Some(F::var_binary("ICC data", LllVar { max: 999 }));
    // 56–59 are acquirer-defined; the common form is LLLVAR text (orders, coupons, location).
    t[56] = Some(F::var_text(
        "reserved 56",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[57] = Some(F::var_text(
        "reserved 57",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[58] = Some(F::var_text(
        "reserved 58",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[59] = Some(F::var_text(
        "reserved 59",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    // The spec says n..17; acquirers extend 60 with further sub-fields, so the codec accepts
    // any LLL length and `Field60` checks the sub-fields it knows.
    t[60] = Some(F::var_digits(
        "reserved private 60",
        Numeric,
        LllVar { max: 999 },
    ));
    t[61] = Some(F::var_digits(
        "original message",
        Numeric,
        LllVar { max: 999 },
    ));
    t[62] = Some(F::var_binary("reserved private 62", LllVar { max: 999 }));
    t[63] = Some(F::var_text(
        "reserved private 63",
        AlphanumericSpecial,
        LllVar { max: 999 },
    ));
    t[64] = Some(F::binary("MAC", 8));
    t
}

/// The UnionPay terminal profile: BCD MTI, binary bitmaps, the table above.
pub static PROFILE: MessageSpec = MessageSpec {
    name: "cup",
    mti: MtiEncoding::Bcd,
    bitmap: BitmapEncoding::Binary,
    fields: table(),
};
