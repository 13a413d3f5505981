//! Operators (操作员) and the supervisor (主管), as UnionPay terminals have them: numbered
//! accounts with a password; the supervisor is operator `00` and authorises the operations that
//! take money back or change the terminal. The rules live in `services::operators`.

/// The supervisor's number (UnionPay convention: operator 00 is the 主管).
pub const SUPERVISOR: &str = "00";

/// The supervisor's password when the terminal leaves the factory (UnionPay convention). It
/// must be changed before the supervisor can authorise anything.
pub const FACTORY_SUPERVISOR_PASSWORD: &str = "123456";

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorRole {
    /// 主管: authorises guarded operations, manages operators; never transacts.
    Supervisor,
    /// 操作员: signs in and transacts.
    Operator,
}

impl OperatorRole {
    /// Stable name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::Supervisor => "supervisor",
            OperatorRole::Operator => "operator",
        }
    }

    /// From the stable name.
    pub fn parse(s: &str) -> Option<OperatorRole> {
        match s {
            "supervisor" => Some(OperatorRole::Supervisor),
            "operator" => Some(OperatorRole::Operator),
            _ => None,
        }
    }
}

/// An account as the screens see it: never its password or hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorInfo {
    /// Two digits: `00` the supervisor, `01`–`99` operators.
    pub number: String,
    /// Supervisor or operator.
    pub role: OperatorRole,
    /// The password was set by someone else (the factory) and must be changed first.
    pub must_change_password: bool,
    /// Locked after repeated wrong passwords until this time (ms since the epoch).
    pub locked_until: Option<i64>,
    /// The operator signed in now.
    pub signed_in: bool,
}

/// Operations that need the supervisor's password (a [`SupervisorGrant`] for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuardedAction {
    /// 消费撤销 (and a QR same-day void).
    Void,
    /// 退货 (and a QR refund).
    Refund,
    /// 预授权撤销.
    PreAuthVoid,
    /// 预授权完成撤销.
    CompletionVoid,
    /// 结算.
    Settlement,
    /// Adding and deleting operators, resetting their passwords.
    OperatorManagement,
    /// The terminal's settings (the setup screen).
    Settings,
    /// Sending parked reversals again (manual handling).
    ReversalRetry,
}

impl GuardedAction {
    /// Every action, for tables and tests.
    pub const ALL: [GuardedAction; 8] = [
        GuardedAction::Void,
        GuardedAction::Refund,
        GuardedAction::PreAuthVoid,
        GuardedAction::CompletionVoid,
        GuardedAction::Settlement,
        GuardedAction::OperatorManagement,
        GuardedAction::Settings,
        GuardedAction::ReversalRetry,
    ];

    /// Stable name (the CLI and the FFI use it).
    pub fn as_str(self) -> &'static str {
        match self {
            GuardedAction::Void => "void",
            GuardedAction::Refund => "refund",
            GuardedAction::PreAuthVoid => "preauth_void",
            GuardedAction::CompletionVoid => "completion_void",
            GuardedAction::Settlement => "settlement",
            GuardedAction::OperatorManagement => "operator_management",
            GuardedAction::Settings => "settings",
            GuardedAction::ReversalRetry => "reversal_retry",
        }
    }

    /// A management grant serves several changes while it lasts (a supervisor adding three
    /// operators types the password once); a grant for a transaction serves exactly one.
    pub fn is_session(self) -> bool {
        matches!(
            self,
            GuardedAction::OperatorManagement | GuardedAction::Settings
        )
    }
}

/// The supervisor's authorisation of one guarded operation (or of a short management
/// session), returned by `authorize_supervisor`: the password is checked once and forgotten;
/// the engine checks the grant when the guarded call comes.
#[derive(Clone, PartialEq, Eq)]
pub struct SupervisorGrant {
    /// Random token (hex) to hand to the guarded call.
    pub token: String,
    /// What it authorises.
    pub action: GuardedAction,
    /// Valid until (ms since the epoch).
    pub expires_at: i64,
}

impl std::fmt::Debug for SupervisorGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupervisorGrant")
            .field("action", &self.action)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The operator number as field 63 carries it: three digits (`01` → `001`).
pub fn operator_field63(number: &str) -> String {
    format!("{number:0>3}")
}
