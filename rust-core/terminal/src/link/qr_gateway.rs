//! One gateway exchange: validate, seal (MAC in the security module), POST over the pinned
//! HTTPS transport, then authenticate and decode the answer. Only an answer whose MAC verifies
//! and that echoes the order is an answer; everything else after a byte may have left is "no
//! valid answer" (QR.md §7a rule 5).

use crate::config::HostAddress;
use crate::error::EngineError;
use crate::hardware::SecurityHandle;
use crate::model::QrSettings;
use std::sync::PoisonError;
use std::time::Duration;
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

/// The exchange, and whether the gateway refused our QR key (HTTP 401: re-provision it).
pub(crate) struct GatewayReply<T> {
    pub exchange: Exchange<T>,
    pub key_refused: bool,
}

const DEFAULT_CONNECT: Duration = Duration::from_secs(10);

/// The QR gateway of one terminal.
pub(crate) struct QrGateway<'a> {
    /// Where it is.
    pub address: &'a HostAddress,
    /// MAC scheme and timeout overrides.
    pub settings: &'a QrSettings,
    /// Computes the request and answer MACs.
    pub security: &'a SecurityHandle,
}

impl QrGateway<'_> {
    fn mac(&self, data: &[u8]) -> Result<[u8; 8], unipos_crypto::CryptoError> {
        let scheme = self.settings.mac;
        self.security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .qr_mac(scheme.algorithm, scheme.padding, data)
    }

    /// Sends `request`, waiting at most `timeout` (or the configured override) for the
    /// answer.
    pub(crate) fn exchange<R: QrRequest>(
        &self,
        request: &R,
        timeout: Duration,
    ) -> Result<GatewayReply<R::Response>, EngineError> {
        let timeouts = Timeouts {
            connect: self.settings.connect_timeout.unwrap_or(DEFAULT_CONNECT),
            exchange: self.settings.response_timeout.unwrap_or(timeout),
        };
        let transport = Transport::new(self.address.endpoint(), timeouts)
            .map_err(|e| EngineError::Config(format!("QR gateway: {e}")))?;
        let not_sent = |detail: String| GatewayReply {
            exchange: Exchange::NotSent(detail),
            key_refused: false,
        };
        let signed = match seal(request, |d| self.mac(d)) {
            Ok(s) => s,
            Err(QrProtocolError::Invalid(v)) => {
                return Err(EngineError::InvalidRequest(v.to_string()))
            }
            Err(e) => return Ok(not_sent(format!("cannot sign the request: {e}"))),
        };
        let http = Request {
            method: "POST".into(),
            path: signed.path.into(),
            headers: signed.headers(),
            body: signed.body,
        };
        let response = match transport.post(&http) {
            Ok(r) => r,
            Err(ExchangeError::NotSent(reason)) => return Ok(not_sent(reason.to_string())),
            Err(e @ ExchangeError::NoAnswer(_)) => {
                return Ok(GatewayReply {
                    exchange: Exchange::Sent(Err(QrProtocolError::Malformed(e.to_string()))),
                    key_refused: false,
                })
            }
        };
        // The gateway does not know or no longer accepts our QR key.
        let key_refused = response.status == 401;
        let reply = open_response(
            request,
            response.status,
            &response.body,
            response.header(HEADER_MAC),
            |d| self.mac(d),
        );
        if let Err(e) = &reply {
            log::warn!(
                "qr {}: no valid answer (HTTP {}): {e}",
                R::OPERATION,
                response.status
            );
        }
        Ok(GatewayReply {
            exchange: Exchange::Sent(reply),
            key_refused,
        })
    }
}
