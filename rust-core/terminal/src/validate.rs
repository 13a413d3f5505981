//! Inputs first: every field of a request, and the card data a reader hands over, is checked
//! before anything is stored or sent, with an error naming the field. The engine's entry points
//! run these; a front end (the CLI, the app) runs the same ones before it even connects, so a
//! mistyped amount is never reported as "cannot reach the host".

use crate::error::EngineError;
use crate::model::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, OperatorRole, PreAuthRequest,
    PreAuthVoidRequest, QrDynamicRequest, QrPayRequest, QrRefundRequest, QrVoidRequest,
    RefundRequest, SaleRequest, VoidRequest,
};

/// The largest amount: the 12 digits of field 4, in fen.
pub const MAX_AMOUNT_FEN: u64 = 999_999_999_999;

fn invalid(field: &str, why: String) -> EngineError {
    EngineError::InvalidRequest(format!("{field}: {why}"))
}

/// The request id (or another caller id, named by `field`): 1 to 64 printable characters.
pub fn id(field: &str, id: &str) -> Result<(), EngineError> {
    if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
        return Err(invalid(
            field,
            "must be 1 to 64 printable characters".into(),
        ));
    }
    Ok(())
}

/// What a merchant app adds to a request: an order number of at most 64 printable ASCII
/// characters (`orderNo`) and a remark of at most 60 characters without control characters
/// (`receiptRemark`).
pub fn merchant_fields(fields: &crate::model::MerchantFields) -> Result<(), EngineError> {
    if let Some(no) = &fields.order_no {
        if no.is_empty() || no.len() > 64 || !no.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        {
            return Err(invalid(
                "orderNo",
                "must be 1 to 64 printable ASCII characters".into(),
            ));
        }
    }
    if let Some(remark) = &fields.receipt_remark {
        if remark.chars().count() > 60 || remark.chars().any(char::is_control) {
            return Err(invalid(
                "receiptRemark",
                "must be one line of at most 60 characters".into(),
            ));
        }
    }
    Ok(())
}

/// An amount in fen: 1 to [`MAX_AMOUNT_FEN`].
pub fn amount(amount: u64) -> Result<(), EngineError> {
    if (1..=MAX_AMOUNT_FEN).contains(&amount) {
        Ok(())
    } else {
        Err(invalid(
            "amount",
            format!("must be 1 to {MAX_AMOUNT_FEN} fen (12 digits), got {amount}"),
        ))
    }
}

/// An operator number: two digits, `00` the supervisor, `01`-`99` operators.
pub fn operator_number(field: &str, number: &str) -> Result<(), EngineError> {
    if number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be two digits (00 the supervisor, 01-99 operators), got '{number}'"),
        ))
    }
}

/// A new password for `role`: digits only (the terminal's keypad), 4 to 12 for an operator,
/// 6 to 12 for the supervisor. The password itself never appears in the error.
pub fn password(field: &str, role: OperatorRole, password: &str) -> Result<(), EngineError> {
    let min = match role {
        OperatorRole::Supervisor => 6,
        OperatorRole::Operator => 4,
    };
    if !password.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(field, "must be digits only".into()));
    }
    if !(min..=12).contains(&password.len()) {
        return Err(invalid(
            field,
            format!("must be {min} to 12 digits, got {}", password.len()),
        ));
    }
    if role == OperatorRole::Supervisor && password == crate::model::FACTORY_SUPERVISOR_PASSWORD {
        return Err(invalid(field, "must not be the factory password".into()));
    }
    Ok(())
}

/// A trace number (field 11): 1 to 999999.
pub fn trace(trace: u32) -> Result<(), EngineError> {
    if (1..=999_999).contains(&trace) {
        Ok(())
    } else {
        Err(invalid(
            "trace",
            format!("must be 1 to 999999, got {trace}"),
        ))
    }
}

/// A reference number (field 37): 12 letters or digits.
pub fn rrn(rrn: &str) -> Result<(), EngineError> {
    if rrn.len() == 12 && rrn.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(invalid(
            "rrn",
            format!("must be 12 letters or digits, got '{rrn}'"),
        ))
    }
}

/// An authorisation code (field 38): 6 letters or digits.
pub fn auth_code(code: &str) -> Result<(), EngineError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(invalid(
            "auth code",
            format!("must be 6 letters or digits, got '{code}'"),
        ))
    }
}

/// A date MMDD (month 01–12, day 01–31); `field` names it in the error.
pub fn mmdd(field: &str, date: &str) -> Result<(), EngineError> {
    let ok = date.len() == 4
        && date.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            date.get(..2).and_then(|m| m.parse::<u32>().ok()),
            Some(1..=12)
        )
        && matches!(
            date.get(2..).and_then(|d| d.parse::<u32>().ok()),
            Some(1..=31)
        );
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be MMDD (month 01-12, day 01-31), got '{date}'"),
        ))
    }
}

/// A card number: 13 to 19 digits with a valid check digit (ISO/IEC 7812). The error never
/// repeats the number.
pub fn card_number(pan: &str) -> Result<(), EngineError> {
    if !(13..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "card number",
            format!("must be 13 to 19 digits ({} characters given)", pan.len()),
        ));
    }
    if !unipos_crypto::pan::luhn_check(pan) {
        return Err(invalid(
            "card number",
            "the check digit is wrong (mistyped or misread): read the card again".into(),
        ));
    }
    Ok(())
}

/// An expiry date YYMM (month 01–12).
pub fn expiry(yymm: &str) -> Result<(), EngineError> {
    let ok = yymm.len() == 4
        && yymm.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            yymm.get(2..).and_then(|m| m.parse::<u32>().ok()),
            Some(1..=12)
        );
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "expiry",
            format!("must be YYMM with month 01-12, got '{yymm}'"),
        ))
    }
}

/// Track 2 (or its chip equivalent) as the card reader read it: the card number, one separator
/// (`D` or `=`), then at least the expiry and the service code (7 digits), 37 characters at most,
/// and the number must be the card's. A chip's track 2 equivalent (tag 57) may end in the pad
/// nibble `F`. The error never repeats the track.
pub fn track2(track: &str, pan: &str) -> Result<(), EngineError> {
    let bad = |why: &str| Err(invalid("track 2", format!("{why}: read the card again")));
    if track.len() > 37 {
        return bad("longer than 37 characters");
    }
    let track = track.strip_suffix('F').unwrap_or(track);
    let mut parts = track.split(['D', '=']);
    let (Some(number), Some(rest), None) = (parts.next(), parts.next(), parts.next()) else {
        return bad("must be the card number, one separator and the rest");
    };
    if !track
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'D' || b == b'=')
        || rest.len() < 7
    {
        return bad("must be digits, with the expiry and service code after the separator");
    }
    if number != pan {
        return bad("does not carry the card's number");
    }
    Ok(())
}

/// The card sequence number of a chip card (field 23): three digits.
pub fn card_sequence_number(psn: &str) -> Result<(), EngineError> {
    if psn.len() == 3 && psn.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(
            "card sequence number",
            format!("must be 3 digits, got {} characters", psn.len()),
        ))
    }
}

/// A request whose fields can be checked on their own (before any lookup or connection).
pub trait Validate {
    /// Checks every field; the error names the first bad one.
    fn validate(&self) -> Result<(), EngineError>;
}

impl Validate for BalanceRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)
    }
}

impl Validate for SaleRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        amount(self.amount)
    }
}

impl Validate for VoidRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        trace(self.trace)
    }
}

impl Validate for RefundRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        amount(self.amount)?;
        rrn(&self.rrn)?;
        mmdd("date", &self.date)
    }
}

impl Validate for PreAuthRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        amount(self.amount)
    }
}

impl Validate for PreAuthVoidRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        auth_code(&self.auth_code)?;
        mmdd("date", &self.date)
    }
}

impl Validate for CompletionRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        amount(self.amount)?;
        auth_code(&self.auth_code)?;
        mmdd("date", &self.date)
    }
}

impl Validate for CompletionVoidRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        trace(self.trace)
    }
}

impl Validate for QrPayRequest {
    /// The code's shape is checked by the router, before anything is stored.
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        id("order id", &self.order_id)?;
        amount(self.amount)
    }
}

impl Validate for QrDynamicRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        id("order id", &self.order_id)?;
        amount(self.amount)
    }
}

impl Validate for QrRefundRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        id("original request id", &self.original_request_id)?;
        amount(self.amount)
    }
}

impl Validate for QrVoidRequest {
    fn validate(&self) -> Result<(), EngineError> {
        id("request id", &self.request_id)?;
        id("original request id", &self.original_request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<(), EngineError>) -> String {
        match r {
            Err(EngineError::InvalidRequest(m)) => m.split(':').next().unwrap_or("").to_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(amount(0)), "amount");
        assert_eq!(field_of(amount(MAX_AMOUNT_FEN + 1)), "amount");
        assert!(amount(MAX_AMOUNT_FEN).is_ok());
        assert_eq!(field_of(trace(0)), "trace");
        assert_eq!(field_of(rrn("12345")), "rrn");
        assert_eq!(field_of(auth_code("12345!")), "auth code");
        assert_eq!(field_of(mmdd("date", "1399")), "date");
        assert_eq!(field_of(mmdd("date", "0132")), "date");
        assert!(mmdd("date", "1231").is_ok());
        assert_eq!(field_of(expiry("13AB")), "expiry");
        assert_eq!(field_of(expiry("2613")), "expiry");
        assert!(expiry("3012").is_ok());
        let pan = "6212345678901232";
        assert!(track2("6212345678901232D30122010000000000", pan).is_ok());
        assert!(track2("6212345678901232=30122010000000000", pan).is_ok());
        assert!(track2("6212345678901232D3012201000000000F", pan).is_ok());
        for bad in [
            "6212345678901233D30122010000000000", // another card's number
            "6212345678901232D301",               // no service code
            "6212345678901232",                   // no separator
            "6212345678901232D3012201D000",       // two separators
            "6212345678901232D30122010000A00000", // not digits
            "6212345678901232D301220100000000000000000",
        ] {
            let e = track2(bad, pan);
            assert!(
                !format!("{e:?}").contains("30122010"),
                "the error repeats the track: {e:?}"
            );
            assert_eq!(field_of(e), "track 2");
        }
        assert!(card_sequence_number("001").is_ok());
        for bad in ["01", "0001", "AB1", ""] {
            assert_eq!(field_of(card_sequence_number(bad)), "card sequence number");
        }
        assert_eq!(field_of(card_number("6212345678901233")), "card number");
        assert_eq!(field_of(card_number("62123456789")), "card number");
        assert!(card_number("6212345678901232").is_ok());
        let r = card_number("6212345678901233");
        assert!(
            !format!("{r:?}").contains("6212345678901233"),
            "no PAN in errors"
        );
        assert_eq!(field_of(id("request id", "")), "request id");
    }
}
