//! The QR gateway contract (being written).
