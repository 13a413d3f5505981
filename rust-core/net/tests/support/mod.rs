//! Test servers on loopback, written by hand on purpose: each misbehaves in one exact way a
//! real gateway or network can (they are test code; nothing here ships).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use unipos_net::Resolver;

/// A CA and a server configuration signed by it.
pub struct Ca {
    pub pem: String,
    pub server: Arc<ServerConfig>,
}

pub fn ca(names: &[&str]) -> Ca {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "unipos-net test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let server =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), ca_cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
    Ca {
        pem: ca_cert.pem(),
        server: Arc::new(server),
    }
}

/// A listener that serves every connection with `f` (one thread each) and counts them.
pub struct Server {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
}

impl Server {
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

pub fn serve(f: impl Fn(TcpStream) + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    let f = Arc::new(f);
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let f = Arc::clone(&f);
            thread::spawn(move || f(s));
        }
    });
    Server { addr, accepted }
}

pub type Tls = StreamOwned<ServerConnection, TcpStream>;

/// Serves TLS with `config`; `f` gets the stream before the handshake (it runs on first I/O).
pub fn serve_tls(
    config: Arc<ServerConfig>,
    f: impl Fn(&mut Tls) + Send + Sync + 'static,
) -> Server {
    serve(move |s| {
        let conn = ServerConnection::new(Arc::clone(&config)).unwrap();
        let mut tls = StreamOwned::new(conn, s);
        f(&mut tls);
    })
}

/// An address where nothing listens (a port just freed).
pub fn dead_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Reads an HTTP request head and its `Content-Length` body (test code: just enough).
pub fn read_request(r: &mut impl Read) -> io::Result<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if r.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok((head, body))
}

/// Writes `bytes` and flushes, ignoring a peer that went away.
pub fn send(w: &mut impl Write, bytes: &[u8]) {
    let _ = w.write_all(bytes).and_then(|()| w.flush());
}

/// Sends TLS close_notify, then the TCP connection closes when the stream is dropped.
pub fn close_notify(tls: &mut Tls) {
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// Writes `bytes` one at a time, `gap` apart, until done or the peer is gone.
pub fn trickle(w: &mut impl Write, bytes: &[u8], gap: Duration) {
    for b in bytes {
        if w.write_all(&[*b]).and_then(|()| w.flush()).is_err() {
            return;
        }
        thread::sleep(gap);
    }
}

/// A resolver with a fixed table (names → addresses in order); records what it was asked.
#[derive(Default)]
pub struct Table {
    pub entries: Vec<(String, Vec<SocketAddr>)>,
    pub asked: Mutex<Vec<String>>,
}

impl Resolver for Table {
    fn lookup(&self, host: &str, _port: u16) -> io::Result<Vec<SocketAddr>> {
        self.asked.lock().unwrap().push(host.to_owned());
        self.entries
            .iter()
            .find(|(n, _)| n == host)
            .map(|(_, a)| a.clone())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"))
    }
}
