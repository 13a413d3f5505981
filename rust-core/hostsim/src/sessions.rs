//! Per-terminal session state shared by the POSP and the QR gateway: the working keys issued
//! at the last sign-in. The QR gateway authenticates a terminal's requests with its MAK.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use unipos_crypto::DesKey;

/// The working keys and batch of one signed-in terminal.
#[derive(Debug, Clone)]
pub struct Session {
    /// PIN key issued at sign-in.
    pub pik: DesKey,
    /// MAC key issued at sign-in.
    pub mak: DesKey,
    /// Track-data key (sign-in mode 004).
    pub tdk: Option<DesKey>,
    /// Batch number the terminal is on.
    pub batch: u32,
}

/// All terminals' sessions, keyed by terminal id (field 41).
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the session of a terminal that just signed in (replacing any older one).
    pub fn insert(&self, terminal_id: &str, session: Session) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(terminal_id.to_owned(), session);
    }

    /// The session of a terminal, if it is signed in.
    pub fn get(&self, terminal_id: &str) -> Option<Session> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(terminal_id)
            .cloned()
    }

    /// Forgets a terminal's session (sign-out).
    pub fn remove(&self, terminal_id: &str) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(terminal_id);
    }

    /// The MAC key of a signed-in terminal.
    pub fn mak(&self, terminal_id: &str) -> Option<DesKey> {
        self.get(terminal_id).map(|s| s.mak)
    }
}
