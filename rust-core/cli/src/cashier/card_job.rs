//! A card command turned into the engine's request, built and checked before the terminal is
//! opened or the host contacted.

use super::commands::{CashierCommand, PreauthCommand};
use crate::desktop::parse_yuan;
use crate::error::CliError;
use unipos_terminal::hardware::sim::SimCard;
use unipos_terminal::model::Outcome;
use unipos_terminal::validate::Validate;
use unipos_terminal::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, EngineError, GuardedAction,
    PreAuthRequest, PreAuthVoidRequest, RefundRequest, SaleRequest, Terminal, VoidRequest,
};

/// A card transaction, built and checked before anything is opened or sent.
pub(crate) enum CardJob {
    Sale(SaleRequest),
    Void(VoidRequest),
    Refund(RefundRequest),
    Balance(BalanceRequest),
    PreAuth(PreAuthRequest),
    PreAuthVoid(PreAuthVoidRequest),
    Completion(CompletionRequest),
    CompletionVoid(CompletionVoidRequest),
}

impl CardJob {
    pub(crate) fn validate(&self) -> Result<(), CliError> {
        Ok(match self {
            CardJob::Sale(r) => r.validate(),
            CardJob::Void(r) => r.validate(),
            CardJob::Refund(r) => r.validate(),
            CardJob::Balance(r) => r.validate(),
            CardJob::PreAuth(r) => r.validate(),
            CardJob::PreAuthVoid(r) => r.validate(),
            CardJob::Completion(r) => r.validate(),
            CardJob::CompletionVoid(r) => r.validate(),
        }?)
    }

    /// What the supervisor must authorise first, if anything.
    pub(crate) fn guarded(&self) -> Option<GuardedAction> {
        match self {
            CardJob::Void(_) => Some(GuardedAction::Void),
            CardJob::Refund(_) => Some(GuardedAction::Refund),
            CardJob::PreAuthVoid(_) => Some(GuardedAction::PreAuthVoid),
            CardJob::CompletionVoid(_) => Some(GuardedAction::CompletionVoid),
            CardJob::Sale(_)
            | CardJob::Balance(_)
            | CardJob::PreAuth(_)
            | CardJob::Completion(_) => None,
        }
    }

    /// Runs at the cashier's desk: the signed-in operator, and the supervisor's `grant` for a
    /// guarded job.
    pub(crate) fn run(self, t: &Terminal, grant: &str) -> Result<Outcome, EngineError> {
        let desk = t.desk();
        match self {
            CardJob::Sale(r) => desk.sale(r),
            CardJob::Void(r) => desk.void(r, grant),
            CardJob::Refund(r) => desk.refund(r, grant),
            CardJob::Balance(r) => desk.balance_inquiry(r),
            CardJob::PreAuth(r) => desk.preauth(r),
            CardJob::PreAuthVoid(r) => desk.preauth_void(r, grant),
            CardJob::Completion(r) => desk.completion(r),
            CardJob::CompletionVoid(r) => desk.completion_void(r, grant),
        }
    }
}

/// The card job of a command, or `None` for the other commands.
pub(crate) fn card_job(cmd: &CashierCommand) -> Result<Option<(CardJob, SimCard)>, CliError> {
    let id = |given: &Option<String>| request_id(given);
    Ok(Some(match cmd {
        CashierCommand::Sale {
            amount,
            card,
            request_id,
        } => (
            CardJob::Sale(SaleRequest {
                request_id: id(request_id),
                amount: parse_yuan(amount)?,
            }),
            card.card()?,
        ),
        CashierCommand::Void {
            trace,
            card,
            request_id,
        } => (
            CardJob::Void(VoidRequest {
                request_id: id(request_id),
                trace: *trace,
            }),
            card.card()?,
        ),
        CashierCommand::Refund {
            amount,
            rrn,
            date,
            card,
            request_id,
        } => (
            CardJob::Refund(RefundRequest {
                request_id: id(request_id),
                amount: parse_yuan(amount)?,
                rrn: rrn.clone(),
                date: date.clone(),
            }),
            card.card()?,
        ),
        CashierCommand::Balance { card, request_id } => (
            CardJob::Balance(BalanceRequest {
                request_id: id(request_id),
            }),
            card.card()?,
        ),
        CashierCommand::Preauth(p) => match p {
            PreauthCommand::Auth {
                amount,
                card,
                request_id,
            } => (
                CardJob::PreAuth(PreAuthRequest {
                    request_id: id(request_id),
                    amount: parse_yuan(amount)?,
                }),
                card.card()?,
            ),
            PreauthCommand::Void {
                auth,
                date,
                card,
                request_id,
            } => (
                CardJob::PreAuthVoid(PreAuthVoidRequest {
                    request_id: id(request_id),
                    auth_code: auth.clone(),
                    date: date.clone(),
                }),
                card.card()?,
            ),
            PreauthCommand::Complete {
                amount,
                auth,
                date,
                advice,
                card,
                request_id,
            } => (
                CardJob::Completion(CompletionRequest {
                    request_id: id(request_id),
                    amount: parse_yuan(amount)?,
                    auth_code: auth.clone(),
                    date: date.clone(),
                    advice: *advice,
                }),
                card.card()?,
            ),
            PreauthCommand::CompleteVoid {
                trace,
                card,
                request_id,
            } => (
                CardJob::CompletionVoid(CompletionVoidRequest {
                    request_id: id(request_id),
                    trace: *trace,
                }),
                card.card()?,
            ),
        },
        _ => return Ok(None),
    }))
}

pub(crate) fn request_id(given: &Option<String>) -> String {
    given.clone().unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        format!("cli-{now}")
    })
}
