//! The QR gateway (being written).
