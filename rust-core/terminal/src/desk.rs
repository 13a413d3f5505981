//! [`Desk`]: the cashier's entry points, for the terminal's own screens and the CLI. The engine
//! enforces here what UnionPay terminals enforce at the keyboard: an operator is signed in
//! before any transaction, and void, refund, pre-auth void, completion void, settlement,
//! reversal retry, operator management and settings need the supervisor's grant
//! ([`Desk::authorize_supervisor`]).
//!
//! Merchant apps do not come through here: they call [`Terminal`]'s methods directly, governed
//! by the acquirer's allow-list and per-app scopes in the Android app; they never need the
//! supervisor's password.

use crate::error::EngineError;
use crate::lookup;
use crate::model::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EchoResult, GuardedAction,
    JournalFilter, KeyStatus, OperatorInfo, OriginalKey, OriginalView, Outcome, PreAuthRequest,
    PreAuthVoidRequest, QrDynamicCode, QrDynamicRequest, QrOutcome, QrPayRequest, QrRefundOutcome,
    QrRefundRequest, QrVoidRequest, RefundRequest, SaleRequest, SettlementReport, SupervisorGrant,
    TerminalParameter, Unresolved, VoidRequest,
};
use crate::services::management;
use crate::services::operators::{Need, Operators};
use crate::terminal::Terminal;

/// The cashier's desk of a [`Terminal`] ([`Terminal::desk`]). Each call takes the engine once:
/// the check and the operation it guards cannot be separated by another call.
#[derive(Debug, Clone, Copy)]
pub struct Desk<'t> {
    terminal: &'t Terminal,
}

impl Terminal {
    /// The cashier's entry points (operators, the supervisor, guarded operations).
    pub fn desk(&self) -> Desk<'_> {
        Desk { terminal: self }
    }
}

impl Desk<'_> {
    // ---- operators ---------------------------------------------------------------------------

    /// Operator sign-in (操作员签到) with number and password. The factory supervisor account
    /// cannot sign in; a password set by the factory must be changed first.
    pub fn sign_in(&self, number: &str, password: &str) -> Result<OperatorInfo, EngineError> {
        let mut e = self.terminal.engine();
        Operators::sign_in(e.ctx(), number, password)
    }

    /// Operator sign-out: nothing can be done until the next sign-in.
    pub fn sign_out_operator(&self) -> Result<(), EngineError> {
        Operators::sign_out(self.terminal.engine().ctx())
    }

    /// The signed-in operator.
    pub fn current_operator(&self) -> Result<Option<OperatorInfo>, EngineError> {
        Operators::current(self.terminal.engine().ctx())
    }

    /// Every account.
    pub fn operators(&self) -> Result<Vec<OperatorInfo>, EngineError> {
        Operators::list(self.terminal.engine().ctx())
    }

    /// The supervisor's password for `action`: a grant to hand to the guarded call. Wrong
    /// passwords count towards the lock.
    pub fn authorize_supervisor(
        &self,
        password: &str,
        action: GuardedAction,
    ) -> Result<SupervisorGrant, EngineError> {
        self.terminal
            .engine()
            .authorize_supervisor(password, action)
    }

    /// Changes `number`'s password, knowing the current one (also the first change of the
    /// factory supervisor password).
    pub fn change_password(
        &self,
        number: &str,
        current: &str,
        new: &str,
    ) -> Result<(), EngineError> {
        Operators::change_password(self.terminal.engine().ctx(), number, current, new)
    }

    /// Adds an operator (grant: [`GuardedAction::OperatorManagement`]).
    pub fn add_operator(
        &self,
        grant: &str,
        number: &str,
        password: &str,
    ) -> Result<(), EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervisor(GuardedAction::OperatorManagement, grant))?;
        Operators::add(e.ctx(), number, password)
    }

    /// Deletes an operator (grant: [`GuardedAction::OperatorManagement`]).
    pub fn delete_operator(&self, grant: &str, number: &str) -> Result<(), EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervisor(GuardedAction::OperatorManagement, grant))?;
        Operators::delete(e.ctx(), number)
    }

    /// Sets a new password for an operator (grant: [`GuardedAction::OperatorManagement`]).
    pub fn reset_password(&self, grant: &str, number: &str, new: &str) -> Result<(), EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervisor(GuardedAction::OperatorManagement, grant))?;
        Operators::reset_password(e.ctx(), number, new)
    }

    /// Checks a [`GuardedAction::Settings`] grant before the app applies new settings (they
    /// live outside the engine: the app reopens the terminal with them).
    pub fn check_settings_grant(&self, grant: &str) -> Result<(), EngineError> {
        self.terminal
            .engine()
            .guard(Need::Supervisor(GuardedAction::Settings, grant))
    }

    // ---- card transactions -------------------------------------------------------------------

    /// 消费 by the signed-in operator.
    pub fn sale(&self, req: SaleRequest) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.sale(req)
    }

    /// 消费撤销, with the supervisor's grant.
    pub fn void(&self, req: VoidRequest, grant: &str) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::Void, grant))?;
        e.void(req)
    }

    /// 退货, with the supervisor's grant.
    pub fn refund(&self, req: RefundRequest, grant: &str) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::Refund, grant))?;
        e.refund(req)
    }

    /// 预授权.
    pub fn preauth(&self, req: PreAuthRequest) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.preauth(req)
    }

    /// 预授权撤销, with the supervisor's grant.
    pub fn preauth_void(
        &self,
        req: PreAuthVoidRequest,
        grant: &str,
    ) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::PreAuthVoid, grant))?;
        e.preauth_void(req)
    }

    /// 预授权完成 (request or advice).
    pub fn completion(&self, req: CompletionRequest) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.completion(req)
    }

    /// 预授权完成撤销, with the supervisor's grant.
    pub fn completion_void(
        &self,
        req: CompletionVoidRequest,
        grant: &str,
    ) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::CompletionVoid, grant))?;
        e.completion_void(req)
    }

    /// 余额查询.
    pub fn balance_inquiry(&self, req: BalanceRequest) -> Result<Outcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.balance_inquiry(req)
    }

    // ---- QR ----------------------------------------------------------------------------------

    /// Pay by the customer's payment code.
    pub fn qr_pay(&self, req: QrPayRequest) -> Result<QrOutcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.qr_pay(req)
    }

    /// Show a dynamic code; then [`Desk::qr_dynamic_wait`].
    pub fn qr_dynamic_create(&self, req: QrDynamicRequest) -> Result<QrDynamicCode, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.qr_dynamic_create(req)
    }

    /// Waits for the shown code to be paid (or closes it at its deadline).
    pub fn qr_dynamic_wait(&self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.qr_dynamic_wait(request_id)
    }

    /// The cashier gives up on an open QR attempt.
    pub fn qr_cancel(&self, request_id: &str) -> Result<QrOutcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.qr_cancel(request_id)
    }

    /// 扫码退款, with the supervisor's [`GuardedAction::Refund`] grant.
    pub fn qr_refund(
        &self,
        req: QrRefundRequest,
        grant: &str,
    ) -> Result<QrRefundOutcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::Refund, grant))?;
        e.qr_refund(req)
    }

    /// Same-day QR void, with the supervisor's [`GuardedAction::Void`] grant.
    pub fn qr_void(&self, req: QrVoidRequest, grant: &str) -> Result<QrRefundOutcome, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::Void, grant))?;
        e.qr_void(req)
    }

    // ---- end of day, reprints, recovery ------------------------------------------------------

    /// 结算, with the supervisor's grant.
    pub fn settle(&self, grant: &str) -> Result<SettlementReport, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::Settlement, grant))?;
        e.settle()
    }

    /// 签退: the terminal signs out of the host; the next transaction signs in again.
    pub fn sign_out_terminal(&self) -> Result<(), EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.sign_out()
    }

    /// 重打印 of `trace` (current batch) or of the last transaction.
    pub fn reprint(&self, trace: Option<u32>) -> Result<Vec<String>, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.reprint(match trace {
            Some(t) => crate::services::printing::ReprintOf::Trace(t),
            None => crate::services::printing::ReprintOf::Last,
        })
    }

    /// Reprints the report of a closed batch.
    pub fn print_settlement(&self, batch: u32) -> Result<Vec<String>, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Operator)?;
        e.print_settlement(batch)
    }

    /// Parked reversals back into the queue (the supervisor decided to retry them); they go at
    /// the next flush point. Returns how many.
    pub fn retry_parked_reversals(&self, grant: &str) -> Result<usize, EngineError> {
        let mut e = self.terminal.engine();
        e.guard(Need::Supervised(GuardedAction::ReversalRetry, grant))?;
        e.retry_parked_reversals()
    }

    // ---- looking things up, management screens -----------------------------------------------

    /// The original `key` names, for the confirmation screen (masked card, amount, date).
    pub fn find_original(&self, key: &OriginalKey) -> Result<OriginalView, EngineError> {
        lookup::find_original(self.terminal.engine().store(), key)
    }

    /// The journal, filtered, newest first.
    pub fn journal(&self, filter: &JournalFilter) -> Result<Vec<OriginalView>, EngineError> {
        lookup::journal(self.terminal.engine().store(), filter)
    }

    /// The QR attempts, newest first (the QR order query and refund screens).
    pub fn qr_orders(&self, limit: u32) -> Result<Vec<QrOutcome>, EngineError> {
        lookup::qr_orders(self.terminal.engine().store(), limit)
    }

    /// A QR attempt by its receipt's order number or its request id.
    pub fn find_qr_order(&self, number: &str) -> Result<QrOutcome, EngineError> {
        lookup::find_qr_order(self.terminal.engine().store(), number)
    }

    /// How long a dynamic code is shown before the engine closes it (the countdown), ms.
    pub fn qr_dynamic_deadline_ms(&self) -> u64 {
        self.terminal.qr_settings().timers.dynamic.deadline_ms
    }

    /// The cashier has seen a QR result reached in the background.
    pub fn qr_acknowledge(&self, request_id: &str) -> Result<bool, EngineError> {
        self.terminal.engine().qr_acknowledge(request_id)
    }

    /// What must be resolved or seen before a new sale.
    pub fn unresolved(&self) -> Result<Unresolved, EngineError> {
        lookup::unresolved(self.terminal.engine().store())
    }

    /// Work keys installed and their check values.
    pub fn key_status(&self) -> Result<KeyStatus, EngineError> {
        management::key_status(self.terminal.engine().ctx())
    }

    /// The parameters in force (read only).
    pub fn parameters(&self) -> Result<Vec<TerminalParameter>, EngineError> {
        management::parameters(self.terminal.engine().ctx())
    }

    /// 回响测试 (communication test) to the POSP.
    pub fn echo_test(&self) -> Result<EchoResult, EngineError> {
        management::echo_test(self.terminal.engine().ctx())
    }

    /// Prints a test slip.
    pub fn printer_test(&self) -> Result<Vec<String>, EngineError> {
        management::printer_test(self.terminal.engine().ctx())
    }
}
