//! Redaction of everything that crosses to Kotlin as text: log records and error messages.
//! A leaf module: it depends on nothing else in the crate.

/// Masks card-number-like digit runs and removes long hex runs. Used on every log record and
/// error text that crosses to Kotlin.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() || c == '=' {
            token.push(c);
        } else {
            flush_token(&mut out, &token);
            token.clear();
            out.push(c);
        }
    }
    flush_token(&mut out, &token);
    out
}

fn flush_token(out: &mut String, token: &str) {
    let digits_only = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    let digit_count = token.bytes().filter(u8::is_ascii_digit).count();
    if digits_only && (13..=19).contains(&token.len()) {
        // Looks like a card number: first 6 and last 4, as on a receipt.
        out.push_str(token.get(..6).unwrap_or(""));
        out.push_str(&"*".repeat(token.len() - 10));
        out.push_str(token.get(token.len() - 4..).unwrap_or(""));
    } else if token.len() >= 16 && (!digits_only || digit_count > 19) {
        // Keys, PIN blocks, track data (digits with `D`/`=`), MAC input, message dumps.
        out.push_str("<redacted>");
    } else {
        out.push_str(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_card_numbers_and_removes_secrets() {
        assert_eq!(
            redact("card 6212345678901232 read"),
            "card 621234******1232 read"
        );
        assert_eq!(
            redact("t2=6212345678901232D30122010000000000 ok"),
            "t<redacted> ok"
        );
        assert_eq!(
            redact("key 0123456789ABCDEFFEDCBA9876543210"),
            "key <redacted>"
        );
        assert_eq!(
            redact("trace 000012 rrn 123456789012 amount 1234"),
            "trace 000012 rrn 123456789012 amount 1234"
        );
        assert_eq!(
            redact("交易 6216261000000000018"),
            "交易 621626*********0018"
        );
        assert_eq!(redact(""), "");
    }
}
