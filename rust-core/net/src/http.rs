//! Minimal HTTP/1.1: request line or status line, headers, and a `Content-Length` body.
//! Chunked transfer encoding is refused with a clear error (no peer of ours sends it).

use std::io::{self, BufRead, Read, Write};
use thiserror::Error;

const MAX_HEADER_LINE: usize = 8 * 1024;
const MAX_HEADERS: usize = 64;

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/posp`.
    pub path: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why an HTTP message could not be read.
#[derive(Debug, Error)]
pub enum HttpError {
    /// The connection closed before a message started.
    #[error("the connection was closed")]
    Closed,
    /// The message is not valid HTTP/1.1 as this module understands it.
    #[error("malformed HTTP: {0}")]
    Malformed(String),
    /// The body is larger than allowed.
    #[error("HTTP body of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// I/O failure, timeouts included.
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Request {
    /// A POST with a body and content type.
    pub fn post(path: &str, content_type: &str, body: Vec<u8>) -> Self {
        Request {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl Response {
    /// A response with a status, content type and body.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, "application/json", body.into())
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Writes a request (adds `Host` and `Content-Length`).
pub fn write_request(w: &mut impl Write, host: &str, req: &Request) -> io::Result<()> {
    let mut buf = format!("{} {} HTTP/1.1\r\nHost: {host}\r\n", req.method, req.path).into_bytes();
    write_headers_and_body(&mut buf, &req.headers, &req.body);
    w.write_all(&buf)?;
    w.flush()
}

/// Writes a response (adds `Content-Length`).
pub fn write_response(w: &mut impl Write, resp: &Response) -> io::Result<()> {
    let mut buf = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status)).into_bytes();
    write_headers_and_body(&mut buf, &resp.headers, &resp.body);
    w.write_all(&buf)?;
    w.flush()
}

fn write_headers_and_body(buf: &mut Vec<u8>, headers: &[(String, String)], body: &[u8]) {
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        buf.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    buf.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    buf.extend_from_slice(body);
}

/// Reads a request; `Ok(None)` when the peer closed the connection between requests.
pub fn read_request(r: &mut impl BufRead, max_body: usize) -> Result<Option<Request>, HttpError> {
    let line = match read_line(r)? {
        Some(l) => l,
        None => return Ok(None),
    };
    let mut parts = line.split(' ');
    let (method, path, version) = (parts.next(), parts.next(), parts.next());
    let (Some(method), Some(path), Some(version)) = (method, path, version) else {
        return Err(HttpError::Malformed("bad request line".into()));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed("only HTTP/1.x is supported".into()));
    }
    let headers = read_headers(r)?;
    let body = read_body(r, &headers, max_body)?;
    Ok(Some(Request {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body,
    }))
}

/// Reads a response.
pub fn read_response(r: &mut impl BufRead, max_body: usize) -> Result<Response, HttpError> {
    let line = read_line(r)?.ok_or(HttpError::Closed)?;
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed("bad status line".into()));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| HttpError::Malformed("bad status code".into()))?;
    let headers = read_headers(r)?;
    let body = read_body(r, &headers, max_body)?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn read_line(r: &mut impl BufRead) -> Result<Option<String>, HttpError> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(HttpError::Malformed(
            "header line too long or cut off".into(),
        ));
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| HttpError::Malformed("header is not UTF-8".into()))
}

fn read_headers(r: &mut impl BufRead) -> Result<Vec<(String, String)>, HttpError> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(r)?.ok_or_else(|| HttpError::Malformed("headers cut off".into()))?;
        if line.is_empty() {
            return Ok(headers);
        }
        if headers.len() >= MAX_HEADERS {
            return Err(HttpError::Malformed("too many headers".into()));
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| HttpError::Malformed("header without ':'".into()))?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
}

fn read_body(
    r: &mut impl BufRead,
    headers: &[(String, String)],
    max_body: usize,
) -> Result<Vec<u8>, HttpError> {
    if header(headers, "transfer-encoding").is_some() {
        return Err(HttpError::Malformed(
            "chunked transfer encoding is not supported".into(),
        ));
    }
    let len = match header(headers, "content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| HttpError::Malformed("bad Content-Length".into()))?,
    };
    if len > max_body {
        return Err(HttpError::TooLarge { len, max: max_body });
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => HttpError::Malformed("body cut off".into()),
        _ => HttpError::Io(e),
    })?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn request_round_trip() {
        let req = Request::post("/posp", "application/octet-stream", b"\x00\x02ab".to_vec());
        let mut wire = Vec::new();
        write_request(&mut wire, "localhost", &req).unwrap();
        let back = read_request(&mut BufReader::new(wire.as_slice()), 1024)
            .unwrap()
            .unwrap();
        assert_eq!(back.method, "POST");
        assert_eq!(back.path, "/posp");
        assert_eq!(back.body, b"\x00\x02ab");
        assert_eq!(
            back.header("content-type"),
            Some("application/octet-stream")
        );
    }

    #[test]
    fn response_round_trip_and_limits() {
        let resp = Response::json(200, "{}");
        let mut wire = Vec::new();
        write_response(&mut wire, &resp).unwrap();
        let back = read_response(&mut BufReader::new(wire.as_slice()), 1024).unwrap();
        assert_eq!(back.status, 200);
        assert_eq!(back.body, b"{}");
        assert!(matches!(
            read_response(&mut BufReader::new(wire.as_slice()), 1),
            Err(HttpError::TooLarge { .. })
        ));
        assert!(read_request(&mut BufReader::new(&b""[..]), 10)
            .unwrap()
            .is_none());
        assert!(read_request(&mut BufReader::new(&b"GARBAGE\r\n\r\n"[..]), 10).is_err());
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(read_response(&mut BufReader::new(&chunked[..]), 10).is_err());
    }
}
