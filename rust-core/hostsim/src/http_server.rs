//! The HTTP listeners, on hyper's HTTP/1.1 server over tokio: HTTPS (`POST /posp`, `/qr/...`,
//! TLS by tokio-rustls with the simulator's CA) and the plain-HTTP admin API. hyper does the
//! wire format (keep-alive, chunked request bodies, malformed requests answered `400`); this
//! module turns a request into the simulator's value type, routes it through the fault rules,
//! and answers, delays, withholds or closes.

use crate::admin;
use crate::exchange::{posp_exchange, Delivery, ServerCtx};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use unipos_iso8583::FrameLayout;
use unipos_net::http::{Request, Response};

use crate::qr_link::{self, QrDelivery};

/// Which API a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// TLS: `/posp` and `/qr/...`.
    Https,
    /// Plain HTTP: `/admin/...`.
    Admin,
}

/// Returned by a request handler to make hyper drop the connection without an answer (the
/// `close_connection` fault, a withheld answer given up, or the host stopping).
#[derive(Debug, Error)]
#[error("connection closed without an answer")]
struct CloseConnection;

/// What to do with one HTTPS request.
enum Reply {
    Respond {
        response: Response,
        delay_ms: u64,
    },
    /// Keep the connection open, answer nothing (until the client gives up or the host stops).
    Withhold,
    Close,
}

/// Accepts connections until `stop` turns true.
pub(crate) async fn accept(
    listener: TcpListener,
    api: Api,
    ctx: Arc<ServerCtx>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(e) => {
                    log::warn!("{api:?} accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, api, Arc::clone(&ctx), stop.clone()));
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    api: Api,
    ctx: Arc<ServerCtx>,
    stop: watch::Receiver<bool>,
) {
    match api {
        Api::Admin => serve(TokioIo::new(stream), api, ctx, stop).await,
        Api::Https => {
            let acceptor = TlsAcceptor::from(Arc::clone(&ctx.tls));
            match tokio::time::timeout(ctx.idle, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => serve(TokioIo::new(tls), api, ctx, stop).await,
                Ok(Err(e)) => log::info!("TLS handshake failed: {e}"),
                Err(_) => log::info!("TLS handshake timed out"),
            }
        }
    }
}

async fn serve<I>(io: I, api: Api, ctx: Arc<ServerCtx>, mut stop: watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let idle = ctx.idle;
    let service_stop = stop.clone();
    let service = service_fn(move |req| handle(req, api, Arc::clone(&ctx), service_stop.clone()));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(idle)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        done = conn => if let Err(e) = done {
            log::debug!("{api:?} connection ended: {e}");
        },
        _ = stop.changed() => {}
    }
}

fn to_hyper(r: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(Bytes::from(r.body)));
    *out.status_mut() =
        hyper::StatusCode::from_u16(r.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            hyper::header::HeaderValue::from_str(&v),
        ) {
            out.headers_mut().append(k, v);
        }
    }
    out
}

/// Waits `ms`, or fails when the host stops first.
async fn pause(ms: u64, stop: &mut watch::Receiver<bool>) -> Result<(), CloseConnection> {
    if ms == 0 {
        return Ok(());
    }
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_millis(ms)) => Ok(()),
        _ = stop.changed() => Err(CloseConnection),
    }
}

async fn handle(
    req: hyper::Request<Incoming>,
    api: Api,
    ctx: Arc<ServerCtx>,
    mut stop: watch::Receiver<bool>,
) -> Result<hyper::Response<Full<Bytes>>, CloseConnection> {
    let limit = match api {
        Api::Https => ctx.max_frame.max(64 * 1024),
        Api::Admin => 1024 * 1024,
    };
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, limit).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(to_hyper(Response::json(
                413,
                r#"{"error":"body too large"}"#,
            )));
        }
        Err(_) => return Err(CloseConnection),
    };
    let request = Request {
        method: parts.method.as_str().to_owned(),
        path: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    // The handlers are short and synchronous (in-memory ledger and gateway): run inline.
    let reply = match api {
        Api::Admin => Reply::Respond {
            response: admin::handle(&ctx.posp, &ctx.faults, &ctx.gateway, &request),
            delay_ms: 0,
        },
        Api::Https => route(&ctx, &request),
    };
    match reply {
        Reply::Respond { response, delay_ms } => {
            pause(delay_ms, &mut stop).await?;
            Ok(to_hyper(response))
        }
        Reply::Withhold => {
            // The client gives up at its deadline and closes; this side lets go at the idle
            // timeout, or when the host stops.
            let _ = pause(
                ctx.idle.as_millis().try_into().unwrap_or(u64::MAX),
                &mut stop,
            )
            .await;
            Err(CloseConnection)
        }
        Reply::Close => Err(CloseConnection),
    }
}

fn route(ctx: &ServerCtx, req: &Request) -> Reply {
    if req.path == "/posp" {
        if req.method != "POST" {
            return Reply::Respond {
                response: Response::json(405, r#"{"error":"POST only"}"#),
                delay_ms: 0,
            };
        }
        return https_posp(ctx, &req.body);
    }
    if req.path.starts_with("/qr/") {
        return match qr_link::route(&ctx.gateway, &ctx.faults, req) {
            QrDelivery::Respond { response, delay_ms } => Reply::Respond { response, delay_ms },
            QrDelivery::Withhold => Reply::Withhold,
            QrDelivery::Close => Reply::Close,
        };
    }
    Reply::Respond {
        response: Response::json(404, r#"{"error":"no such path"}"#),
        delay_ms: 0,
    }
}

/// `POST /posp`: the body is a whole frame, length prefix included; the answer likewise.
fn https_posp(ctx: &ServerCtx, frame: &[u8]) -> Reply {
    let bad = Reply::Respond {
        response: Response::json(400, r#"{"error":"not a length-prefixed frame"}"#),
        delay_ms: 0,
    };
    let Some((prefix, body)) = frame.split_at_checked(2) else {
        return bad;
    };
    if FrameLayout::UNIONPAY.body_len(prefix) != body.len() {
        return bad;
    }
    match posp_exchange(ctx, body) {
        // A duplicated answer is sent once: HTTP answers a request once.
        Delivery::Frames { frames, delay_ms } => match frames.into_iter().next() {
            None => Reply::Withhold,
            Some(f) => Reply::Respond {
                response: Response::new(200, "application/octet-stream", f),
                delay_ms,
            },
        },
        Delivery::Close => Reply::Close,
        Delivery::Status(s) => Reply::Respond {
            response: Response::new(s, "application/octet-stream", Vec::new()),
            delay_ms: 0,
        },
    }
}
