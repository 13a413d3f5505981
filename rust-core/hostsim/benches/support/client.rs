//! A lean terminal for load generation: one persistent TCP connection, signed in, sending
//! sale + reversal pairs built with the codec and crypto crates.
#![allow(dead_code)]

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use unipos_crypto::mac::cup_ecb_mac;
use unipos_crypto::unwrap::{unwrap_and_check, WorkKeyRole};
use unipos_crypto::DesKey;
use unipos_hostsim::config::ListenConfig;
use unipos_hostsim::{defaults, test_cards, HostSimConfig, TerminalConfig};
use unipos_iso8583::cup::{self, CupHeader, Field60, NetworkCode, SignInKeys, TransactionType};
use unipos_iso8583::{FrameLayout, Message, Mti, Tpdu};
use unipos_net::frame_io::{read_frame, write_frame};

fn err(m: impl Into<String>) -> io::Error {
    io::Error::other(m.into())
}

/// A configuration with `n` terminals `7000000x` of the default merchant, no TLS or admin.
pub fn config(n: usize) -> HostSimConfig {
    HostSimConfig {
        terminals: (0..n)
            .map(|i| TerminalConfig::new(&format!("7{i:07}"), defaults::MERCHANT_ID))
            .collect(),
        listen: ListenConfig {
            posp: "127.0.0.1:0".into(),
            https: None,
            admin: None,
        },
        seed: Some(1),
        ..HostSimConfig::default()
    }
}

pub struct BenchTerminal {
    stream: TcpStream,
    tid: String,
    mak: DesKey,
    batch: u32,
    trace: u32,
}

impl BenchTerminal {
    fn exchange(
        stream: &mut TcpStream,
        msg: &Message,
        mak: Option<&DesKey>,
    ) -> io::Result<Message> {
        let mut msg = msg.clone();
        let mut packed = cup::profile().pack(&msg).map_err(|e| err(e.to_string()))?;
        if let (true, Some(mak)) = (msg.has(64), mak) {
            let mab = cup::mac_block(&packed).ok_or_else(|| err("short"))?;
            msg.set(64, cup_ecb_mac(mak, mab))
                .map_err(|e| err(e.to_string()))?;
            packed = cup::profile().pack(&msg).map_err(|e| err(e.to_string()))?;
        }
        let frame = FrameLayout::UNIONPAY
            .assemble(Some(Tpdu::DEFAULT), &CupHeader::DEFAULT.0, &packed)
            .map_err(|e| err(e.to_string()))?;
        write_frame(stream, 2, &frame[2..])?;
        let body = read_frame(stream, 2, 8192).map_err(|e| err(e.to_string()))?;
        let parts = FrameLayout::UNIONPAY
            .split_body(&body)
            .map_err(|e| err(e.to_string()))?;
        cup::profile()
            .unpack(parts.message)
            .map_err(|e| err(e.to_string()))
    }

    pub fn connect(addr: SocketAddr, tid: &str) -> io::Result<BenchTerminal> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut m = Message::new(Mti::new("0800").ok_or_else(|| err("mti"))?);
        let set = |m: &mut Message, f: u8, v: &str| {
            m.set(f, v).map(|_| ()).map_err(|e| err(e.to_string()))
        };
        set(&mut m, 11, "000001")?;
        set(&mut m, 41, tid)?;
        set(&mut m, 42, defaults::MERCHANT_ID)?;
        set(
            &mut m,
            60,
            &Field60::management(1, NetworkCode::SignInDoubleKeys).to_digits(),
        )?;
        set(&mut m, 63, "001")?;
        let a = Self::exchange(&mut stream, &m, None)?;
        let keys = SignInKeys::parse(a.get(62).ok_or_else(|| err("no keys"))?)
            .map_err(|e| err(e.to_string()))?;
        let tmk = DesKey::from_hex(defaults::TMK_HEX).map_err(|e| err(e.to_string()))?;
        let mak = unwrap_and_check(
            &tmk,
            WorkKeyRole::Mac,
            &keys.mak.ciphertext,
            &keys.mak.check_value,
        )
        .map_err(|e| err(e.to_string()))?;
        let batch = a
            .text(60)
            .and_then(|f| Field60::parse(f).ok())
            .map_or(1, |f| f.batch);
        Ok(BenchTerminal {
            stream,
            tid: tid.to_owned(),
            mak,
            batch,
            trace: 1,
        })
    }

    /// One sale and its reversal: two requests. Returns the two response codes.
    pub fn sale_and_reversal(&mut self, amount: u64) -> io::Result<(String, String)> {
        self.trace += 1;
        let pan = test_cards::DEBIT_IC;
        let mut m = Message::new(Mti::new("0200").ok_or_else(|| err("mti"))?);
        let fields: [(u8, String); 11] = [
            (2, pan.to_owned()),
            (3, "000000".into()),
            (4, format!("{amount:012}")),
            (11, format!("{:06}", self.trace)),
            (14, test_cards::EXPIRY.into()),
            (22, "021".into()),
            (25, "00".into()),
            (41, self.tid.clone()),
            (42, defaults::MERCHANT_ID.into()),
            (49, "156".into()),
            (
                60,
                Field60::financial(TransactionType::Sale, self.batch, 2, 0, 0).to_digits(),
            ),
        ];
        for (f, v) in &fields {
            m.set(*f, v).map_err(|e| err(e.to_string()))?;
        }
        m.set(35, format!("{pan}D{}1011234567890", test_cards::EXPIRY))
            .map_err(|e| err(e.to_string()))?;
        m.set(64, [0u8; 8]).map_err(|e| err(e.to_string()))?;
        let sale = Self::exchange(&mut self.stream, &m, Some(&self.mak))?;
        m.set_mti(Mti::new("0400").ok_or_else(|| err("mti"))?);
        m.set(39, "98").map_err(|e| err(e.to_string()))?;
        let rev = Self::exchange(&mut self.stream, &m, Some(&self.mak))?;
        Ok((
            sale.text(39).unwrap_or("").to_owned(),
            rev.text(39).unwrap_or("").to_owned(),
        ))
    }
}
