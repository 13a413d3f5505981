//! Printing after an approval, and reprints. A printer failure never undoes a payment: it is
//! reported in the outcome and the receipt can be reprinted.

use super::{Engine, Progress};
use crate::error::EngineError;
use crate::journal::{TxnKind, TxnRecord};
use crate::outcome::Outcome;
use crate::receipt::{self, CopyKind, MerchantInfo, OriginalRef, Receipt};

impl Engine {
    pub(crate) fn merchant_info(&self) -> MerchantInfo {
        MerchantInfo {
            name: self.config.merchant_name.clone(),
            merchant_id: self.config.merchant_id.clone(),
            terminal_id: self.config.terminal_id.clone(),
            operator: self.config.operator.clone(),
        }
    }

    fn receipt_for(
        &self,
        row: &TxnRecord,
        copy: CopyKind,
        reprint: bool,
    ) -> Result<Receipt, EngineError> {
        let original = match row.original_id {
            Some(id) => self.journal.by_id(id)?.map(|o| OriginalRef {
                trace: Some(o.trace),
                rrn: o.rrn.clone(),
                auth_code: o.auth_code.clone(),
                date: Some(o.local_date.clone()),
            }),
            None => None,
        };
        Ok(Receipt {
            merchant: self.merchant_info(),
            outcome: Outcome::from_record(row),
            original,
            qr: None,
            copy,
            reprint,
            printed_at: self.local().display(),
        })
    }

    /// Prints the merchant and customer copies; returns a notice if the printer failed.
    pub(crate) fn print_slips(&mut self, row: &TxnRecord) -> Option<String> {
        if row.kind == TxnKind::BalanceInquiry {
            return None;
        }
        self.emit(Progress::Printing);
        for copy in [CopyKind::Merchant, CopyKind::Customer] {
            let lines = match self.receipt_for(row, copy, false) {
                Ok(r) => receipt::render(&r, &self.config.receipts),
                Err(e) => return Some(format!("receipt not printed: {e}")),
            };
            if let Err(e) = self.hardware.printer.print(&lines) {
                log::warn!("printer failed after trace {:06}: {e}", row.trace);
                return Some(format!(
                    "交易成功，打印失败，请重打印 / Approved, but the receipt did not print ({e}): reprint it"
                ));
            }
        }
        None
    }

    /// Reprints the merchant copy of `trace` in the current batch, or of the last
    /// transaction. Returns the printed lines.
    pub(crate) fn reprint(&mut self, trace: Option<u32>) -> Result<Vec<String>, EngineError> {
        let row = match trace {
            Some(t) => {
                let batch = self.journal.current_batch()?;
                self.journal.by_trace(batch, t)?
            }
            None => self.journal.last()?,
        }
        .ok_or_else(|| EngineError::InvalidRequest("no such transaction to reprint".into()))?;
        let r = self.receipt_for(&row, CopyKind::Merchant, true)?;
        let lines = receipt::render(&r, &self.config.receipts);
        self.emit(Progress::Printing);
        self.hardware.printer.print(&lines)?;
        Ok(lines)
    }
}
