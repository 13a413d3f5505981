//! The payment-code router: `Router::default().route(&str)` on arbitrary UTF-8, plus the
//! syntax check and the masking used in logs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use unipos_qr_protocol::routing::{check_code_syntax, mask_code, Router};

fuzz_target!(|data: &[u8]| {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    let Ok(code) = std::str::from_utf8(data) else { return };
    let router = ROUTER.get_or_init(Router::default);
    let routed = router.route(code);
    let _ = router.channel(code);
    // A syntactically bad code is never routed.
    if check_code_syntax(code).is_err() {
        assert!(routed.is_err(), "a code failing the syntax check was routed");
    }
    // The mask keeps the length, hides all but the last 4 characters (all of a code of 4 or fewer), and never panics on
    // multi-byte characters.
    let masked = mask_code(code);
    let n = code.chars().count();
    assert_eq!(masked.chars().count(), n, "mask_code changed the length");
    // Codes of 4 characters or fewer are hidden whole.
    let shown = if n <= 4 { n } else { n - 4 };
    assert!(
        masked.chars().take(shown).all(|c| c == '*'),
        "mask_code revealed more than the last 4 characters"
    );
    assert!(
        masked.chars().skip(shown).eq(code.chars().skip(shown)),
        "mask_code changed the last characters"
    );
});
