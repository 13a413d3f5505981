//! Where the host is and how long to wait for it: the configuration of a [`crate::client::Transport`].

use std::time::Duration;

/// Connect timeout and the deadline of a whole exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed for one connection attempt (TLS handshake included).
    pub connect: Duration,
    /// The whole exchange: connect, send and receive together (the profile's response timeout).
    pub exchange: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            exchange: Duration::from_secs(60),
        }
    }
}

/// Where the host is. Addresses are `host:port` (resolved at each connection); the first is
/// the primary, the others are fallbacks tried in order when connecting fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Plain TCP: length-prefixed frames, or plain HTTP for [`Transport::post`].
    Tcp {
        /// Host addresses, primary first.
        addresses: Vec<String>,
    },
    /// HTTPS with a pinned CA.
    Https {
        /// Host addresses, primary first.
        addresses: Vec<String>,
        /// Name to verify in the server certificate (`localhost`, `127.0.0.1`, a DNS name).
        server_name: String,
        /// The CA certificate(s) to trust, PEM.
        ca_pem: String,
    },
}

impl Endpoint {
    /// Plain TCP to one address.
    pub fn tcp(address: impl ToString) -> Endpoint {
        Endpoint::Tcp {
            addresses: vec![address.to_string()],
        }
    }

    /// HTTPS to one address.
    pub fn https(
        address: impl ToString,
        server_name: impl Into<String>,
        ca_pem: impl Into<String>,
    ) -> Endpoint {
        Endpoint::Https {
            addresses: vec![address.to_string()],
            server_name: server_name.into(),
            ca_pem: ca_pem.into(),
        }
    }

    /// The addresses, primary first.
    pub fn addresses(&self) -> &[String] {
        match self {
            Endpoint::Tcp { addresses } | Endpoint::Https { addresses, .. } => addresses,
        }
    }
}
