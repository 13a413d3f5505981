//! `unipos-net`: the blocking transports of the terminal engine (and the framing the host
//! simulator shares).
//!
//! * [`frame_io`]: read and write length-prefixed frames (the UnionPay TCP framing).
//! * [`http`]: HTTP requests and answers as values, exchanged by reqwest's blocking client on
//!   rustls (HTTPS POSP, the QR gateway's JSON API).
//! * [`tls`]: client configurations that trust only a pinned CA (ring provider).
//! * [`endpoint`]: where the host is (addresses, TLS pin) and the timeouts.
//! * [`client`]: one request/answer exchange within one deadline, over the configured
//!   addresses in order.
//! * [`error`]: the classification the reversal rules depend on: *nothing was sent* versus
//!   *sent, no valid answer*, with typed reasons.

#![warn(missing_docs)]

pub mod addr;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod frame_io;
pub mod http;
pub mod tls;

pub use addr::{AddressError, HostPort, Resolver, SystemResolver};
pub use client::Transport;
pub use endpoint::{Endpoint, Timeouts};
pub use error::{ConfigError, ExchangeError, Garble, NoAnswerKind, NotSentReason};
