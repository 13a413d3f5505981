//! Network management (08xx, no MAC): sign-in with working-key delivery, sign-out, echo,
//! and the parameter, CA-key and AID downloads.

use super::state::HostState;
use super::{Ctx, Out};
use crate::config::{KeyMode, MacKeyLength};
use crate::emv_data::{aid_bytes, aid_parameters, ca_public_keys, tlv};
use crate::sessions::Session;
use unipos_crypto::unwrap::wrap_key;
use unipos_crypto::DesKey;
use unipos_iso8583::cup::{DownloadPayload, Field60, KeyBlock, ProcessingRequirement, SignInKeys};
use unipos_iso8583::tlv::{parse_all, Tlv};

const ECHO: [u8; 4] = [11, 41, 42, 60];

/// A fresh key of `len` bytes (8 or 16) with odd parity, from the terminal's stream.
fn fresh_key(rng: &mut crate::rng::SplitMix64, len: usize) -> Option<DesKey> {
    let mut bytes = vec![0u8; len];
    loop {
        rng.fill(&mut bytes);
        for b in bytes.iter_mut() {
            *b = (*b & 0xFE) | u8::from((*b & 0xFE).count_ones() % 2 == 0);
        }
        // A 2-key TDES key with equal halves is single DES in disguise: draw again.
        if len != 16 || bytes[..8] != bytes[8..] {
            break;
        }
    }
    DesKey::from_bytes(&bytes).ok()
}

fn key_block(tmk: &DesKey, key: &DesKey, block_len: usize) -> Option<KeyBlock> {
    let mut ciphertext = wrap_key(tmk, key).ok()?;
    // A single-length key travels in a 16-byte block with a zero second half (§1.6).
    ciphertext.resize(block_len.max(ciphertext.len()), 0);
    Some(KeyBlock {
        ciphertext,
        check_value: key.kcv(),
    })
}

/// Sign-in (0800, 60.3 `001`/`003`/`004`): fresh PIK and MAK (and TDK for `004`) under
/// the TMK with check values; the answer's 60.2 is the batch the host has open.
pub(super) fn sign_in(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    let mode = ctx.f60.network_code;
    let allowed = match ctx.terminal.key_mode {
        KeyMode::Any | KeyMode::NoTdk => true,
        KeyMode::Double => mode == 3,
        KeyMode::DoubleWithTdk => mode == 4,
    };
    if !allowed {
        return ctx.refuse("12", "sign-in mode not allowed for this terminal");
    }
    let Some(profile) = ctx.host.terminals.get(ctx.tid()) else {
        return ctx.refuse("03", "unknown terminal");
    };
    let Some(term) = st.terminals.get_mut(ctx.tid()) else {
        return ctx.refuse("03", "unknown terminal");
    };
    let single = mode == 1;
    let (key_len, block_len) = if single { (8, 8) } else { (16, 16) };
    let mak_len = match ctx.terminal.mak_length {
        MacKeyLength::Single => 8,
        MacKeyLength::Double => key_len,
    };
    let keys = (|| {
        let pik = fresh_key(&mut term.rng, key_len)?;
        let mak = fresh_key(&mut term.rng, mak_len)?;
        let tdk = if mode == 4 && ctx.terminal.key_mode != KeyMode::NoTdk {
            Some(fresh_key(&mut term.rng, key_len)?)
        } else {
            None
        };
        let blocks = SignInKeys {
            pik: key_block(&profile.tmk, &pik, block_len)?,
            mak: key_block(&profile.tmk, &mak, block_len)?,
            tdk: match &tdk {
                Some(k) => Some(key_block(&profile.tmk, k, block_len)?),
                None => None,
            },
        };
        Some((pik, mak, tdk, blocks.to_bytes().ok()?))
    })();
    let Some((pik, mak, tdk, field62)) = keys else {
        return ctx.refuse("96", "working keys could not be generated");
    };
    let batch = term.batch;
    ctx.host.sessions.insert(
        ctx.tid(),
        Session {
            pik,
            mak,
            tdk,
            batch,
        },
    );
    term.requests_since_sign_in = 0;
    if term.requirement == ProcessingRequirement::SignIn.digit() {
        term.requirement = 0;
    }
    let rrn = st.next_rrn();
    log::info!(
        "terminal {} signed in (mode {mode:03}), batch {batch:06}",
        ctx.tid()
    );
    let mut m = ctx.answer("00", &[11, 41, 42]);
    let _ = m.set(32, &ctx.rules().acquirer_id);
    let _ = m.set(37, rrn);
    let f60 = Field60 {
        batch,
        ..ctx.f60.clone()
    };
    let _ = m.set(60, f60.to_digits());
    let _ = m.set(62, field62);
    Out { msg: m, mac: false }
}

/// Sign-out (0820, 60.3 `002`): the session ends; later MAC'd requests get `97`.
pub(super) fn sign_out(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    ctx.host.sessions.remove(ctx.tid());
    log::info!("terminal {} signed out", ctx.tid());
    Out {
        msg: ctx.answer("00", &ECHO),
        mac: false,
    }
}

/// Echo test (0820, 60.3 `301`) and status upload (`362`).
pub(super) fn echo(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    Out {
        msg: ctx.answer("00", &ECHO),
        mac: false,
    }
}

fn signed_in(ctx: &Ctx<'_>) -> bool {
    ctx.host.sessions.get(ctx.tid()).is_some()
}

fn with_payload(ctx: &Ctx<'_>, status: u8, entries: Vec<Tlv>) -> Out {
    let mut m = ctx.answer("00", &ECHO);
    let _ = m.set(62, DownloadPayload { status, entries }.to_bytes());
    Out { msg: m, mac: false }
}

/// The TLVs of a request's field 62, with or without a leading status byte.
fn request_tlvs(ctx: &Ctx<'_>) -> Vec<Tlv> {
    let bytes = ctx.msg.get(62).unwrap_or_default();
    parse_all(bytes)
        .or_else(|_| parse_all(bytes.get(1..).unwrap_or_default()))
        .unwrap_or_default()
}

fn tag_value(list: &[Tlv], tag: [u8; 2]) -> Option<Vec<u8>> {
    list.iter()
        .find(|t| t.tag.as_bytes() == tag)
        .and_then(|t| t.value_bytes())
        .map(<[u8]>::to_vec)
}

fn clear_requirement(st: &mut HostState, tid: &str, which: ProcessingRequirement) {
    if let Some(t) = st.terminals.get_mut(tid) {
        if t.requirement == which.digit() {
            t.requirement = 0;
        }
    }
}

/// Parameter download (0800, 60.3 `360`): DF01 merchant name, DF02 QR path, DF03 reversal
/// retries, DF04 response timeout.
pub(super) fn parameter_download(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    clear_requirement(st, ctx.tid(), ProcessingRequirement::DownloadParameters);
    let rules = ctx.rules();
    with_payload(
        ctx,
        b'1',
        vec![
            tlv(0xDF01, ctx.terminal.merchant_name.as_bytes().to_vec()),
            tlv(0xDF02, rules.qr_path.as_bytes().to_vec()),
            tlv(0xDF03, vec![rules.reversal_retries]),
            tlv(0xDF04, vec![rules.response_timeout_secs]),
        ],
    )
}

/// CA key query (0820, 60.3 `372`): 9F06, 9F22, DF05 of every key.
pub(super) fn capk_query(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    let entries = ca_public_keys()
        .iter()
        .flat_map(|k| k.query_tlvs())
        .collect();
    with_payload(ctx, b'1', entries)
}

/// CA key download (0800, 60.3 `370`): the key named by 9F06 + 9F22; `25` if unknown.
pub(super) fn capk_download(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    let wanted = request_tlvs(ctx);
    let rid = tag_value(&wanted, [0x9F, 0x06]);
    let index = tag_value(&wanted, [0x9F, 0x22]).and_then(|v| v.first().copied());
    let key = ca_public_keys()
        .into_iter()
        .find(|k| Some(k.rid.to_vec()) == rid && Some(k.index) == index);
    match key {
        Some(k) => {
            let mut tlvs = k.download_tlvs();
            let name = format!("{}:{:02X}", hex::encode_upper(k.rid), k.index);
            if ctx.rules().bad_ca_key_checksums.contains(&name) {
                if let Some(df03) = tlvs.pop() {
                    let mut sum = df03.value_bytes().unwrap_or_default().to_vec();
                    if let Some(b) = sum.first_mut() {
                        *b ^= 0xFF;
                    }
                    tlvs.push(tlv(0xDF03, sum));
                }
            }
            with_payload(ctx, b'1', tlvs)
        }
        None => ctx.refuse("25", "no such CA public key"),
    }
}

/// AID query (0820, 60.3 `382`): 9F06 of every AID.
pub(super) fn aid_query(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    let entries = aid_bytes().into_iter().map(|a| tlv(0x9F06, a)).collect();
    with_payload(ctx, b'1', entries)
}

/// AID download (0800, 60.3 `380`): the parameters of the AID named by 9F06; `25` if
/// unknown.
pub(super) fn aid_download(ctx: &Ctx<'_>, _st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    let wanted = tag_value(&request_tlvs(ctx), [0x9F, 0x06]);
    match aid_bytes().into_iter().find(|a| Some(a) == wanted.as_ref()) {
        Some(aid) => with_payload(ctx, b'1', aid_parameters(&aid)),
        None => ctx.refuse("25", "no such AID"),
    }
}

/// End of CA-key (`371`) or AID (`381`) download: clears the matching requirement.
pub(super) fn download_end(ctx: &Ctx<'_>, st: &mut HostState) -> Out {
    if !signed_in(ctx) {
        return ctx.refuse("97", "download before sign-in");
    }
    let which = if ctx.f60.network_code == 371 {
        ProcessingRequirement::DownloadCaKeys
    } else {
        ProcessingRequirement::DownloadAidParameters
    };
    clear_requirement(st, ctx.tid(), which);
    Out {
        msg: ctx.answer("00", &ECHO),
        mac: false,
    }
}
