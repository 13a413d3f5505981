//! The key that wraps the terminal's data key (the Android Keystore on a terminal).

use super::CallbackError;
use crate::redact::redact;
use unipos_crypto::at_rest::{AtRestError, KeyWrap};
use zeroize::Zeroizing;

/// Wraps the terminal's data key (32 bytes) under a key the key files never contain. On Android:
/// an AndroidKeyStore AES-256-GCM key (non-exportable); on the JVM and in tests: a clearly
/// labelled software stand-in. The data key protects the card numbers sealed in the journal and
/// the software security module's key file (`docs/operations.md`).
///
/// `plain` is key material: wipe the array once wrapped. What `wrap` returns is stored in the
/// data-key file beside the database and must be given back to `unwrap` unchanged.
#[uniffi::export(callback_interface)]
pub trait KeyWrapper: Send + Sync {
    /// Encrypts the data key.
    fn wrap(&self, plain: Vec<u8>) -> Result<Vec<u8>, CallbackError>;
    /// Decrypts what [`KeyWrapper::wrap`] returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, CallbackError>;
}

pub(crate) struct KeyWrapperAdapter(pub(crate) Box<dyn KeyWrapper>);

impl KeyWrap for KeyWrapperAdapter {
    fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, AtRestError> {
        self.0
            .wrap(plain.to_vec())
            .map_err(|e| AtRestError::Wrapper {
                reason: redact(&e.to_string()),
            })
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError> {
        self.0
            .unwrap(wrapped.to_vec())
            .map(Zeroizing::new)
            .map_err(|e| AtRestError::Wrapper {
                reason: redact(&e.to_string()),
            })
    }
}
