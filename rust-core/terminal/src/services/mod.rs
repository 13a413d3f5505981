//! The engine's services. Each owns one part of the terminal's work and keeps its own state;
//! they share only the infrastructure in [`crate::context::Ctx`] and never reach into one
//! another: the engine orders them.
//!
//! | service | what |
//! |---|---|
//! | `session` | sign-in, downloads, when to sign in again |
//! | `card` | card transactions: rules, card and PIN, persist-and-send, the answer |
//! | `forward` | reversals and store-and-forward messages at flush points |
//! | `settlement` | totals, batch upload, batch close and archive, sign-out, auto-settlement |
//! | `printing` | slips after an approval, reprints, settlement reports |
//! | `outcomes` | a journal row as its caller sees it (with its original) |
//! | `qr` | QR payments: the state machine, refunds, background resolution |
//! | `operators` | operator sign-in, the supervisor's grants, password locks and changes |
//! | `management` | key status, parameters in force, communication and printer tests |

pub(crate) mod card;
pub(crate) mod forward;
pub(crate) mod idempotency;
pub(crate) mod management;
pub(crate) mod operators;
pub(crate) mod outcomes;
pub(crate) mod printing;
pub(crate) mod qr;
pub(crate) mod session;
pub(crate) mod settlement;
pub(crate) mod wire;

use crate::context::Ctx;
use crate::error::EngineError;

/// The engine's pre-step before a request goes online (sign-in when due, the settlement lock,
/// pending reversals first): a service runs it once the request is known to be new and valid.
pub(crate) type Online<'a> = &'a mut dyn FnMut(&mut Ctx) -> Result<(), EngineError>;
