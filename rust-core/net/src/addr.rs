//! `host:port` addresses: checked when a transport is made, resolved at each connection (a
//! terminal runs for weeks; the acquirer's DNS may move the host meanwhile).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use std::{fmt, io};
use thiserror::Error;

/// Looks host names up. [`SystemResolver`] unless a transport is given another one (a private
/// line's own host table, or a test's).
pub trait Resolver: Send + Sync + 'static {
    /// The addresses of `host` (never an IP literal: those are not looked up), in the order to
    /// try them; the port is the configured one and may be replaced.
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// An address that is not `host:port`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{address:?} is not a host:port address: {reason}")]
pub struct AddressError {
    /// The address as given.
    pub address: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A checked `host:port`: a DNS name, an IPv4 address or a bracketed IPv6 address
/// (`[::1]:443`), and a port 1–65535.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    host: String,
    port: u16,
    ip: Option<IpAddr>,
}

/// A name that did not resolve (in time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub(crate) enum ResolveFailed {
    /// No address for the name.
    #[error("the host name did not resolve")]
    NotFound,
    /// The resolver did not answer within the time left.
    #[error("the host name did not resolve in time")]
    Timeout,
}

impl HostPort {
    /// Checks the syntax only; nothing is resolved here.
    pub fn parse(address: &str) -> Result<HostPort, AddressError> {
        let err = |reason| AddressError {
            address: address.to_owned(),
            reason,
        };
        let (host, port) = address.rsplit_once(':').ok_or(err("no :port"))?;
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or(err("the port must be 1 to 65535"))?;
        if let Some(inner) = host.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(err("'[' without ']'"))?;
            let ip: Ipv6Addr = inner.parse().map_err(|_| err("bad IPv6 address"))?;
            return Ok(HostPort {
                host: host.to_owned(),
                port,
                ip: Some(IpAddr::V6(ip)),
            });
        }
        if host.is_empty() {
            return Err(err("no host"));
        }
        if host.contains(':') {
            return Err(err("an IPv6 address needs brackets, e.g. [::1]:443"));
        }
        if let Ok(ip) = host.parse::<Ipv4Addr>() {
            return Ok(HostPort {
                host: host.to_owned(),
                port,
                ip: Some(IpAddr::V4(ip)),
            });
        }
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let name = host.strip_suffix('.').unwrap_or(host);
        if host.len() > 253 || !name.split('.').all(label_ok) {
            return Err(err("bad host name"));
        }
        Ok(HostPort {
            host: host.to_owned(),
            port,
            ip: None,
        })
    }

    /// The host part as written (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address itself when the host is an IP literal.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        self.ip.map(|ip| SocketAddr::new(ip, self.port))
    }

    /// Resolves now (blocking, no time limit of its own: callers bound it).
    pub(crate) fn lookup(&self, resolver: &dyn Resolver) -> Result<Vec<SocketAddr>, ResolveFailed> {
        if let Some(a) = self.socket_addr() {
            return Ok(vec![a]);
        }
        let addrs = resolver
            .lookup(&self.host, self.port)
            .map_err(|_| ResolveFailed::NotFound)?;
        if addrs.is_empty() {
            return Err(ResolveFailed::NotFound);
        }
        Ok(addrs)
    }

    /// Resolves within `within`: the system resolver has no time limit of its own, so a name is
    /// looked up on a helper thread that is abandoned when the time is up.
    pub(crate) fn resolve_within(
        &self,
        resolver: &Arc<dyn Resolver>,
        within: Duration,
    ) -> Result<Vec<SocketAddr>, ResolveFailed> {
        if let Some(a) = self.socket_addr() {
            return Ok(vec![a]);
        }
        let (tx, rx) = mpsc::channel();
        let me = self.clone();
        let resolver = Arc::clone(resolver);
        std::thread::Builder::new()
            .name("unipos-resolve".into())
            .spawn(move || {
                let _ = tx.send(me.lookup(resolver.as_ref()));
            })
            .map_err(|_| ResolveFailed::NotFound)?;
        match rx.recv_timeout(within) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ResolveFailed::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(ResolveFailed::NotFound),
        }
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        for ok in [
            "127.0.0.1:5000",
            "localhost:443",
            "posp.bank-1.example.cn:8443",
            "[::1]:5443",
            "host_1.local.:80",
        ] {
            let hp = HostPort::parse(ok).unwrap();
            assert_eq!(hp.to_string(), ok);
        }
        assert_eq!(
            HostPort::parse("[::1]:1").unwrap().socket_addr(),
            Some("[::1]:1".parse().unwrap())
        );
        assert_eq!(HostPort::parse("localhost:1").unwrap().socket_addr(), None);
        for bad in [
            "",
            "localhost",
            ":80",
            "host:0",
            "host:65536",
            "host:http",
            "::1:80",
            "[::1:80",
            "[zz]:80",
            "bad host:80",
            "-x.example:80",
            "a..b:80",
        ] {
            assert!(HostPort::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn literals_resolve_without_a_lookup() {
        let hp = HostPort::parse("127.0.0.1:9").unwrap();
        assert_eq!(
            hp.resolve_within(
                &(Arc::new(SystemResolver) as Arc<dyn Resolver>),
                Duration::ZERO
            )
            .unwrap(),
            vec!["127.0.0.1:9".parse::<SocketAddr>().unwrap()]
        );
    }
}
