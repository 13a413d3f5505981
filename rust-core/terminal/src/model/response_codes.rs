//! Field 39 response codes: Chinese and English text and what the cashier should do.

/// What the cashier should do after a response code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashierAction {
    /// Approved: hand over the receipt.
    Done,
    /// Partially approved: collect the rest another way.
    CollectRest,
    /// Ask the customer for another card or payment method.
    OtherPayment,
    /// Ask the customer to re-enter the PIN.
    RetryPin,
    /// Retry later; the problem is on the host side.
    RetryLater,
    /// Call the acquirer's help desk.
    CallAcquirer,
    /// Keep the card (lost/stolen) if it is safe to do so, and call the acquirer.
    RetainCard,
    /// Sign in again (the terminal does it automatically).
    SignIn,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseCodeInfo {
    /// The two characters of field 39.
    pub code: &'static str,
    /// Chinese text for the cashier screen.
    pub zh: &'static str,
    /// English text.
    pub en: &'static str,
    /// What to do.
    pub action: CashierAction,
}

use CashierAction::*;

const TABLE: &[ResponseCodeInfo] = &[
    info("00", "交易成功", "Approved", Done),
    info(
        "01",
        "请持卡人与发卡行联系",
        "Refer to card issuer",
        CallAcquirer,
    ),
    info("03", "无效商户", "Invalid merchant", CallAcquirer),
    info("04", "没收卡", "Pick up card", RetainCard),
    info("05", "发卡行不予承兑", "Do not honour", OtherPayment),
    info("10", "部分承兑", "Partially approved", CollectRest),
    info("11", "重要人物批准", "Approved (VIP)", Done),
    info("12", "无效交易", "Invalid transaction", CallAcquirer),
    info("13", "无效金额", "Invalid amount", OtherPayment),
    info("14", "无效卡号", "Invalid card number", OtherPayment),
    info("15", "无此发卡行", "No such issuer", OtherPayment),
    info("22", "故障怀疑", "Suspected malfunction", RetryLater),
    info(
        "25",
        "找不到原始交易",
        "Original transaction not found",
        CallAcquirer,
    ),
    info("30", "报文格式错误", "Format error", CallAcquirer),
    info("33", "过期的卡", "Expired card", OtherPayment),
    info("34", "有作弊嫌疑", "Suspected fraud", RetainCard),
    info(
        "40",
        "发卡行不支持的交易",
        "Function not supported",
        OtherPayment,
    ),
    info("41", "挂失卡", "Lost card", RetainCard),
    info("43", "被窃卡", "Stolen card", RetainCard),
    info("51", "余额不足", "Insufficient funds", OtherPayment),
    info("54", "过期的卡", "Expired card", OtherPayment),
    info("55", "密码错误", "Incorrect PIN", RetryPin),
    info(
        "57",
        "不允许持卡人进行的交易",
        "Transaction not permitted to cardholder",
        OtherPayment,
    ),
    info(
        "58",
        "不允许终端进行的交易",
        "Transaction not permitted to terminal",
        CallAcquirer,
    ),
    info("59", "有作弊嫌疑", "Suspected fraud", OtherPayment),
    info("61", "超出金额限制", "Exceeds amount limit", OtherPayment),
    info("62", "受限制的卡", "Restricted card", OtherPayment),
    info(
        "64",
        "原始金额错误",
        "Original amount incorrect",
        CallAcquirer,
    ),
    info(
        "65",
        "超出取款次数限制",
        "Exceeds frequency limit",
        OtherPayment,
    ),
    info(
        "75",
        "允许的输入PIN次数超限",
        "PIN tries exceeded",
        OtherPayment,
    ),
    info("90", "正在日终处理", "Cut-off in progress", RetryLater),
    info("91", "发卡方不能操作", "Issuer unavailable", RetryLater),
    info(
        "92",
        "金融机构或中间网络设施找不到或无法达到",
        "Routing error",
        RetryLater,
    ),
    info("94", "重复交易", "Duplicate transmission", CallAcquirer),
    info("96", "系统异常", "System malfunction", RetryLater),
    info("97", "终端未签到", "Terminal not signed in", SignIn),
    info("98", "超时", "Timeout", RetryLater),
    info("99", "PIN格式错", "PIN format error", RetryPin),
    info("A0", "MAC校验错", "MAC verification failed", SignIn),
];

const fn info(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    action: CashierAction,
) -> ResponseCodeInfo {
    ResponseCodeInfo {
        code,
        zh,
        en,
        action,
    }
}

/// The row for `code`; unknown codes get a generic "declined" row.
pub fn lookup(code: &str) -> ResponseCodeInfo {
    TABLE
        .iter()
        .find(|r| r.code == code)
        .copied()
        .unwrap_or(ResponseCodeInfo {
            code: "??",
            zh: "交易失败",
            en: "Declined",
            action: OtherPayment,
        })
}

/// Whether the code means the money moved (fully or partly).
pub fn is_approval(code: &str) -> bool {
    matches!(code, "00" | "10" | "11")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_unique_and_complete() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
        assert_eq!(lookup("55").action, RetryPin);
        assert_eq!(lookup("zz").en, "Declined");
        assert!(is_approval("10") && !is_approval("51"));
    }
}
