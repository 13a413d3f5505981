//! Encoding and decoding, bounded and never panicking.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::contract::{QrRequest, QrResponse};
use super::requests::{
    CloseRequest, CreateRequest, PayRequest, QueryRequest, RefundRequest, ReverseRequest,
};
use super::responses::{
    CloseResponse, CreateResponse, ErrorResponse, PayResponse, QueryResponse, RefundResponse,
    ReverseResponse,
};
use super::MAX_BODY_LEN;
use crate::error::{sanitize_message, QrProtocolError};

/// Encodes a message as compact JSON.
///
/// # Errors
/// [`QrProtocolError::Malformed`] if serialization fails (it cannot for these types).
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, QrProtocolError> {
    serde_json::to_vec(message)
        .map_err(|e| QrProtocolError::Malformed(sanitize_message(&e.to_string())))
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    if bytes.len() > MAX_BODY_LEN {
        return Err(QrProtocolError::BodyTooLarge {
            len: bytes.len(),
            max: MAX_BODY_LEN,
        });
    }
    serde_json::from_slice(bytes)
        .map_err(|e| QrProtocolError::Malformed(sanitize_message(&e.to_string())))
}

/// Decodes a response body. Never panics, whatever the bytes; the error text never
/// contains a payment code.
///
/// # Errors
/// [`QrProtocolError::BodyTooLarge`] or [`QrProtocolError::Malformed`].
pub fn decode_response<T: QrResponse>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    decode(bytes)
}

/// Decodes and validates a request body (strict: unknown fields are refused).
///
/// # Errors
/// [`QrProtocolError::BodyTooLarge`], [`QrProtocolError::Malformed`] or
/// [`QrProtocolError::Invalid`].
pub fn decode_request<T: QrRequest>(bytes: &[u8]) -> Result<T, QrProtocolError> {
    let request: T = decode(bytes)?;
    request.validate()?;
    Ok(request)
}

/// Feeds arbitrary bytes to every decoder; for fuzz targets and property tests. Returns how
/// many decoders accepted the input.
pub fn fuzz_decode(bytes: &[u8]) -> usize {
    [
        decode_response::<PayResponse>(bytes).is_ok(),
        decode_response::<QueryResponse>(bytes).is_ok(),
        decode_response::<ReverseResponse>(bytes).is_ok(),
        decode_response::<RefundResponse>(bytes).is_ok(),
        decode_response::<CreateResponse>(bytes).is_ok(),
        decode_response::<CloseResponse>(bytes).is_ok(),
        decode_response::<ErrorResponse>(bytes).is_ok(),
        decode_request::<PayRequest>(bytes).is_ok(),
        decode_request::<QueryRequest>(bytes).is_ok(),
        decode_request::<ReverseRequest>(bytes).is_ok(),
        decode_request::<RefundRequest>(bytes).is_ok(),
        decode_request::<CreateRequest>(bytes).is_ok(),
        decode_request::<CloseRequest>(bytes).is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}
