//! A minimal terminal for the integration tests: builds signed requests with the codec and
//! crypto crates and talks to the simulator over real sockets with `unipos_net::Transport`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;
use unipos_clock::ManualClock;
use unipos_crypto::mac::cup_ecb_mac;
use unipos_crypto::pin::{encrypt_pin, PinBlockFormat};
use unipos_crypto::random::DeterministicRandom;
use unipos_crypto::unwrap::{unwrap_and_check, WorkKeyRole};
use unipos_crypto::DesKey;
use unipos_hostsim::{defaults, HostSim, HostSimConfig, RunningHost};
use unipos_iso8583::cup::{self, CupHeader, Field60, NetworkCode, SignInKeys, TransactionType};
use unipos_iso8583::{FrameLayout, Message, Mti, Tpdu};
use unipos_net::{Endpoint, ExchangeError, Timeouts, Transport};

pub const PIN: &str = defaults::PIN;

/// A host with the default configuration, seed 7, on a manual clock at 2026-11-21 09:30.
pub fn start_host() -> (RunningHost, ManualClock) {
    start_with(HostSimConfig::default())
}

pub fn start_with(config: HostSimConfig) -> (RunningHost, ManualClock) {
    let clock = ManualClock::at_local(2026, 11, 21, 9, 30, 0, 8 * 60);
    let config = config.with_seed(7).with_clock(Arc::new(clock.clone()));
    (HostSim::start(config).unwrap(), clock)
}

pub struct Answer {
    pub tpdu: Tpdu,
    pub header: CupHeader,
    pub msg: Message,
    /// `Some(true)` if field 64 verified under the terminal's MAK.
    pub mac_ok: Option<bool>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.msg.text(39).unwrap_or("")
    }
    pub fn rrn(&self) -> String {
        self.msg.text(37).unwrap_or("").to_owned()
    }
    pub fn auth(&self) -> String {
        self.msg.text(38).unwrap_or("").to_owned()
    }
}

pub struct Term {
    pub tid: String,
    pub mid: String,
    pub tmk: DesKey,
    pub pik: Option<DesKey>,
    pub mak: Option<DesKey>,
    pub tdk: Option<DesKey>,
    pub batch: u32,
    pub trace: u32,
    pub transport: Transport,
    pub header: CupHeader,
}

pub fn timeouts(read_ms: u64) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        exchange: Duration::from_millis(read_ms),
    }
}

impl Term {
    pub fn tcp(host: &RunningHost, tid: &str) -> Term {
        Term::with_endpoint(Endpoint::tcp(host.posp_addr()), tid)
    }

    pub fn https(host: &RunningHost, tid: &str) -> Term {
        Term::with_endpoint(
            Endpoint::https(host.https_addr().unwrap(), "localhost", host.ca_pem()),
            tid,
        )
    }

    pub fn with_endpoint(endpoint: Endpoint, tid: &str) -> Term {
        Term {
            tid: tid.into(),
            mid: defaults::MERCHANT_ID.into(),
            tmk: DesKey::from_hex(defaults::TMK_HEX).unwrap(),
            pik: None,
            mak: None,
            tdk: None,
            batch: 1,
            trace: 0,
            transport: Transport::new(endpoint, timeouts(5_000)).unwrap(),
            header: CupHeader::DEFAULT,
        }
    }

    pub fn set_read_timeout(&mut self, ms: u64) {
        self.transport = Transport::new(self.transport.endpoint().clone(), timeouts(ms)).unwrap();
    }

    pub fn next_trace(&mut self) -> u32 {
        self.trace += 1;
        self.trace
    }

    /// Frames a message (MAC'd when it has field 64 and we have a MAK).
    pub fn frame_body(&self, msg: &Message) -> Vec<u8> {
        let mut msg = msg.clone();
        let mut packed = cup::profile().pack(&msg).unwrap();
        if msg.has(64) {
            let mac = cup_ecb_mac(
                self.mak.as_ref().expect("signed in"),
                cup::mac_block(&packed).unwrap(),
            );
            msg.set(64, mac).unwrap();
            packed = cup::profile().pack(&msg).unwrap();
        }
        let frame = FrameLayout::UNIONPAY
            .assemble(Some(Tpdu::DEFAULT), &self.header.0, &packed)
            .unwrap();
        frame[2..].to_vec()
    }

    pub fn exchange_raw(&self, body: &[u8]) -> Result<Vec<u8>, ExchangeError> {
        self.transport.exchange_frame(2, body, "/posp")
    }

    pub fn decode(&self, body: &[u8]) -> Answer {
        let parts = FrameLayout::UNIONPAY.split_body(body).unwrap();
        let msg = cup::profile().unpack(parts.message).unwrap();
        let mac_ok = msg.get(64).map(|mac| {
            let expected = cup_ecb_mac(
                self.mak.as_ref().expect("a MAC'd answer needs a MAK"),
                cup::mac_block(parts.message).unwrap(),
            );
            expected == mac
        });
        Answer {
            tpdu: parts.tpdu.unwrap(),
            header: CupHeader::from_bytes(parts.header).unwrap(),
            msg,
            mac_ok,
        }
    }

    pub fn try_send(&self, msg: &Message) -> Result<Answer, ExchangeError> {
        let body = self.frame_body(msg);
        self.exchange_raw(&body).map(|b| self.decode(&b))
    }

    /// Sends and expects a well-formed answer whose MAC (if any) verifies.
    pub fn send(&self, msg: &Message) -> Answer {
        let a = self.try_send(msg).unwrap();
        assert_ne!(a.mac_ok, Some(false), "answer MAC must verify");
        a
    }

    pub fn management(&mut self, mti: &str, code: NetworkCode) -> Message {
        let mut m = Message::new(Mti::new(mti).unwrap());
        let trace = self.next_trace();
        m.set_number(11, u64::from(trace), 6).unwrap();
        m.set(41, &self.tid).unwrap();
        m.set(42, &self.mid).unwrap();
        m.set(60, Field60::management(self.batch, code).to_digits())
            .unwrap();
        m
    }

    pub fn sign_in_mode(&mut self, code: NetworkCode) -> Answer {
        let mut m = self.management("0800", code);
        m.set(63, "001").unwrap();
        let a = self.send(&m);
        if a.code() == "00" {
            let keys = SignInKeys::parse(a.msg.get(62).unwrap()).unwrap();
            self.pik = Some(
                unwrap_and_check(
                    &self.tmk,
                    WorkKeyRole::Pin,
                    &keys.pik.ciphertext,
                    &keys.pik.check_value,
                )
                .unwrap(),
            );
            self.mak = Some(
                unwrap_and_check(
                    &self.tmk,
                    WorkKeyRole::Mac,
                    &keys.mak.ciphertext,
                    &keys.mak.check_value,
                )
                .unwrap(),
            );
            self.tdk = keys.tdk.as_ref().map(|k| {
                unwrap_and_check(&self.tmk, WorkKeyRole::Track, &k.ciphertext, &k.check_value)
                    .unwrap()
            });
            self.batch = Field60::parse(a.msg.text(60).unwrap()).unwrap().batch;
        }
        a
    }

    pub fn sign_in(&mut self) -> Answer {
        let a = self.sign_in_mode(NetworkCode::SignInDoubleKeys);
        assert_eq!(a.code(), "00");
        a
    }

    /// A financial request skeleton: 3, 11, 25, 41, 42, 49, 60, 64 (+ 4).
    pub fn financial(
        &mut self,
        mti: &str,
        pcode: &str,
        condition: &str,
        txn: TransactionType,
        amount: Option<u64>,
    ) -> Message {
        let mut m = Message::new(Mti::new(mti).unwrap());
        m.set(3, pcode).unwrap();
        if let Some(a) = amount {
            m.set_number(4, a, 12).unwrap();
            m.set(49, "156").unwrap();
        }
        let trace = self.next_trace();
        m.set_number(11, u64::from(trace), 6).unwrap();
        m.set(25, condition).unwrap();
        m.set(41, &self.tid).unwrap();
        m.set(42, &self.mid).unwrap();
        m.set(60, Field60::financial(txn, self.batch, 5, 0, 1).to_digits())
            .unwrap();
        m.set(64, [0u8; 8]).unwrap();
        m
    }

    /// Adds card data: 2, 14, 22, 35 and, with a PIN, 26, 52, 53.
    pub fn with_card(&self, mut m: Message, pan: &str, pin: Option<&str>) -> Message {
        m.set(2, pan).unwrap();
        m.set(14, "3012").unwrap();
        m.set(35, format!("{pan}D30122201234567890")).unwrap();
        match pin {
            Some(pin) => {
                m.set(22, "051").unwrap();
                m.set(26, "12").unwrap();
                let block = encrypt_pin(
                    self.pik.as_ref().unwrap(),
                    PinBlockFormat::Iso0,
                    pin,
                    pan,
                    &mut DeterministicRandom::new(1),
                )
                .unwrap();
                m.set(52, block.as_bytes()).unwrap();
                m.set(53, "2600000000000000").unwrap();
            }
            None => {
                m.set(22, "052").unwrap();
            }
        }
        m
    }

    pub fn sale(&mut self, pan: &str, amount: u64, pin: Option<&str>) -> (Message, Answer) {
        let m = self.financial("0200", "000000", "00", TransactionType::Sale, Some(amount));
        let m = self.with_card(m, pan, pin);
        let a = self.send(&m);
        (m, a)
    }

    pub fn pre_auth(&mut self, pan: &str, amount: u64) -> (Message, Answer) {
        let m = self.financial(
            "0100",
            "030000",
            "06",
            TransactionType::PreAuth,
            Some(amount),
        );
        let m = self.with_card(m, pan, Some(PIN));
        let a = self.send(&m);
        (m, a)
    }

    /// The reversal of a request: same fields minus 52/64-MAC, 39 = reason.
    pub fn reversal_of(&self, original: &Message, reason: &str) -> Message {
        let mut r = original.clone();
        r.set_mti(Mti::new("0400").unwrap());
        r.remove(52);
        r.remove(53);
        r.remove(26);
        r.set(39, reason).unwrap();
        r.set(64, [0u8; 8]).unwrap();
        r
    }
}
