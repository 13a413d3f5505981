//! Request and response authentication: a MAC under the terminal's QR key.
//!
//! Every request carries two headers:
//!
//! - `X-Unipos-Terminal: <terminal id>` (the same id as ISO 8583 field 41), which tells the
//!   gateway whose key to use;
//! - `X-Unipos-Mac: <16 hex>`: the MAC, under the terminal's QR key (provisioned with the
//!   terminal, encrypted under its TMK; not the POSP session's MAK), of the 32-byte SHA-256
//!   digest of `METHOD "\n" PATH "\n" BODY`.
//!
//! Every response from a gateway that knows the terminal's key carries `X-Unipos-Mac` over
//! the digest of `STATUS "\n" PATH "\n" BODY` (status as decimal digits, path of the request).
//! The terminal verifies it **before** reading any business field; a response without a valid
//! MAC is "no valid answer": the outcome is unknown and the order is queried (QR.md §7a
//! rule 5). Answers refusing authentication itself (HTTP 401) carry no MAC, because the
//! gateway has no key it could share with the terminal.
//!
//! Why this scheme: `docs/qr-gateway.md` §2. In short: QR needs no card sign-in, the key is
//! protected like the TMK and never leaves the PIN pad (MACs by key index over a fixed
//! 32-byte digest, so any PIN pad that can MAC an 8583 message can sign a JSON request),
//! the exact bytes are covered, replays are harmless (operations are idempotent by
//! `out_trade_no` / `out_refund_no`), and MACs are compared in constant time
//! ([`unipos_crypto::mac::verify_mac`]).
//!
//! The MAC is computed by a closure so that the terminal can route it through its
//! `SecurityModule` (`|data| module.qr_mac(scheme.algorithm, scheme.padding, data)`); the
//! gateway passes [`key_mac`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unipos_crypto::mac::{self, MacAlgorithm, MacPadding};
use unipos_crypto::{CryptoError, DesKey};

use crate::error::QrProtocolError;
use crate::messages::{decode_response, encode, QrRequest, QrResponse};

/// The header naming the terminal.
pub const HEADER_TERMINAL: &str = "X-Unipos-Terminal";
/// The header carrying the MAC (16 hex characters).
pub const HEADER_MAC: &str = "X-Unipos-Mac";
/// The content type of every request and response body.
pub const CONTENT_TYPE_JSON: &str = "application/json";

/// The MAC algorithm and padding the acquirer uses (configuration, default X9.19 with
/// padding method 1). Serialized as `{"algorithm":"X919","padding":"METHOD1"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacScheme {
    /// `X919` (default), `X99` or `CUP_ECB`.
    #[serde(with = "algorithm_serde", default = "default_algorithm")]
    pub algorithm: MacAlgorithm,
    /// `METHOD1` (default) or `METHOD2`.
    #[serde(with = "padding_serde", default)]
    pub padding: MacPadding,
}

fn default_algorithm() -> MacAlgorithm {
    MacAlgorithm::X919
}

impl Default for MacScheme {
    fn default() -> Self {
        MacScheme {
            algorithm: MacAlgorithm::X919,
            padding: MacPadding::Method1,
        }
    }
}

mod algorithm_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use unipos_crypto::mac::MacAlgorithm;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Name {
        X919,
        X99,
        CupEcb,
    }

    pub fn serialize<S: Serializer>(a: &MacAlgorithm, s: S) -> Result<S::Ok, S::Error> {
        match a {
            MacAlgorithm::X919 => Name::X919,
            MacAlgorithm::X99 => Name::X99,
            MacAlgorithm::CupEcb => Name::CupEcb,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MacAlgorithm, D::Error> {
        Ok(match Name::deserialize(d)? {
            Name::X919 => MacAlgorithm::X919,
            Name::X99 => MacAlgorithm::X99,
            Name::CupEcb => MacAlgorithm::CupEcb,
        })
    }
}

mod padding_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use unipos_crypto::mac::MacPadding;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Name {
        Method1,
        Method2,
    }

    pub fn serialize<S: Serializer>(p: &MacPadding, s: S) -> Result<S::Ok, S::Error> {
        match p {
            MacPadding::Method1 => Name::Method1,
            MacPadding::Method2 => Name::Method2,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MacPadding, D::Error> {
        Ok(match Name::deserialize(d)? {
            Name::Method1 => MacPadding::Method1,
            Name::Method2 => MacPadding::Method2,
        })
    }
}

/// The 32-byte digest a request MAC covers: SHA-256 of `METHOD "\n" PATH "\n" BODY`.
#[must_use]
pub fn request_digest(method: &str, path: &str, body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().into()
}

/// The 32-byte digest a response MAC covers: SHA-256 of `STATUS "\n" PATH "\n" BODY`, the
/// status as decimal digits (e.g. `200`) and the path of the request answered.
#[must_use]
pub fn response_digest(status: u16, path: &str, body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(status.to_string().as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().into()
}

/// A MAC function over a software key, for the gateway and tests. Terminals pass a closure
/// over their security module instead.
pub fn key_mac(
    key: &DesKey,
    scheme: MacScheme,
) -> impl Fn(&[u8]) -> Result<[u8; 8], CryptoError> + '_ {
    move |data| mac::compute(scheme.algorithm, key, data, scheme.padding)
}

/// MACs a digest and formats it for `X-Unipos-Mac` (16 upper-case hex characters).
///
/// # Errors
/// Whatever the MAC function returns.
pub fn mac_header<E>(
    digest: &[u8; 32],
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], E>,
) -> Result<String, E> {
    Ok(hex::encode_upper(mac(digest)?))
}

/// Checks an `X-Unipos-Mac` header against a digest, comparing in constant time.
///
/// # Errors
/// [`QrProtocolError::MacMissing`], [`QrProtocolError::MacMalformed`],
/// [`QrProtocolError::MacMismatch`] or [`QrProtocolError::Crypto`].
pub fn verify_mac_header(
    digest: &[u8; 32],
    header: Option<&str>,
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<(), QrProtocolError> {
    let header = header.ok_or(QrProtocolError::MacMissing)?;
    let received = parse_mac_header(header)?;
    let expected = mac(digest)?;
    if mac::verify_mac(&expected, &received) {
        Ok(())
    } else {
        Err(QrProtocolError::MacMismatch)
    }
}

fn parse_mac_header(header: &str) -> Result<[u8; 8], QrProtocolError> {
    let header = header.trim();
    if header.len() != 16 {
        return Err(QrProtocolError::MacMalformed);
    }
    let mut out = [0u8; 8];
    hex::decode_to_slice(header, &mut out).map_err(|_| QrProtocolError::MacMalformed)?;
    Ok(out)
}

/// Signs a request (`METHOD` is always `POST`).
///
/// # Errors
/// Whatever the MAC function returns.
pub fn sign_request(
    path: &str,
    body: &[u8],
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<String, CryptoError> {
    mac_header(&request_digest("POST", path, body), mac)
}

/// Verifies a request's `X-Unipos-Mac`.
///
/// # Errors
/// As [`verify_mac_header`].
pub fn verify_request(
    method: &str,
    path: &str,
    body: &[u8],
    header: Option<&str>,
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<(), QrProtocolError> {
    verify_mac_header(&request_digest(method, path, body), header, mac)
}

/// Signs a response.
///
/// # Errors
/// Whatever the MAC function returns.
pub fn sign_response(
    status: u16,
    path: &str,
    body: &[u8],
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<String, CryptoError> {
    mac_header(&response_digest(status, path, body), mac)
}

/// Verifies a response's `X-Unipos-Mac`.
///
/// # Errors
/// As [`verify_mac_header`].
pub fn verify_response(
    status: u16,
    path: &str,
    body: &[u8],
    header: Option<&str>,
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<(), QrProtocolError> {
    verify_mac_header(&response_digest(status, path, body), header, mac)
}

/// A request ready for the transport: `POST path` with these headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The endpoint, e.g. `/qr/v1/pay`.
    pub path: &'static str,
    /// The terminal id for `X-Unipos-Terminal`.
    pub terminal_id: String,
    /// The MAC for `X-Unipos-Mac`.
    pub mac: String,
    /// The JSON body (exactly the bytes that were MAC'd).
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// The method: always `POST`.
    pub const METHOD: &'static str = "POST";

    /// `Content-Type`, `X-Unipos-Terminal` and `X-Unipos-Mac`.
    #[must_use]
    pub fn headers(&self) -> Vec<(String, String)> {
        vec![
            ("Content-Type".into(), CONTENT_TYPE_JSON.into()),
            (HEADER_TERMINAL.into(), self.terminal_id.clone()),
            (HEADER_MAC.into(), self.mac.clone()),
        ]
    }
}

/// Validates, encodes and signs a request.
///
/// ```
/// use unipos_crypto::DesKey;
/// use unipos_qr_protocol::auth::{key_mac, open_response, seal, MacScheme};
/// use unipos_qr_protocol::messages::QueryRequest;
///
/// let mak = DesKey::from_hex("C24A8FB57AA20123C24A8FB57AA20123")?;
/// let query = QueryRequest::new("12345678", "123456789012345", "A1", "20261121093000");
/// let signed = seal(&query, key_mac(&mak, MacScheme::default()))?;
/// assert_eq!(signed.path, "/qr/v1/query");
/// assert_eq!(signed.mac.len(), 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`QrProtocolError::Invalid`] for an invalid field, [`QrProtocolError::Crypto`] when the
/// MAC cannot be computed.
pub fn seal<R: QrRequest>(
    request: &R,
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<SignedRequest, QrProtocolError> {
    request.validate()?;
    let body = encode(request)?;
    let path = R::OPERATION.path();
    let mac = sign_request(path, &body, mac)?;
    Ok(SignedRequest {
        path,
        terminal_id: request.terminal_id().to_owned(),
        mac,
        body,
    })
}

/// Authenticates and decodes the answer to `request`: verifies the MAC over status, path
/// and body, decodes the typed response, and checks that it echoes the request's
/// `out_trade_no` (when it carries one). Any error means "no valid answer".
///
/// # Errors
/// A MAC error, [`QrProtocolError::Malformed`], [`QrProtocolError::BodyTooLarge`] or
/// [`QrProtocolError::Mismatch`].
pub fn open_response<R: QrRequest>(
    request: &R,
    status: u16,
    body: &[u8],
    mac_header: Option<&str>,
    mac: impl FnOnce(&[u8]) -> Result<[u8; 8], CryptoError>,
) -> Result<R::Response, QrProtocolError> {
    verify_response(status, R::OPERATION.path(), body, mac_header, mac)?;
    let response: R::Response = decode_response(body)?;
    if let Some(echo) = response.echoed_out_trade_no() {
        if echo != request.out_trade_no() {
            return Err(QrProtocolError::Mismatch {
                field: "out_trade_no",
            });
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{PayResponse, QueryRequest, Status};

    fn mak() -> DesKey {
        DesKey::from_hex("C24A8FB57AA20123FEDCBA9876543210").unwrap()
    }

    #[test]
    fn digests_are_domain_separated() {
        assert_ne!(
            request_digest("POST", "/qr/v1/pay", b"{}"),
            request_digest("POST", "/qr/v1/query", b"{}")
        );
        assert_ne!(
            response_digest(200, "/qr/v1/pay", b"{}"),
            response_digest(400, "/qr/v1/pay", b"{}")
        );
        // Known answer: SHA-256("POST\n/qr/v1/pay\n{}").
        assert_eq!(
            hex::encode(request_digest("POST", "/qr/v1/pay", b"{}")),
            hex::encode(Sha256::digest(b"POST\n/qr/v1/pay\n{}"))
        );
    }

    #[test]
    fn mac_is_x919_over_the_digest() {
        let key = mak();
        let digest = request_digest("POST", "/qr/v1/pay", b"{}");
        let header = mac_header(&digest, key_mac(&key, MacScheme::default())).unwrap();
        let direct = mac::retail_mac(&key, &digest, MacPadding::Method1).unwrap();
        assert_eq!(header, hex::encode_upper(direct));
        assert!(
            verify_mac_header(&digest, Some(&header), key_mac(&key, MacScheme::default())).is_ok()
        );
        assert!(verify_mac_header(
            &digest,
            Some(&header.to_lowercase()),
            key_mac(&key, MacScheme::default())
        )
        .is_ok());
        // Single-length MAK: X9.19 degrades to X9.9.
        let single = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        let h1 = mac_header(&digest, key_mac(&single, MacScheme::default())).unwrap();
        let x99 = MacScheme {
            algorithm: MacAlgorithm::X99,
            padding: MacPadding::Method1,
        };
        assert_eq!(h1, mac_header(&digest, key_mac(&single, x99)).unwrap());
    }

    /// Known answers, re-computed independently with `sha256sum` and `openssl enc -des-cbc`
    /// / `-des-ecb` (docs/qr-gateway.md lists them for terminal and PIN-pad integrators).
    #[test]
    fn known_answer_vectors() {
        let body = br#"{"terminal_id":"62969002","merchant_id":"301310048990001","out_trade_no":"A1","request_time":"20261121093000"}"#;
        let digest = request_digest("POST", "/qr/v1/query", body);
        assert_eq!(
            hex::encode_upper(digest),
            "A47589BD560CBCFD636D9836EECE9F9299C9AD86282E70F7B7C18D864E8F953A"
        );
        let mak = mak();
        assert_eq!(
            sign_request("/qr/v1/query", body, key_mac(&mak, MacScheme::default())).unwrap(),
            "036101CD9196C4F1"
        );
        let single = DesKey::from_hex("C24A8FB57AA20123").unwrap();
        assert_eq!(
            sign_request("/qr/v1/query", body, key_mac(&single, MacScheme::default())).unwrap(),
            "BBD5A2AADB780101"
        );
        let resp = br#"{"result":"FAIL","code":"ORDER_NOT_FOUND","message":"order not found","out_trade_no":"A1"}"#;
        assert_eq!(
            hex::encode_upper(response_digest(200, "/qr/v1/query", resp)),
            "8858E4B37D05ACE1C232C2A1E3E39DC6B08AD67C75065FFE5264261F29061716"
        );
        assert_eq!(
            sign_response(
                200,
                "/qr/v1/query",
                resp,
                key_mac(&mak, MacScheme::default())
            )
            .unwrap(),
            "648F3B932EE6242E"
        );
    }

    #[test]
    fn verification_failures() {
        let key = mak();
        let digest = request_digest("POST", "/qr/v1/pay", b"{}");
        let good = mac_header(&digest, key_mac(&key, MacScheme::default())).unwrap();
        let m = || key_mac(&key, MacScheme::default());
        assert_eq!(
            verify_mac_header(&digest, None, m()),
            Err(QrProtocolError::MacMissing)
        );
        assert_eq!(
            verify_mac_header(&digest, Some("XYZ"), m()),
            Err(QrProtocolError::MacMalformed)
        );
        assert_eq!(
            verify_mac_header(&digest, Some("GGGGGGGGGGGGGGGG"), m()),
            Err(QrProtocolError::MacMalformed)
        );
        let mut bad = good.into_bytes();
        bad[15] = if bad[15] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            verify_mac_header(&digest, Some(std::str::from_utf8(&bad).unwrap()), m()),
            Err(QrProtocolError::MacMismatch)
        );
        let other = DesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let wrong = mac_header(&digest, key_mac(&other, MacScheme::default())).unwrap();
        assert_eq!(
            verify_mac_header(&digest, Some(&wrong), m()),
            Err(QrProtocolError::MacMismatch)
        );
    }

    #[test]
    fn seal_and_open_round_trip() {
        let key = mak();
        let scheme = MacScheme::default();
        let q = QueryRequest::new("12345678", "M1", "A1", "20261121093000");
        let signed = seal(&q, key_mac(&key, scheme)).unwrap();
        assert!(verify_request(
            "POST",
            signed.path,
            &signed.body,
            Some(&signed.mac),
            key_mac(&key, scheme)
        )
        .is_ok());
        assert_eq!(
            signed.headers()[1],
            (HEADER_TERMINAL.into(), "12345678".into())
        );

        let body = br#"{"result":"SUCCESS","out_trade_no":"A1","trade_state":"PAYING"}"#;
        let mac = sign_response(200, "/qr/v1/query", body, key_mac(&key, scheme)).unwrap();
        let r = open_response(&q, 200, body, Some(&mac), key_mac(&key, scheme)).unwrap();
        assert_eq!(r.status, Status::success());
        // Same body under another status or path does not verify.
        assert!(open_response(&q, 500, body, Some(&mac), key_mac(&key, scheme)).is_err());
        let mac_pay = sign_response(200, "/qr/v1/pay", body, key_mac(&key, scheme)).unwrap();
        assert!(open_response(&q, 200, body, Some(&mac_pay), key_mac(&key, scheme)).is_err());
        // Echo mismatch.
        let body2 = br#"{"result":"SUCCESS","out_trade_no":"A2","trade_state":"PAYING"}"#;
        let mac2 = sign_response(200, "/qr/v1/query", body2, key_mac(&key, scheme)).unwrap();
        assert_eq!(
            open_response(&q, 200, body2, Some(&mac2), key_mac(&key, scheme)).unwrap_err(),
            QrProtocolError::Mismatch {
                field: "out_trade_no"
            }
        );
        // Invalid requests are not signed.
        let bad = QueryRequest::new("12345678", "M1", "A 1", "20261121093000");
        assert!(matches!(
            seal(&bad, key_mac(&key, scheme)),
            Err(QrProtocolError::Invalid(_))
        ));
        let _ = PayResponse::default();
    }

    #[test]
    fn scheme_serde() {
        let s: MacScheme = serde_json::from_str("{}").unwrap();
        assert_eq!(s, MacScheme::default());
        let s: MacScheme =
            serde_json::from_str(r#"{"algorithm":"CUP_ECB","padding":"METHOD2"}"#).unwrap();
        assert_eq!(s.algorithm, MacAlgorithm::CupEcb);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"algorithm":"CUP_ECB","padding":"METHOD2"}"#
        );
        assert!(serde_json::from_str::<MacScheme>(r#"{"algorithm":"MD5"}"#).is_err());
    }
}
