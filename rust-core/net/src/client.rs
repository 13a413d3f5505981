//! One request, one answer, within one deadline, classified for the reversal rules
//! (see [`crate::error`]).
//!
//! The deadline is the profile's response timeout and covers the whole exchange: resolving,
//! connecting (each attempt at most the connect timeout), sending and receiving. A peer that
//! trickles one byte at a time cannot hold the exchange past it. The configured addresses are
//! tried in order, and the next one only when connecting failed (nothing sent).

use crate::addr::{HostPort, Resolver, SystemResolver};
use crate::endpoint::{Endpoint, Timeouts};
use crate::error::{self, ConfigError, ExchangeError, Garble, NoAnswerKind, NotSentReason};
use crate::frame_io::{self, FrameReadError};
use crate::http::{HttpClients, Request, Response};
use crate::tls::{pinned_client_config, trust_nothing};
use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first read of an answer asks for this much: a POSP answer is a few hundred bytes.
const ANSWER_READ: usize = 2048;

/// A socket whose every read and write waits at most until the exchange deadline.
struct DeadlineStream {
    tcp: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
    fn left(&self) -> io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
    }
}

fn timed_out(r: io::Result<usize>) -> io::Result<usize> {
    r.map_err(|e| match e.kind() {
        io::ErrorKind::WouldBlock => io::Error::from(io::ErrorKind::TimedOut),
        _ => e,
    })
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.left()?))?;
        timed_out(self.tcp.read(buf))
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.left()?))?;
        timed_out(self.tcp.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// A client for one endpoint. Cheap to clone; each exchange opens its own connection, as POS
/// terminals do (short connections survive NAT and mobile networks best).
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    timeouts: Timeouts,
    addresses: Vec<HostPort>,
    resolver: Arc<dyn Resolver>,
    http: HttpClients,
    max_answer: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("addresses", &self.inner.endpoint.addresses())
            .field("timeouts", &self.inner.timeouts)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport for `endpoint`. The addresses' syntax, the pinned CA and the server name
    /// are checked here, once; nothing is resolved or connected.
    pub fn new(endpoint: Endpoint, timeouts: Timeouts) -> Result<Transport, ConfigError> {
        Transport::with_resolver(endpoint, timeouts, Arc::new(SystemResolver))
    }

    /// [`Transport::new`] with another resolver for host names.
    pub fn with_resolver(
        endpoint: Endpoint,
        timeouts: Timeouts,
        resolver: Arc<dyn Resolver>,
    ) -> Result<Transport, ConfigError> {
        let addresses = endpoint
            .addresses()
            .iter()
            .map(|a| HostPort::parse(a))
            .collect::<Result<Vec<_>, _>>()?;
        if addresses.is_empty() {
            return Err(ConfigError::NoAddress);
        }
        let http = match &endpoint {
            Endpoint::Tcp { .. } => HttpClients::new(
                &addresses,
                None,
                trust_nothing()?,
                timeouts,
                Arc::clone(&resolver),
            ),
            Endpoint::Https {
                server_name,
                ca_pem,
                ..
            } => HttpClients::new(
                &addresses,
                Some(server_name),
                pinned_client_config(ca_pem, server_name)?,
                timeouts,
                Arc::clone(&resolver),
            ),
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                endpoint,
                timeouts,
                addresses,
                resolver,
                http,
                max_answer: 64 * 1024,
            }),
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.inner.timeouts.exchange
    }

    /// Connects to the first address that accepts, trying each resolved address of each
    /// configured one in order; every attempt at most `min(connect timeout, time left)`.
    fn connect_tcp(&self, deadline: Instant) -> Result<TcpStream, ExchangeError> {
        let mut failure = NotSentReason::Unreachable;
        for entry in &self.inner.addresses {
            let left = || {
                deadline
                    .checked_duration_since(Instant::now())
                    .filter(|d| !d.is_zero())
                    .map(|d| d.min(self.inner.timeouts.connect))
                    .ok_or(ExchangeError::NotSent(NotSentReason::ConnectTimeout))
            };
            let resolved = match entry.resolve_within(&self.inner.resolver, left()?) {
                Ok(a) => a,
                Err(_) => {
                    log::info!("{entry}: the name did not resolve; next address, if any");
                    failure = NotSentReason::Resolve;
                    continue;
                }
            };
            for addr in resolved {
                match TcpStream::connect_timeout(&addr, left()?) {
                    Ok(tcp) => {
                        let _ = tcp.set_nodelay(true);
                        return Ok(tcp);
                    }
                    Err(e) => {
                        failure = error::connect_failure(&e);
                        log::info!("{entry} ({addr}): {failure}; next address, if any");
                    }
                }
            }
        }
        Err(ExchangeError::NotSent(failure))
    }

    /// Sends one ISO 8583 frame body (TPDU onwards; the length prefix is added here) and
    /// returns the answer's body. Over HTTPS the whole frame, length prefix included, is the
    /// POST body to `https_path`, and the answer is a whole frame too.
    pub fn exchange_frame(
        &self,
        prefix_len: usize,
        body: &[u8],
        https_path: &str,
    ) -> Result<Vec<u8>, ExchangeError> {
        let deadline = self.deadline();
        let frame = frame_io::encode_frame(prefix_len, body)
            .map_err(|_| ExchangeError::NotSent(NotSentReason::FrameTooLong))?;
        let max = self.inner.max_answer;
        match self.inner.endpoint {
            Endpoint::Tcp { .. } => {
                let tcp = self.connect_tcp(deadline)?;
                let mut conn = DeadlineStream { tcp, deadline };
                // From here on bytes may be on the wire: every failure is "no answer".
                conn.write_all(&frame)
                    .and_then(|()| conn.flush())
                    .map_err(|e| ExchangeError::NoAnswer(error::after_send(&e)))?;
                // Buffered: the answer's length prefix and body usually come in one read.
                let mut answer = BufReader::with_capacity(ANSWER_READ, conn);
                frame_io::read_frame(&mut answer, prefix_len, max).map_err(|e| {
                    ExchangeError::NoAnswer(match e {
                        FrameReadError::Io(io) => error::after_send(&io),
                        FrameReadError::Closed | FrameReadError::Truncated { .. } => {
                            NoAnswerKind::Closed
                        }
                        FrameReadError::TooLong { .. } => NoAnswerKind::Garbled(Garble::TooLarge),
                    })
                })
            }
            Endpoint::Https { .. } => {
                let req = Request::post(https_path, "application/octet-stream", frame);
                let resp = self.inner.http.send(&req, deadline, max + 8)?;
                if resp.status != 200 {
                    return Err(ExchangeError::NoAnswer(NoAnswerKind::HttpStatus(
                        resp.status,
                    )));
                }
                frame_io::read_frame(&mut resp.body.as_slice(), prefix_len, max)
                    .map_err(|_| ExchangeError::NoAnswer(NoAnswerKind::Garbled(Garble::Frame)))
            }
        }
    }

    /// Sends one HTTP request (over TLS for an HTTPS endpoint, plain HTTP otherwise) and
    /// returns the answer, whatever its status.
    pub fn post(&self, req: &Request) -> Result<Response, ExchangeError> {
        self.inner
            .http
            .send(req, self.deadline(), self.inner.max_answer)
    }
}
