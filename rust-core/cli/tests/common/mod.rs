//! A `unipos host run` process for the command-line tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// The host simulator in its own process; it stops when its standard input closes (on drop).
pub struct Host {
    child: Child,
    /// The POSP's `host:port`.
    pub posp: String,
    /// The HTTPS listener's `host:port`, when it was started.
    pub https: Option<String>,
    /// The admin API's `host:port`.
    pub admin: String,
}

impl Host {
    /// `unipos host run --tcp 127.0.0.1:0` with `extra` arguments; returns once the host has
    /// printed its addresses (its last line names the seed).
    pub fn start(extra: &[&str]) -> Host {
        let mut child = Command::new(env!("CARGO_BIN_EXE_unipos"))
            .args(["host", "run", "--tcp", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut posp, mut https, mut admin) = (None, None, None);
        for line in lines.by_ref() {
            let line = line.unwrap();
            let line = line.trim();
            let addr = |prefix: &str, scheme: &str| {
                line.strip_prefix(prefix)
                    .map(|a| a.trim().trim_start_matches(scheme).to_owned())
            };
            posp = posp.or_else(|| addr("posp", "tcp://"));
            https = https.or_else(|| addr("https", "https://").filter(|a| a != "off"));
            admin = admin.or_else(|| addr("admin", "http://"));
            if line.starts_with("seed") {
                break;
            }
        }
        // Keep reading the host's output: closing the pipe would kill it on its next line.
        std::thread::spawn(move || lines.for_each(drop));
        Host {
            child,
            posp: posp.expect("the host printed its POSP address"),
            https,
            admin: admin.expect("the host printed its admin address"),
        }
    }

    /// One request to the admin API; the answer's body.
    pub fn admin(&self, method: &str, path: &str, body: &str) -> String {
        let mut s = std::net::TcpStream::connect(&self.admin).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.admin,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        answer
            .split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
