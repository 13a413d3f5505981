//! One gateway exchange: validate, seal (MAC under the MAK in the security module), POST over
//! the pinned HTTPS transport, then authenticate and decode the answer. Only an answer whose
//! MAC verifies and that echoes the order is an answer; everything else after a byte may have
//! left is "no valid answer" (QR.md §7a rule 5).

use crate::engine::Engine;
use crate::error::EngineError;
use std::sync::PoisonError;
use std::time::Duration;
use unipos_crypto::CryptoError;
use unipos_net::http::Request;
use unipos_net::{ExchangeError, Timeouts, Transport};
use unipos_qr_protocol::auth::{open_response, seal, HEADER_MAC};
use unipos_qr_protocol::messages::QrRequest;
use unipos_qr_protocol::QrProtocolError;

/// What came of one exchange.
pub(crate) enum Exchange<T> {
    /// The request may have reached the gateway; `Ok` only for an authenticated answer.
    Sent(Result<T, QrProtocolError>),
    /// Nothing reached the gateway (connection refused, TLS failure, no MAC key).
    NotSent(String),
}

const DEFAULT_CONNECT: Duration = Duration::from_secs(10);

impl Engine {
    fn qr_mac(&self, data: &[u8]) -> Result<[u8; 8], CryptoError> {
        let scheme = self.qr.mac;
        self.security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .mac(scheme.algorithm, scheme.padding, data)
    }

    /// Sends `request` to the QR gateway, waiting at most `timeout` (or the configured
    /// override) for the answer.
    pub(crate) fn qr_exchange<R: QrRequest>(
        &mut self,
        request: &R,
        timeout: Duration,
    ) -> Result<Exchange<R::Response>, EngineError> {
        let gateway = self
            .config
            .qr_gateway
            .as_ref()
            .ok_or_else(|| EngineError::Config("no QR gateway is configured".into()))?;
        let timeouts = Timeouts {
            connect: self.qr.connect_timeout.unwrap_or(DEFAULT_CONNECT),
            exchange: self.qr.response_timeout.unwrap_or(timeout),
        };
        let transport = Transport::new(gateway.endpoint(), timeouts)
            .map_err(|e| EngineError::Config(format!("QR gateway: {e}")))?;
        let signed = match seal(request, |d| self.qr_mac(d)) {
            Ok(s) => s,
            Err(QrProtocolError::Invalid(v)) => {
                return Err(EngineError::InvalidRequest(v.to_string()))
            }
            Err(e) => return Ok(Exchange::NotSent(format!("cannot sign the request: {e}"))),
        };
        let http = Request {
            method: "POST".into(),
            path: signed.path.into(),
            headers: signed.headers(),
            body: signed.body,
        };
        let response = match transport.post(&http) {
            Ok(r) => r,
            Err(ExchangeError::NotSent(reason)) => {
                return Ok(Exchange::NotSent(reason.to_string()))
            }
            Err(e @ ExchangeError::NoAnswer(_)) => {
                return Ok(Exchange::Sent(Err(QrProtocolError::Malformed(
                    e.to_string(),
                ))))
            }
        };
        if response.status == 401 {
            // The gateway does not know our MAK (not signed in, or keys out of step): sign in
            // again before the next transaction.
            self.sign_in_due = true;
        }
        let reply = open_response(
            request,
            response.status,
            &response.body,
            response.header(HEADER_MAC),
            |d| self.qr_mac(d),
        );
        if let Err(e) = &reply {
            log::warn!(
                "qr {}: no valid answer (HTTP {}): {e}",
                R::OPERATION,
                response.status
            );
        }
        Ok(Exchange::Sent(reply))
    }
}
