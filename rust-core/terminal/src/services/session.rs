//! The POSP session: sign-in with work-key installation, parameter download, CA public key and
//! AID query/download loops (DOMAIN.md rule 1: no transaction before these succeed), and the
//! decision when to sign in again (host request, key failure, new day).

use super::wire::{self, set};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::posp::{Answer, LinkError};
use crate::model::Progress;
use std::sync::PoisonError;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_iso8583::cup::{DownloadPayload, Field60, NetworkCode, SignInKeys};
use unipos_iso8583::tlv::{self, Tag, Tlv};
use unipos_iso8583::Message;

/// What sign-in and the downloads stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Downloads {
    pub batch: u32,
    pub signed_in: bool,
    pub parameters: u32,
    pub ca_keys: u32,
    pub aids: u32,
}

/// The session state of one terminal.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// Startup (or resume) completed.
    ready: bool,
    /// Local day number of the last successful sign-in.
    signed_in_day: Option<i64>,
}

impl Session {
    /// Whether startup has completed.
    pub(crate) fn is_ready(&self) -> bool {
        self.ready
    }

    /// Startup is running again: no transaction until it completes.
    pub(crate) fn begin_startup(&mut self) {
        self.ready = false;
    }

    /// Startup (sign-in, downloads, the first flush) completed.
    pub(crate) fn set_ready(&mut self) {
        self.ready = true;
    }

    /// Sign-in and every download (the first startup, or a startup asked for).
    pub(crate) fn sign_in_and_download(&mut self, ctx: &mut Ctx) -> Result<Downloads, EngineError> {
        let batch = self.sign_in(ctx)?;
        let parameters = download_parameters(ctx)?;
        let ca_keys = download_list(ctx, true)?;
        let aids = download_list(ctx, false)?;
        ctx.store.set_downloads_done()?;
        ctx.demands.downloads = false;
        Ok(Downloads {
            batch,
            signed_in: true,
            parameters,
            ca_keys,
            aids,
        })
    }

    /// A restart of a terminal that completed startup before: sign-in only, the downloads are
    /// in the database. `None` when they are not: the whole startup is needed.
    pub(crate) fn sign_in_for_resume(
        &mut self,
        ctx: &mut Ctx,
    ) -> Result<Option<Downloads>, EngineError> {
        if !ctx.store.downloads_done()? {
            return Ok(None);
        }
        let batch = self.sign_in(ctx)?;
        Ok(Some(Downloads {
            batch,
            signed_in: true,
            parameters: ctx.store.download_count("param")?,
            ca_keys: ctx.store.download_count("capk")?,
            aids: ctx.store.download_count("aid")?,
        }))
    }

    /// Signs in again when due (host request, key failure, new day) and downloads what the
    /// host asked for. Startup must have run.
    pub(crate) fn ensure_keys(&mut self, ctx: &mut Ctx) -> Result<(), EngineError> {
        if !self.ready {
            return Err(EngineError::NotReady(
                "run startup (sign-in and downloads) first".into(),
            ));
        }
        let today = ctx.local().day_number();
        if ctx.demands.sign_in || self.signed_in_day != Some(today) {
            self.sign_in(ctx)?;
        }
        if ctx.demands.downloads {
            download_parameters(ctx)?;
            download_list(ctx, true)?;
            download_list(ctx, false)?;
            ctx.demands.downloads = false;
        }
        Ok(())
    }

    /// Sign-in: install the work keys (check values verified by the security module).
    fn sign_in(&mut self, ctx: &mut Ctx) -> Result<u32, EngineError> {
        ctx.emit(Progress::Startup("sign-in".into()));
        let mode = ctx.config.profile.key_mode;
        let mut m = management(ctx, "0800", mode.network_code())?;
        set(&mut m, 63, ctx.config.operator.clone())?;
        let answer = management_exchange(ctx, "sign-in", &m)?;
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
        ctx.security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .install_work_keys(&wrapped)?;
        if let Some(batch) = answer
            .message
            .text(60)
            .and_then(|d| Field60::parse(d).ok())
            .map(|f| f.batch)
        {
            let now = ctx.now();
            ctx.store.adopt_batch(batch, now)?;
        }
        self.signed_in_day = Some(ctx.local().day_number());
        ctx.demands.sign_in = false;
        let batch = ctx.store.current_batch()?;
        log::info!("signed in; batch {batch:06}");
        Ok(batch)
    }
}

/// A management message (0800/0820) with 11, 41, 42, 60.
pub(crate) fn management(
    ctx: &mut Ctx,
    mti_text: &str,
    code: NetworkCode,
) -> Result<Message, EngineError> {
    let trace = ctx.store.next_management_trace()?;
    let batch = ctx.store.current_batch()?;
    let mut m = Message::new(wire::mti(mti_text)?);
    set(&mut m, 11, wire::trace_field(trace))?;
    set(&mut m, 41, ctx.config.terminal_id.clone())?;
    set(&mut m, 42, ctx.config.merchant_id.clone())?;
    set(&mut m, 60, Field60::management(batch, code).to_digits())?;
    Ok(m)
}

/// Sends a management message; a missing or declined answer is a startup failure.
fn management_exchange(ctx: &mut Ctx, what: &str, m: &Message) -> Result<Answer, EngineError> {
    let answer = ctx.exchange_management(m).map_err(|e| match e {
        LinkError::NotSent(d) => EngineError::HostUnreachable(d),
        LinkError::NoAnswer { detail, .. } => {
            EngineError::NotReady(format!("{what}: no valid answer ({detail})"))
        }
        LinkError::Local(d) => EngineError::Protocol(d),
    })?;
    let code = answer.response_code();
    if code != "00" {
        let info = crate::model::response_codes::lookup(code);
        return Err(EngineError::NotReady(format!(
            "{what} refused by the host: {code} {} / {}",
            info.zh, info.en
        )));
    }
    Ok(answer)
}

fn download_parameters(ctx: &mut Ctx) -> Result<u32, EngineError> {
    ctx.emit(Progress::Startup("parameters".into()));
    let m = management(ctx, "0800", NetworkCode::ParameterDownload)?;
    let answer = management_exchange(ctx, "parameter download", &m)?;
    let Some(bytes) = answer.message.get(62) else {
        return Ok(0);
    };
    let payload = DownloadPayload::parse(bytes)
        .map_err(|e| EngineError::NotReady(format!("parameter download: {e}")))?;
    for t in &payload.entries {
        ctx.store.store_download(
            "param",
            &t.tag.to_string(),
            t.value_bytes().unwrap_or_default(),
        )?;
    }
    Ok(payload.entries.len() as u32)
}

/// Query, then download each item, then send the end message (CA keys or AIDs).
fn download_list(ctx: &mut Ctx, capk: bool) -> Result<u32, EngineError> {
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
    ctx.emit(Progress::Startup(format!("{kind} query")));
    let mut q = management(ctx, "0820", query)?;
    set(&mut q, 62, b"1")?;
    let answer = management_exchange(ctx, &format!("{kind} query"), &q)?;
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
        ctx.emit(Progress::Startup(format!("{kind} {}/{total}", i + 1)));
        let mut d = management(ctx, "0800", download)?;
        set(&mut d, 62, tlv::encode_all(&id_tlvs))?;
        let answer = management_exchange(ctx, &format!("{kind} download"), &d)?;
        let data = answer.message.get(62).unwrap_or_default();
        let payload = DownloadPayload::parse(data)
            .map_err(|e| EngineError::NotReady(format!("{kind} download: {e}")))?;
        let id = hex::encode_upper(tlv::encode_all(&id_tlvs));
        ctx.store
            .store_download(kind, &id, &tlv::encode_all(&payload.entries))?;
        stored += 1;
    }
    let e = management(ctx, "0800", end)?;
    management_exchange(ctx, &format!("{kind} download end"), &e)?;
    Ok(stored)
}

fn tag(v: u32) -> Result<Tag, EngineError> {
    Tag::from_u32(v).map_err(|e| EngineError::Protocol(e.to_string()))
}
