//! What a work key is for: a leaf of the crate, named by the errors and by the unwrap step.

use core::fmt;

/// What a work key is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkKeyRole {
    /// PIK: encrypts PIN blocks (field 52).
    Pin,
    /// MAK: computes the MAC (field 64).
    Mac,
    /// TDK: encrypts track data (004 sign-in mode).
    Track,
    /// QRK: the terminal's QR gateway key, provisioned with the terminal (not at sign-in).
    Qr,
}

impl WorkKeyRole {
    /// The usual abbreviation: `"PIK"`, `"MAK"` or `"TDK"`.
    #[must_use]
    pub const fn abbreviation(self) -> &'static str {
        match self {
            Self::Pin => "PIK",
            Self::Mac => "MAK",
            Self::Track => "TDK",
            Self::Qr => "QRK",
        }
    }
}

/// Written for error messages, e.g. `MAC key (MAK)`.
impl fmt::Display for WorkKeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Pin => "PIN key (PIK)",
            Self::Mac => "MAC key (MAK)",
            Self::Track => "track data key (TDK)",
            Self::Qr => "QR gateway key (QRK)",
        };
        f.write_str(name)
    }
}
