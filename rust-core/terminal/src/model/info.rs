//! What the management screens show: key status (check values only), the parameters in
//! force, the result of a communication test.

/// One work key's check value, as the host sent it with the key and the security module
/// verified it at installation. A check value, never a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    /// `PIK`, `MAK` or `TDK`.
    pub role: String,
    /// Hex.
    pub check_value: String,
}

/// The security module's keys as far as they may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Whether work keys are installed now.
    pub work_keys_installed: bool,
    /// Check values of the work keys of the last sign-in.
    pub keys: Vec<KeyCheck>,
    /// Local day number of the last sign-in.
    pub signed_in_day: Option<i64>,
}

/// One parameter in force, for the read-only parameter screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalParameter {
    /// Stable name (`terminal_id`, `response_timeout_ms`, ...).
    pub name: String,
    /// Value as text.
    pub value: String,
}

/// The result of a communication test (回响测试, 0820 with 60.3 = 301).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoResult {
    /// Field 39 of the answer.
    pub response_code: String,
    /// Round trip, ms.
    pub round_trip_ms: u64,
}
