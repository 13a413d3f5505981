//! Payment cryptography for the unipos terminal core.
//!
//! | module | what it does |
//! |---|---|
//! | [`keys`] | [`DesKey`] (DES, 2- and 3-key TDES) and [`Sm4Key`]: block and ECB/CBC operations, key check values |
//! | [`mac`] | field 64 MACs: UnionPay "ECB" MAC, X9.9 / CBC-MAC, X9.19 retail MAC; constant-time verification |
//! | [`pin`] | ISO 9564 format 0 and 3 PIN blocks (field 52) |
//! | [`unwrap`] | unwrapping and checking the sign-in work keys (PIK, MAK, TDK) under the TMK |
//! | [`pan`] | validated, masked card numbers; Luhn |
//! | [`security_module`] | the [`SecurityModule`] trait a PIN pad implements, and a software stand-in |
//! | [`emv`] | EMV ICC master key derivation, ARQC and ARPC |
//! | [`random`] | injectable randomness for format 3 PIN blocks |
//! | [`at_rest`] | keys and card data at rest: AES-256-GCM sealing, the wrapped data key, atomic key files |
//! | [`persistent_module`] | the software security module with its TMK and work keys in an encrypted key file |
//!
//! Secrets (keys, PINs, clear PIN blocks, card numbers) are wiped from memory when
//! dropped, and their `Debug`/`Display` output never contains them: keys show their
//! length and check value, card numbers their masked form, PINs nothing at all.
//! Getting at the raw value takes an explicit call (`expose_secret`, [`Pan::expose`]).
//!
//! # Example
//!
//! Unwrap the MAC key from a sign-in response and MAC a message:
//!
//! ```
//! use unipos_crypto::mac::cup_ecb_mac;
//! use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
//! use unipos_crypto::DesKey;
//!
//! let tmk = DesKey::from_hex("70F2A84CCBC2AE8625CBB0F2C22AB923")?;
//! let wrapped = WrappedKey::new(
//!     WorkKeyRole::Mac,
//!     &[0x96, 0xD6, 0x05, 0xEA, 0x17, 0x6B, 0x7E, 0x9E],
//!     &[0x05, 0x47, 0xDB, 0x3E],
//! );
//! let mak = wrapped.unwrap(&tmk)?;
//! assert_eq!(format!("{mak:?}"), r#"DesKey { len: 8, kcv: "0547DB3E" }"#);
//!
//! let field_64 = cup_ecb_mac(&mak, b"\x02\x00...the message from the MTI to field 63...");
//! assert_eq!(field_64.len(), 8);
//! # Ok::<(), unipos_crypto::CryptoError>(())
//! ```

#![warn(missing_docs)]

mod dea;
mod error;
mod key_role;
mod util;

pub mod at_rest;
pub mod emv;
pub mod keys;
pub mod mac;
pub mod pan;
pub mod persistent_module;
pub mod pin;
pub mod random;
pub mod security_module;
pub mod unwrap;

pub use error::CryptoError;
pub use keys::{DesKey, DesKeyKind, Sm4Key};
pub use mac::{MacAlgorithm, MacPadding};
pub use pan::Pan;
pub use pin::{ClearPinBlock, EncryptedPinBlock, Pin, PinBlockFormat};
pub use security_module::{SecurityModule, SoftwareSecurityModule};
pub use unwrap::{WorkKeyRole, WorkKeys, WrappedKey};
