//! The network behind two seams: the POSP (ISO 8583 frames, MAC'd and checked) and the QR
//! gateway (JSON over HTTPS, MAC'd and checked). Each classifies every failure as "nothing
//! sent" or "no valid answer", the distinction the reversal and query rules are built on.

pub(crate) mod posp;
pub(crate) mod qr_gateway;
