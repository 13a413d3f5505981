//! The POSP session: sign-in with work-key installation, parameter download, CA public key and
//! AID query/download loops (DOMAIN.md rule 1: no transaction before these succeed), and the
//! decision when to sign in again (host request, key failure, new day).

use super::wire::{self, set};
use crate::context::Ctx;
use crate::error::EngineError;
use crate::error::StorageError;
use crate::link::posp::{Answer, LinkError};
use crate::model::emv::{self, EmvTerminalData};
use crate::model::Progress;
use std::sync::PoisonError;
use unipos_crypto::unwrap::{WorkKeyRole, WrappedKey};
use unipos_iso8583::cup::{DownloadPayload, Field60, NetworkCode, SignInKeys};
use unipos_iso8583::tlv::{self, Tag, Tlv};
use unipos_iso8583::Message;
use unipos_profile::KeyMode;

/// What sign-in and the downloads stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Downloads {
    pub batch: u32,
    pub signed_in: bool,
    pub parameters: u32,
    pub ca_keys: u32,
    /// CA keys the host sent with a checksum (DF03) that does not match: not stored.
    pub ca_keys_refused: u32,
    pub aids: u32,
}

/// The session state of one terminal.
#[derive(Debug)]
pub(crate) struct Session {
    /// Startup (or resume) completed.
    ready: bool,
    /// Local day number of the last successful sign-in.
    signed_in_day: Option<i64>,
}

impl Session {
    /// The session as the database left it: the day of the last sign-in and what the host
    /// asked for (a process that ended before doing it leaves it to this one), and the
    /// downloaded parameters in force.
    pub(crate) fn restore(ctx: &mut Ctx) -> Result<Session, EngineError> {
        let (sign_in, downloads) = ctx.store.host_demands()?;
        ctx.demands = crate::link::posp::HostDemands { sign_in, downloads };
        apply_parameters(ctx)?;
        Ok(Session {
            ready: false,
            signed_in_day: ctx.store.signed_in_day()?,
        })
    }

    /// Whether a sign-in is due: the host asked, the keys failed or are gone, or a new day.
    fn sign_in_due(&self, ctx: &Ctx) -> bool {
        let keys = ctx
            .security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .has_work_keys();
        ctx.demands.sign_in || !keys || self.signed_in_day != Some(ctx.local().day_number())
    }

    /// A session before [`Session::restore`].
    pub(crate) fn idle() -> Session {
        Session {
            ready: false,
            signed_in_day: None,
        }
    }

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
        let (ca_keys, ca_keys_refused) = download_list(ctx, true)?;
        let (aids, _) = download_list(ctx, false)?;
        load_kernel(ctx)?;
        ctx.store.set_downloads_done()?;
        ctx.set_demands(crate::link::posp::HostDemands {
            downloads: false,
            ..ctx.demands
        })?;
        Ok(Downloads {
            batch,
            signed_in: true,
            parameters,
            ca_keys,
            ca_keys_refused,
            aids,
        })
    }

    /// A restart of a terminal that completed startup before: the downloads are in the
    /// database, and a sign-in happens only when it is due (new day, host request, keys gone).
    /// `None` when the downloads are not there: the whole startup is needed.
    pub(crate) fn resume(&mut self, ctx: &mut Ctx) -> Result<Option<Downloads>, EngineError> {
        if !ctx.store.downloads_done()? {
            return Ok(None);
        }
        let signed_in = self.sign_in_due(ctx);
        if signed_in {
            self.sign_in(ctx)?;
        }
        if ctx.demands.downloads {
            self.download_demanded(ctx)?;
        } else {
            // A new process: the kernel has nothing yet.
            load_kernel(ctx)?;
        }
        let batch = ctx.store.current_batch()?;
        Ok(Some(Downloads {
            batch,
            signed_in,
            parameters: ctx.store.download_count("param")?,
            ca_keys: ctx.store.download_count("capk")?,
            ca_keys_refused: 0,
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
        if self.sign_in_due(ctx) {
            self.sign_in(ctx)?;
        }
        if ctx.demands.downloads {
            self.download_demanded(ctx)?;
        }
        Ok(())
    }

    /// The downloads the host asked for (response header), then the demand is cleared.
    fn download_demanded(&mut self, ctx: &mut Ctx) -> Result<(), EngineError> {
        download_parameters(ctx)?;
        download_list(ctx, true)?;
        download_list(ctx, false)?;
        load_kernel(ctx)?;
        ctx.set_demands(crate::link::posp::HostDemands {
            downloads: false,
            ..ctx.demands
        })?;
        Ok(())
    }

    /// Sign-in: install the work keys (check values verified by the security module).
    fn sign_in(&mut self, ctx: &mut Ctx) -> Result<u32, EngineError> {
        ctx.emit(Progress::Startup("sign-in".into()));
        let mode = ctx.config.profile.key_mode;
        let mut m = management(ctx, "0800", mode.network_code())?;
        set(&mut m, 63, ctx.operator_code())?;
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
        if mode == KeyMode::DoubleLengthWithTdk && keys.tdk.is_none() {
            // The tracks could not be encrypted as the profile promises: refuse now, before
            // any card is read, rather than send a track in the clear.
            return Err(EngineError::NotReady(
                "sign-in in key mode 004 brought no track data key (TDK): the host and the \
                 acquirer profile disagree; ask the acquirer for the right key_mode"
                    .into(),
            ));
        }
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
        // Check values only (the key status screen); the keys stay in the security module.
        let checks: Vec<(&str, String)> = wrapped
            .iter()
            .map(|k| (k.role.abbreviation(), hex::encode_upper(&k.check_value)))
            .collect();
        ctx.store.set_work_key_checks(&checks)?;
        if let Some(batch) = answer
            .message
            .text(60)
            .and_then(|d| Field60::parse(d).ok())
            .map(|f| f.batch)
        {
            let now = ctx.now();
            ctx.store.adopt_batch(batch, now)?;
        }
        let today = ctx.local().day_number();
        ctx.store.set_signed_in_day(today)?;
        self.signed_in_day = Some(today);
        ctx.set_demands(crate::link::posp::HostDemands {
            sign_in: false,
            ..ctx.demands
        })?;
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
    apply_parameters(ctx)?;
    Ok(payload.entries.len() as u32)
}

/// The host-managed parameters (PROTOCOL.md §1.9, docs/protocol-profile.md) take effect over
/// the profile's defaults: DF01 merchant name (receipts), DF03 reversal retries, DF04 answer
/// timeout (seconds). DF02, the QR gateway's path, is checked: this terminal speaks the
/// `/qr/v1/` contract and refuses QR against a gateway announcing another one. A value outside
/// what the terminal can use is logged and the profile's value kept.
pub(crate) fn apply_parameters(ctx: &mut Ctx) -> Result<(), EngineError> {
    let param = |ctx: &Ctx, tag: &str| ctx.store.download("param", tag);
    if let Some(name) = param(ctx, "DF01")? {
        match String::from_utf8(name) {
            Ok(name) if !name.trim().is_empty() => ctx.config.merchant_name = name,
            _ => log::warn!("parameter DF01 (merchant name) is not text; kept"),
        }
    }
    if let Some(path) = param(ctx, "DF02")? {
        let path = String::from_utf8_lossy(&path).into_owned();
        ctx.qr_path_refused = (path != unipos_qr_protocol::messages::PATH_PREFIX).then(|| {
            log::warn!("the host announces QR gateway path {path:?}; this terminal speaks /qr/v1/");
            path
        });
    }
    let before = (
        ctx.config.profile.reversal.retries,
        ctx.config.profile.timeouts.response_ms,
    );
    match param(ctx, "DF03")?.as_deref() {
        Some([n @ 1..=99]) => ctx.config.profile.reversal.retries = u32::from(*n),
        Some(other) => log::warn!("parameter DF03 (reversal retries) {other:02X?} unusable; kept"),
        None => {}
    }
    match param(ctx, "DF04")?.as_deref() {
        Some([s @ 1..=255]) => ctx.config.profile.timeouts.response_ms = u64::from(*s) * 1000,
        Some(other) => log::warn!("parameter DF04 (answer timeout) {other:02X?} unusable; kept"),
        None => {}
    }
    if before
        != (
            ctx.config.profile.reversal.retries,
            ctx.config.profile.timeouts.response_ms,
        )
    {
        log::info!(
            "host parameters in force: {} reversal attempt(s), {} s answer timeout",
            ctx.config.profile.reversal.retries,
            ctx.config.profile.timeouts.response_ms / 1000
        );
        ctx.posp = crate::link::posp::HostLink::new(&ctx.config)?;
    }
    Ok(())
}

/// Hands the stored CA keys and AID parameters to the EMV kernel (after every download, and
/// at each process start: the kernel keeps them in memory only).
fn load_kernel(ctx: &mut Ctx) -> Result<(), EngineError> {
    let entries = |blob: &[u8]| {
        tlv::parse_all(blob).map_err(|e| StorageError::corrupt("read EMV download", e.to_string()))
    };
    let mut data = EmvTerminalData::default();
    for blob in ctx.store.downloads("capk")? {
        let key = emv::ca_public_key(&entries(&blob)?)
            .map_err(|e| StorageError::corrupt("read CA key", e))?;
        data.ca_keys.push(key);
    }
    for blob in ctx.store.downloads("aid")? {
        let aid = emv::aid_parameters(&entries(&blob)?)
            .map_err(|e| StorageError::corrupt("read AID parameters", e))?;
        data.aids.push(aid);
    }
    log::info!(
        "EMV kernel loaded: {} CA key(s), {} AID(s)",
        data.ca_keys.len(),
        data.aids.len()
    );
    ctx.hardware.emv.load_terminal_data(&data)?;
    Ok(())
}

/// Query, then download each item, then send the end message (CA keys or AIDs). Returns how
/// many were stored and how many CA keys were refused (checksum DF03 wrong: never stored, so
/// never handed to the kernel).
fn download_list(ctx: &mut Ctx, capk: bool) -> Result<(u32, u32), EngineError> {
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
        None => return Ok((0, 0)),
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
    let mut refused = 0;
    for (i, id_tlvs) in wanted.into_iter().enumerate() {
        ctx.emit(Progress::Startup(format!("{kind} {}/{total}", i + 1)));
        let mut d = management(ctx, "0800", download)?;
        set(&mut d, 62, tlv::encode_all(&id_tlvs))?;
        let answer = management_exchange(ctx, &format!("{kind} download"), &d)?;
        let data = answer.message.get(62).unwrap_or_default();
        let payload = DownloadPayload::parse(data)
            .map_err(|e| EngineError::NotReady(format!("{kind} download: {e}")))?;
        let id = hex::encode_upper(tlv::encode_all(&id_tlvs));
        if capk {
            if let Err(why) = emv::ca_public_key(&payload.entries) {
                log::warn!("CA key {id} refused: {why}");
                refused += 1;
                continue;
            }
        }
        ctx.store
            .store_download(kind, &id, &tlv::encode_all(&payload.entries))?;
        stored += 1;
    }
    let e = management(ctx, "0800", end)?;
    management_exchange(ctx, &format!("{kind} download end"), &e)?;
    Ok((stored, refused))
}

fn tag(v: u32) -> Result<Tag, EngineError> {
    Tag::from_u32(v).map_err(|e| EngineError::Protocol(e.to_string()))
}
