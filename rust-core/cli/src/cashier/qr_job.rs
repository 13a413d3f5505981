//! `qr ...`: pay by the customer's code, show a dynamic code, refund, void; each turned into the
//! engine's request and checked before the terminal is opened or the host contacted.

use super::card_job::request_id;
use super::commands::QrCommand;
use crate::desktop::parse_yuan;
use crate::error::CliError;
use std::path::PathBuf;
use unipos_terminal::receipt::yuan;
use unipos_terminal::validate::Validate;
use unipos_terminal::{
    EngineError, GuardedAction, QrDynamicRequest, QrOutcome, QrPayRequest, QrRefundOutcome,
    QrRefundRequest, QrVoidRequest, Terminal,
};

/// A QR command, built and checked.
pub(crate) enum QrJob {
    Pay(QrPayRequest),
    Show(QrDynamicRequest, Option<PathBuf>),
    Refund(QrRefundRequest),
    Void(QrVoidRequest),
}

/// The job of a QR command (`None` for the read-only `qr query`).
pub(crate) fn qr_job(cmd: &QrCommand) -> Result<Option<QrJob>, CliError> {
    let job = match cmd {
        QrCommand::Pay {
            amount,
            code,
            order,
            request_id: id,
        } => {
            let id = request_id(id);
            QrJob::Pay(QrPayRequest {
                order_id: order.clone().unwrap_or_else(|| id.clone()),
                request_id: id,
                amount: parse_yuan(amount)?,
                code: code.clone(),
                subject: None,
            })
        }
        QrCommand::Show {
            amount,
            png,
            order,
            request_id: id,
        } => {
            let id = request_id(id);
            QrJob::Show(
                QrDynamicRequest {
                    order_id: order.clone().unwrap_or_else(|| id.clone()),
                    request_id: id,
                    amount: parse_yuan(amount)?,
                    subject: None,
                },
                png.clone(),
            )
        }
        QrCommand::Refund {
            amount,
            original,
            request_id: id,
        } => QrJob::Refund(QrRefundRequest {
            request_id: request_id(id),
            original_request_id: original.clone(),
            amount: parse_yuan(amount)?,
            reason: None,
        }),
        QrCommand::Void {
            original,
            request_id: id,
        } => QrJob::Void(QrVoidRequest {
            request_id: request_id(id),
            original_request_id: original.clone(),
        }),
        QrCommand::Query { .. } => return Ok(None),
    };
    match &job {
        QrJob::Pay(r) => r.validate()?,
        QrJob::Show(r, _) => r.validate()?,
        QrJob::Refund(r) => r.validate()?,
        QrJob::Void(r) => r.validate()?,
    }
    Ok(Some(job))
}

impl QrJob {
    /// What the supervisor must authorise first.
    pub(crate) fn guarded(&self) -> Option<GuardedAction> {
        match self {
            QrJob::Refund(_) => Some(GuardedAction::Refund),
            QrJob::Void(_) => Some(GuardedAction::Void),
            QrJob::Pay(_) | QrJob::Show(..) => None,
        }
    }

    /// Runs at the cashier's desk; returns what to print.
    pub(crate) fn run(self, t: &Terminal, grant: &str) -> Result<String, CliError> {
        let desk = t.desk();
        Ok(match self {
            QrJob::Pay(r) => describe_qr(&desk.qr_pay(r)?),
            QrJob::Show(r, png) => {
                let id = r.request_id.clone();
                let code = desk.qr_dynamic_create(r)?;
                let mut out = format!(
                    "show this code to the customer: {}\n  order {} amount {}",
                    code.code_url,
                    code.outcome.out_trade_no,
                    yuan(code.outcome.amount)
                );
                if let Some(path) = png {
                    std::fs::write(&path, &code.image.png)?;
                    out.push_str(&format!("\n  code written to {}", path.display()));
                }
                // The wait polls the gateway until paid, or closes the code at its deadline.
                let done = desk.qr_dynamic_wait(&id)?;
                out.push('\n');
                out.push_str(&describe_qr(&done));
                out
            }
            QrJob::Refund(mut r) => {
                r.original_request_id = original_of(&desk, &r.original_request_id)?;
                describe_refund(&desk.qr_refund(r, grant)?)
            }
            QrJob::Void(mut r) => {
                r.original_request_id = original_of(&desk, &r.original_request_id)?;
                describe_refund(&desk.qr_void(r, grant)?)
            }
        })
    }
}

/// One QR attempt, masked code only.
pub fn describe_qr(o: &QrOutcome) -> String {
    let mut s = format!(
        "{:<18} qr_{:<13} {:?} | amount {} paid {} refunded {} | order {}",
        o.request_id,
        if o.kind == unipos_terminal::QrOrderKind::Dynamic {
            "dynamic"
        } else {
            "pay"
        },
        o.status,
        yuan(o.amount),
        yuan(o.paid_amount),
        yuan(o.refunded_amount),
        o.out_trade_no
    );
    if let Some(c) = o.channel {
        s.push_str(&format!(" | {} {}", c.name_zh(), c.name_en()));
    }
    if let Some(code) = &o.masked_code {
        s.push_str(&format!(" | code {code}"));
    }
    if let Some(e) = &o.error_code {
        s.push_str(&format!(" | {e}"));
    }
    s.push_str(&format!("\n  {}", o.message));
    if let Some(n) = &o.notice {
        s.push_str(&format!("\n  NOTE: {n}"));
    }
    s
}

/// One QR refund or void.
pub fn describe_refund(o: &QrRefundOutcome) -> String {
    format!(
        "{:<18} qr_{:<13} {:?} | amount {} | refunded in total {} | of {}\n  {}",
        o.request_id,
        if o.kind == unipos_terminal::QrRefundKind::Void {
            "void"
        } else {
            "refund"
        },
        o.status,
        yuan(o.amount),
        yuan(o.refunded_total),
        o.original_request_id,
        o.message
    )
}

/// `qr query`: an attempt, else a refund, by request id (read only).
pub(crate) fn query(
    reader: &unipos_terminal::JournalReader,
    request_id: &str,
) -> Result<Option<String>, EngineError> {
    if let Some(o) = reader.qr_query(request_id)? {
        return Ok(Some(describe_qr(&o)));
    }
    // The order number printed on the receipt (订单号) names the attempt too.
    if let Some(o) = reader.qr_find_order(request_id)? {
        return Ok(Some(describe_qr(&o)));
    }
    Ok(reader
        .qr_refund_query(request_id)?
        .map(|r| describe_refund(&r)))
}

/// The request id of the QR payment `named` by the cashier: its request id, or the order
/// number on its receipt (订单号). An unknown name is passed on as it is: the engine refuses it.
fn original_of(desk: &unipos_terminal::Desk<'_>, named: &str) -> Result<String, CliError> {
    match desk.find_qr_order(named) {
        Ok(o) => Ok(o.request_id),
        Err(EngineError::Rule(unipos_terminal::RuleViolation::OriginalNotFound(_))) => {
            Ok(named.to_owned())
        }
        Err(e) => Err(e.into()),
    }
}
