//! The outcome classes the reversal rules depend on, and the typed reasons inside them.
//!
//! * [`ExchangeError::NotSent`]: no byte of the request can have reached the host: it failed
//!   while resolving, connecting or in the TLS handshake, or was refused before any I/O. No
//!   reversal is needed.
//! * [`ExchangeError::NoAnswer`]: the request was (or may have been) written but no complete
//!   answer came back. The host may have acted: the caller must treat the outcome as unknown
//!   (reverse, or query). Anything ambiguous lands here.
//!
//! Every `Display` text is safe to show a cashier: no body, no key, no address detail.

use crate::addr::{AddressError, ResolveFailed};
use crate::tls::TlsSetupError;
use std::error::Error as StdError;
use std::io;
use thiserror::Error;

/// Why nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NotSentReason {
    /// The host name did not resolve (in time).
    #[error("the host name did not resolve")]
    Resolve,
    /// Nothing listens at the address.
    #[error("the connection was refused")]
    Refused,
    /// No connection within the connect timeout or the exchange deadline.
    #[error("no connection within the time allowed")]
    ConnectTimeout,
    /// Any other failure to connect (network unreachable, ...).
    #[error("the host cannot be reached")]
    Unreachable,
    /// The TLS handshake failed (certificate not signed by the pinned CA, wrong name, protocol)
    /// or the connection broke during it.
    #[error("the secure connection could not be set up")]
    Tls,
    /// The body does not fit its length prefix.
    #[error("the request is too long for its length prefix")]
    FrameTooLong,
    /// The request could not be built, or the HTTP client could not start.
    #[error("the request could not be prepared")]
    Local,
}

impl NotSentReason {
    /// Whether the next configured address is worth trying (a failure to connect, not a bad
    /// request).
    pub fn is_connection_failure(self) -> bool {
        !matches!(self, NotSentReason::FrameTooLong | NotSentReason::Local)
    }
}

/// How an answer failed to arrive once the request may have been sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NoAnswerKind {
    /// The exchange deadline passed.
    #[error("timed out")]
    Timeout,
    /// The connection was reset (or aborted, or the pipe broke).
    #[error("the connection was reset")]
    Reset,
    /// The host closed the connection before the answer was complete.
    #[error("the connection was closed before the answer was complete")]
    Closed,
    /// An HTTP answer with a status other than the one expected.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// Bytes came back but do not make an answer.
    #[error("garbled answer ({0})")]
    Garbled(Garble),
    /// Any other failure after the request may have been written.
    #[error("the connection failed")]
    Other,
}

/// What was wrong with the bytes that came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Garble {
    /// Not valid HTTP/1.1 (bad status line, conflicting `Content-Length`, bad chunking).
    #[error("not valid HTTP")]
    Http,
    /// The length-prefixed frame is inconsistent.
    #[error("bad frame")]
    Frame,
    /// Larger than the answer limit.
    #[error("too large")]
    TooLarge,
    /// A TLS protocol error after the handshake.
    #[error("TLS error")]
    Tls,
}

/// Why an exchange failed, classified by whether the host may have seen the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ExchangeError {
    /// Nothing was sent.
    #[error("could not reach the host: {0}")]
    NotSent(NotSentReason),
    /// Sent (or possibly sent) but no valid answer arrived.
    #[error("no answer from the host: {0}")]
    NoAnswer(NoAnswerKind),
}

impl ExchangeError {
    /// Whether the request may have reached the host.
    pub fn maybe_sent(&self) -> bool {
        matches!(self, ExchangeError::NoAnswer(_))
    }

    /// Whether the answer timed out (as opposed to a reset or a close).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ExchangeError::NoAnswer(NoAnswerKind::Timeout))
    }
}

/// The transport cannot be made from this configuration.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The address list is empty.
    #[error("no host address is configured")]
    NoAddress,
    /// An address is not `host:port`.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The pinned CA or the server name is unusable.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
}

/// What the source chain of an error says, collected once.
#[derive(Debug, Default)]
struct Signs {
    timeout: bool,
    reset: bool,
    eof: bool,
    refused: bool,
    parse: bool,
    tls: bool,
    resolve: bool,
}

impl Signs {
    fn of(err: &(dyn StdError + 'static)) -> Signs {
        let mut s = Signs::default();
        s.chain(err, 0);
        s
    }

    fn chain(&mut self, err: &(dyn StdError + 'static), depth: usize) {
        let mut cur = Some(err);
        let mut n = 0;
        while let Some(e) = cur {
            if n > 32 || depth > 4 {
                return;
            }
            self.one(e, depth);
            cur = e.source();
            n += 1;
        }
    }

    fn one(&mut self, e: &(dyn StdError + 'static), depth: usize) {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            self.io_kind(io.kind());
            // `io::Error::source` skips the wrapped error itself: look at it too.
            if let Some(inner) = io.get_ref() {
                self.chain(inner, depth + 1);
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            self.timeout |= h.is_timeout();
            self.parse |= h.is_parse() || h.is_parse_status();
            self.eof |= h.is_incomplete_message() || h.is_closed() || h.is_canceled();
        }
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            self.timeout |= r.is_timeout();
        }
        self.tls |= e.downcast_ref::<rustls::Error>().is_some();
        self.resolve |= e.downcast_ref::<ResolveFailed>().is_some();
    }

    fn io_kind(&mut self, kind: io::ErrorKind) {
        match kind {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => self.timeout = true,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => self.reset = true,
            io::ErrorKind::UnexpectedEof => self.eof = true,
            io::ErrorKind::ConnectionRefused => self.refused = true,
            _ => {}
        }
    }

    fn no_answer(&self) -> NoAnswerKind {
        if self.timeout {
            NoAnswerKind::Timeout
        } else if self.parse {
            NoAnswerKind::Garbled(Garble::Http)
        } else if self.reset {
            NoAnswerKind::Reset
        } else if self.eof {
            NoAnswerKind::Closed
        } else if self.tls {
            NoAnswerKind::Garbled(Garble::Tls)
        } else {
            NoAnswerKind::Other
        }
    }
}

/// A failed `TcpStream::connect_timeout`.
pub(crate) fn connect_failure(e: &io::Error) -> NotSentReason {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => NotSentReason::Refused,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => NotSentReason::ConnectTimeout,
        _ => NotSentReason::Unreachable,
    }
}

/// A failed read or write on a connection the request went out on (or may have), a failed
/// read of a reqwest answer body included (reqwest wraps its error in an `io::Error`).
pub(crate) fn after_send(e: &io::Error) -> NoAnswerKind {
    Signs::of(e).no_answer()
}

/// A failed reqwest exchange. "Nothing sent" needs proof: reqwest's `is_connect` marks errors
/// of the connector, which resolves, connects and completes the TLS handshake before hyper
/// writes the first byte of the request (pooling is off, so there is no reused connection).
/// A builder error happens before any I/O. Everything else may have been sent.
pub(crate) fn of_reqwest(e: &reqwest::Error) -> ExchangeError {
    if e.is_builder() {
        return ExchangeError::NotSent(NotSentReason::Local);
    }
    let s = Signs::of(e);
    if e.is_connect() {
        let reason = if s.resolve {
            NotSentReason::Resolve
        } else if s.tls || s.reset || s.eof {
            // The TCP connection was up: the handshake itself failed or was cut.
            NotSentReason::Tls
        } else if s.timeout {
            NotSentReason::ConnectTimeout
        } else if s.refused {
            NotSentReason::Refused
        } else {
            NotSentReason::Unreachable
        };
        return ExchangeError::NotSent(reason);
    }
    ExchangeError::NoAnswer(s.no_answer())
}
