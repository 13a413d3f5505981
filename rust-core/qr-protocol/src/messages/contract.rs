//! The traits tying each request to its response, path and validation.

use core::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::requests::{
    CloseRequest, CreateRequest, OrderRef, PayRequest, QueryRequest, RefundRequest, ReverseRequest,
};
use super::responses::{
    CloseResponse, CreateResponse, ErrorResponse, PayResponse, QueryResponse, RefundResponse,
    ReverseResponse, Status,
};
use super::validate::{check_amount, check_identifier, check_ids, check_text, check_time, invalid};
use super::{Operation, EXPIRE_SECONDS_RANGE};
use crate::codes::ErrorCode;
use crate::error::ValidationError;
use crate::routing::check_code_syntax;

/// A gateway response type.
pub trait QrResponse: Serialize + DeserializeOwned + Default + fmt::Debug {
    /// The envelope.
    fn status(&self) -> &Status;
    /// The `out_trade_no` echo, if any.
    fn echoed_out_trade_no(&self) -> Option<&str>;
}

macro_rules! response_impl {
    ($t:ty, order) => {
        impl QrResponse for $t {
            fn status(&self) -> &Status {
                &self.status
            }
            fn echoed_out_trade_no(&self) -> Option<&str> {
                self.order.out_trade_no.as_deref()
            }
        }
    };
    ($t:ty, flat) => {
        impl QrResponse for $t {
            fn status(&self) -> &Status {
                &self.status
            }
            fn echoed_out_trade_no(&self) -> Option<&str> {
                self.out_trade_no.as_deref()
            }
        }
    };
}
response_impl!(PayResponse, order);
response_impl!(QueryResponse, order);
response_impl!(ReverseResponse, order);
response_impl!(CloseResponse, order);
response_impl!(RefundResponse, flat);
response_impl!(CreateResponse, flat);

impl QrResponse for ErrorResponse {
    fn status(&self) -> &Status {
        &self.status
    }
    fn echoed_out_trade_no(&self) -> Option<&str> {
        None
    }
}

/// A gateway request type.
pub trait QrRequest: Serialize + DeserializeOwned + fmt::Debug {
    /// Its endpoint.
    const OPERATION: Operation;
    /// Its answer.
    type Response: QrResponse;
    /// The terminal id in the body.
    fn terminal_id(&self) -> &str;
    /// The order it concerns.
    fn out_trade_no(&self) -> &str;
    /// Checks every field (the terminal before sending, the gateway on receipt).
    ///
    /// # Errors
    /// The first invalid field.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl QrRequest for PayRequest {
    const OPERATION: Operation = Operation::Pay;
    type Response = PayResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_amount("amount_fen", self.amount_fen)?;
        if check_code_syntax(&self.auth_code).is_err() {
            return Err(ValidationError {
                field: "auth_code",
                reason: "must be 1 to 128 digits",
                code: ErrorCode::InvalidCode,
            });
        }
        check_text("subject", self.subject.as_deref(), 128)?;
        check_text("description", self.description.as_deref(), 256)?;
        check_time("request_time", &self.request_time)
    }
}

macro_rules! order_ref_request {
    ($t:ty, $op:expr, $resp:ty) => {
        impl QrRequest for $t {
            const OPERATION: Operation = $op;
            type Response = $resp;
            fn terminal_id(&self) -> &str {
                &self.0.terminal_id
            }
            fn out_trade_no(&self) -> &str {
                &self.0.out_trade_no
            }
            fn validate(&self) -> Result<(), ValidationError> {
                check_ids(
                    &self.0.terminal_id,
                    &self.0.merchant_id,
                    &self.0.out_trade_no,
                )?;
                check_time("request_time", &self.0.request_time)
            }
        }
    };
}
order_ref_request!(QueryRequest, Operation::Query, QueryResponse);
order_ref_request!(ReverseRequest, Operation::Reverse, ReverseResponse);
order_ref_request!(CloseRequest, Operation::Close, CloseResponse);

impl QrRequest for RefundRequest {
    const OPERATION: Operation = Operation::Refund;
    type Response = RefundResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_identifier("out_refund_no", &self.out_refund_no, 64, true)?;
        check_amount("refund_fen", self.refund_fen)?;
        check_text("reason", self.reason.as_deref(), 80)?;
        check_time("request_time", &self.request_time)
    }
}

impl QrRequest for CreateRequest {
    const OPERATION: Operation = Operation::Create;
    type Response = CreateResponse;
    fn terminal_id(&self) -> &str {
        &self.terminal_id
    }
    fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }
    fn validate(&self) -> Result<(), ValidationError> {
        check_ids(&self.terminal_id, &self.merchant_id, &self.out_trade_no)?;
        check_amount("amount_fen", self.amount_fen)?;
        check_text("subject", self.subject.as_deref(), 128)?;
        check_text("description", self.description.as_deref(), 256)?;
        if let Some(s) = self.expire_seconds {
            if !(EXPIRE_SECONDS_RANGE.0..=EXPIRE_SECONDS_RANGE.1).contains(&s) {
                return Err(invalid("expire_seconds", "must be 30 to 7200 seconds"));
            }
        }
        check_time("request_time", &self.request_time)
    }
}

impl QueryRequest {
    /// A query for one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        QueryRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl ReverseRequest {
    /// A reverse of one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        ReverseRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl CloseRequest {
    /// A close of one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        CloseRequest(OrderRef::new(
            terminal_id,
            merchant_id,
            out_trade_no,
            request_time,
        ))
    }
}

impl OrderRef {
    /// A reference to one order.
    #[must_use]
    pub fn new(
        terminal_id: &str,
        merchant_id: &str,
        out_trade_no: &str,
        request_time: &str,
    ) -> Self {
        OrderRef {
            terminal_id: terminal_id.into(),
            merchant_id: merchant_id.into(),
            out_trade_no: out_trade_no.into(),
            request_time: request_time.into(),
        }
    }
}
