//! `unipos-qr-protocol`: the contract between a unipos terminal and the acquirer's
//! aggregated QR gateway (WeChat Pay, Alipay and UnionPay QR, "three codes in one").
//!
//! The terminal holds no channel keys: it talks only to the acquirer's gateway, in JSON over
//! HTTPS, authenticated with the MAC key of its POSP sign-in. This crate is shared by the
//! terminal engine and the gateway simulator; it is pure (no I/O, no clock).
//!
//! | module | what it holds |
//! |---|---|
//! | [`messages`] | the six endpoints under `/qr/v1/`, their request and response types, validation, a decoder that never panics |
//! | [`codes`] | the `result` / error code / trade state vocabulary and the mapping from the channels' codes |
//! | [`auth`] | `X-Unipos-Terminal` + `X-Unipos-Mac`: MAC under the MAK over a SHA-256 digest; sealing requests, opening responses |
//! | [`outcome`] | what an answer means for the cashier state machine: paid, definitely failed, or query |
//! | [`routing`] | payment-code routing by prefix and length (configuration), masking |
//! | [`timers`] | per-channel query / deadline / reverse timers |
//! | [`channel`] | the [`Channel`] enum with English and Chinese names |
//!
//! # A pay, end to end (terminal side)
//!
//! ```
//! use unipos_crypto::DesKey;
//! use unipos_qr_protocol::auth::{key_mac, open_response, seal, sign_response, MacScheme};
//! use unipos_qr_protocol::messages::PayRequest;
//! use unipos_qr_protocol::outcome::{PayOutcome, QueryReason};
//! use unipos_qr_protocol::routing::Router;
//!
//! let mak = DesKey::from_hex("C24A8FB57AA20123FEDCBA9876543210")?;
//! let scheme = MacScheme::default();
//! let code = "134919586213926735";
//! let channel = Router::default().channel(code)?;
//! let request = PayRequest {
//!     terminal_id: "12345678".into(),
//!     merchant_id: "123456789012345".into(),
//!     out_trade_no: "1234567820261121000001".into(),
//!     amount_fen: 1234,
//!     auth_code: code.into(),
//!     channel: Some(channel),
//!     subject: None,
//!     description: None,
//!     request_time: "20261121093000".into(),
//! };
//! let signed = seal(&request, key_mac(&mak, scheme))?; // a PIN pad: |d| module.mac(alg, pad, d)
//! // ... POST signed.path with signed.headers() and signed.body; the gateway answers:
//! let body = br#"{"result":"UNKNOWN","code":"USER_PAYING","out_trade_no":"1234567820261121000001"}"#;
//! let mac = sign_response(200, signed.path, body, key_mac(&mak, scheme))?;
//! let reply = open_response(&request, 200, body, Some(&mac), key_mac(&mak, scheme));
//! assert_eq!(
//!     PayOutcome::classify(&request, &reply),
//!     PayOutcome::NeedsQuery(QueryReason::UserPaying)
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod channel;
pub mod codes;
mod error;
pub mod messages;
pub mod outcome;
pub mod routing;
pub mod timers;

pub use channel::Channel;
pub use codes::{ErrorCode, QrResult, TradeState};
pub use error::{sanitize_message, QrProtocolError, ValidationError};
pub use messages::{decode_response, fuzz_decode, Operation};
pub use outcome::{
    CloseOutcome, CreateOutcome, PayOutcome, QueryOutcome, RefundOutcome, ReverseOutcome,
};
pub use routing::{mask_code, Route, RouteError, Router};
pub use timers::{ChannelTimers, QrTimers};
