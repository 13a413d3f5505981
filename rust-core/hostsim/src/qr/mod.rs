//! The acquirer's aggregated QR gateway (WeChat Pay, Alipay, UnionPay QR), simulated.
//!
//! Terminals speak the `unipos-qr-protocol` contract (`POST /qr/v1/{pay,query,reverse,refund,
//! create,close}`, JSON, MAC under the MAK of their POSP sign-in). The gateway verifies every
//! request, routes payment codes by prefix with the same [`unipos_qr_protocol::Router`] the
//! terminal uses, and simulates each channel's real behaviour: immediate success, a customer
//! still entering the password, insufficient funds, expired codes, system errors with and
//! without an order, the channel's own auto-close (WeChat revokes at 45 s), late success that
//! turns a reverse into a refund, and reverses that must be retried. Which behaviour a code
//! gets is scripted ([`Gateway::script_code`], `QrConfig::scripts`) or chosen by its last two
//! digits ([`Behaviour::by_suffix`]); docs/qr-gateway.md has the tables.
//!
//! ```
//! use std::sync::Arc;
//! use unipos_clock::ManualClock;
//! use unipos_crypto::DesKey;
//! use unipos_hostsim::qr::{Gateway, QrConfig};
//! use unipos_net::http::Request;
//! use unipos_qr_protocol::auth::{key_mac, open_response, seal, MacScheme, HEADER_MAC};
//! use unipos_qr_protocol::messages::PayRequest;
//! use unipos_qr_protocol::{Channel, PayOutcome};
//!
//! // The terminal's QR key, as the acquirer's key database holds it.
//! let mak = DesKey::from_hex("C24A8FB57AA20123FEDCBA9876543210")?;
//! let keys = std::collections::HashMap::from([("62969002".to_owned(), mak.clone())]);
//! let clock = Arc::new(ManualClock::at_local(2026, 11, 21, 9, 30, 0, 480));
//! let gateway = Gateway::new(keys, clock, QrConfig::default());
//!
//! let pay = PayRequest {
//!     terminal_id: "62969002".into(),
//!     merchant_id: "301310048990001".into(),
//!     out_trade_no: "6296900220261121000001".into(),
//!     amount_fen: 1250,
//!     auth_code: "134919586213926700".into(), // ..00: paid at once
//!     channel: Some(Channel::WeChat),
//!     subject: None,
//!     description: None,
//!     request_time: "20261121093000".into(),
//! };
//! let signed = seal(&pay, key_mac(&mak, MacScheme::default()))?;
//! let http = Request {
//!     method: "POST".into(),
//!     path: signed.path.into(),
//!     headers: signed.headers(),
//!     body: signed.body.clone(),
//! };
//! let resp = gateway.handle(&http);
//! let reply = open_response(&pay, resp.status, &resp.body, resp.header(HEADER_MAC),
//!     key_mac(&mak, MacScheme::default()));
//! assert!(matches!(PayOutcome::classify(&pay, &reply), PayOutcome::Paid(_)));
//! assert_eq!(gateway.orders("62969002")[0].paid_fen, 1250);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod behaviour;
mod channel;
mod config;
mod gateway;
mod orders;

pub use behaviour::{channel_code, Behaviour};
pub use config::{
    ChannelSim, ChannelSims, DynamicConfig, QrConfig, DEFAULT_CODE_URL_BASE,
    DEFAULT_PASSWORD_WAIT_SECS, DEFAULT_REVERSE_RETRIES,
};
pub use gateway::{Gateway, QrKeys, QrRequestInfo, CUSTOMER_PATH_PREFIX};
pub use orders::{AdminError, OrderKind, OrderSnapshot, RefundSnapshot, ReversalSnapshot};

#[cfg(test)]
mod tests;
