//! Receipts: a plain-text renderer of the receipt model for 32- or 48-column
//! thermal printers, Chinese, English or both. Card numbers appear masked only.

use crate::model::{
    CopyKind, Language, MerchantInfo, OutcomeStatus, Receipt, ReceiptStyle, SettlementReport,
    TxnKind,
};

fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

struct Lines {
    width: usize,
    language: Language,
    out: Vec<String>,
}

impl Lines {
    fn label(&self, zh: &str, en: &str) -> String {
        match self.language {
            Language::Chinese => zh.to_owned(),
            Language::English => en.to_owned(),
            Language::Bilingual => format!("{zh}/{en}"),
        }
    }

    fn center(&mut self, text: &str) {
        let w = display_width(text);
        let pad = self.width.saturating_sub(w) / 2;
        self.out.push(format!("{}{}", " ".repeat(pad), text));
    }

    fn rule(&mut self) {
        self.out.push("-".repeat(self.width));
    }

    /// `label: value` on one line if it fits, else label then value right-aligned.
    fn pair(&mut self, zh: &str, en: &str, value: &str) {
        let label = self.label(zh, en);
        self.raw(&label, value);
    }

    fn raw(&mut self, label: &str, value: &str) {
        let label = format!("{label}:");
        let (lw, vw) = (display_width(&label), display_width(value));
        if lw + 1 + vw <= self.width {
            self.out.push(format!(
                "{label}{}{value}",
                " ".repeat(self.width - lw - vw)
            ));
        } else {
            self.out.push(label);
            self.out.push(format!(
                "{}{value}",
                " ".repeat(self.width.saturating_sub(vw))
            ));
        }
    }

    fn text(&mut self, zh: &str, en: &str) {
        let t = self.label(zh, en);
        self.out.push(t);
    }
}

/// Yuan with two decimals from fen (display only; money stays integer fen).
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn kind_label(kind: TxnKind) -> (&'static str, &'static str) {
    match kind {
        TxnKind::BalanceInquiry => ("余额查询", "BALANCE"),
        TxnKind::Sale => ("消费", "SALE"),
        TxnKind::SaleVoid => ("消费撤销", "VOID"),
        TxnKind::Refund => ("退货", "REFUND"),
        TxnKind::PreAuth => ("预授权", "PRE-AUTH"),
        TxnKind::PreAuthVoid => ("预授权撤销", "PRE-AUTH VOID"),
        TxnKind::Completion => ("预授权完成", "COMPLETION"),
        TxnKind::CompletionAdvice => ("预授权完成(通知)", "COMPLETION ADVICE"),
        TxnKind::CompletionVoid => ("预授权完成撤销", "COMPLETION VOID"),
    }
}

/// Renders a transaction slip.
pub fn render(r: &Receipt, style: &ReceiptStyle) -> Vec<String> {
    let mut l = Lines {
        width: style.width.max(24),
        language: style.language,
        out: Vec::new(),
    };
    let title = l.label("银联POS签购单", "UNIONPAY POS SLIP");
    l.center(&title);
    let copy = match r.copy {
        CopyKind::Merchant => l.label("商户存根", "MERCHANT COPY"),
        CopyKind::Customer => l.label("持卡人存根", "CUSTOMER COPY"),
    };
    l.center(&copy);
    if r.reprint {
        let t = l.label("重打印凭证", "REPRINT");
        l.center(&format!("*** {t} ***"));
    }
    l.rule();
    l.pair("商户名称", "MERCHANT", &r.merchant.name);
    l.pair("商户编号", "MERCHANT NO", &r.merchant.merchant_id);
    l.pair("终端编号", "TERMINAL NO", &r.merchant.terminal_id);
    l.pair("操作员", "OPERATOR", &r.merchant.operator);
    l.rule();
    let o = &r.outcome;
    if let Some(qr) = &r.qr {
        l.pair("支付方式", "CHANNEL", &qr.channel);
        l.pair("订单号", "ORDER NO", &qr.order_no);
        if let Some(id) = &qr.channel_txn_id {
            l.pair("渠道流水", "CHANNEL TXN", id);
        }
    } else {
        l.pair("卡号", "CARD NO", o.masked_pan.as_deref().unwrap_or("-"));
        if let Some(org) = &o.card_org {
            l.pair("卡组织", "CARD ORG", org);
        }
    }
    let (zh, en) = kind_label(o.kind);
    let kind = l.label(zh, en);
    l.pair("交易类型", "TXN TYPE", &kind);
    l.pair("批次号", "BATCH NO", &format!("{:06}", o.batch));
    l.pair("凭证号", "TRACE NO", &format!("{:06}", o.trace));
    if let Some(a) = &o.auth_code {
        l.pair("授权码", "AUTH NO", a);
    }
    if let Some(rrn) = &o.rrn {
        l.pair("参考号", "REF NO", rrn);
    }
    l.pair("日期时间", "DATE/TIME", &r.printed_at);
    if let Some(no) = &r.merchant_order_no {
        l.pair("商户订单号", "MERCHANT ORDER", no);
    }
    if let Some(orig) = &r.original {
        if let Some(t) = orig.trace {
            l.pair("原凭证号", "ORIG TRACE", &format!("{t:06}"));
        }
        if let Some(v) = &orig.rrn {
            l.pair("原参考号", "ORIG REF", v);
        }
        if let Some(v) = &orig.auth_code {
            l.pair("原授权码", "ORIG AUTH", v);
        }
        if let Some(v) = &orig.date {
            l.pair("原交易日期", "ORIG DATE", v);
        }
    }
    l.rule();
    let credit = matches!(
        o.kind,
        TxnKind::SaleVoid | TxnKind::Refund | TxnKind::CompletionVoid | TxnKind::PreAuthVoid
    );
    let sign = if credit { "-" } else { "" };
    let shown = if o.status.is_approved() {
        o.approved_amount
    } else {
        o.amount
    };
    l.pair("金额", "AMOUNT", &format!("RMB {sign}{}", yuan(shown)));
    if o.status == OutcomeStatus::PartiallyApproved {
        l.pair("请求金额", "REQUESTED", &format!("RMB {}", yuan(o.amount)));
        l.pair(
            "仍需收取",
            "STILL DUE",
            &format!("RMB {}", yuan(o.remaining_amount)),
        );
    }
    if let Some(remark) = &r.remark {
        let label = l.label("备注", "REMARK");
        l.out.push(format!("{label}: {remark}"));
    }
    l.rule();
    if matches!(o.kind, TxnKind::PreAuth) {
        l.text("预授权交易，非实际扣款", "PRE-AUTHORISATION, NOT A CHARGE");
    }
    if r.copy == CopyKind::Merchant && r.qr.is_none() {
        l.text("持卡人签名", "CARDHOLDER SIGNATURE");
        l.out.push(String::new());
        l.out.push("_".repeat(l.width));
        l.text(
            "本人确认以上交易，同意将其记入本卡账户",
            "I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES",
        );
    }
    l.out
}

/// Renders the settlement report.
pub fn render_settlement(
    report: &SettlementReport,
    merchant: &MerchantInfo,
    style: &ReceiptStyle,
) -> Vec<String> {
    let mut l = Lines {
        width: style.width.max(24),
        language: style.language,
        out: Vec::new(),
    };
    let title = l.label("结算总计单", "SETTLEMENT REPORT");
    l.center(&title);
    l.rule();
    l.pair("商户编号", "MERCHANT NO", &merchant.merchant_id);
    l.pair("终端编号", "TERMINAL NO", &merchant.terminal_id);
    l.pair("批次号", "BATCH NO", &format!("{:06}", report.batch));
    l.pair("日期时间", "DATE/TIME", &report.settled_at);
    let result = if report.balanced {
        l.label("对账平", "BALANCED")
    } else {
        l.label("对账不平(已批上送)", "UNBALANCED (UPLOADED)")
    };
    l.pair("结果", "RESULT", &result);
    l.rule();
    l.text("银行卡", "CARDS");
    for (name, t) in &report.by_kind {
        let label = TxnKind::parse(name)
            .map(kind_label)
            .unwrap_or(("其他", "OTHER"));
        let label = l.label(label.0, label.1);
        l.raw(&label, &format!("{} / {}", t.count, yuan(t.amount)));
    }
    l.pair(
        "内卡借记",
        "DOM DEBIT",
        &format!(
            "{} / {}",
            report.domestic.debit.count,
            yuan(report.domestic.debit.amount)
        ),
    );
    l.pair(
        "内卡贷记",
        "DOM CREDIT",
        &format!(
            "{} / {}",
            report.domestic.credit.count,
            yuan(report.domestic.credit.amount)
        ),
    );
    l.pair(
        "外卡借记",
        "FGN DEBIT",
        &format!(
            "{} / {}",
            report.foreign.debit.count,
            yuan(report.foreign.debit.amount)
        ),
    );
    l.pair(
        "外卡贷记",
        "FGN CREDIT",
        &format!(
            "{} / {}",
            report.foreign.credit.count,
            yuan(report.foreign.credit.amount)
        ),
    );
    if !report.qr_by_channel.is_empty() {
        l.rule();
        l.text("扫码支付(不参与批上送)", "QR PAYMENTS (NOT BATCH-UPLOADED)");
        for (channel, t) in &report.qr_by_channel {
            l.raw(channel, &format!("{} / {}", t.count, yuan(t.amount)));
        }
    }
    l.out
}
