//! The 6-byte UnionPay application header.

/// The 12-digit application header: application type (2), software version (2), terminal
/// status (1), processing requirement (1), then 6 more digits.
///
/// The host uses the processing-requirement digit of a *response* header to tell the terminal
/// what to do next (sign in again, download parameters, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CupHeader(pub [u8; 6]);

/// What the host asks of the terminal through the response header (PROTOCOL.md §1.1).
///
/// Only "sign in again" = 3 is confirmed by a public capture; the other codes follow the
/// widely copied table of the UnionPay terminal spec and are configurable in the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingRequirement {
    /// 0: nothing to do.
    None,
    /// 1: download terminal (magstripe) parameters.
    DownloadParameters,
    /// 2: upload terminal status.
    UploadStatus,
    /// 3: sign in again.
    SignIn,
    /// 4: update the CA public keys.
    DownloadCaKeys,
    /// 5: download IC card (AID) parameters.
    DownloadAidParameters,
    /// 6: TMS parameter download.
    TmsDownload,
    /// 7: card BIN blacklist download.
    BlacklistDownload,
    /// Any other digit.
    Other(u8),
}

impl ProcessingRequirement {
    /// The digit for this requirement.
    pub fn digit(self) -> u8 {
        match self {
            ProcessingRequirement::None => 0,
            ProcessingRequirement::DownloadParameters => 1,
            ProcessingRequirement::UploadStatus => 2,
            ProcessingRequirement::SignIn => 3,
            ProcessingRequirement::DownloadCaKeys => 4,
            ProcessingRequirement::DownloadAidParameters => 5,
            ProcessingRequirement::TmsDownload => 6,
            ProcessingRequirement::BlacklistDownload => 7,
            ProcessingRequirement::Other(d) => d & 0x0F,
        }
    }

    /// The requirement for a digit.
    pub fn from_digit(d: u8) -> Self {
        match d {
            0 => ProcessingRequirement::None,
            1 => ProcessingRequirement::DownloadParameters,
            2 => ProcessingRequirement::UploadStatus,
            3 => ProcessingRequirement::SignIn,
            4 => ProcessingRequirement::DownloadCaKeys,
            5 => ProcessingRequirement::DownloadAidParameters,
            6 => ProcessingRequirement::TmsDownload,
            7 => ProcessingRequirement::BlacklistDownload,
            other => ProcessingRequirement::Other(other),
        }
    }
}

impl CupHeader {
    /// `603100310001`, the header of the real sign-in capture (PROTOCOL.md §3.1).
    pub const DEFAULT: CupHeader = CupHeader([0x60, 0x31, 0x00, 0x31, 0x00, 0x01]);

    /// Reads a header from exactly 6 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<CupHeader> {
        bytes.try_into().ok().map(CupHeader)
    }

    /// Parses 12 hex digits.
    pub fn from_hex(hex: &str) -> Option<CupHeader> {
        let mut bytes = [0u8; 6];
        crate::frame::decode_hex_into(hex, &mut bytes)?;
        Some(CupHeader(bytes))
    }

    /// The processing-requirement digit (5th byte... the 6th digit).
    pub fn processing_requirement(&self) -> ProcessingRequirement {
        ProcessingRequirement::from_digit(self.0[2] & 0x0F)
    }

    /// The same header with another processing requirement.
    pub fn with_processing_requirement(mut self, req: ProcessingRequirement) -> Self {
        self.0[2] = (self.0[2] & 0xF0) | req.digit();
        self
    }
}

impl std::fmt::Display for CupHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_again_is_digit_six() {
        // The Xinguodu simulator turns ...3100... into ...3103... to demand a sign-in.
        let h = CupHeader::from_hex("643103600001").unwrap();
        assert_eq!(h.processing_requirement(), ProcessingRequirement::SignIn);
        let plain = CupHeader::from_hex("643100600001").unwrap();
        assert_eq!(plain.processing_requirement(), ProcessingRequirement::None);
        assert_eq!(
            plain.with_processing_requirement(ProcessingRequirement::SignIn),
            h
        );
    }
}
