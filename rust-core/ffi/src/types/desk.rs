//! Records of the cashier's desk (`CashierDesk`): operators, the supervisor's grants, looking
//! up originals and the journal, and the management screens. No password, hash, key or full
//! card number ever appears in them.

use super::{to_i32, to_i64, trace, Outcome};
use crate::error::PosError;
use unipos_terminal as t;

/// An account: the supervisor (`00`) or an operator (`01`–`99`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OperatorInfo {
    /// Two digits.
    pub number: String,
    /// The supervisor (主管), who authorises but does not transact.
    pub is_supervisor: bool,
    /// The password was set by the factory and must be changed first.
    pub must_change_password: bool,
    /// Locked after wrong passwords until this time (ms since the epoch).
    pub locked_until: Option<i64>,
    /// Signed in now.
    pub signed_in: bool,
}

impl From<t::OperatorInfo> for OperatorInfo {
    fn from(o: t::OperatorInfo) -> Self {
        OperatorInfo {
            is_supervisor: o.role == t::OperatorRole::Supervisor,
            number: o.number,
            must_change_password: o.must_change_password,
            locked_until: o.locked_until,
            signed_in: o.signed_in,
        }
    }
}

/// What the supervisor authorises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GuardedAction {
    /// 消费撤销 (also a same-day QR void).
    Void,
    /// 退货 (also a QR refund).
    Refund,
    /// 预授权撤销.
    PreAuthVoid,
    /// 预授权完成撤销.
    CompletionVoid,
    /// 结算.
    Settlement,
    /// Operators: add, delete, reset a password (a 5-minute session).
    OperatorManagement,
    /// The setup screen (a 5-minute session).
    Settings,
    /// Sending parked reversals again.
    ReversalRetry,
}

impl GuardedAction {
    pub(crate) fn to_engine(self) -> t::GuardedAction {
        match self {
            GuardedAction::Void => t::GuardedAction::Void,
            GuardedAction::Refund => t::GuardedAction::Refund,
            GuardedAction::PreAuthVoid => t::GuardedAction::PreAuthVoid,
            GuardedAction::CompletionVoid => t::GuardedAction::CompletionVoid,
            GuardedAction::Settlement => t::GuardedAction::Settlement,
            GuardedAction::OperatorManagement => t::GuardedAction::OperatorManagement,
            GuardedAction::Settings => t::GuardedAction::Settings,
            GuardedAction::ReversalRetry => t::GuardedAction::ReversalRetry,
        }
    }

    fn from_engine(a: t::GuardedAction) -> GuardedAction {
        match a {
            t::GuardedAction::Void => GuardedAction::Void,
            t::GuardedAction::Refund => GuardedAction::Refund,
            t::GuardedAction::PreAuthVoid => GuardedAction::PreAuthVoid,
            t::GuardedAction::CompletionVoid => GuardedAction::CompletionVoid,
            t::GuardedAction::Settlement => GuardedAction::Settlement,
            t::GuardedAction::OperatorManagement => GuardedAction::OperatorManagement,
            t::GuardedAction::Settings => GuardedAction::Settings,
            t::GuardedAction::ReversalRetry => GuardedAction::ReversalRetry,
        }
    }
}

/// The supervisor's authorisation: hand `token` to the guarded call before `expiresAt`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SupervisorGrant {
    /// Opaque token.
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
            .finish_non_exhaustive()
    }
}

impl From<t::SupervisorGrant> for SupervisorGrant {
    fn from(g: t::SupervisorGrant) -> Self {
        SupervisorGrant {
            action: GuardedAction::from_engine(g.action),
            token: g.token,
            expires_at: g.expires_at,
        }
    }
}

/// How the cashier names an original.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OriginalKey {
    /// Trace number in the current batch (void, completion void).
    Trace {
        /// 1..999999.
        trace: i32,
    },
    /// Reference number and date MMDD (refund).
    Rrn {
        /// 12 characters.
        rrn: String,
        /// MMDD.
        date: String,
    },
    /// Authorisation code and date MMDD of a pre-authorisation.
    AuthCode {
        /// 6 characters.
        auth_code: String,
        /// MMDD.
        date: String,
    },
}

impl OriginalKey {
    pub(crate) fn to_engine(&self) -> Result<t::OriginalKey, PosError> {
        Ok(match self {
            OriginalKey::Trace { trace: v } => t::OriginalKey::Trace(trace(*v)?),
            OriginalKey::Rrn { rrn, date } => t::OriginalKey::Rrn {
                rrn: rrn.clone(),
                date: date.clone(),
            },
            OriginalKey::AuthCode { auth_code, date } => t::OriginalKey::AuthCode {
                auth_code: auth_code.clone(),
                date: date.clone(),
            },
        })
    }
}

/// Kinds the journal screen filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KindGroup {
    /// Everything.
    All,
    /// Sales.
    Sales,
    /// Sale voids and completion voids.
    Voids,
    /// Refunds.
    Refunds,
    /// The pre-authorisation family.
    PreAuths,
    /// Balance inquiries.
    Balance,
}

/// The journal screen's filter.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JournalFilter {
    /// Kinds.
    pub group: KindGroup,
    /// Only this trace.
    #[uniffi(default = None)]
    pub trace: Option<i32>,
    /// Only this batch.
    #[uniffi(default = None)]
    pub batch: Option<i32>,
    /// At most this many (1–1000).
    #[uniffi(default = 100)]
    pub limit: i32,
}

impl JournalFilter {
    pub(crate) fn to_engine(&self) -> Result<t::JournalFilter, PosError> {
        let group = match self.group {
            KindGroup::All => t::KindGroup::All,
            KindGroup::Sales => t::KindGroup::Sales,
            KindGroup::Voids => t::KindGroup::Voids,
            KindGroup::Refunds => t::KindGroup::Refunds,
            KindGroup::PreAuths => t::KindGroup::PreAuths,
            KindGroup::Balance => t::KindGroup::Balance,
        };
        let number = |what: &str, v: i32| {
            u32::try_from(v).map_err(|_| PosError::invalid(format!("{what}: must not be negative")))
        };
        Ok(t::JournalFilter {
            group,
            trace: self.trace.map(trace).transpose()?,
            batch: self.batch.map(|b| number("batch", b)).transpose()?,
            limit: number("limit", self.limit)?,
        })
    }
}

/// A journal entry for the list, the detail and the confirmation screens.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OriginalView {
    /// The outcome (masked card only).
    pub outcome: Outcome,
    /// Voided.
    pub voided: bool,
    /// Refunded so far, fen.
    pub refunded_amount: i64,
    /// A pre-authorisation with an approved completion.
    pub completed: bool,
    /// The operator code (field 63) it was done under.
    pub operator: Option<String>,
}

impl From<t::OriginalView> for OriginalView {
    fn from(v: t::OriginalView) -> Self {
        OriginalView {
            outcome: v.outcome.into(),
            voided: v.voided,
            refunded_amount: to_i64(v.refunded_amount),
            completed: v.completed,
            operator: v.operator,
        }
    }
}

/// A work key's check value (never the key).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeyCheck {
    /// `PIK`, `MAK`, `TDK`.
    pub role: String,
    /// Hex.
    pub check_value: String,
}

/// Key status for the management screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeyStatus {
    /// Work keys installed now.
    pub work_keys_installed: bool,
    /// Check values of the last sign-in's work keys.
    pub keys: Vec<KeyCheck>,
    /// Local day number (days since 1970-01-01) of the last sign-in.
    pub signed_in_day: Option<i64>,
}

impl From<t::KeyStatus> for KeyStatus {
    fn from(k: t::KeyStatus) -> Self {
        KeyStatus {
            work_keys_installed: k.work_keys_installed,
            keys: k
                .keys
                .into_iter()
                .map(|c| KeyCheck {
                    role: c.role,
                    check_value: c.check_value,
                })
                .collect(),
            signed_in_day: k.signed_in_day,
        }
    }
}

/// A parameter in force.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TerminalParameter {
    /// Stable name (`terminal_id`, `response_timeout_ms`, ...).
    pub name: String,
    /// Value.
    pub value: String,
}

/// A communication test's result.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EchoResult {
    /// Field 39 of the echo answer.
    pub response_code: String,
    /// Round trip, ms.
    pub round_trip_ms: i64,
}

impl From<t::EchoResult> for EchoResult {
    fn from(l: t::EchoResult) -> Self {
        EchoResult {
            response_code: l.response_code,
            round_trip_ms: to_i64(l.round_trip_ms),
        }
    }
}

/// How many parked reversals went back into the queue.
pub(crate) fn count(n: usize) -> i32 {
    to_i32(u32::try_from(n).unwrap_or(u32::MAX))
}
