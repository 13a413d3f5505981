//! Records and enums that cross the FFI: configuration, requests, outcomes and reports.
//! Amounts are `i64` fen (Kotlin `Long`); trace and batch numbers are `i32` (6 digits).

use crate::error::PosError;
use unipos_terminal as t;

/// `u64` fen to `i64` (saturating; amounts are far below 2^63).
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Largest amount accepted (fen): 12 digits of field 4.
pub const MAX_AMOUNT: i64 = 999_999_999_999;

/// Validates an amount: positive, at most 12 digits.
pub(crate) fn amount(v: i64) -> Result<u64, PosError> {
    if v <= 0 {
        return Err(PosError::amount(format!(
            "the amount must be positive, got {v} fen"
        )));
    }
    if v > MAX_AMOUNT {
        return Err(PosError::amount(format!(
            "the amount exceeds {MAX_AMOUNT} fen"
        )));
    }
    u64::try_from(v).map_err(|_| PosError::amount("invalid amount"))
}

/// Validates a 6-digit trace number.
pub(crate) fn trace(v: i32) -> Result<u32, PosError> {
    match u32::try_from(v) {
        Ok(t) if (1..=999_999).contains(&t) => Ok(t),
        _ => Err(PosError::invalid(format!(
            "trace number must be 1..999999, got {v}"
        ))),
    }
}

pub(crate) fn request_id(id: &str) -> Result<String, PosError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if ok {
        Ok(id.to_owned())
    } else {
        Err(PosError::invalid(
            "requestId must be 1 to 64 characters of A-Z a-z 0-9 - _ . :",
        ))
    }
}

// ---- configuration -------------------------------------------------------------------------------

/// TLS settings of an HTTPS endpoint: the CA certificate is pinned.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TlsPin {
    /// Name in the server certificate.
    pub server_name: String,
    /// The pinned CA certificate, PEM.
    pub ca_pem: String,
}

/// Where a host is: `host:port`, plain TCP (POSP) / HTTP (QR, tests only) or HTTPS with a
/// pinned CA. Host names are resolved at each connection, not when the terminal opens.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HostEndpoint {
    /// `host:port` of the primary, e.g. `127.0.0.1:9001`, `posp.acquirer.cn:5000`, `[::1]:443`.
    pub address: String,
    /// `null` for plain TCP.
    #[uniffi(default = None)]
    pub tls: Option<TlsPin>,
    /// Further `host:port` addresses, tried in order only when connecting to the ones before
    /// failed (nothing was sent then).
    #[uniffi(default = [])]
    pub fallback_addresses: Vec<String>,
}

impl HostEndpoint {
    /// Checks the syntax of every address (no lookup: that happens at each connection).
    /// `field` names the record in the error (`posp`, `qrGateway`).
    fn to_engine(&self, field: &str) -> Result<t::HostAddress, PosError> {
        let check = |name: String, address: &str| {
            unipos_net::HostPort::parse(address)
                .map(|_| address.to_owned())
                .map_err(|e| PosError::Configuration {
                    reason: format!("{field}.{name}: {e}"),
                })
        };
        let mut addresses = vec![check("address".into(), &self.address)?];
        for (i, a) in self.fallback_addresses.iter().enumerate() {
            addresses.push(check(format!("fallbackAddresses[{i}]"), a)?);
        }
        Ok(match &self.tls {
            None => t::HostAddress::Tcp { addresses },
            Some(tls) => t::HostAddress::Https {
                addresses,
                server_name: tls.server_name.clone(),
                ca_pem: tls.ca_pem.clone(),
            },
        })
    }
}

/// Field 64 MAC scheme of the acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MacScheme {
    /// UnionPay "ECB" MAC (default).
    CupEcb,
    /// X9.19 retail MAC.
    X919,
}

/// The terminal's configuration (acquirer profile: UnionPay defaults).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PosConfig {
    /// Terminal id (field 41, 8 characters).
    pub terminal_id: String,
    /// Merchant id (field 42, 15 characters).
    pub merchant_id: String,
    /// The acquirer's POSP.
    pub posp: HostEndpoint,
    /// Merchant name for receipts.
    #[uniffi(default = "")]
    pub merchant_name: String,
    /// Operator number.
    #[uniffi(default = "001")]
    pub operator: String,
    /// The QR gateway (`null`: QR not available).
    #[uniffi(default = None)]
    pub qr_gateway: Option<HostEndpoint>,
    /// The acquirer profile as JSON (`docs/protocol-profile.md`; `null`: the UnionPay
    /// profile). The four fields below, when set, override it.
    #[uniffi(default = None)]
    pub profile_json: Option<String>,
    /// Connect timeout, ms (`null`: the profile's).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// Answer timeout, ms (`null`: the profile's; UnionPay: 60 s).
    #[uniffi(default = None)]
    pub response_timeout_ms: Option<i64>,
    /// Reversal attempts before a reversal is parked (`null`: the profile's).
    #[uniffi(default = None)]
    pub reversal_retries: Option<i32>,
    /// MAC scheme (`null`: the profile's).
    #[uniffi(default = None)]
    pub mac_scheme: Option<MacScheme>,
    /// Automatic settlement time `HH:MM` (`null`: manual only).
    #[uniffi(default = None)]
    pub auto_settlement: Option<String>,
    /// Receipt width in characters (32 for 58 mm paper, 48 for 80 mm).
    #[uniffi(default = 32)]
    pub receipt_width: i32,
    /// Software security module only (host tests, emulator, development): a TMK (32 or 48 hex
    /// digits) to inject into it. It is then kept, encrypted, in the module's key file beside
    /// the database: give it once (again is harmless: the same TMK changes nothing, another
    /// one replaces it and discards the work keys); `null` uses the stored one. Must be `null`
    /// when an external security module is given.
    #[uniffi(default = None)]
    pub software_tmk_hex: Option<String>,
}

impl PosConfig {
    pub(crate) fn to_engine(&self) -> Result<t::TerminalConfig, PosError> {
        let cfg_err = |reason: String| PosError::Configuration { reason };
        if self.terminal_id.len() != 8 {
            return Err(cfg_err("terminalId must be 8 characters".into()));
        }
        if self.merchant_id.len() != 15 {
            return Err(cfg_err("merchantId must be 15 characters".into()));
        }
        let ms = |v: i64, what: &str| -> Result<u64, PosError> {
            u64::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| cfg_err(format!("{what} must be positive")))
        };
        let mut c = t::TerminalConfig::new(
            &self.terminal_id,
            &self.merchant_id,
            self.posp.to_engine("posp")?,
        );
        c.merchant_name.clone_from(&self.merchant_name);
        c.operator.clone_from(&self.operator);
        c.qr_gateway = self
            .qr_gateway
            .as_ref()
            .map(|e| e.to_engine("qrGateway"))
            .transpose()?;
        if let Some(json) = &self.profile_json {
            c.profile = t::AcquirerProfile::from_json(json)
                .map_err(|e| cfg_err(format!("profileJson: {e}")))?;
        }
        if let Some(v) = self.connect_timeout_ms {
            c.profile.timeouts.connect_ms = ms(v, "connectTimeoutMs")?;
        }
        if let Some(v) = self.response_timeout_ms {
            c.profile.timeouts.response_ms = ms(v, "responseTimeoutMs")?;
        }
        if let Some(v) = self.reversal_retries {
            c.profile.reversal.retries = u32::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| cfg_err("reversalRetries must be positive".into()))?;
        }
        if let Some(m) = self.mac_scheme {
            c.profile.mac = match m {
                MacScheme::CupEcb => t::MacScheme::CupEcb,
                MacScheme::X919 => t::MacScheme::X919,
            };
        }
        c.auto_settlement.clone_from(&self.auto_settlement);
        c.receipts.width = usize::try_from(self.receipt_width)
            .ok()
            .filter(|w| (24..=64).contains(w))
            .ok_or_else(|| cfg_err("receiptWidth must be 24..64".into()))?;
        Ok(c)
    }
}

// ---- requests ------------------------------------------------------------------------------------

/// Sale (消费).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SaleRequest {
    /// Idempotency key (the caller's order id).
    pub request_id: String,
    /// Amount, fen.
    pub amount: i64,
}

/// Sale void (消费撤销) by the sale's trace number (current batch).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace of the sale.
    pub original_trace: i32,
}

/// Refund (退货) of a sale by reference number and date.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RefundRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to refund, fen.
    pub amount: i64,
    /// Reference number (field 37) of the original.
    pub original_rrn: String,
    /// Date MMDD of the original.
    pub original_date: String,
}

/// Pre-authorisation (预授权).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PreAuthRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount to hold, fen.
    pub amount: i64,
}

/// Pre-authorisation void (预授权撤销).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PreAuthVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub original_date: String,
}

/// Pre-authorisation completion (预授权完成), request or advice.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CompletionRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Amount, fen (at most 115 % of the pre-auth).
    pub amount: i64,
    /// Authorisation code of the pre-auth.
    pub auth_code: String,
    /// Date MMDD of the pre-auth.
    pub original_date: String,
    /// Send as an advice (store-and-forward).
    #[uniffi(default = false)]
    pub advice: bool,
}

/// Completion void (预授权完成撤销) by the completion's trace number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CompletionVoidRequest {
    /// Idempotency key.
    pub request_id: String,
    /// Trace of the completion.
    pub original_trace: i32,
}

// ---- outcomes ------------------------------------------------------------------------------------

/// What a journal entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TxnKind {
    /// Balance inquiry.
    BalanceInquiry,
    /// Sale.
    Sale,
    /// Sale void.
    SaleVoid,
    /// Refund.
    Refund,
    /// Pre-authorisation.
    PreAuth,
    /// Pre-authorisation void.
    PreAuthVoid,
    /// Completion (request).
    Completion,
    /// Completion (advice).
    CompletionAdvice,
    /// Completion void.
    CompletionVoid,
    /// QR payment.
    QrPay,
    /// QR refund.
    QrRefund,
    /// A kind this version of the bindings does not know (see `kindName`).
    Other,
}

impl TxnKind {
    /// From the engine's stable kind name, so kinds added later map to `Other` instead of
    /// breaking the build or the ABI.
    fn from_name(name: &str) -> TxnKind {
        match name {
            "balance" => TxnKind::BalanceInquiry,
            "sale" => TxnKind::Sale,
            "sale_void" => TxnKind::SaleVoid,
            "refund" => TxnKind::Refund,
            "preauth" => TxnKind::PreAuth,
            "preauth_void" => TxnKind::PreAuthVoid,
            "completion" => TxnKind::Completion,
            "completion_advice" => TxnKind::CompletionAdvice,
            "completion_void" => TxnKind::CompletionVoid,
            "qr_pay" | "qr_sale" | "qr" => TxnKind::QrPay,
            "qr_refund" => TxnKind::QrRefund,
            _ => TxnKind::Other,
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OutcomeStatus {
    /// Approved for the full amount.
    Approved,
    /// Approved for part of the amount: collect the rest.
    PartiallyApproved,
    /// Declined by the host.
    Declined,
    /// Still being processed.
    InProgress,
    /// Nothing reached the host.
    NotSent,
    /// No valid answer: a reversal is queued (outcome unknown until it is acknowledged).
    ReversalPending,
    /// Reversed: no money moved.
    Reversed,
    /// The reversal failed after the retry limit: manual handling.
    ReversalParked,
    /// Approved locally, advice queued.
    AdvicePending,
}

/// The result of a request. Only the masked PAN ever appears here.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Outcome {
    /// The caller's request id.
    pub request_id: String,
    /// What was done.
    pub kind: TxnKind,
    /// The engine's stable kind name (`sale`, `refund`, ...).
    pub kind_name: String,
    /// Where it stands.
    pub status: OutcomeStatus,
    /// The contract code of this outcome: 0 approved, 2xxx declined, 3xxx not sent / unknown /
    /// reversed (same table as errors).
    pub error_code: i32,
    /// Field 39, when the host answered.
    pub response_code: Option<String>,
    /// Text for the cashier.
    pub message: String,
    /// Requested amount, fen.
    pub amount: i64,
    /// Approved amount, fen.
    pub approved_amount: i64,
    /// Still to collect after a partial approval, fen.
    pub remaining_amount: i64,
    /// Trace number.
    pub trace: i32,
    /// Batch number.
    pub batch: i32,
    /// Reference number (field 37).
    pub rrn: Option<String>,
    /// Authorisation code (field 38).
    pub auth_code: Option<String>,
    /// Card number, first 6 and last 4 digits only.
    pub masked_pan: Option<String>,
    /// Card organisation.
    pub card_org: Option<String>,
    /// Balance, fen (balance inquiry).
    pub balance: Option<i64>,
    /// Local date MMDD.
    pub date: String,
    /// Local time hhmmss.
    pub time: String,
    /// Something the cashier must know that does not change the result.
    pub notice: Option<String>,
    /// 0, or the 4xxx printer code when the receipt of this call could not be printed.
    pub print_error_code: i32,
}

/// The contract code of a host response code (field 39) of a decline.
pub fn decline_code(response_code: &str) -> i32 {
    match response_code {
        "51" => 2002,
        "55" => 2003,
        "75" => 2004,
        "54" | "33" => 2005,
        "04" | "07" | "14" | "15" | "34" | "41" | "43" | "57" | "59" | "62" => 2006,
        "03" | "58" | "97" => 2007,
        _ => 2001,
    }
}

impl From<t::Outcome> for Outcome {
    fn from(o: t::Outcome) -> Self {
        let status = match o.status {
            t::OutcomeStatus::Approved => OutcomeStatus::Approved,
            t::OutcomeStatus::PartiallyApproved => OutcomeStatus::PartiallyApproved,
            t::OutcomeStatus::Declined => OutcomeStatus::Declined,
            t::OutcomeStatus::InProgress => OutcomeStatus::InProgress,
            t::OutcomeStatus::NotSent => OutcomeStatus::NotSent,
            t::OutcomeStatus::ReversalPending => OutcomeStatus::ReversalPending,
            t::OutcomeStatus::Reversed => OutcomeStatus::Reversed,
            t::OutcomeStatus::ReversalParked => OutcomeStatus::ReversalParked,
            t::OutcomeStatus::AdvicePending => OutcomeStatus::AdvicePending,
        };
        let error_code = match status {
            OutcomeStatus::Approved
            | OutcomeStatus::PartiallyApproved
            | OutcomeStatus::AdvicePending => 0,
            OutcomeStatus::Declined => decline_code(o.response_code.as_deref().unwrap_or("")),
            OutcomeStatus::InProgress => 1002,
            OutcomeStatus::NotSent => 3001,
            OutcomeStatus::ReversalPending | OutcomeStatus::ReversalParked => 3003,
            OutcomeStatus::Reversed => 3002,
        };
        let kind_name = o.kind.as_str().to_owned();
        Outcome {
            request_id: o.request_id,
            kind: TxnKind::from_name(&kind_name),
            kind_name,
            status,
            error_code,
            response_code: o.response_code,
            message: o.message,
            amount: to_i64(o.amount),
            approved_amount: to_i64(o.approved_amount),
            remaining_amount: to_i64(o.remaining_amount),
            trace: to_i32(o.trace),
            batch: to_i32(o.batch),
            rrn: o.rrn,
            auth_code: o.auth_code,
            masked_pan: o.masked_pan,
            card_org: o.card_org,
            balance: o.balance,
            date: o.date,
            time: o.time,
            notice: o.notice,
            print_error_code: 0,
        }
    }
}

// ---- reports -------------------------------------------------------------------------------------

/// What startup did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StartupReport {
    /// Batch number in use.
    pub batch: i32,
    /// Terminal parameters stored.
    pub parameters: i32,
    /// CA public keys stored.
    pub ca_keys: i32,
    /// AIDs stored.
    pub aids: i32,
    /// Whether it signed in (a resume signs in only when due).
    pub signed_in: bool,
    /// Reversals acknowledged during startup.
    pub reversals_sent: i32,
    /// Reversals parked (manual handling) during startup.
    pub reversals_parked: i32,
    /// Advices delivered during startup.
    pub advices_sent: i32,
}

impl From<t::StartupReport> for StartupReport {
    fn from(r: t::StartupReport) -> Self {
        StartupReport {
            batch: to_i32(r.batch),
            parameters: to_i32(r.parameters),
            ca_keys: to_i32(r.ca_keys),
            aids: to_i32(r.aids),
            signed_in: r.signed_in,
            reversals_sent: to_i32(r.flushed.reversals_sent),
            reversals_parked: to_i32(r.flushed.reversals_parked),
            advices_sent: to_i32(r.flushed.advices_sent),
        }
    }
}

/// What a flush did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlushReport {
    /// Reversals acknowledged.
    pub reversals_sent: i32,
    /// Reversals parked for manual handling.
    pub reversals_parked: i32,
    /// Store-and-forward messages acknowledged.
    pub advices_sent: i32,
    /// Store-and-forward messages still queued.
    pub advices_waiting: i32,
}

impl From<t::FlushReport> for FlushReport {
    fn from(r: t::FlushReport) -> Self {
        FlushReport {
            reversals_sent: to_i32(r.reversals_sent),
            reversals_parked: to_i32(r.reversals_parked),
            advices_sent: to_i32(r.advices_sent),
            advices_waiting: to_i32(r.advices_waiting),
        }
    }
}

/// Count and amount of one group.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Total {
    /// Group (`sale`, `refund`, `domestic debit`, a QR channel ...).
    pub name: String,
    /// Number of transactions.
    pub count: i32,
    /// Sum, fen.
    pub amount: i64,
}

fn total(name: &str, k: &t::KindTotal) -> Total {
    Total {
        name: name.to_owned(),
        count: to_i32(k.count),
        amount: to_i64(k.amount),
    }
}

/// The settlement report of a batch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SettlementReport {
    /// Batch number.
    pub batch: i32,
    /// Whether the host's totals matched (after batch upload if needed).
    pub balanced: bool,
    /// Whether a batch upload was needed.
    pub batch_uploaded: bool,
    /// Records sent in the batch upload.
    pub records_uploaded: i32,
    /// Field 48 totals: domestic debit/credit, foreign debit/credit.
    pub card_totals: Vec<Total>,
    /// Card transactions per kind.
    pub by_kind: Vec<Total>,
    /// QR payments per channel.
    pub qr_by_channel: Vec<Total>,
    /// Local date and time of the settlement.
    pub settled_at: String,
}

impl From<t::SettlementReport> for SettlementReport {
    fn from(r: t::SettlementReport) -> Self {
        SettlementReport {
            batch: to_i32(r.batch),
            balanced: r.balanced,
            batch_uploaded: r.batch_uploaded,
            records_uploaded: to_i32(r.records_uploaded),
            card_totals: vec![
                total("domestic debit", &r.domestic.debit),
                total("domestic credit", &r.domestic.credit),
                total("foreign debit", &r.foreign.debit),
                total("foreign credit", &r.foreign.credit),
            ],
            by_kind: r.by_kind.iter().map(|(n, k)| total(n, k)).collect(),
            qr_by_channel: r.qr_by_channel.iter().map(|(n, k)| total(n, k)).collect(),
            settled_at: r.settled_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(amount(0).is_err());
        assert!(amount(-5).is_err());
        assert_eq!(amount(1).ok(), Some(1));
        assert_eq!(amount(MAX_AMOUNT + 1).map_err(|e| e.code()), Err(1009));
        assert!(trace(0).is_err());
        assert_eq!(trace(12).ok(), Some(12));
        assert!(request_id("").is_err());
        assert!(request_id("order 1").is_err());
        assert!(request_id("order-1_a.b:c").is_ok());
        assert_eq!(decline_code("51"), 2002);
        assert_eq!(decline_code("05"), 2001);
    }

    #[test]
    fn endpoints_are_checked_not_resolved_at_open() {
        let endpoint = |address: &str, fallbacks: &[&str]| HostEndpoint {
            address: address.into(),
            tls: None,
            fallback_addresses: fallbacks.iter().map(|s| (*s).to_owned()).collect(),
        };
        // A name that cannot resolve here is fine at open: it is looked up at each connection.
        let ok = endpoint(
            "posp.acquirer.invalid:5000",
            &["10.0.0.7:5000", "[::1]:5000"],
        );
        assert_eq!(
            ok.to_engine("posp").unwrap().addresses(),
            ["posp.acquirer.invalid:5000", "10.0.0.7:5000", "[::1]:5000"]
        );
        let bad = endpoint("posp.acquirer.invalid", &[]).to_engine("posp");
        let Err(PosError::Configuration { reason }) = bad else {
            panic!("{bad:?}")
        };
        assert!(reason.starts_with("posp.address: "), "{reason}");
        let bad = endpoint("127.0.0.1:1", &["127.0.0.1:1", "::1:5"]).to_engine("qrGateway");
        let Err(PosError::Configuration { reason }) = bad else {
            panic!("{bad:?}")
        };
        assert!(
            reason.starts_with("qrGateway.fallbackAddresses[1]: "),
            "{reason}"
        );
    }
}
