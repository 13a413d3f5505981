//! Real loopback servers, each misbehaving in one way real gateways and networks do, against
//! the transport: the exact classification (nothing sent / no answer, and why) and, for the
//! deadline cases, the elapsed time with generous margins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use support::*;
use unipos_net::http::Request;
use unipos_net::{
    frame_io, ConfigError, Endpoint, ExchangeError, Garble, NoAnswerKind, NotSentReason, Timeouts,
    Transport,
};

fn within(exchange_ms: u64) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        exchange: Duration::from_millis(exchange_ms),
    }
}

fn tcp(addrs: &[String], exchange_ms: u64) -> Transport {
    Transport::new(
        Endpoint::Tcp {
            addresses: addrs.to_vec(),
        },
        within(exchange_ms),
    )
    .unwrap()
}

fn https(addr: impl ToString, name: &str, ca_pem: &str, exchange_ms: u64) -> Transport {
    Transport::new(Endpoint::https(addr, name, ca_pem), within(exchange_ms)).unwrap()
}

fn no_answer(kind: NoAnswerKind) -> ExchangeError {
    ExchangeError::NoAnswer(kind)
}

fn not_sent(reason: NotSentReason) -> ExchangeError {
    ExchangeError::NotSent(reason)
}

/// An HTTPS server that answers every request with `answer(head, body)` (raw bytes), then
/// sends close_notify.
fn https_answering(
    ca: &Ca,
    answer: impl Fn(&str, &[u8]) -> Vec<u8> + Send + Sync + 'static,
) -> Server {
    serve_tls(Arc::clone(&ca.server), move |tls| {
        let Ok((head, body)) = read_request(tls) else {
            return;
        };
        send(tls, &answer(&head, &body));
        close_notify(tls);
    })
}

fn ok_frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

// ---- raw TCP framing ---------------------------------------------------------------------------

#[test]
fn tcp_frame_echo() {
    let s = serve(|mut s| {
        let body = frame_io::read_frame(&mut s, 2, 1000).unwrap();
        frame_io::write_frame(&mut s, 2, &body).unwrap();
    });
    let t = tcp(&[s.addr.to_string()], 2_000);
    assert_eq!(t.exchange_frame(2, b"ping", "/").unwrap(), b"ping");
}

#[test]
fn refused_is_not_sent() {
    let t = tcp(&[dead_addr().to_string()], 2_000);
    let err = t.exchange_frame(2, b"x", "/").unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::Refused));
    assert!(!err.maybe_sent());
}

#[test]
fn a_body_the_prefix_cannot_express_is_refused_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let t = tcp(&[listener.local_addr().unwrap().to_string()], 2_000);
    let err = t.exchange_frame(1, &[0u8; 256], "/").unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::FrameTooLong));
    thread::sleep(Duration::from_millis(50));
    assert!(listener.accept().is_err(), "nothing may even connect");
    // 255 bytes still fit a one-byte prefix.
    let t = tcp(&[dead_addr().to_string()], 2_000);
    assert_eq!(
        t.exchange_frame(1, &[0u8; 255], "/").unwrap_err(),
        not_sent(NotSentReason::Refused)
    );
}

#[test]
fn closed_after_reading_is_no_answer() {
    let s = serve(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
    });
    let err = tcp(&[s.addr.to_string()], 2_000)
        .exchange_frame(2, b"x", "/")
        .unwrap_err();
    assert_eq!(err, no_answer(NoAnswerKind::Closed));
}

#[test]
fn reset_before_reading_is_no_answer_over_tcp() {
    // Accept, leave the request unread, close: the kernel answers with a reset. The frame was
    // already written, so the outcome is unknown, never "nothing sent".
    let s = serve(|s| {
        thread::sleep(Duration::from_millis(100));
        drop(s);
    });
    let err = tcp(&[s.addr.to_string()], 2_000)
        .exchange_frame(2, b"x", "/")
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExchangeError::NoAnswer(NoAnswerKind::Reset | NoAnswerKind::Closed)
        ),
        "{err:?}"
    );
}

#[test]
fn silence_is_a_timeout_at_the_deadline() {
    let s = serve(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
        thread::sleep(Duration::from_secs(4));
    });
    let t0 = Instant::now();
    let err = tcp(&[s.addr.to_string()], 400)
        .exchange_frame(2, b"x", "/")
        .unwrap_err();
    let took = t0.elapsed();
    assert_eq!(err, no_answer(NoAnswerKind::Timeout));
    assert!(took >= Duration::from_millis(350), "{took:?}");
    assert!(took < Duration::from_millis(2_500), "{took:?}");
}

#[test]
fn a_trickling_tcp_peer_cannot_hold_the_exchange_past_the_deadline() {
    // 2 prefix bytes announcing 60, then one byte every 50 ms: complete after about 3 s. A
    // per-read timeout would wait for all of it; the exchange deadline (800 ms) must not.
    let s = serve(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
        let frame = frame_io::encode_frame(2, &[0x42; 60]).unwrap();
        trickle(&mut s, &frame, Duration::from_millis(50));
    });
    let t0 = Instant::now();
    let err = tcp(&[s.addr.to_string()], 800)
        .exchange_frame(2, b"x", "/")
        .unwrap_err();
    let took = t0.elapsed();
    assert_eq!(err, no_answer(NoAnswerKind::Timeout));
    assert!(took >= Duration::from_millis(750), "{took:?}");
    assert!(took < Duration::from_millis(2_500), "{took:?}");
}

#[test]
fn the_next_address_is_tried_when_connecting_fails() {
    let live = serve(|mut s| {
        let body = frame_io::read_frame(&mut s, 2, 1000).unwrap();
        frame_io::write_frame(&mut s, 2, &body).unwrap();
    });
    let t = tcp(&[dead_addr().to_string(), live.addr.to_string()], 2_000);
    assert_eq!(t.exchange_frame(2, b"fallback", "/").unwrap(), b"fallback");
    assert_eq!(live.accepted(), 1);
}

#[test]
fn a_name_that_resolves_dead_first_and_live_second_connects_to_the_second() {
    let live = serve(|mut s| {
        let body = frame_io::read_frame(&mut s, 2, 1000).unwrap();
        frame_io::write_frame(&mut s, 2, &body).unwrap();
    });
    let table = Arc::new(Table {
        entries: vec![("posp.test".into(), vec![dead_addr(), live.addr])],
        ..Table::default()
    });
    let t = Transport::with_resolver(
        Endpoint::tcp("posp.test:5000"),
        within(2_000),
        table.clone(),
    )
    .unwrap();
    assert_eq!(t.exchange_frame(2, b"two", "/").unwrap(), b"two");
    assert_eq!(t.exchange_frame(2, b"again", "/").unwrap(), b"again");
    // Resolved at each connection, not once.
    assert_eq!(*table.asked.lock().unwrap(), vec!["posp.test", "posp.test"]);
}

#[test]
fn no_other_address_is_tried_once_the_request_may_have_been_sent() {
    let silent = serve(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
        thread::sleep(Duration::from_secs(3));
    });
    let second = serve(|_| {});
    let err = tcp(&[silent.addr.to_string(), second.addr.to_string()], 400)
        .exchange_frame(2, b"x", "/")
        .unwrap_err();
    assert_eq!(err, no_answer(NoAnswerKind::Timeout));
    assert_eq!(second.accepted(), 0, "a sent request is never sent again");
}

#[test]
fn a_name_that_does_not_resolve_is_not_sent() {
    let t = Transport::with_resolver(
        Endpoint::tcp("nowhere.test:1"),
        within(1_000),
        Arc::new(Table::default()),
    )
    .unwrap();
    assert_eq!(
        t.exchange_frame(2, b"x", "/").unwrap_err(),
        not_sent(NotSentReason::Resolve)
    );
}

// ---- HTTPS (reqwest on rustls, pinned CA) --------------------------------------------------------

#[test]
fn posp_over_https_with_the_pinned_ca_by_name_and_by_ip() {
    let ca = ca(&["localhost", "127.0.0.1"]);
    let s = https_answering(&ca, |head, body| {
        assert!(head.starts_with("POST /posp HTTP/1.1\r\n"), "{head}");
        ok_frame(body)
    });
    for name in ["localhost", "127.0.0.1"] {
        let t = https(s.addr, name, &ca.pem, 3_000);
        assert_eq!(t.exchange_frame(2, b"hello", "/posp").unwrap(), b"hello");
    }
}

#[test]
fn a_chunked_answer_is_an_answer() {
    let ca = ca(&["localhost"]);
    let s = https_answering(&ca, |_, _| {
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\n{\"a\":\r\n3\r\n1, \r\n6\r\n\"b\":2}\r\n0\r\n\r\n"
            .to_vec()
    });
    let r = https(s.addr, "localhost", &ca.pem, 3_000)
        .post(&Request::post(
            "/qr/v1/pay",
            "application/json",
            b"{}".to_vec(),
        ))
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, br#"{"a":1, "b":2}"#);
}

#[test]
fn a_close_delimited_answer_is_an_answer() {
    let ca = ca(&["localhost"]);
    let s = https_answering(&ca, |_, _| {
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"ok\":true}"
            .to_vec()
    });
    let r = https(s.addr, "localhost", &ca.pem, 3_000)
        .post(&Request::post("/qr/v1/pay", "application/json", vec![]))
        .unwrap();
    assert_eq!(r.body, br#"{"ok":true}"#);

    // The same over plain HTTP (the QR gateway of a test set-up).
    let plain = serve(|mut s| {
        let _ = read_request(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\n\r\nall of it");
    });
    let r = tcp(&[plain.addr.to_string()], 3_000)
        .post(&Request::post("/x", "text/plain", vec![]))
        .unwrap();
    assert_eq!(r.body, b"all of it");
}

#[test]
fn informational_answers_before_the_final_one_are_skipped() {
    let ca = ca(&["localhost"]);
    let s = https_answering(&ca, |_, body| {
        let mut out = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n".to_vec();
        out.extend(ok_frame(body));
        out
    });
    let t = https(s.addr, "localhost", &ca.pem, 3_000);
    assert_eq!(t.exchange_frame(2, b"final", "/posp").unwrap(), b"final");
}

#[test]
fn conflicting_content_lengths_are_a_garbled_answer() {
    let ca = ca(&["localhost"]);
    let s = https_answering(&ca, |_, _| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello".to_vec()
    });
    let err = https(s.addr, "localhost", &ca.pem, 3_000)
        .post(&Request::post("/qr/v1/pay", "application/json", vec![]))
        .unwrap_err();
    assert_eq!(err, no_answer(NoAnswerKind::Garbled(Garble::Http)));
}

#[test]
fn tls_without_close_notify_after_a_complete_answer_is_an_answer() {
    let ca = ca(&["localhost"]);
    let s = serve_tls(Arc::clone(&ca.server), |tls| {
        let (_, body) = read_request(tls).unwrap();
        send(tls, &ok_frame(&body));
        // Dropped without close_notify: many servers do that, and the length says it is all.
    });
    let t = https(s.addr, "localhost", &ca.pem, 3_000);
    assert_eq!(
        t.exchange_frame(2, b"complete", "/posp").unwrap(),
        b"complete"
    );
}

#[test]
fn tls_without_close_notify_ending_a_close_delimited_answer_is_no_answer() {
    // Without a length or a close_notify nobody can tell the end from a cut: unknown outcome.
    let ca = ca(&["localhost"]);
    let s = serve_tls(Arc::clone(&ca.server), |tls| {
        let _ = read_request(tls);
        send(
            tls,
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"code\":",
        );
    });
    let err = https(s.addr, "localhost", &ca.pem, 3_000)
        .post(&Request::post("/qr/v1/pay", "application/json", vec![]))
        .unwrap_err();
    assert_eq!(err, no_answer(NoAnswerKind::Closed));
}

#[test]
fn a_trickling_https_peer_cannot_hold_the_exchange_past_the_deadline() {
    let ca = ca(&["localhost"]);
    // Headers at once, then a 60-byte body one byte every 50 ms (about 3 s).
    let body_trickle = serve_tls(Arc::clone(&ca.server), |tls| {
        let _ = read_request(tls);
        send(tls, b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n");
        trickle(tls, &[b'x'; 60], Duration::from_millis(50));
    });
    // The status line and headers themselves, one byte every 50 ms.
    let head_trickle = serve_tls(Arc::clone(&ca.server), |tls| {
        let _ = read_request(tls);
        trickle(
            tls,
            b"HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nContent-Length: 0\r\n\r\n",
            Duration::from_millis(50),
        );
    });
    for s in [body_trickle, head_trickle] {
        let t = https(s.addr, "localhost", &ca.pem, 800);
        let t0 = Instant::now();
        let err = t
            .post(&Request::post("/qr/v1/query", "application/json", vec![]))
            .unwrap_err();
        let took = t0.elapsed();
        assert_eq!(err, no_answer(NoAnswerKind::Timeout));
        assert!(took >= Duration::from_millis(750), "{took:?}");
        assert!(took < Duration::from_millis(2_500), "{took:?}");
    }
}

#[test]
fn a_certificate_from_another_ca_is_refused_before_anything_is_sent() {
    let real = ca(&["localhost"]);
    let other = ca(&["localhost"]);
    let got_plaintext = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&got_plaintext);
    let s = serve_tls(Arc::clone(&real.server), move |tls| {
        let mut b = [0u8; 1];
        if matches!(tls.read(&mut b), Ok(n) if n > 0) {
            flag.store(true, Ordering::SeqCst);
        }
    });
    let err = https(s.addr, "localhost", &other.pem, 3_000)
        .exchange_frame(2, b"secret", "/posp")
        .unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::Tls));
    thread::sleep(Duration::from_millis(100));
    assert!(!got_plaintext.load(Ordering::SeqCst));
    assert_eq!(s.accepted(), 1);

    // The right CA, the wrong name: refused just the same.
    let err = https(s.addr, "posp.example", &real.pem, 3_000)
        .exchange_frame(2, b"x", "/posp")
        .unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::Tls));
}

#[test]
fn a_server_that_accepts_then_resets_before_reading_is_not_sent_over_https() {
    // The handshake never completes, so no byte of the request can have left.
    let ca = ca(&["localhost"]);
    for wait in [0, 100] {
        let s = serve(move |s| {
            thread::sleep(Duration::from_millis(wait));
            drop(s);
        });
        let err = https(s.addr, "localhost", &ca.pem, 3_000)
            .exchange_frame(2, b"x", "/posp")
            .unwrap_err();
        assert_eq!(err, not_sent(NotSentReason::Tls), "after {wait} ms");
    }
}

#[test]
fn a_server_that_closes_after_reading_the_request_is_no_answer_over_https() {
    let ca = ca(&["localhost"]);
    // Reads the whole request then closes (with and without close_notify), and one that
    // closes halfway through the request.
    let whole = serve_tls(Arc::clone(&ca.server), |tls| {
        let _ = read_request(tls);
        close_notify(tls);
    });
    let abrupt = serve_tls(Arc::clone(&ca.server), |tls| {
        let _ = read_request(tls);
    });
    let halfway = serve_tls(Arc::clone(&ca.server), |tls| {
        let mut b = [0u8; 10];
        let _ = tls.read_exact(&mut b);
    });
    for s in [whole, abrupt, halfway] {
        let err = https(s.addr, "localhost", &ca.pem, 3_000)
            .exchange_frame(2, &[0x11; 2000], "/posp")
            .unwrap_err();
        assert!(
            matches!(
                err,
                ExchangeError::NoAnswer(NoAnswerKind::Closed | NoAnswerKind::Reset)
            ),
            "{err:?}"
        );
    }
}

#[test]
fn an_http_error_status_or_a_bad_frame_is_no_answer() {
    let ca = ca(&["localhost"]);
    let unavailable = https_answering(&ca, |_, _| {
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec()
    });
    let redirect = https_answering(&ca, |_, _| {
        b"HTTP/1.1 302 Found\r\nLocation: https://localhost/elsewhere\r\nContent-Length: 0\r\n\r\n"
            .to_vec()
    });
    let bad_frame = https_answering(&ca, |_, _| ok_frame(b"\x00\x09short"));
    let cases = [
        (unavailable, NoAnswerKind::HttpStatus(503)),
        (redirect, NoAnswerKind::HttpStatus(302)),
        (bad_frame, NoAnswerKind::Garbled(Garble::Frame)),
    ];
    for (s, kind) in cases {
        let err = https(s.addr, "localhost", &ca.pem, 3_000)
            .exchange_frame(2, b"x", "/posp")
            .unwrap_err();
        assert_eq!(err, no_answer(kind));
        assert_eq!(s.accepted(), 1, "never followed, never retried");
    }
}

#[test]
fn https_tries_the_next_address_and_the_next_resolved_address_only_when_connecting_fails() {
    let ca = ca(&["localhost", "gateway.test"]);
    let live = https_answering(&ca, |_, body| ok_frame(body));
    // Two configured addresses, the first dead.
    let t = Transport::new(
        Endpoint::Https {
            addresses: vec![dead_addr().to_string(), live.addr.to_string()],
            server_name: "localhost".into(),
            ca_pem: ca.pem.clone(),
        },
        within(3_000),
    )
    .unwrap();
    assert_eq!(t.exchange_frame(2, b"second", "/posp").unwrap(), b"second");
    // One name that resolves to a dead address first and a live one second; SNI and the
    // certificate check use the server name.
    let table = Arc::new(Table {
        entries: vec![("gateway.test".into(), vec![dead_addr(), live.addr])],
        ..Table::default()
    });
    let t = Transport::with_resolver(
        Endpoint::https("gateway.test:443", "gateway.test", &ca.pem),
        within(3_000),
        table.clone(),
    )
    .unwrap();
    assert_eq!(
        t.exchange_frame(2, b"resolved", "/posp").unwrap(),
        b"resolved"
    );
    assert_eq!(t.exchange_frame(2, b"again", "/posp").unwrap(), b"again");
    assert_eq!(
        table.asked.lock().unwrap().len(),
        2,
        "resolved at each connection"
    );

    // A first address that answers badly is an answer: the second is never asked.
    let bad = https_answering(&ca, |_, _| {
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n".to_vec()
    });
    let second = https_answering(&ca, |_, body| ok_frame(body));
    let t = Transport::new(
        Endpoint::Https {
            addresses: vec![bad.addr.to_string(), second.addr.to_string()],
            server_name: "localhost".into(),
            ca_pem: ca.pem.clone(),
        },
        within(3_000),
    )
    .unwrap();
    assert_eq!(
        t.exchange_frame(2, b"x", "/posp").unwrap_err(),
        no_answer(NoAnswerKind::HttpStatus(500))
    );
    assert_eq!(second.accepted(), 0);
}

#[test]
fn refused_over_https_is_not_sent() {
    let ca = ca(&["localhost"]);
    let err = https(dead_addr(), "localhost", &ca.pem, 2_000)
        .post(&Request::post("/qr/v1/pay", "application/json", vec![]))
        .unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::Refused));
}

#[test]
fn bad_configuration_is_refused_when_the_transport_is_made() {
    let ca = ca(&["localhost"]);
    let cases = [
        Endpoint::https("127.0.0.1:1", "localhost", "not a certificate"),
        Endpoint::https("127.0.0.1:1", "bad name!", ca.pem.as_str()),
        Endpoint::https("127.0.0.1", "localhost", ca.pem.as_str()),
        Endpoint::tcp("host:0"),
        Endpoint::Tcp { addresses: vec![] },
    ];
    for endpoint in cases {
        let err = Transport::new(endpoint.clone(), within(1_000)).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Tls(_) | ConfigError::Address(_) | ConfigError::NoAddress
            ),
            "{endpoint:?}: {err:?}"
        );
    }
}

#[test]
fn error_texts_are_safe_to_show() {
    let texts = [
        not_sent(NotSentReason::Tls).to_string(),
        no_answer(NoAnswerKind::Garbled(Garble::Http)).to_string(),
        no_answer(NoAnswerKind::HttpStatus(503)).to_string(),
    ];
    assert_eq!(
        texts,
        [
            "could not reach the host: the secure connection could not be set up",
            "no answer from the host: garbled answer (not valid HTTP)",
            "no answer from the host: HTTP status 503",
        ]
    );
}

#[test]
fn a_deadline_shorter_than_the_connect_timeout_bounds_connecting_too() {
    // A TLS server that accepts and never answers the handshake: the handshake is part of
    // connecting, so this is "nothing sent", within the exchange deadline.
    let s = serve(|s| {
        thread::sleep(Duration::from_secs(3));
        drop(s);
    });
    let ca = ca(&["localhost"]);
    let t0 = Instant::now();
    let err = https(s.addr, "localhost", &ca.pem, 500)
        .post(&Request::post("/qr/v1/pay", "application/json", vec![]))
        .unwrap_err();
    assert_eq!(err, not_sent(NotSentReason::ConnectTimeout));
    assert!(
        t0.elapsed() < Duration::from_millis(2_000),
        "{:?}",
        t0.elapsed()
    );
}

/// A resolver that answers after 3 s (a DNS server that does not answer).
struct Hung;

impl unipos_net::Resolver for Hung {
    fn lookup(&self, _host: &str, _port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        thread::sleep(Duration::from_secs(3));
        Ok(vec![dead_addr()])
    }
}

#[test]
fn a_hung_name_lookup_cannot_hold_the_exchange_past_the_deadline() {
    let ca = ca(&["gateway.test"]);
    let endpoints = [
        Endpoint::tcp("posp.test:5000"),
        Endpoint::https("gateway.test:443", "gateway.test", ca.pem.as_str()),
    ];
    for endpoint in endpoints {
        let t0 = Instant::now();
        let err = {
            let t =
                Transport::with_resolver(endpoint.clone(), within(500), Arc::new(Hung)).unwrap();
            t.exchange_frame(2, b"x", "/posp").unwrap_err()
            // The transport is dropped here too: that must not wait for the lookup either.
        };
        let took = t0.elapsed();
        assert!(
            matches!(err, ExchangeError::NotSent(_)),
            "{endpoint:?}: {err:?}"
        );
        assert!(
            took < Duration::from_millis(2_000),
            "{endpoint:?}: {took:?}"
        );
    }
}
