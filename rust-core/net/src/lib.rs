//! `unipos-net`: the blocking transports shared by the terminal engine and the host simulator.
//!
//! * [`frame_io`]: read and write length-prefixed frames (the UnionPay TCP framing).
//! * [`http`]: just enough HTTP/1.1 (Content-Length bodies) for the HTTPS POSP path, the QR
//!   gateway's JSON API and the simulator's admin endpoint. Small on purpose: it keeps
//!   `libunipos.so` small and has no async runtime.
//! * [`tls`]: a test CA generated on the fly, server configs signed by it, and client configs
//!   that trust only a pinned CA.
//! * [`client`]: one request/answer exchange with connect/read timeouts, and the error
//!   classification the reversal rules depend on: *nothing was sent* versus *sent, no answer*.

#![warn(missing_docs)]

pub mod client;
pub mod frame_io;
pub mod http;
pub mod tls;

pub use client::{Endpoint, ExchangeError, Timeouts, Transport};
