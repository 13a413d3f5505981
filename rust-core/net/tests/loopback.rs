//! Real loopback sockets: framing, HTTPS with a pinned CA, and error classification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rustls::{ServerConnection, StreamOwned};
use std::io::BufReader;
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;
use unipos_net::http::{self, Request, Response};
use unipos_net::tls::TestCa;
use unipos_net::{frame_io, Endpoint, ExchangeError, Timeouts, Transport};

fn fast() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
    }
}

/// Serves one connection with `f`.
fn serve_once(f: impl FnOnce(std::net::TcpStream) + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            f(s);
        }
    });
    addr
}

#[test]
fn tcp_frame_echo() {
    let addr = serve_once(|mut s| {
        let body = frame_io::read_frame(&mut s, 2, 1000).unwrap();
        frame_io::write_frame(&mut s, 2, &body).unwrap();
    });
    let t = Transport::new(Endpoint::Tcp { addr }, fast()).unwrap();
    assert_eq!(t.exchange_frame(2, b"ping", "/").unwrap(), b"ping");
}

#[test]
fn refused_is_not_sent() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // The listener is dropped: nothing listens there now.
    let t = Transport::new(Endpoint::Tcp { addr }, fast()).unwrap();
    let err = t.exchange_frame(2, b"x", "/").unwrap_err();
    assert!(matches!(err, ExchangeError::NotSent(_)), "{err}");
    assert!(!err.maybe_sent());
}

#[test]
fn closed_after_reading_is_no_answer() {
    let addr = serve_once(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
    });
    let t = Transport::new(Endpoint::Tcp { addr }, fast()).unwrap();
    let err = t.exchange_frame(2, b"x", "/").unwrap_err();
    assert!(err.maybe_sent(), "{err}");
}

#[test]
fn silence_is_a_timeout() {
    let addr = serve_once(|mut s| {
        let _ = frame_io::read_frame(&mut s, 2, 1000);
        thread::sleep(Duration::from_secs(2));
    });
    let t = Transport::new(Endpoint::Tcp { addr }, fast()).unwrap();
    let err = t.exchange_frame(2, b"x", "/").unwrap_err();
    assert!(err.maybe_sent() && err.is_timeout(), "{err}");
}

#[test]
fn https_with_pinned_ca() {
    let ca = TestCa::generate(&["localhost", "127.0.0.1"]).unwrap();
    let config = ca.server_config();
    let addr = serve_once(move |s| {
        let conn = ServerConnection::new(config).unwrap();
        let mut tls = BufReader::new(StreamOwned::new(conn, s));
        let req = http::read_request(&mut tls, 1000).unwrap().unwrap();
        assert_eq!(req.path, "/posp");
        http::write_response(
            tls.get_mut(),
            &Response::new(200, "application/octet-stream", req.body),
        )
        .unwrap();
    });
    let endpoint = Endpoint::Https {
        addr,
        server_name: "127.0.0.1".into(),
        ca_pem: ca.ca_pem().to_owned(),
    };
    let t = Transport::new(endpoint, fast()).unwrap();
    assert_eq!(t.exchange_frame(2, b"hello", "/posp").unwrap(), b"hello");
}

#[test]
fn https_with_another_ca_is_not_sent() {
    let real = TestCa::generate(&["localhost"]).unwrap();
    let other = TestCa::generate(&["localhost"]).unwrap();
    let config = real.server_config();
    let addr = serve_once(move |s| {
        let conn = ServerConnection::new(config).unwrap();
        let mut tls = StreamOwned::new(conn, s);
        let _ = http::read_request(&mut BufReader::new(&mut tls), 1000);
    });
    let endpoint = Endpoint::Https {
        addr,
        server_name: "localhost".into(),
        ca_pem: other.ca_pem().to_owned(),
    };
    let t = Transport::new(endpoint, fast()).unwrap();
    let err = t
        .post(&Request::post("/x", "text/plain", vec![]))
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::NotSent(ref m) if m.contains("TLS")),
        "{err}"
    );
}

#[test]
fn bad_pinned_ca_is_a_config_error() {
    let endpoint = Endpoint::Https {
        addr: "127.0.0.1:1".parse().unwrap(),
        server_name: "localhost".into(),
        ca_pem: "not a certificate".into(),
    };
    assert!(matches!(
        Transport::new(endpoint, fast()),
        Err(ExchangeError::Config(_))
    ));
}
