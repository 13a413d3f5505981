//! [`CashierDesk`]: the cashier's entry points over the FFI (the engine's `Desk`): operator
//! sign-in, the supervisor's grants, the guarded transactions, the lookups and the management
//! screens. The terminal's own cashier screens use this object only; merchant apps' requests go
//! through [`PosTerminal`]'s methods (the app's allow-list and scopes govern them), so they never
//! need the supervisor's password.
//!
//! Passwords arrive as Kotlin strings (which the JVM cannot wipe); Rust moves them into
//! `Zeroizing` buffers at once and never logs or returns them.

use crate::error::PosError;
use crate::qr::{
    QrDynamicCode, QrOrderRequest, QrOutcome, QrPayRequest, QrRefundOutcome, QrRefundRequest,
    QrReturn,
};
use crate::terminal::PosTerminal;
use crate::types::{
    self, CompletionRequest, CompletionVoidRequest, EchoResult, GuardedAction, JournalFilter,
    KeyStatus, OperatorInfo, OriginalKey, OriginalView, Outcome, PreAuthRequest,
    PreAuthVoidRequest, RefundRequest, SaleRequest, SettlementReport, SupervisorGrant,
    TerminalParameter, VoidRequest,
};
use std::sync::Arc;
use unipos_terminal as t;
use zeroize::Zeroizing;

/// The cashier's desk of a [`PosTerminal`] ([`PosTerminal::cashier_desk`]). Every method blocks
/// (call it off the UI thread) and is serialised with the terminal's other calls.
#[derive(Debug, uniffi::Object)]
pub struct CashierDesk {
    pos: Arc<PosTerminal>,
}

#[uniffi::export]
impl PosTerminal {
    /// The cashier's entry points of this terminal.
    pub fn cashier_desk(self: Arc<Self>) -> Arc<CashierDesk> {
        Arc::new(CashierDesk { pos: self })
    }
}

fn secret(s: String) -> Zeroizing<String> {
    Zeroizing::new(s)
}

fn batch(v: i32) -> Result<u32, PosError> {
    u32::try_from(v).map_err(|_| PosError::invalid("batch: must not be negative"))
}

#[uniffi::export]
impl CashierDesk {
    // ---- operators ---------------------------------------------------------------------------

    /// Operator sign-in (number `01`–`99` and password). 1103 wrong password (attempts left),
    /// 1104 locked (until), 1105 the password must be changed first, 1106 no such operator.
    pub fn sign_in(&self, number: String, password: String) -> Result<OperatorInfo, PosError> {
        let password = secret(password);
        self.pos
            .run(|t| t.desk().sign_in(&number, &password))
            .map(Into::into)
    }

    /// Operator sign-out.
    pub fn sign_out_operator(&self) -> Result<(), PosError> {
        self.pos.run(|t| t.desk().sign_out_operator())
    }

    /// The signed-in operator (`null`: nobody).
    pub fn current_operator(&self) -> Result<Option<OperatorInfo>, PosError> {
        self.pos
            .run(|t| t.desk().current_operator())
            .map(|o| o.map(Into::into))
    }

    /// Every account (never a password or hash).
    pub fn operators(&self) -> Result<Vec<OperatorInfo>, PosError> {
        self.pos
            .run(|t| t.desk().operators())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// The supervisor's password for `action`: a grant for the guarded call. Wrong passwords
    /// count towards the lock (1103, then 1104); the factory password is refused with 1105
    /// until it is changed.
    pub fn authorize_supervisor(
        &self,
        password: String,
        action: GuardedAction,
    ) -> Result<SupervisorGrant, PosError> {
        let password = secret(password);
        self.pos
            .run(|t| t.desk().authorize_supervisor(&password, action.to_engine()))
            .map(Into::into)
    }

    /// Changes `number`'s password, knowing the current one.
    pub fn change_password(
        &self,
        number: String,
        current: String,
        new_password: String,
    ) -> Result<(), PosError> {
        let (current, new_password) = (secret(current), secret(new_password));
        self.pos
            .run(|t| t.desk().change_password(&number, &current, &new_password))
    }

    /// Adds an operator (an `OperatorManagement` grant).
    pub fn add_operator(
        &self,
        grant: String,
        number: String,
        password: String,
    ) -> Result<(), PosError> {
        let password = secret(password);
        self.pos
            .run(|t| t.desk().add_operator(&grant, &number, &password))
    }

    /// Deletes an operator (an `OperatorManagement` grant).
    pub fn delete_operator(&self, grant: String, number: String) -> Result<(), PosError> {
        self.pos.run(|t| t.desk().delete_operator(&grant, &number))
    }

    /// Sets a new password for an operator (an `OperatorManagement` grant).
    pub fn reset_password(
        &self,
        grant: String,
        number: String,
        new_password: String,
    ) -> Result<(), PosError> {
        let new_password = secret(new_password);
        self.pos
            .run(|t| t.desk().reset_password(&grant, &number, &new_password))
    }

    /// Checks a `Settings` grant (the setup screen applies settings only after this passes).
    pub fn check_settings_grant(&self, grant: String) -> Result<(), PosError> {
        self.pos.run(|t| t.desk().check_settings_grant(&grant))
    }

    // ---- card transactions (an operator signed in; guarded ones with a grant) ----------------

    /// 消费.
    pub fn sale(&self, request: SaleRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().sale(req))
    }

    /// 消费撤销 (a `Void` grant).
    pub fn void(&self, request: VoidRequest, grant: String) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().void(req, &grant))
    }

    /// 退货 (a `Refund` grant).
    pub fn refund(&self, request: RefundRequest, grant: String) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().refund(req, &grant))
    }

    /// 预授权.
    pub fn pre_auth(&self, request: PreAuthRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().preauth(req))
    }

    /// 预授权撤销 (a `PreAuthVoid` grant).
    pub fn pre_auth_void(
        &self,
        request: PreAuthVoidRequest,
        grant: String,
    ) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().preauth_void(req, &grant))
    }

    /// 预授权完成 (request or advice).
    pub fn completion(&self, request: CompletionRequest) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().completion(req))
    }

    /// 预授权完成撤销 (a `CompletionVoid` grant).
    pub fn completion_void(
        &self,
        request: CompletionVoidRequest,
        grant: String,
    ) -> Result<Outcome, PosError> {
        let req = request.to_engine()?;
        self.pos.outcome(|t| t.desk().completion_void(req, &grant))
    }

    /// 余额查询.
    pub fn balance_inquiry(&self, request_id: String) -> Result<Outcome, PosError> {
        let req = types::balance(&request_id)?;
        self.pos.outcome(|t| t.desk().balance_inquiry(req))
    }

    // ---- QR ----------------------------------------------------------------------------------

    /// Pay by the customer's payment code.
    pub fn qr_pay(&self, request: QrPayRequest) -> Result<QrOutcome, PosError> {
        self.pos.qr_ready()?;
        let req = crate::qr::pay(request)?;
        self.pos.run(|t| t.desk().qr_pay(req)).map(Into::into)
    }

    /// A dynamic code to show; then [`CashierDesk::qr_order_wait`].
    pub fn qr_order_create(&self, request: QrOrderRequest) -> Result<QrDynamicCode, PosError> {
        self.pos.qr_ready()?;
        let req = crate::qr::order(request)?;
        self.pos
            .run(|t| t.desk().qr_dynamic_create(req))
            .map(Into::into)
    }

    /// Waits for the shown code to be paid, or closes it at its deadline.
    pub fn qr_order_wait(&self, request_id: String) -> Result<QrOutcome, PosError> {
        self.pos.qr_ready()?;
        self.pos
            .run(|t| t.desk().qr_dynamic_wait(&request_id))
            .map(Into::into)
    }

    /// Gives up on an open QR attempt.
    pub fn qr_cancel(&self, request_id: String) -> Result<QrOutcome, PosError> {
        self.pos.qr_ready()?;
        self.pos
            .run(|t| t.desk().qr_cancel(&request_id))
            .map(Into::into)
    }

    /// 扫码退款 (a `Refund` grant), or the same-day void with `amount` = `null` (a `Void`
    /// grant).
    pub fn qr_refund(
        &self,
        request: QrRefundRequest,
        grant: String,
    ) -> Result<QrRefundOutcome, PosError> {
        self.pos.qr_ready()?;
        match crate::qr::refund(request)? {
            QrReturn::Refund(req) => self
                .pos
                .run(|t| t.desk().qr_refund(req, &grant))
                .map(Into::into),
            QrReturn::Void(req) => self
                .pos
                .run(|t| t.desk().qr_void(req, &grant))
                .map(Into::into),
        }
    }

    // ---- end of day, reprints, recovery ------------------------------------------------------

    /// 结算 (a `Settlement` grant).
    pub fn settle(&self, grant: String) -> Result<SettlementReport, PosError> {
        self.pos.run(|t| t.desk().settle(&grant)).map(Into::into)
    }

    /// 签退: the terminal signs out of the host.
    pub fn sign_out_terminal(&self) -> Result<(), PosError> {
        self.pos.run(|t| t.desk().sign_out_terminal())
    }

    /// 重打印 of `trace` (current batch) or the last transaction; returns the lines.
    pub fn reprint(&self, trace: Option<i32>) -> Result<Vec<String>, PosError> {
        let trace = trace.map(types::trace).transpose()?;
        self.pos.run(|t| t.desk().reprint(trace))
    }

    /// Reprints a closed batch's settlement report; returns the lines.
    pub fn print_settlement(&self, batch_number: i32) -> Result<Vec<String>, PosError> {
        let b = batch(batch_number)?;
        self.pos.run(|t| t.desk().print_settlement(b))
    }

    /// Parked reversals back into the queue (a `ReversalRetry` grant); how many.
    pub fn retry_parked_reversals(&self, grant: String) -> Result<i32, PosError> {
        self.pos
            .run(|t| t.desk().retry_parked_reversals(&grant))
            .map(types::count)
    }

    // ---- lookups and management --------------------------------------------------------------

    /// The original `key` names (1010 if none), for the confirmation screen.
    pub fn find_original(&self, key: OriginalKey) -> Result<OriginalView, PosError> {
        let key = key.to_engine()?;
        self.pos
            .run(|t| t.desk().find_original(&key))
            .map(Into::into)
    }

    /// The journal, filtered, newest first.
    pub fn journal(&self, filter: JournalFilter) -> Result<Vec<OriginalView>, PosError> {
        let filter = filter.to_engine()?;
        self.pos
            .run(|t| t.desk().journal(&filter))
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// The QR attempts, newest first (at most `limit`, 1-1000).
    pub fn qr_orders(&self, limit: i32) -> Result<Vec<QrOutcome>, PosError> {
        let limit = u32::try_from(limit)
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| PosError::invalid("limit: must be 1 to 1000"))?;
        self.pos
            .run(|t| t.desk().qr_orders(limit))
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// A QR attempt by its receipt's order number or its request id (1010 if none).
    pub fn find_qr_order(&self, number: String) -> Result<QrOutcome, PosError> {
        self.pos
            .run(|t| t.desk().find_qr_order(&number))
            .map(Into::into)
    }

    /// How long a dynamic code is shown before it is closed, ms (the screen's countdown).
    pub fn qr_dynamic_deadline_ms(&self) -> i64 {
        types::to_i64(self.pos.terminal.desk().qr_dynamic_deadline_ms())
    }

    /// The cashier has seen a QR result reached in the background.
    pub fn qr_acknowledge(&self, request_id: String) -> Result<bool, PosError> {
        self.pos.run(|t| t.desk().qr_acknowledge(&request_id))
    }

    /// What must be resolved or seen before a new sale.
    pub fn unresolved(&self) -> Result<Unresolved, PosError> {
        self.pos.run(|t| t.desk().unresolved()).map(Into::into)
    }

    /// Work keys installed and their check values.
    pub fn key_status(&self) -> Result<KeyStatus, PosError> {
        self.pos.run(|t| t.desk().key_status()).map(Into::into)
    }

    /// The parameters in force.
    pub fn parameters(&self) -> Result<Vec<TerminalParameter>, PosError> {
        self.pos.run(|t| t.desk().parameters()).map(|v| {
            v.into_iter()
                .map(|p| TerminalParameter {
                    name: p.name,
                    value: p.value,
                })
                .collect()
        })
    }

    /// 回响测试 to the POSP.
    pub fn echo_test(&self) -> Result<EchoResult, PosError> {
        self.pos.run(|t| t.desk().echo_test()).map(Into::into)
    }

    /// Prints a test slip; returns the lines.
    pub fn printer_test(&self) -> Result<Vec<String>, PosError> {
        self.pos.run(|t| t.desk().printer_test())
    }
}

// Here, not in `types`: it holds QR outcomes, and `qr` builds on `types`.
/// What must be resolved or seen before a new sale.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Unresolved {
    /// Lost answers; their reversal goes out before the next transaction by itself.
    pub pending_reversals: Vec<Outcome>,
    /// Reversals given up on: the supervisor retries them (a `ReversalRetry` grant).
    pub parked_reversals: Vec<Outcome>,
    /// QR attempts still being resolved: do not charge again.
    pub open_qr: Vec<QrOutcome>,
    /// QR results reached in the background, not seen yet (late success, reversed).
    pub qr_results: Vec<QrOutcome>,
}

impl From<t::Unresolved> for Unresolved {
    fn from(u: t::Unresolved) -> Self {
        Unresolved {
            pending_reversals: u.pending_reversals.into_iter().map(Into::into).collect(),
            parked_reversals: u.parked_reversals.into_iter().map(Into::into).collect(),
            open_qr: u.open_qr.into_iter().map(Into::into).collect(),
            qr_results: u.qr_results.into_iter().map(Into::into).collect(),
        }
    }
}
