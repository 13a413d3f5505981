//! Built-in identities shared with the terminal's tests and the CLI demo.

/// Terminal id (field 41) of the default terminal, as in the real sign-in capture.
pub const TERMINAL_ID: &str = "62969002";
/// Merchant id (field 42) of the default terminal.
pub const MERCHANT_ID: &str = "301310048990001";
/// Merchant name sent in the parameter download (DF01).
pub const MERCHANT_NAME: &str = "UNIPOS TEST MERCHANT";
/// The QR gateway key of every default terminal (clear, test value). A terminal is given it
/// encrypted under its TMK (`TerminalConfig::wrapped_qr_key`).
pub const QR_KEY_HEX: &str = "3B9D6F0E42A1C8577E05D2B4196AF38C";
/// [`QR_KEY_HEX`] encrypted under [`TMK_HEX`]: what a default terminal is provisioned with
/// (the emulator build and the JVM tests give it as the terminal's QR key).
pub const QR_KEY_UNDER_TMK_HEX: &str = "59A4FA02D6BBEFD08ABABB0E18D2D979";
/// The check value of [`QR_KEY_HEX`].
pub const QR_KEY_CHECK_VALUE_HEX: &str = "7CC721BA";
/// The default terminal master key (test only: it is public, PROTOCOL.md §2.4).
pub const TMK_HEX: &str = "70F2A84CCBC2AE8625CBB0F2C22AB923";
/// Further terminals of the same merchant, for multi-terminal tests.
pub const EXTRA_TERMINAL_IDS: [&str; 3] = ["62969003", "62969004", "62969005"];
/// TPDU the default terminals send (destination 0003, source 0000).
pub const TPDU_HEX: &str = "6000030000";
/// Acquiring institution id (field 32 and the second half of field 44).
pub const ACQUIRER_ID: &str = "48031000";
/// Issuer id of the domestic test cards (first half of field 44).
pub const DOMESTIC_ISSUER_ID: &str = "01020000";
/// Issuer id of the foreign test cards.
pub const FOREIGN_ISSUER_ID: &str = "04000000";
/// PIN of every default test card.
pub const PIN: &str = "123456";
/// Issuer master key used to compute ARPCs for field 55 (test only).
pub const ISSUER_MASTER_KEY_HEX: &str = "0123456789ABCDEFFEDCBA9876543210";
/// The first batch number a terminal is on.
pub const INITIAL_BATCH: u32 = 1;
