//! Startup: sign-in with work-key installation, parameter download, CA public key and AID
//! query/download loops (DOMAIN.md rule 1: no transaction before these succeed).

use super::{Engine, Progress};
use crate::error::EngineError;
use crate::host_link::{Answer, LinkError};
use std::sync::PoisonError;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_iso8583::cup::{DownloadPayload, Field60, NetworkCode, SignInKeys};
use unipos_iso8583::tlv::{self, Tag, Tlv};
use unipos_iso8583::{Message, Mti};

/// What startup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupReport {
    /// Batch number in use after sign-in.
    pub batch: u32,
    /// Terminal parameters stored.
    pub parameters: u32,
    /// CA public keys stored.
    pub ca_keys: u32,
    /// AIDs stored.
    pub aids: u32,
    /// Reversals sent (or parked) during startup.
    pub reversals_sent: u32,
    /// Store-and-forward messages delivered during startup.
    pub advices_sent: u32,
}

fn mti(s: &str) -> Mti {
    Mti::new(s).unwrap_or_else(|| unreachable!("literal MTI"))
}

impl Engine {
    /// A management message (0800/0820) with 11, 41, 42, 60.
    fn management(&mut self, mti_text: &str, code: NetworkCode) -> Result<Message, EngineError> {
        let trace = self.journal.next_management_trace()?;
        let batch = self.journal.current_batch()?;
        let mut m = Message::new(mti(mti_text));
        let set = |m: &mut Message, n: u8, v: &str| {
            m.set(n, v)
                .map(|_| ())
                .map_err(|e| EngineError::Protocol(e.to_string()))
        };
        set(&mut m, 11, &format!("{trace:06}"))?;
        set(&mut m, 41, &self.config.terminal_id.clone())?;
        set(&mut m, 42, &self.config.merchant_id.clone())?;
        set(&mut m, 60, &Field60::management(batch, code).to_digits())?;
        Ok(m)
    }

    /// Sends a management message; a missing or declined answer is a startup failure.
    fn management_exchange(&mut self, what: &str, m: &Message) -> Result<Answer, EngineError> {
        let answer = self
            .link
            .exchange(&self.security, m, false)
            .map_err(|e| match e {
                LinkError::NotSent(d) => EngineError::HostUnreachable(d),
                LinkError::NoAnswer { detail, .. } => {
                    EngineError::NotReady(format!("{what}: no valid answer ({detail})"))
                }
                LinkError::Local(d) => EngineError::Protocol(d),
            })?;
        let code = answer.response_code();
        if code != "00" {
            let info = crate::response_codes::lookup(code);
            return Err(EngineError::NotReady(format!(
                "{what} refused by the host: {code} {} / {}",
                info.zh, info.en
            )));
        }
        Ok(answer)
    }

    /// Sign-in: install the work keys (check values verified by the security module).
    pub(crate) fn sign_in(&mut self) -> Result<u32, EngineError> {
        self.emit(Progress::Startup("sign-in".into()));
        let mode = self.config.profile.key_mode;
        let mut m = self.management("0800", mode.network_code())?;
        m.set(63, self.config.operator.clone())
            .map_err(|e| EngineError::Protocol(e.to_string()))?;
        let answer = self.management_exchange("sign-in", &m)?;
        let field62 = answer
            .message
            .get(62)
            .ok_or_else(|| EngineError::NotReady("sign-in answer carries no keys".into()))?;
        let keys = SignInKeys::parse(field62)
            .map_err(|e| EngineError::NotReady(format!("sign-in keys: {e}")))?;
        let mut wrapped = vec![
            WrappedKey::new(
                WorkKeyRole::Pin,
                &keys.pik.ciphertext,
                &keys.pik.check_value,
            ),
            WrappedKey::new(
                WorkKeyRole::Mac,
                &keys.mak.ciphertext,
                &keys.mak.check_value,
            ),
        ];
        if let Some(tdk) = &keys.tdk {
            wrapped.push(WrappedKey::new(
                WorkKeyRole::Track,
                &tdk.ciphertext,
                &tdk.check_value,
            ));
        }
        self.security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .install_work_keys(&wrapped)?;
        if let Some(batch) = answer
            .message
            .text(60)
            .and_then(|d| Field60::parse(d).ok())
            .map(|f| f.batch)
        {
            let now = self.now();
            self.journal.adopt_batch(batch, now)?;
        }
        self.signed_in_day = Some(self.local().day_number());
        self.sign_in_due = false;
        log::info!("signed in; batch {:06}", self.journal.current_batch()?);
        Ok(self.journal.current_batch()?)
    }

    fn download_parameters(&mut self) -> Result<u32, EngineError> {
        self.emit(Progress::Startup("parameters".into()));
        let m = self.management("0800", NetworkCode::ParameterDownload)?;
        let answer = self.management_exchange("parameter download", &m)?;
        let Some(bytes) = answer.message.get(62) else {
            return Ok(0);
        };
        let payload = DownloadPayload::parse(bytes)
            .map_err(|e| EngineError::NotReady(format!("parameter download: {e}")))?;
        for t in &payload.entries {
            self.journal.store_download(
                "param",
                &t.tag.to_string(),
                t.value_bytes().unwrap_or_default(),
            )?;
        }
        Ok(payload.entries.len() as u32)
    }

    /// Query, then download each item, then send the end message (CA keys or AIDs).
    fn download_list(&mut self, capk: bool) -> Result<u32, EngineError> {
        let (kind, query, download, end) = if capk {
            (
                "capk",
                NetworkCode::CapkQuery,
                NetworkCode::CapkDownload,
                NetworkCode::CapkDownloadEnd,
            )
        } else {
            (
                "aid",
                NetworkCode::AidQuery,
                NetworkCode::AidDownload,
                NetworkCode::AidDownloadEnd,
            )
        };
        self.emit(Progress::Startup(format!("{kind} query")));
        let mut q = self.management("0820", query)?;
        q.set(62, b"1")
            .map_err(|e| EngineError::Protocol(e.to_string()))?;
        let answer = self.management_exchange(&format!("{kind} query"), &q)?;
        let list = match answer.message.get(62) {
            Some(b) => DownloadPayload::parse(b)
                .map_err(|e| EngineError::NotReady(format!("{kind} query: {e}")))?,
            None => return Ok(0),
        };
        let wanted: Vec<Vec<Tlv>> = if capk {
            list.capk_ids()
                .into_iter()
                .map(|k| {
                    Ok(vec![
                        Tlv::primitive(tag(0x9F06)?, k.rid),
                        Tlv::primitive(tag(0x9F22)?, vec![k.index]),
                    ])
                })
                .collect::<Result<_, EngineError>>()?
        } else {
            list.aids()
                .into_iter()
                .map(|aid| Ok(vec![Tlv::primitive(tag(0x9F06)?, aid.to_vec())]))
                .collect::<Result<_, EngineError>>()?
        };
        let total = wanted.len();
        let mut stored = 0;
        for (i, id_tlvs) in wanted.into_iter().enumerate() {
            self.emit(Progress::Startup(format!("{kind} {}/{total}", i + 1)));
            let mut d = self.management("0800", download)?;
            d.set(62, tlv::encode_all(&id_tlvs))
                .map_err(|e| EngineError::Protocol(e.to_string()))?;
            let answer = self.management_exchange(&format!("{kind} download"), &d)?;
            let data = answer.message.get(62).unwrap_or_default();
            let payload = DownloadPayload::parse(data)
                .map_err(|e| EngineError::NotReady(format!("{kind} download: {e}")))?;
            let id = hex::encode_upper(tlv::encode_all(&id_tlvs));
            self.journal
                .store_download(kind, &id, &tlv::encode_all(&payload.entries))?;
            stored += 1;
        }
        let e = self.management("0800", end)?;
        self.management_exchange(&format!("{kind} download end"), &e)?;
        Ok(stored)
    }

    /// The whole startup sequence.
    pub(crate) fn startup(&mut self) -> Result<StartupReport, EngineError> {
        self.ready = false;
        let batch = self.sign_in()?;
        let parameters = self.download_parameters()?;
        let ca_keys = self.download_list(true)?;
        let aids = self.download_list(false)?;
        self.journal.set_setting("downloads_done", "1")?;
        self.downloads_due = false;
        let flushed = self.flush()?;
        self.ready = true;
        Ok(StartupReport {
            batch,
            parameters,
            ca_keys,
            aids,
            reversals_sent: flushed.reversals_sent + flushed.reversals_parked,
            advices_sent: flushed.advices_sent,
        })
    }

    /// A restart of a terminal that completed startup before: sign-in only (the downloads
    /// are in the database), then the flush. A terminal that never completed startup runs
    /// the whole of it.
    pub(crate) fn resume(&mut self) -> Result<StartupReport, EngineError> {
        if self.journal.setting("downloads_done")?.as_deref() != Some("1") {
            return self.startup();
        }
        self.ready = false;
        let batch = self.sign_in()?;
        let flushed = self.flush()?;
        self.ready = true;
        Ok(StartupReport {
            batch,
            parameters: self.journal.download_count("param")?,
            ca_keys: self.journal.download_count("capk")?,
            aids: self.journal.download_count("aid")?,
            reversals_sent: flushed.reversals_sent + flushed.reversals_parked,
            advices_sent: flushed.advices_sent,
        })
    }

    /// Signs in again when due (host request, key failure, new day). Startup must have run.
    pub(crate) fn ensure_keys(&mut self) -> Result<(), EngineError> {
        if !self.ready {
            return Err(EngineError::NotReady(
                "run startup (sign-in and downloads) first".into(),
            ));
        }
        let today = self.local().day_number();
        if self.sign_in_due || self.signed_in_day != Some(today) {
            self.sign_in()?;
        }
        if self.downloads_due {
            self.download_parameters()?;
            self.download_list(true)?;
            self.download_list(false)?;
            self.downloads_due = false;
        }
        Ok(())
    }
}

fn tag(v: u32) -> Result<Tag, EngineError> {
    Tag::from_u32(v).map_err(|e| EngineError::Protocol(e.to_string()))
}
