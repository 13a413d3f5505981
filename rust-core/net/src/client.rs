//! One request, one answer, with timeouts and the classification the reversal rules need.
//!
//! * [`ExchangeError::NotSent`]: no byte of the request can have reached the host (connection
//!   refused, connect timeout, TLS handshake failure). No reversal is needed.
//! * [`ExchangeError::NoAnswer`]: the request was (or may have been) sent but no complete
//!   answer came back (timeout, reset, closed, truncated, HTTP error). The host may have acted:
//!   the caller must treat the outcome as unknown (reverse, or query).

use crate::frame_io::{self, FrameReadError};
use crate::http::{self, HttpError, Request, Response};
use crate::tls::{pinned_client_config, TlsSetupError};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Connect and read timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed to establish the connection (TLS handshake included).
    pub connect: Duration,
    /// Time allowed for the answer after the request was written.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
        }
    }
}

/// Where the host is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Plain TCP.
    Tcp {
        /// Host address.
        addr: SocketAddr,
    },
    /// HTTPS with a pinned CA.
    Https {
        /// Host address.
        addr: SocketAddr,
        /// Name to verify in the server certificate (`localhost`, `127.0.0.1`, a DNS name).
        server_name: String,
        /// The CA certificate(s) to trust, PEM.
        ca_pem: String,
    },
}

/// Why an exchange failed, classified by whether the host may have seen the request.
#[derive(Debug, Error)]
pub enum ExchangeError {
    /// Nothing was sent.
    #[error("could not reach the host: {0}")]
    NotSent(String),
    /// Sent (or possibly sent) but no valid answer arrived.
    #[error("no answer from the host: {0}")]
    NoAnswer(String),
    /// The transport is misconfigured (bad pinned CA, bad server name).
    #[error("transport configuration: {0}")]
    Config(String),
}

impl ExchangeError {
    /// Whether the request may have reached the host.
    pub fn maybe_sent(&self) -> bool {
        matches!(self, ExchangeError::NoAnswer(_))
    }

    /// Whether the answer timed out (as opposed to a reset or a close).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ExchangeError::NoAnswer(m) if m.starts_with("timed out"))
    }
}

impl From<TlsSetupError> for ExchangeError {
    fn from(e: TlsSetupError) -> Self {
        ExchangeError::Config(e.to_string())
    }
}

fn io_detail(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "timed out".to_owned(),
        io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
        io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
        io::ErrorKind::UnexpectedEof => "connection closed".to_owned(),
        _ => e.to_string(),
    }
}

enum Conn {
    Tcp(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// A client for one endpoint. Cheap to clone; each exchange opens its own connection, as
/// POS terminals do (short connections survive NAT and mobile networks best).
#[derive(Clone)]
pub struct Transport {
    endpoint: Endpoint,
    timeouts: Timeouts,
    tls: Option<Arc<ClientConfig>>,
    max_answer: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport for `endpoint`. For HTTPS the pinned CA is parsed here, once.
    pub fn new(endpoint: Endpoint, timeouts: Timeouts) -> Result<Transport, ExchangeError> {
        let tls = match &endpoint {
            Endpoint::Tcp { .. } => None,
            Endpoint::Https { ca_pem, .. } => Some(pinned_client_config(ca_pem)?),
        };
        Ok(Transport {
            endpoint,
            timeouts,
            tls,
            max_answer: 64 * 1024,
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    fn connect(&self) -> Result<Conn, ExchangeError> {
        let addr = match &self.endpoint {
            Endpoint::Tcp { addr } | Endpoint::Https { addr, .. } => *addr,
        };
        let tcp = TcpStream::connect_timeout(&addr, self.timeouts.connect)
            .map_err(|e| ExchangeError::NotSent(io_detail(&e)))?;
        let _ = tcp.set_nodelay(true);
        tcp.set_write_timeout(Some(self.timeouts.read))
            .map_err(|e| ExchangeError::NotSent(e.to_string()))?;
        match (&self.endpoint, &self.tls) {
            (Endpoint::Https { server_name, .. }, Some(config)) => {
                let name = ServerName::try_from(server_name.clone())
                    .map_err(|_| ExchangeError::Config(format!("bad server name {server_name}")))?;
                let conn = ClientConnection::new(Arc::clone(config), name)
                    .map_err(|e| ExchangeError::Config(e.to_string()))?;
                tcp.set_read_timeout(Some(self.timeouts.connect))
                    .map_err(|e| ExchangeError::NotSent(e.to_string()))?;
                let mut stream = StreamOwned::new(conn, tcp);
                // Finish the handshake before any request byte, so a TLS failure is "not sent".
                while stream.conn.is_handshaking() {
                    stream.conn.complete_io(&mut stream.sock).map_err(|e| {
                        ExchangeError::NotSent(format!("TLS handshake: {}", io_detail(&e)))
                    })?;
                }
                Ok(Conn::Tls(Box::new(stream)))
            }
            _ => Ok(Conn::Tcp(tcp)),
        }
    }

    fn set_read_timeout(&self, conn: &Conn) {
        let t = Some(self.timeouts.read);
        let _ = match conn {
            Conn::Tcp(s) => s.set_read_timeout(t),
            Conn::Tls(s) => s.sock.set_read_timeout(t),
        };
    }

    /// Sends one ISO 8583 frame body (TPDU onwards; the length prefix is added here for TCP)
    /// and returns the answer's body. Over HTTPS the whole frame, length prefix included, is
    /// the POST body to `path`, and the answer is a whole frame too.
    pub fn exchange_frame(
        &self,
        prefix_len: usize,
        body: &[u8],
        https_path: &str,
    ) -> Result<Vec<u8>, ExchangeError> {
        match self.endpoint {
            Endpoint::Tcp { .. } => {
                let mut conn = self.connect()?;
                self.set_read_timeout(&conn);
                frame_io::write_frame(&mut conn, prefix_len, body)
                    .map_err(|e| ExchangeError::NoAnswer(io_detail(&e)))?;
                frame_io::read_frame(&mut conn, prefix_len, self.max_answer).map_err(|e| {
                    ExchangeError::NoAnswer(match e {
                        FrameReadError::Io(io) => io_detail(&io),
                        other => other.to_string(),
                    })
                })
            }
            Endpoint::Https { .. } => {
                let mut frame = Vec::with_capacity(prefix_len + body.len());
                frame_io::write_frame(&mut frame, prefix_len, body)
                    .map_err(|e| ExchangeError::Config(e.to_string()))?;
                let resp = self.post(&Request::post(
                    https_path,
                    "application/octet-stream",
                    frame,
                ))?;
                if resp.status != 200 {
                    return Err(ExchangeError::NoAnswer(format!(
                        "HTTP status {}",
                        resp.status
                    )));
                }
                frame_io::read_frame(&mut resp.body.as_slice(), prefix_len, self.max_answer)
                    .map_err(|e| ExchangeError::NoAnswer(format!("bad frame in HTTP body: {e}")))
            }
        }
    }

    /// Sends one HTTP request (over TLS for an HTTPS endpoint, plain otherwise) and returns
    /// the response, whatever its status.
    pub fn post(&self, req: &Request) -> Result<Response, ExchangeError> {
        let host = match &self.endpoint {
            Endpoint::Https { server_name, .. } => server_name.clone(),
            Endpoint::Tcp { addr } => addr.to_string(),
        };
        let mut conn = self.connect()?;
        self.set_read_timeout(&conn);
        http::write_request(&mut conn, &host, req)
            .map_err(|e| ExchangeError::NoAnswer(io_detail(&e)))?;
        let mut reader = BufReader::new(conn);
        http::read_response(&mut reader, self.max_answer).map_err(|e| {
            ExchangeError::NoAnswer(match e {
                HttpError::Io(io) => io_detail(&io),
                other => other.to_string(),
            })
        })
    }
}
