//! `unipos-hostsim`: an acquirer host simulator (being written).

pub mod sessions;
pub mod qr;
