//! `unipos-hostsim`: an acquirer host simulator that terminals are proven against, and a
//! tool for acquirers and integrators to develop and load-test terminals without a bank.
//!
//! * [`config`]: the JSON configuration (terminals, card ledger, host rules), with defaults
//!   that work out of the box ([`config::defaults`], [`config::test_cards`]).
//! * [`posp`]: the UnionPay 8583 POSP (`docs/protocol-profile.md`): sign-in and working keys,
//!   MAC and PIN checks, every financial transaction against a real ledger, reversal,
//!   settlement and batch upload, downloads.
//! * [`ledger`]: card accounts, pre-authorisation holds, the host journal.
//! * [`faults`]: scriptable fault injection (lost answers, delays, bad MACs, ...).
//! * [`server`]: [`HostSim::start`] binds the TCP POSP, HTTPS (`/posp`, `/qr/...`) and admin
//!   listeners; [`RunningHost`] is the handle tests use.
//! * [`admin`]: the admin HTTP API.
//! * [`sessions`]: per-terminal working keys, shared with the QR gateway ([`qr`]).
//!
//! ```no_run
//! use unipos_hostsim::{HostSim, HostSimConfig};
//! let host = HostSim::start(HostSimConfig::default().with_seed(1))?;
//! println!("POSP on {}", host.posp_addr());
//! host.shutdown();
//! # Ok::<(), unipos_hostsim::HostError>(())
//! ```

pub mod admin;
pub mod config;
pub mod emv_data;
mod error;
mod exchange;
pub mod faults;
mod http_server;
pub mod ledger;
pub mod posp;
mod posp_listener;
pub mod qr;
mod qr_link;
pub mod rng;
pub mod server;
pub mod sessions;
pub mod tls;

pub use config::{defaults, test_cards, CardConfig, HostSimConfig, TerminalConfig};
pub use error::HostError;
pub use faults::{FaultAction, FaultRule, Faults};
pub use ledger::{CardSnapshot, JournalEntry, TxnKind};
pub use posp::PospHost;
pub use server::{HostSim, RunningHost};
