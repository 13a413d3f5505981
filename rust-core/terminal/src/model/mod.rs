//! Plain data of the engine: what callers send, what the journal keeps, what comes back. This
//! module depends on nothing else in the crate, so every other module can use it without an
//! import circle.

mod app_request;
mod caller;
pub mod emv;
mod fingerprint;
mod info;
mod lookup;
mod operators;
mod outcome;
mod progress;
mod qr;
mod qr_rows;
mod receipt;
mod reports;
mod requests;
pub mod response_codes;
mod txn;

pub use app_request::{AppAnswer, AppRequest};
pub use caller::{Caller, Capability, MerchantFields, PrintMode};
pub use emv::{AidParameters, CaPublicKey, EmvTerminalData};
pub use fingerprint::{same_request, Fingerprint};
pub use info::{EchoResult, KeyCheck, KeyStatus, TerminalParameter};
pub use lookup::{JournalFilter, KindGroup, OriginalKey, OriginalView, Unresolved};
pub use operators::{
    operator_field63, GuardedAction, OperatorInfo, OperatorRole, SupervisorGrant,
    FACTORY_SUPERVISOR_PASSWORD, SUPERVISOR,
};
pub use outcome::{parse_balance, Outcome, OutcomeStatus};
pub use progress::{Progress, ProgressListener, QR_WAITING_FOR_PASSWORD};
pub use qr::{
    QrCodeImage, QrDynamicCode, QrDynamicRequest, QrOrderKind, QrOrderSummary, QrOutcome,
    QrPayRequest, QrRefundKind, QrRefundOutcome, QrRefundRequest, QrRefundStatus, QrSettings,
    QrState, QrStatus, QrVoidRequest,
};
pub(crate) use qr_rows::{NewOrder, NewRefund, OrderRow, RefundRow, RefundState};
pub use receipt::{CopyKind, Language, MerchantInfo, OriginalRef, QrInfo, Receipt, ReceiptStyle};
pub use reports::{FlushReport, KindTotal, SettlementReport, StartupReport, TotalsView};
pub use requests::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, PreAuthRequest, PreAuthVoidRequest,
    RefundRequest, SaleRequest, VoidRequest,
};
pub use txn::{
    AnswerFields, Begun, NewTxn, OriginalEffect, ReversalRecord, SettlementSide, TxnKind,
    TxnRecord, TxnState,
};
pub(crate) use txn::{SafEntry, ALL_KINDS};
