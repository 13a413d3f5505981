//! HTTP requests and answers as plain values, and the client that exchanges them: reqwest's
//! blocking client on rustls with the pinned-CA configuration. No HTTP is parsed or written
//! here: hyper (under reqwest) does the wire format, chunked bodies, close-delimited bodies
//! and `1xx` answers included.

use crate::addr::{HostPort, ResolveFailed, Resolver};
use crate::endpoint::Timeouts;
use crate::error::{self, ExchangeError, Garble, NoAnswerKind, NotSentReason};
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path (and query), e.g. `/posp`.
    pub path: String,
    /// Headers in order, names as sent. `Host`, `Content-Length` and `Transfer-Encoding` are
    /// the client's business and are ignored when sending.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Request {
    /// A POST with a body and content type.
    pub fn post(path: &str, content_type: &str, body: Vec<u8>) -> Self {
        Request {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl Response {
    /// An answer with a status, content type and body.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, "application/json", body.into())
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// Resolves the one configured address of a client, whatever name the URL carries. The lookup
/// runs on a detached thread, not the runtime's blocking pool: dropping a client waits for
/// that pool, and a hung lookup must not hold the caller past its deadline.
struct EntryResolver {
    entry: HostPort,
    resolver: Arc<dyn Resolver>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl reqwest::dns::Resolve for EntryResolver {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let entry = self.entry.clone();
        let resolver = Arc::clone(&self.resolver);
        Box::pin(async move {
            // An IP literal (a DNS server name reaching a configured IP) needs no lookup.
            if let Some(addr) = entry.socket_addr() {
                return Ok::<_, BoxError>(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs);
            }
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::Builder::new()
                .name("unipos-resolve".into())
                .spawn(move || {
                    let _ = tx.send(entry.lookup(resolver.as_ref()));
                })
                .map_err(|_| ResolveFailed::NotFound)?;
            let addrs: Vec<SocketAddr> = rx.await.unwrap_or(Err(ResolveFailed::NotFound))?;
            Ok::<_, BoxError>(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// One configured address and, for the primary, its client, built on first use (each blocking
/// client is a runtime thread).
struct Entry {
    addr: HostPort,
    /// `scheme://authority` of the URLs sent to this address.
    base: String,
    client: Mutex<Option<Client>>,
}

/// The HTTP side of a transport: the configured addresses in order, one TLS configuration.
pub(crate) struct HttpClients {
    entries: Vec<Entry>,
    tls: rustls::ClientConfig,
    timeouts: Timeouts,
    resolver: Arc<dyn Resolver>,
}

/// The connect timeout for an attempt with `left` before the deadline: the configured one,
/// but always a little short of the deadline. reqwest's request timeout and its connect
/// timeout run on separate timers; if the request timer fired first during the handshake the
/// error would not say "connect", and a request that never left would count as sent.
fn connect_budget(connect: Duration, left: Duration) -> Duration {
    let margin = (left / 10).min(Duration::from_millis(50));
    connect.min(left.saturating_sub(margin))
}

impl HttpClients {
    /// `server_name`: `Some` for HTTPS. A DNS server name is the URL host of every address (so
    /// SNI and `Host` carry it) while the client's resolver connects to the configured
    /// address; with an IP server name the URL host is the address itself, and the verifier
    /// still checks the pinned IP. A URL carries a port only when its host is an IP literal:
    /// hyper connects to those directly; for a name, the resolver's addresses (with their
    /// ports) are used as they come.
    pub(crate) fn new(
        addrs: &[HostPort],
        server_name: Option<&str>,
        tls: rustls::ClientConfig,
        timeouts: Timeouts,
        resolver: Arc<dyn Resolver>,
    ) -> HttpClients {
        let dns_name = server_name.filter(|n| n.parse::<std::net::IpAddr>().is_err());
        let scheme = if server_name.is_some() {
            "https"
        } else {
            "http"
        };
        let entries = addrs
            .iter()
            .map(|a| Entry {
                addr: a.clone(),
                base: match (dns_name, a.socket_addr()) {
                    (Some(name), _) => format!("https://{name}"),
                    (None, Some(_)) => format!("{scheme}://{a}"),
                    (None, None) => format!("{scheme}://{}", a.host()),
                },
                client: Mutex::new(None),
            })
            .collect();
        HttpClients {
            entries,
            tls,
            timeouts,
            resolver,
        }
    }

    /// The primary's client is kept (its connect budget is the same at every exchange); a
    /// fallback, rare, gets a client for the time that is left.
    fn client(
        &self,
        entry: &Entry,
        primary: bool,
        left: Duration,
    ) -> Result<Client, ExchangeError> {
        if !primary {
            return self.build(entry, connect_budget(self.timeouts.connect, left));
        }
        let mut slot = entry.client.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let client = self.build(
            entry,
            connect_budget(self.timeouts.connect, self.timeouts.exchange),
        )?;
        *slot = Some(client.clone());
        Ok(client)
    }

    fn build(&self, entry: &Entry, connect: Duration) -> Result<Client, ExchangeError> {
        Client::builder()
            .use_preconfigured_tls(self.tls.clone())
            .dns_resolver(Arc::new(EntryResolver {
                entry: entry.addr.clone(),
                resolver: Arc::clone(&self.resolver),
            }))
            .connect_timeout(connect)
            // The exchange deadline is set per request; the blocking default (30 s) is off.
            .timeout(None::<Duration>)
            // A fresh connection per exchange: no stale pooled connection can turn a
            // "nothing sent" into a "sent", and hyper never retries on a new one.
            .pool_max_idle_per_host(0)
            .retry(reqwest::retry::never())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| {
                log::warn!("cannot start the HTTP client: {e}");
                ExchangeError::NotSent(NotSentReason::Local)
            })
    }

    /// Sends `req` to the first address that accepts a connection, within `deadline`.
    pub(crate) fn send(
        &self,
        req: &Request,
        deadline: Instant,
        max_answer: usize,
    ) -> Result<Response, ExchangeError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| ExchangeError::NotSent(NotSentReason::Local))?;
        let headers = header_map(&req.headers)?;
        let mut failure = NotSentReason::Unreachable;
        for (i, entry) in self.entries.iter().enumerate() {
            let Some(left) = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
            else {
                return Err(ExchangeError::NotSent(NotSentReason::ConnectTimeout));
            };
            let client = self.client(entry, i == 0, left)?;
            let sent = client
                .request(method.clone(), format!("{}{}", entry.base, req.path))
                .headers(headers.clone())
                .body(req.body.clone())
                .timeout(left)
                .send();
            match sent {
                Ok(answer) => return read_answer(answer, max_answer),
                Err(e) => match error::of_reqwest(&e) {
                    ExchangeError::NotSent(r) if r.is_connection_failure() => {
                        log::info!("{}: {r}; trying the next address, if any", entry.addr);
                        failure = r;
                    }
                    other => {
                        log::info!("{}: {other}", entry.addr);
                        return Err(other);
                    }
                },
            }
        }
        Err(ExchangeError::NotSent(failure))
    }
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, ExchangeError> {
    let bad = ExchangeError::NotSent(NotSentReason::Local);
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad)?;
        if name == reqwest::header::HOST
            || name == reqwest::header::CONTENT_LENGTH
            || name == reqwest::header::TRANSFER_ENCODING
        {
            continue;
        }
        map.append(name, HeaderValue::from_str(v).map_err(|_| bad)?);
    }
    Ok(map)
}

fn read_answer(
    mut answer: reqwest::blocking::Response,
    max: usize,
) -> Result<Response, ExchangeError> {
    let too_large = ExchangeError::NoAnswer(NoAnswerKind::Garbled(Garble::TooLarge));
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if answer.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large);
    }
    let mut body = Vec::new();
    // The request's deadline covers the body too (reqwest's total timeout wraps it).
    (&mut answer)
        .take(max as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ExchangeError::NoAnswer(error::after_send(&e)))?;
    if body.len() > max {
        return Err(too_large);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}
