//! Printing after an approval, and reprints. A printer failure never undoes a payment: it is
//! reported in the outcome and the receipt can be reprinted.

use super::{Engine, Progress};
use crate::error::EngineError;
use crate::journal::{TxnKind, TxnRecord};
use crate::outcome::Outcome;
use crate::qr::{QrOutcome, QrStatus};
use crate::receipt::{self, CopyKind, MerchantInfo, OriginalRef, QrInfo, Receipt};

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

    /// Prints the slips of a paid QR payment (channel and order number instead of a card);
    /// returns a notice if the printer failed. Only payments just completed are printed.
    pub(crate) fn print_qr_slips(&mut self, o: &QrOutcome) -> Option<String> {
        if o.status != QrStatus::Paid {
            return None;
        }
        self.emit(Progress::Printing);
        let channel = o
            .channel
            .map(|c| format!("{}/{}", c.name_zh(), c.name_en()))
            .unwrap_or_default();
        for copy in [CopyKind::Merchant, CopyKind::Customer] {
            let r = Receipt {
                merchant: self.merchant_info(),
                outcome: o.to_outcome(),
                original: None,
                qr: Some(QrInfo {
                    channel: channel.clone(),
                    order_no: o.out_trade_no.clone(),
                    channel_txn_id: o.channel_trade_no.clone(),
                }),
                copy,
                reprint: false,
                printed_at: self.local().display(),
            };
            let lines = receipt::render(&r, &self.config.receipts);
            if let Err(e) = self.hardware.printer.print(&lines) {
                log::warn!("printer failed after QR order {}: {e}", o.out_trade_no);
                return Some(format!(
                    "支付成功，打印失败，请重打印 / Paid, but the receipt did not print ({e})"
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
