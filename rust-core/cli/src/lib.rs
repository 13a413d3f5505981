//! The `unipos` command line as a library: the desktop terminal, the demo, the cashier
//! commands, the host runner, the protocol tools and the reconciliation of a terminal against
//! the host simulator (used by the demo and by the reliability tests).

pub mod cashier;
pub mod demo;
pub mod desktop;
pub mod error;
pub mod host;
pub mod reconcile;
pub mod tools;

pub use error::CliError;
